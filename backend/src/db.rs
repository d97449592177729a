//! One database handle over SQLite or PostgreSQL.
//!
//! Each query is written once (`$1` placeholders, `RETURNING`) and run through
//! [`dispatch!`], which expands it once per backend; a `FromRow` struct serves both.
//! Backend-specific SQL appears only where the dialects truly differ, and says why.
//! We do not use sqlx's `Any` driver: it has no chrono or decimal support.

use crate::config::{Backend, DatabaseUrl};
use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::OwnedMutexGuard;

/// The application's database: a pool for whichever backend `DATABASE_URL` chose.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool, SqliteWriters),
    Postgres(PgPool),
}

/// SQLite takes one writer at a time. This process's writers queue here, first
/// come first served, before they open their transaction: a writer waits its turn
/// in the queue instead of sleeping and retrying on `SQLITE_BUSY`, so under load
/// the tail latency follows the queue, not the busy handler's backoff. (Writers of
/// other processes, e.g. the command line, still meet the busy timeout.)
#[derive(Clone, Debug, Default)]
pub struct SqliteWriters(Arc<tokio::sync::Mutex<()>>);

/// An open write transaction. On SQLite it was started with `BEGIN IMMEDIATE`, so
/// it holds the database's write lock from its first statement and two writers
/// never interleave; on PostgreSQL, callers lock rows (`SELECT … FOR UPDATE`).
pub enum Tx {
    /// A write transaction holds its turn in [`SqliteWriters`] until it ends (a read holds none).
    Sqlite(Transaction<'static, Sqlite>, Option<OwnedMutexGuard<()>>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs one expression against whichever backend is in use.
///
/// `dispatch!(db, |c| sqlx::query("…").execute(c).await.map(|r| r.rows_affected()))` with `db: &Db`, or
/// `dispatch!(tx tx, |c| …)` with `tx: &mut Tx`. The body is compiled once per
/// backend, so the same SQL text and row struct must suit both. Both arms must
/// yield one type: map `execute` results with `.map(|r| r.rows_affected())`.
#[macro_export]
macro_rules! dispatch {
    (tx $tx:expr, |$c:ident| $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(t, _) => {
                let $c = &mut **t;
                $body
            }
            $crate::db::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
    ($db:expr, |$c:ident| $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($c, _) => $body,
            $crate::db::Db::Postgres($c) => $body,
        }
    };
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("cannot open the SQLite database {url}: {reason}")]
    Sqlite { url: String, reason: String },
    #[error("cannot reach PostgreSQL at {url}: {reason}")]
    Postgres { url: String, reason: String },
    #[error("database migration failed: {0}")]
    Migrate(String),
}

/// A PostgreSQL write transaction, bounded in the same round trip as its BEGIN:
/// a lock wait ends after 10 s, a statement after 120 s, a pause between
/// statements after 60 s. The spending index trusts that a write is committed
/// within its 15-minute margin of the time it stamps (`spending_index`); without
/// these a write stuck behind a lock could commit any time later. (SQLite waits
/// at most its 10 s busy timeout for the one write lock.)
pub const POSTGRES_BEGIN_WRITE: &str =
    "BEGIN; SET LOCAL lock_timeout = '10s'; SET LOCAL statement_timeout = '120s'; SET LOCAL idle_in_transaction_session_timeout = '60s'";

/// SQLite's page cache per pooled connection, in MiB (`SETIA_SQLITE_CACHE_MIB`):
/// each connection keeps its own, so the pool's worst case is this times
/// `SETIA_DB_MAX_CONNECTIONS`; the OS page cache holds the file once for all of
/// them. Chosen by measurement (BENCHMARKS.md, "POS write path").
pub const DEFAULT_SQLITE_CACHE_MIB: u32 = 16;

/// How long an SQLite writer waits for the write lock (its turn, then the lock itself).
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

impl Db {
    /// Opens the pool with SQLite's default page cache ([`DEFAULT_SQLITE_CACHE_MIB`]).
    pub async fn connect(url: &DatabaseUrl, max_connections: u32) -> Result<Db, ConnectError> {
        Db::connect_sized(url, max_connections, DEFAULT_SQLITE_CACHE_MIB).await
    }

