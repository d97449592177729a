//! `migrations/sqlite` and `migrations/postgres` must describe the same schema:
//! the same tables, columns (type family, nullability, primary key), unique
//! constraints, foreign keys, indexes and CHECK-constrained columns.
//!
//! Type families: int (INTEGER / BIGINT), bool (BOOLEAN), time (DATETIME /
//! TIMESTAMPTZ), text (TEXT; JSONB counts as text, SQLite keeps JSON as TEXT),
//! bytes (BLOB / BYTEA). SQLite's `CHECK (x IN (0, 1))` on a BOOLEAN column is
//! how it spells PostgreSQL's boolean type, so it is not counted as a check.
//! Each CHECK is written on one line in the SQLite files; it counts for every
//! column its expression names (as PostgreSQL's `conkey` does).

use crate::common;

use std::collections::BTreeSet;

#[derive(Debug, Default, PartialEq, Eq)]
struct Schema {
    columns: BTreeSet<(String, String, String, bool, bool)>, // table, column, family, not null, pk
    uniques: BTreeSet<(String, String)>,                     // table, columns
    foreign_keys: BTreeSet<(String, String, String, String)>, // table, column, ref table, ref column
    indexes: BTreeSet<(String, String)>,                     // table, index name
    checks: BTreeSet<(String, String)>,                      // table, column
}

fn family(t: &str) -> String {
    let t = t.to_ascii_lowercase();
    match t.as_str() {
        "integer" | "bigint" | "int" | "smallint" => "int",
        "boolean" => "bool",
        "datetime" | "timestamp with time zone" | "timestamptz" => "time",
        "text" | "jsonb" | "character varying" => "text",
        "blob" | "bytea" => "bytes",
        "date" => "date",
        other => panic!("type `{other}` has no family in the parity test: add it"),
    }
    .to_string()
}

async fn sqlite_schema() -> Schema {
    let (url, _dir) = common::fresh_database_url(common::Backend::Sqlite).await;
    let cfg = common::config_for(&url);
    let db = setia_backend::Db::connect(&cfg.database_url, 1).await.unwrap();
    db.migrate().await.unwrap();
    let setia_backend::Db::Sqlite(pool, _) = &db else { unreachable!() };
    let mut s = Schema::default();
    let tables: Vec<(String, String)> =
        sqlx::query_as("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%'")
            .fetch_all(pool)
            .await
            .unwrap();
    for (table, sql) in tables {
        let cols: Vec<(String, String, bool, i64)> =
            sqlx::query_as("SELECT name, type, \"notnull\", pk FROM pragma_table_info($1)").bind(&table).fetch_all(pool).await.unwrap();
        for (name, ty, notnull, pk) in &cols {
            // A SQLite INTEGER PRIMARY KEY is NOT NULL by nature.
            s.columns.insert((table.clone(), name.clone(), family(ty), *notnull || *pk > 0, *pk > 0));
        }
        for line in sql.lines() {
            // Each CHECK counts for every column its expression names.
            let Some(at) = line.find("CHECK (") else { continue };
            let expr = &line[at..];
            let named: Vec<&str> =
                expr.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|w| cols.iter().any(|(n, ..)| n == w)).collect();
            let first = line.split_whitespace().next().unwrap_or("");
            let is_bool_column = cols.iter().any(|(n, ty, ..)| n == first && family(ty) == "bool");
            if is_bool_column && expr.contains("IN (0, 1)") {
                continue; // SQLite's spelling of a boolean type
            }
            for col in named {
                s.checks.insert((table.clone(), col.to_string()));
            }
        }
        let indexes: Vec<(String, bool, String)> =
            sqlx::query_as("SELECT name, \"unique\", origin FROM pragma_index_list($1)").bind(&table).fetch_all(pool).await.unwrap();
        for (index, unique, origin) in indexes {
            let cols: Vec<String> =
                sqlx::query_scalar("SELECT name FROM pragma_index_info($1) ORDER BY seqno").bind(&index).fetch_all(pool).await.unwrap();
            if origin == "pk" {
                continue;
            }
            if unique {
                s.uniques.insert((table.clone(), cols.join(",")));
            } else {
                s.indexes.insert((table.clone(), index));
            }
        }
        let fks: Vec<(String, String, String)> = sqlx::query_as("SELECT \"from\", \"table\", \"to\" FROM pragma_foreign_key_list($1)")
            .bind(&table)
            .fetch_all(pool)
            .await
            .unwrap();
        for (from, to_table, to) in fks {
            s.foreign_keys.insert((table.clone(), from, to_table, to));
        }
    }
    s
}

