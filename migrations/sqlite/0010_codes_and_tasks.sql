-- Promotion codes (docs/SPEC.md §2.3) and background tasks. Keep in step with
-- migrations/postgres/0010_codes_and_tasks.sql.
--
-- SQLite cannot drop a column named in a CHECK or UNIQUE constraint, so
-- `promotions` is rebuilt without its `code` and `code_key` columns (the
-- documented twelve steps). That needs foreign keys off — dropping the old table
-- with them on would cascade-delete its product and tier rows — which a
-- transaction cannot switch, so `Db::migrate` runs SQLite's migrations on a
-- connection with foreign keys off and checks every reference afterwards. The
-- rows copied keep their ids, so every reference still holds.

-- Every code of every promotion — its shared code and its generated ones — so
-- one unique index over the normalized code keeps codes unique across promotions.
-- Checkout looks an entered code up here (a million codes do not belong in each
-- instance's promotion index). A code's uses are the promotion_uses rows that
-- carry it; no count is stored.
CREATE TABLE promotion_codes (
    id           INTEGER PRIMARY KEY,
    promotion_id INTEGER NOT NULL REFERENCES promotions (id),
    -- As entered or generated; code_key is the same upper-cased: codes compare case-insensitively.
    code         TEXT NOT NULL CHECK (length(code) > 0),
    code_key     TEXT NOT NULL UNIQUE,
    -- The promotion's one shared code (`code` in the API); the others were generated.
    shared       BOOLEAN NOT NULL CHECK (shared IN (0, 1)),
    status       TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
    max_uses     BIGINT CHECK (max_uses >= 1),
    created_at   DATETIME NOT NULL
);
CREATE INDEX promotion_codes_promotion ON promotion_codes (promotion_id, id);
CREATE UNIQUE INDEX promotion_codes_one_shared ON promotion_codes (promotion_id) WHERE shared;

CREATE TABLE promotions_rebuilt (
    id                 INTEGER PRIMARY KEY,
    name               TEXT NOT NULL CHECK (length(name) > 0),
    description        TEXT NOT NULL DEFAULT '',
    kind               TEXT NOT NULL CHECK (kind IN ('automatic', 'code')),
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
INSERT INTO promotions_rebuilt (id, name, description, kind, status, starts_at, ends_at, priority, stacking, min_subtotal, min_quantity, first_order_only, weekdays, hours_from, hours_to, reward_type, reward_basis_points, reward_amount, reward_buy, reward_get, max_discount, total_uses, uses_per_customer, budget, created_at, updated_at)
SELECT id, name, description, kind, status, starts_at, ends_at, priority, stacking, min_subtotal, min_quantity, first_order_only, weekdays, hours_from, hours_to, reward_type, reward_basis_points, reward_amount, reward_buy, reward_get, max_discount, total_uses, uses_per_customer, budget, created_at, updated_at FROM promotions;

INSERT INTO promotion_codes (promotion_id, code, code_key, shared, status, max_uses, created_at)
SELECT id, code, code_key, 1, 'active', NULL, created_at FROM promotions WHERE code IS NOT NULL;

DROP TABLE promotions;
ALTER TABLE promotions_rebuilt RENAME TO promotions;
CREATE INDEX promotions_status ON promotions (status);

ALTER TABLE promotion_uses ADD COLUMN code_id INTEGER REFERENCES promotion_codes (id);
CREATE INDEX promotion_uses_code ON promotion_uses (code_id) WHERE code_id IS NOT NULL;

-- Background tasks: long work started by a person or a token, run by whichever
-- instance claims it (FOR UPDATE SKIP LOCKED), its progress kept here so a page
-- can show it and a restart can resume it.
CREATE TABLE tasks (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    -- What the task works on (e.g. `generate_codes:12`): one queued or running task per key.
    work_key     TEXT NOT NULL,
    input        TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    done         BIGINT NOT NULL CHECK (done >= 0),
    total        BIGINT NOT NULL CHECK (total >= 0),
    result       TEXT,
    error        TEXT,
    attempts     INTEGER NOT NULL,
    run_after    DATETIME NOT NULL,
    -- The worker running it and when it last said so; a silent worker's task is taken over.
    worker       TEXT,
    heartbeat_at DATETIME,
    actor_id     INTEGER REFERENCES staff_users (id),
    actor_label  TEXT NOT NULL,
    actor_ip     TEXT,
    -- The API token scope that started it (it may read it back); NULL from a page.
    scope        TEXT,
    created_at   DATETIME NOT NULL,
    started_at   DATETIME,
    finished_at  DATETIME,
    updated_at   DATETIME NOT NULL
);
CREATE UNIQUE INDEX tasks_work_in_progress ON tasks (work_key) WHERE status IN ('queued', 'running');
CREATE INDEX tasks_to_claim ON tasks (status, run_after);
CREATE INDEX tasks_created ON tasks (created_at);