    /// Opens the pool. An SQLite file (and its folder) is created when missing and
    /// runs in WAL mode with foreign keys on, each connection with a page cache of
    /// up to `sqlite_cache_mib` (taken only as pages are read).
    pub async fn connect_sized(url: &DatabaseUrl, max_connections: u32, sqlite_cache_mib: u32) -> Result<Db, ConnectError> {
        match url.backend() {
            Backend::Sqlite => {
                let err = |reason: String| ConnectError::Sqlite { url: url.to_string(), reason };
                let opts = SqliteConnectOptions::from_str(url.expose())
                    .map_err(|e| err(e.to_string()))?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(SQLITE_BUSY_TIMEOUT)
                    // Negative: KiB. See DEFAULT_SQLITE_CACHE_MIB for the size chosen.
                    .pragma("cache_size", format!("-{}", u64::from(sqlite_cache_mib) * 1024));
                if let Some(parent) = opts.get_filename().parent() {
                    if !parent.as_os_str().is_empty() {
                        std::fs::create_dir_all(parent).map_err(|e| err(format!("cannot create {}: {e}", parent.display())))?;
                    }
                }
                let pool = SqlitePoolOptions::new()
                    .max_connections(max_connections)
                    .test_before_acquire(false)
                    .acquire_timeout(Duration::from_secs(15))
                    .connect_with(opts)
                    .await
                    .map_err(|e| err(e.to_string()))?;
                Ok(Db::Sqlite(pool, SqliteWriters::default()))
            }
            Backend::Postgres => {
                let err = |reason: String| ConnectError::Postgres { url: url.to_string(), reason };
                let opts = PgConnectOptions::from_str(url.expose()).map_err(|e| err(e.to_string()))?;
                // No ping before each use: it is one more round trip per checkout of a
                // connection (several per request; see BENCHMARKS.md). The price: after
                // the server drops a connection (a restart), the one request that meets
                // it fails; idle connections are closed after 10 minutes anyway.
                let pool = PgPoolOptions::new()
                    .max_connections(max_connections)
                    .test_before_acquire(false)
                    .acquire_timeout(Duration::from_secs(5))
                    .connect_with(opts)
                    .await
                    .map_err(|e| err(e.to_string()))?;
                Ok(Db::Postgres(pool))
            }
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(..) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies the migrations of this backend (`migrations/sqlite` or `migrations/postgres`).
    pub async fn migrate(&self) -> Result<(), ConnectError> {
        match self {
            Db::Sqlite(p, _) => migrate_sqlite(p).await,
            Db::Postgres(p) => POSTGRES_MIGRATIONS.run(p).await.map_err(|e| ConnectError::Migrate(e.to_string())),
        }
    }

    /// Starts a transaction for a mutation (see [`Tx`]).
    /// Starts a write transaction (see [`POSTGRES_BEGIN_WRITE`] for PostgreSQL's bounds).
    #[tracing::instrument(skip_all)]
    pub async fn begin_write(&self) -> anyhow::Result<Tx> {
        Ok(match self {
            Db::Sqlite(p, writers) => {
                // As long as SQLite's own busy timeout; then 503 `busy` as before (see `is_busy`).
                let turn = tokio::time::timeout(SQLITE_BUSY_TIMEOUT, writers.0.clone().lock_owned())
                    .await
                    .map_err(|_| sqlx::Error::PoolTimedOut)
                    .context("wait for the sqlite write turn")?;
                Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await.context("begin sqlite transaction")?, Some(turn))
            }
            Db::Postgres(p) => Tx::Postgres(p.begin_with(POSTGRES_BEGIN_WRITE).await.context("begin postgres transaction")?),
        })
    }

    /// Starts a read-only transaction: several queries see one consistent state
    /// (a deferred transaction on SQLite, repeatable read on PostgreSQL).
    #[tracing::instrument(skip_all)]
    pub async fn begin_read(&self) -> anyhow::Result<Tx> {
        Ok(match self {
            Db::Sqlite(p, _) => Tx::Sqlite(p.begin().await.context("begin sqlite read")?, None),
            Db::Postgres(p) => {
                Tx::Postgres(p.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await.context("begin postgres read")?)
            }
        })
    }

    /// Refreshes the query planner's statistics. SQLite keeps none until asked, and
    /// without them it may pick the status index over the customer index and read
    /// most of `orders` for one customer's spending; `PRAGMA optimize` (sampling at
    /// most 1,000 rows per index) analyzes what needs it. PostgreSQL: `ANALYZE`
    /// (autovacuum does this too; this is for right after a bulk load).
    pub async fn optimize(&self) -> anyhow::Result<()> {
        match self {
            Db::Sqlite(p, _) => {
                let mut c = p.acquire().await.context("acquire sqlite connection")?;
                sqlx::query("PRAGMA analysis_limit = 1000").execute(&mut *c).await.context("set analysis limit")?;
                // In a write transaction from the start: analysing reads, then
                // writes its statistics, and a read that turns into a write while
                // another process writes fails at once instead of waiting its turn.
                let mut tx = sqlx::Connection::begin_with(&mut *c, "BEGIN IMMEDIATE").await.context("begin sqlite optimize")?;
                sqlx::query("PRAGMA optimize = 0x10002").execute(&mut *tx).await.context("optimize sqlite")?;
                tx.commit().await.context("commit sqlite optimize")?;
            }
            Db::Postgres(p) => {
                sqlx::query("ANALYZE").execute(p).await.context("analyze postgres")?;
            }
        }
        Ok(())
    }

    /// `SELECT 1`, for health checks.
    pub async fn ping(&self) -> anyhow::Result<()> {
        dispatch!(self, |c| sqlx::query("SELECT 1").execute(c).await.map(|r| r.rows_affected())).context("ping database")?;
        Ok(())
    }

    /// Pool figures for `/metrics`: (open connections, idle connections, maximum).
    pub fn pool_stats(&self) -> (u32, usize, u32) {
        match self {
            Db::Sqlite(p, _) => (p.size(), p.num_idle(), p.options().get_max_connections()),
            Db::Postgres(p) => (p.size(), p.num_idle(), p.options().get_max_connections()),
        }
    }

    pub async fn close(&self) {
        dispatch!(self, |c| c.close().await)
    }
}

/// SQLite's migrations run on one connection with foreign keys off: rebuilding
/// a table (SQLite cannot drop a constrained column; see migration 0010) drops
/// the old one, which with foreign keys on would cascade-delete the rows that
/// reference it. Each migration is still one transaction (sqlx's), a transaction
/// cannot switch foreign keys, so they are switched here, and every reference is
/// checked before the connection goes back to the pool.
async fn migrate_sqlite(pool: &SqlitePool) -> Result<(), ConnectError> {
    let fail = |e: sqlx::Error| ConnectError::Migrate(e.to_string());
    let mut conn = pool.acquire().await.map_err(fail)?;
    sqlx::query("PRAGMA foreign_keys = OFF").execute(&mut *conn).await.map_err(fail)?;
    let ran = SQLITE_MIGRATIONS.run(&mut *conn).await.map_err(|e| ConnectError::Migrate(e.to_string()));
    let broken: Vec<(String, Option<i64>)> =
        sqlx::query_as("SELECT \"table\", rowid FROM pragma_foreign_key_check").fetch_all(&mut *conn).await.map_err(fail)?;
    sqlx::query("PRAGMA foreign_keys = ON").execute(&mut *conn).await.map_err(fail)?;
    ran?;
    match broken.first() {
        Some((table, row)) => {
            Err(ConnectError::Migrate(format!("after migrating, row {} of {table} references a missing row", row.unwrap_or_default())))
        }
        None => Ok(()),
    }
}

impl Tx {
    /// The row-lock clause for a `SELECT` that precedes an update: `FOR UPDATE` on
    /// PostgreSQL; nothing on SQLite, whose `BEGIN IMMEDIATE` already holds the
    /// database's write lock (the one place the dialects differ on locking).
    pub fn for_update(&self) -> &'static str {
        match self {
            Tx::Sqlite(..) => "",
            Tx::Postgres(_) => " FOR UPDATE",
        }
    }