async fn postgres_schema() -> Schema {
    // Dropped (with its database) when this function returns.
    let database = common::TestDatabase::create(common::Backend::Postgres).await;
    let cfg = common::config_for(&database.url);
    let db = setia_backend::Db::connect(&cfg.database_url, 1).await.unwrap();
    db.migrate().await.unwrap();
    let setia_backend::Db::Postgres(pool) = &db else { unreachable!() };
    let mut s = Schema::default();
    let pks: Vec<(String, String)> = sqlx::query_as(
        "SELECT tc.table_name::text, kcu.column_name::text FROM information_schema.table_constraints tc
         JOIN information_schema.key_column_usage kcu USING (constraint_schema, constraint_name)
         WHERE tc.table_schema = 'public' AND tc.constraint_type = 'PRIMARY KEY'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let cols: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name NOT LIKE '\\_sqlx%'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for (table, column, ty, nullable) in cols {
        let pk = pks.contains(&(table.clone(), column.clone()));
        s.columns.insert((table, column, family(&ty), nullable == "NO", pk));
    }
    let constraint_cols = |kind: &'static str| {
        sqlx::query_as::<_, (String, String, Option<String>, Option<String>)>(
            "SELECT c.conrelid::regclass::text,
                    (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(c.conkey) WITH ORDINALITY k(n, ord)
                       JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n),
                    c.confrelid::regclass::text,
                    (SELECT string_agg(a.attname, ',') FROM unnest(c.confkey) k(n)
                       JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n)
             FROM pg_constraint c JOIN pg_namespace ns ON ns.oid = c.connamespace
             WHERE ns.nspname = 'public' AND c.contype = $1::\"char\"",
        )
        .bind(kind)
    };
    for (table, cols, _, _) in constraint_cols("u").fetch_all(pool).await.unwrap() {
        s.uniques.insert((table, cols));
    }
    for (table, col, ref_table, ref_col) in constraint_cols("f").fetch_all(pool).await.unwrap() {
        s.foreign_keys.insert((table, col, ref_table.unwrap(), ref_col.unwrap()));
    }
    for (table, cols, _, _) in constraint_cols("c").fetch_all(pool).await.unwrap() {
        for col in cols.split(',') {
            s.checks.insert((table.clone(), col.to_string()));
        }
    }
    let indexes: Vec<(String, String, bool)> = sqlx::query_as(
        "SELECT t.relname::text, i.relname::text, ix.indisunique FROM pg_index ix
         JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid
         JOIN pg_namespace ns ON ns.oid = t.relnamespace
         WHERE ns.nspname = 'public' AND NOT ix.indisprimary AND t.relname NOT LIKE '\\_sqlx%'
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid)",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for (table, index, unique) in indexes {
        if unique {
            let cols: String = sqlx::query_scalar(
                "SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM pg_index ix, unnest(ix.indkey) WITH ORDINALITY k(n, ord)
                 JOIN pg_attribute a ON a.attnum = k.n WHERE ix.indexrelid = $1::regclass AND a.attrelid = ix.indrelid",
            )
            .bind(&index)
            .fetch_one(pool)
            .await
            .unwrap();
            s.uniques.insert((table, cols));
        } else {
            s.indexes.insert((table, index));
        }
    }
    s
}

#[tokio::test]
async fn sqlite_and_postgres_migrations_define_the_same_schema() {
    let lite = sqlite_schema().await;
    let pg = postgres_schema().await;
    assert!(lite.columns.len() > 10, "the SQLite schema looks empty: {lite:?}");
    assert_eq!(lite.columns, pg.columns, "columns differ (left SQLite, right PostgreSQL)");
    assert_eq!(lite.uniques, pg.uniques, "unique constraints differ");
    assert_eq!(lite.foreign_keys, pg.foreign_keys, "foreign keys differ");
    assert_eq!(lite.indexes, pg.indexes, "indexes differ");
    assert_eq!(lite.checks, pg.checks, "CHECK-constrained columns differ");
}
