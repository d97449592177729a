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

CREATE FUNCTION raise_store_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('UPDATE store_versions SET %1$I = %1$I + 1', TG_ARGV[0]);
    RETURN NULL;
END
$$;

CREATE TRIGGER settings_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON settings
    FOR EACH STATEMENT EXECUTE FUNCTION raise_store_version('settings');
CREATE TRIGGER tiers_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tiers
    FOR EACH STATEMENT EXECUTE FUNCTION raise_store_version('tiers');
-- Not on last_used_at: recording a token's use must not reload every instance's tokens.
CREATE TRIGGER api_tokens_version AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF name, token_hash, scope, revoked_at ON api_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION raise_store_version('api_tokens');
CREATE TRIGGER products_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON products
    FOR EACH STATEMENT EXECUTE FUNCTION raise_store_version('products');