    pub async fn commit(self) -> anyhow::Result<()> {
        match self {
            // The turn in the queue is given up after the commit, as the guard drops.
            Tx::Sqlite(t, _turn) => t.commit().await,
            Tx::Postgres(t) => t.commit().await,
        }
        .context("commit transaction")
    }
}

/// True when `err` is a unique-constraint violation (the same code on both backends'
/// drivers: sqlx maps SQLite's and PostgreSQL's to `ErrorKind::UniqueViolation`).
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(d) if d.is_unique_violation())
}

/// Whether a failure is the database being busy rather than broken: a PostgreSQL
/// write that hit its lock or statement timeout ([`POSTGRES_BEGIN_WRITE`]: 55P03,
/// 57014), SQLite's write lock still held after the busy timeout, or no pooled
/// connection free in time. The caller answers 503 `busy` so clients retry.
pub fn is_busy(err: &anyhow::Error) -> bool {
    err.chain().filter_map(|e| e.downcast_ref::<sqlx::Error>()).any(|e| match e {
        sqlx::Error::PoolTimedOut => true,
        sqlx::Error::Database(d) => matches!(d.code().as_deref(), Some("55P03" | "57014" | "5" | "517")),
        _ => false,
    })
}

/// A table whose rows have an `id` and a `name`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    Customers,
    Promotions,
}

