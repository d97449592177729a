-- Promotions (docs/SPEC.md §2.3) and their uses. Keep in step with
-- migrations/postgres/0006_promotions.sql. Values are checked here as the
-- domain checks them (percent in basis points, (0, 10000]; buy/get ≥ 1; amounts
-- > 0), so no write path can store a promotion pricing would refuse.
-- Use counts and budget spent have no column: they are derived from
-- promotion_uses (docs/SPEC.md §1).

CREATE TABLE promotions (
    id                 INTEGER PRIMARY KEY,
    name               TEXT NOT NULL CHECK (length(name) > 0),
    description        TEXT NOT NULL DEFAULT '',
    kind               TEXT NOT NULL CHECK (kind IN ('automatic', 'code')),
    -- The shared code as entered, and upper-cased: codes compare case-insensitively.
    code               TEXT,
    code_key           TEXT UNIQUE,
    status             TEXT NOT NULL CHECK (status IN ('draft', 'active', 'paused', 'ended')),
    starts_at          DATETIME,
    ends_at            DATETIME,
    priority           INTEGER NOT NULL,
    stacking           TEXT NOT NULL CHECK (stacking IN ('exclusive', 'combinable')),
    min_subtotal       BIGINT CHECK (min_subtotal >= 0),
    min_quantity       BIGINT CHECK (min_quantity >= 1),
    first_order_only   BOOLEAN NOT NULL CHECK (first_order_only IN (0, 1)),
    -- ISO weekdays, Monday = 1, as '1,3,5'; '' = every day.
    weekdays           TEXT NOT NULL DEFAULT '',
    hours_from         TEXT CHECK (hours_from GLOB '[0-2][0-9]:[0-5][0-9]'),
    hours_to           TEXT CHECK (hours_to GLOB '[0-2][0-9]:[0-5][0-9]'),
    reward_type        TEXT NOT NULL CHECK (reward_type IN ('percent_order', 'fixed_order', 'percent_items', 'fixed_items', 'buy_x_get_y')),
    reward_basis_points INTEGER CHECK (reward_basis_points > 0 AND reward_basis_points <= 10000),
    reward_amount      BIGINT CHECK (reward_amount > 0),
    reward_buy         BIGINT CHECK (reward_buy >= 1),
    reward_get         BIGINT CHECK (reward_get >= 1),
    max_discount       BIGINT CHECK (max_discount > 0),
    total_uses         BIGINT CHECK (total_uses >= 1),
    uses_per_customer  BIGINT CHECK (uses_per_customer >= 1),
    budget             BIGINT CHECK (budget > 0),
    created_at         DATETIME NOT NULL,
    updated_at         DATETIME NOT NULL,
    CHECK ((kind = 'code') = (code IS NOT NULL AND code_key IS NOT NULL)),
    CHECK (starts_at IS NULL OR ends_at IS NULL OR ends_at > starts_at),
    CHECK ((hours_from IS NULL) = (hours_to IS NULL)),
    CHECK (CASE reward_type
        WHEN 'percent_order' THEN reward_basis_points IS NOT NULL AND reward_amount IS NULL
        WHEN 'percent_items' THEN reward_basis_points IS NOT NULL AND reward_amount IS NULL
        WHEN 'fixed_order' THEN reward_amount IS NOT NULL AND reward_basis_points IS NULL
        WHEN 'fixed_items' THEN reward_amount IS NOT NULL AND reward_basis_points IS NULL
        ELSE reward_basis_points IS NOT NULL AND reward_buy IS NOT NULL AND reward_get IS NOT NULL
    END),
    CHECK (reward_type = 'buy_x_get_y' OR (reward_buy IS NULL AND reward_get IS NULL))
);
CREATE INDEX promotions_status ON promotions (status);

-- Products a promotion names: in its conditions, or as its reward's target.
CREATE TABLE promotion_products (
    promotion_id INTEGER NOT NULL REFERENCES promotions (id) ON DELETE CASCADE,
    role         TEXT NOT NULL CHECK (role IN ('condition', 'reward')),
    sku          TEXT REFERENCES products (sku),
    category     TEXT,
    CHECK ((sku IS NULL) <> (category IS NULL)),
    UNIQUE (promotion_id, role, sku, category)
);

CREATE TABLE promotion_tiers (
    promotion_id INTEGER NOT NULL REFERENCES promotions (id) ON DELETE CASCADE,
    tier_id      INTEGER NOT NULL REFERENCES tiers (id),
    PRIMARY KEY (promotion_id, tier_id)
);

-- One row per order a promotion was applied to: reserved when the order is
-- created, confirmed at payment, released at cancel or expiry. Uses, uses per
-- customer and budget spent are counted from the rows not released.
CREATE TABLE promotion_uses (
    id           INTEGER PRIMARY KEY,
    promotion_id INTEGER NOT NULL REFERENCES promotions (id),
    order_id     INTEGER NOT NULL REFERENCES orders (id),
    customer_id  INTEGER REFERENCES customers (id),
    amount       BIGINT NOT NULL CHECK (amount >= 0),
    status       TEXT NOT NULL CHECK (status IN ('reserved', 'confirmed', 'released')),
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL,
    UNIQUE (promotion_id, order_id)
);
CREATE INDEX promotion_uses_customer ON promotion_uses (promotion_id, customer_id);
CREATE INDEX promotion_uses_order ON promotion_uses (order_id);

-- Bumped by every promotion change, in the same transaction: each app instance
-- compares it with the version its promotion index was built from.
CREATE TABLE promotion_catalog_state (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO promotion_catalog_state (id, version) VALUES (1, 0);
