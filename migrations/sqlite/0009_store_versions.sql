-- What each app instance caches (settings, the tier ladder, API tokens, the product
-- rows of recent carts) carries a
-- version here, raised by a trigger in the same transaction as any change to its
-- table, whoever writes it (the app, the command line, an operator's SQL). Every
-- instance reads this one row per request and reloads only what moved, so a
-- revoked token or a new tier is seen at once everywhere.
CREATE TABLE store_versions (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    settings   BIGINT NOT NULL,
    tiers      BIGINT NOT NULL,
    api_tokens BIGINT NOT NULL,
    products   BIGINT NOT NULL
);
INSERT INTO store_versions (id, settings, tiers, api_tokens, products) VALUES (1, 0, 0, 0, 0);

CREATE TRIGGER settings_version_on_insert AFTER INSERT ON settings BEGIN UPDATE store_versions SET settings = settings + 1; END;
CREATE TRIGGER settings_version_on_update AFTER UPDATE ON settings BEGIN UPDATE store_versions SET settings = settings + 1; END;
CREATE TRIGGER settings_version_on_delete AFTER DELETE ON settings BEGIN UPDATE store_versions SET settings = settings + 1; END;
CREATE TRIGGER tiers_version_on_insert AFTER INSERT ON tiers BEGIN UPDATE store_versions SET tiers = tiers + 1; END;
CREATE TRIGGER tiers_version_on_update AFTER UPDATE ON tiers BEGIN UPDATE store_versions SET tiers = tiers + 1; END;
CREATE TRIGGER tiers_version_on_delete AFTER DELETE ON tiers BEGIN UPDATE store_versions SET tiers = tiers + 1; END;
CREATE TRIGGER api_tokens_version_on_insert AFTER INSERT ON api_tokens BEGIN UPDATE store_versions SET api_tokens = api_tokens + 1; END;
-- Not on last_used_at: recording a token's use must not reload every instance's tokens.
CREATE TRIGGER api_tokens_version_on_update AFTER UPDATE OF name, token_hash, scope, revoked_at ON api_tokens
BEGIN UPDATE store_versions SET api_tokens = api_tokens + 1; END;
CREATE TRIGGER api_tokens_version_on_delete AFTER DELETE ON api_tokens BEGIN UPDATE store_versions SET api_tokens = api_tokens + 1; END;
CREATE TRIGGER products_version_on_insert AFTER INSERT ON products BEGIN UPDATE store_versions SET products = products + 1; END;
CREATE TRIGGER products_version_on_update AFTER UPDATE ON products BEGIN UPDATE store_versions SET products = products + 1; END;
CREATE TRIGGER products_version_on_delete AFTER DELETE ON products BEGIN UPDATE store_versions SET products = products + 1; END;
