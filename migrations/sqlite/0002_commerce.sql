-- Commerce core: customers, products, tiers, orders (lines, adjustments, refunds),
-- notifications, API tokens, jobs. Keep in step with migrations/postgres/0002_commerce.sql.
-- Money is BIGINT minor units. Derived values (spending, loyal, tier, balances) have
-- no column anywhere: they are computed from these facts (docs/SPEC.md §1).

CREATE TABLE customers (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL CHECK (length(name) > 0),
    phone       TEXT NOT NULL UNIQUE,
    email       TEXT UNIQUE,
    birth_date  DATE,
    address     TEXT,
    external_id TEXT UNIQUE,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);
CREATE INDEX customers_created ON customers (created_at);

CREATE TABLE products (
    id         INTEGER PRIMARY KEY,
    sku        TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL CHECK (length(name) > 0),
    category   TEXT,
    price      BIGINT NOT NULL CHECK (price >= 0),
    active     BOOLEAN NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE INDEX products_category ON products (category);

CREATE TABLE tiers (
    id                  INTEGER PRIMARY KEY,
    name                TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
    min_spending        BIGINT NOT NULL UNIQUE CHECK (min_spending >= 0),
    window_days         INTEGER CHECK (window_days > 0),
    earn_rate_points    BIGINT NOT NULL CHECK (earn_rate_points >= 0),
    earn_rate_per       BIGINT NOT NULL CHECK (earn_rate_per > 0),
    discount_basis_points INTEGER CHECK (discount_basis_points > 0 AND discount_basis_points <= 10000),
    colour              TEXT NOT NULL,
    created_at          DATETIME NOT NULL,
    updated_at          DATETIME NOT NULL
);

CREATE TABLE orders (
    id                    INTEGER PRIMARY KEY,
    source                TEXT NOT NULL CHECK (source IN ('pos', 'online', 'import')),
    external_ref          TEXT NOT NULL CHECK (length(external_ref) > 0),
    customer_id           INTEGER REFERENCES customers (id),
    status                TEXT NOT NULL CHECK (status IN ('pending_payment', 'paid', 'shipped', 'completed', 'cancelled', 'expired', 'partially_refunded', 'refunded')),
    payment_deadline      DATETIME NOT NULL,
    subtotal              BIGINT NOT NULL CHECK (subtotal >= 0),
    discount_total        BIGINT NOT NULL CHECK (discount_total >= 0),
    points_discount       BIGINT NOT NULL CHECK (points_discount >= 0),
    shipping              BIGINT NOT NULL CHECK (shipping >= 0),
    total                 BIGINT NOT NULL CHECK (total >= 0),
    tier_id               INTEGER REFERENCES tiers (id),
    tier_name             TEXT,
    tier_earn_rate_points BIGINT,
    tier_earn_rate_per    BIGINT,
    tier_discount_basis_points INTEGER,
    coupon_code           TEXT,
    payment_ref           TEXT UNIQUE,
    paid_at               DATETIME,
    created_at            DATETIME NOT NULL,
    updated_at            DATETIME NOT NULL,
    UNIQUE (source, external_ref)
);
CREATE INDEX orders_customer_paid ON orders (customer_id, paid_at);
CREATE INDEX orders_status_deadline ON orders (status, payment_deadline);
CREATE INDEX orders_created ON orders (created_at);

CREATE TABLE order_lines (
    id           INTEGER PRIMARY KEY,
    order_id     INTEGER NOT NULL REFERENCES orders (id),
    line_no      INTEGER NOT NULL CHECK (line_no >= 0),
    product_id   INTEGER NOT NULL REFERENCES products (id),
    sku          TEXT NOT NULL,
    quantity     BIGINT NOT NULL CHECK (quantity > 0),
    unit_price   BIGINT NOT NULL CHECK (unit_price >= 0),
    base_amount  BIGINT NOT NULL CHECK (base_amount >= 0),
    discount     BIGINT NOT NULL CHECK (discount >= 0 AND discount <= base_amount),
    final_amount BIGINT NOT NULL CHECK (final_amount >= 0),
    UNIQUE (order_id, line_no)
);

-- The discount trace: one row per applied reward and line.
CREATE TABLE order_adjustments (
    id                   INTEGER PRIMARY KEY,
    order_id             INTEGER NOT NULL REFERENCES orders (id),
    line_no              INTEGER,
    source               TEXT NOT NULL CHECK (source IN ('promotion', 'customer_discount', 'tier', 'points')),
    promotion_id         BIGINT,
    customer_discount_id BIGINT,
    code                 TEXT,
    amount               BIGINT NOT NULL CHECK (amount > 0),
    explanation          TEXT NOT NULL
);
CREATE INDEX order_adjustments_order ON order_adjustments (order_id);

CREATE TABLE refunds (
    id         INTEGER PRIMARY KEY,
    order_id   INTEGER NOT NULL REFERENCES orders (id),
    refund_ref TEXT NOT NULL,
    amount     BIGINT NOT NULL CHECK (amount > 0),
    created_at DATETIME NOT NULL,
    UNIQUE (order_id, refund_ref)
);

CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    kind        TEXT NOT NULL CHECK (length(kind) > 0),
    message     TEXT NOT NULL,
    target_url  TEXT,
    order_id    INTEGER REFERENCES orders (id),
    is_read     BOOLEAN NOT NULL DEFAULT 0 CHECK (is_read IN (0, 1)),
    created_at  DATETIME NOT NULL
);
CREATE INDEX notifications_customer ON notifications (customer_id, created_at);

-- Tokens for POS terminals and integrations; only a hash is kept.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL CHECK (length(name) > 0),
    token_hash   TEXT NOT NULL UNIQUE,
    scope        TEXT NOT NULL CHECK (scope IN ('pos', 'admin')),
    created_by   INTEGER REFERENCES staff_users (id),
    created_at   DATETIME NOT NULL,
    last_used_at DATETIME,
    revoked_at   DATETIME
);

-- Every run of a periodic job, visible to admins.
CREATE TABLE job_runs (
    id          INTEGER PRIMARY KEY,
    job         TEXT NOT NULL,
    instance    TEXT NOT NULL,
    started_at  DATETIME NOT NULL,
    finished_at DATETIME,
    outcome     TEXT NOT NULL CHECK (outcome IN ('running', 'ok', 'failed')),
    counts      TEXT,
    error       TEXT
);
CREATE INDEX job_runs_job_started ON job_runs (job, started_at);

-- One row per job: who may run its current period (a lease, so one instance runs it).
CREATE TABLE job_leases (
    job         TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    lease_until DATETIME NOT NULL
);