/// The names of these rows by id (absent ids are left out), one statement.
#[tracing::instrument(skip_all)]
pub async fn names_by_id(db: &Db, table: Named, ids: &[i64]) -> anyhow::Result<std::collections::HashMap<i64, String>> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let table = match table {
        Named::Customers => "customers",
        Named::Promotions => "promotions",
    };
    // Whole numbers written into the SQL: nothing a caller sends can change its meaning.
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
    let rows: Vec<(i64, String)> =
        dispatch!(db, |c| sqlx::query_as(&format!("SELECT id, name FROM {table} WHERE id IN ({list})")).fetch_all(c).await)
            .with_context(|| format!("load {table} names"))?;
    Ok(rows.into_iter().collect())
}

/// `($1, …, $k), ($k+1, …)`: `rows` rows of `columns` placeholders, for a multi-row
/// `INSERT … VALUES` (one round trip for all rows; both databases take it).
pub fn value_rows(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|r| format!("({})", (r * columns + 1..=(r + 1) * columns).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One bound value of a query whose SQL is assembled at run time.
#[derive(Debug, Clone)]
pub enum Arg {
    Int(i64),
    Text(String),
    Time(chrono::DateTime<chrono::Utc>),
    // Typed, because PostgreSQL checks a NULL parameter's type against its column.
    OptInt(Option<i64>),
    OptText(Option<String>),
    OptTime(Option<chrono::DateTime<chrono::Utc>>),
    OptDate(Option<chrono::NaiveDate>),
}

/// The arguments of an assembled query, numbered in the order they are added,
/// so SQL text and bindings cannot fall out of step.
#[derive(Debug, Clone, Default)]
pub struct Params(pub Vec<Arg>);

impl Params {
    /// Adds a value and returns its placeholder (`$3`).
    pub fn add(&mut self, arg: Arg) -> String {
        self.0.push(arg);
        format!("${}", self.0.len())
    }
}

/// Binds every [`Params`] value to a query, in order: `bind_params!(query, params)`.
#[macro_export]
macro_rules! bind_params {
    ($q:expr, $params:expr) => {{
        let mut q = $q;
        for a in &$params.0 {
            q = match a {
                $crate::db::Arg::Int(i) => q.bind(*i),
                $crate::db::Arg::Text(s) => q.bind(s.clone()),
                $crate::db::Arg::Time(t) => q.bind(*t),
                $crate::db::Arg::OptInt(v) => q.bind(*v),
                $crate::db::Arg::OptText(v) => q.bind(v.clone()),
                $crate::db::Arg::OptTime(v) => q.bind(*v),
                $crate::db::Arg::OptDate(v) => q.bind(*v),
            };
        }
        q
    }};
}
