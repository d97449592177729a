//! Promotion codes stored (docs/SPEC.md §2.3): every code in `promotion_codes` —
//! a promotion's shared code and its generated ones — unique by its upper-cased
//! key across all promotions. Checkout looks an entered code up here; a code's
//! uses are the `promotion_uses` rows that carry it, counted like promotion uses
//! (reserved and confirmed; a pending order past its deadline holds nothing).
//! The shape of generated codes and when a code may be used are the domain's
//! (`setia_domain::promotion_code`).

use super::{load_in, PromotionError};
use crate::audit::{self, Actor, AuditEntry};
use crate::db::{value_rows, Db, Tx};
use crate::dispatch;
use crate::tasks::{self, Claimed, NewTask, TaskError, TaskKind, TaskRecord};
use anyhow::Context;
use chrono::{DateTime, Utc};
use rand::Rng;
use serde_json::json;
use setia_domain::promotion::{normalize_code, PromotionKind};
use setia_domain::promotion_code::CodeBatch;

/// Codes written per statement, and per committed step of a generation task.
const ROWS_PER_INSERT: usize = 1_000;
const CODES_PER_STEP: i64 = 10_000;

/// The promotion holding this code, if any.
pub(super) async fn holder_of(tx: &mut Tx, code: &str) -> anyhow::Result<Option<i64>> {
    dispatch!(tx tx, |c| sqlx::query_scalar::<_, i64>("SELECT promotion_id FROM promotion_codes WHERE code_key = $1")
        .bind(normalize_code(code))
        .fetch_optional(c)
        .await)
    .context("look up the promotion holding a code")
}

/// Makes `code` the promotion's shared code (or removes it). The shared row is
/// kept and re-keyed when the code changes, so uses recorded under the old code
/// stay attached; removed, it is deleted when nothing used it, else disabled and
/// no longer shared.
pub(super) async fn set_shared_code(tx: &mut Tx, promotion_id: i64, code: Option<&str>, now: DateTime<Utc>) -> anyhow::Result<()> {
    let current: Option<(i64, String)> =
        dispatch!(tx tx, |c| sqlx::query_as("SELECT id, code FROM promotion_codes WHERE promotion_id = $1 AND shared")
            .bind(promotion_id)
            .fetch_optional(c)
            .await)
        .context("read the shared code")?;
    match (current, code) {
        (Some((_, old)), Some(new)) if old == new => {}
        (Some((id, _)), Some(new)) => {
            dispatch!(tx tx, |c| sqlx::query("UPDATE promotion_codes SET code = $1, code_key = $2 WHERE id = $3")
                .bind(new)
                .bind(normalize_code(new))
                .bind(id)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))
            .context("change the shared code")?;
        }
        (None, Some(new)) => {
            dispatch!(tx tx, |c| sqlx::query(
                "INSERT INTO promotion_codes (promotion_id, code, code_key, shared, status, max_uses, created_at)
                 VALUES ($1, $2, $3, $4, 'active', NULL, $5)"
            )
            .bind(promotion_id)
            .bind(new)
            .bind(normalize_code(new))
            .bind(true)
            .bind(now)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))
            .context("add the shared code")?;
        }
        (Some((id, _)), None) => {
            dispatch!(tx tx, |c| sqlx::query(
                "UPDATE promotion_codes SET shared = $1, status = 'disabled' WHERE id = $2"
            )
            .bind(false)
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))
            .context("retire the shared code")?;
            dispatch!(tx tx, |c| sqlx::query(
                "DELETE FROM promotion_codes WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM promotion_uses u WHERE u.code_id = $1)"
            )
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))
            .context("delete the unused shared code")?;
        }
        (None, None) => {}
    }
    Ok(())
}

/// An entered code as the store knows it, with its uses counted when it has a limit.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EnteredCode {
    pub id: i64,
    pub promotion_id: i64,
    pub promotion_status: String,
    pub status: String,
    pub max_uses: Option<i64>,
    /// Uses not released, without `except_order`'s and without those of pending
    /// orders past their deadline; 0 when the code has no max uses (not counted).
    pub uses: i64,
}

impl EnteredCode {
    pub fn disabled(&self) -> bool {
        self.status == "disabled"
    }
}

/// The statement looking an entered code up.
fn look_up_sql() -> &'static str {
    // "Past its deadline" is `setia_domain::order::is_overdue`, as in `promotion_uses::usage_of`.
    "SELECT c.id, c.promotion_id, p.status AS promotion_status, c.status, c.max_uses,
            CAST(CASE WHEN c.max_uses IS NULL THEN 0 ELSE
                (SELECT COUNT(*) FROM promotion_uses u
                 WHERE u.code_id = c.id AND u.status <> 'released' AND u.order_id <> $2
                   AND NOT (u.status = 'reserved'
                            AND EXISTS (SELECT 1 FROM orders o WHERE o.id = u.order_id AND o.payment_deadline <= $3)))
            END AS BIGINT) AS uses
     FROM promotion_codes c JOIN promotions p ON p.id = c.promotion_id
     WHERE c.code_key = $1"
}

/// Looks `code` up (case-insensitively), its uses counted without `except_order`'s.
#[tracing::instrument(skip_all)]
pub async fn look_up(db: &Db, code: &str, except_order: Option<i64>, now: DateTime<Utc>) -> anyhow::Result<Option<EnteredCode>> {
    dispatch!(db, |c| sqlx::query_as::<_, EnteredCode>(look_up_sql())
        .bind(normalize_code(code))
        .bind(except_order.unwrap_or(0))
        .bind(now)
        .fetch_optional(c)
        .await)
    .context("look up an entered code")
}

/// The same inside a transaction; with `lock`, the code's row is locked first
/// (PostgreSQL), so its count cannot move until the transaction ends. Lock order:
/// after the customer, the order and the promotions (see `promotion_uses`).
#[tracing::instrument(skip_all)]
pub async fn look_up_in(
    tx: &mut Tx,
    code: &str,
    except_order: Option<i64>,
    now: DateTime<Utc>,
    lock: bool,
) -> anyhow::Result<Option<EnteredCode>> {
    let key = normalize_code(code);
    if lock && !tx.for_update().is_empty() {
        // Its own statement: under read committed, a count in the locking
        // statement would be read from before the lock was granted, missing the
        // use the previous holder just committed.
        dispatch!(tx tx, |c| sqlx::query_scalar::<_, i64>("SELECT id FROM promotion_codes WHERE code_key = $1 FOR UPDATE")
            .bind(&key)
            .fetch_optional(c)
            .await)
        .context("lock an entered code")?;
    }
    dispatch!(tx tx, |c| sqlx::query_as::<_, EnteredCode>(look_up_sql())
        .bind(&key)
        .bind(except_order.unwrap_or(0))
        .bind(now)
        .fetch_optional(c)
        .await)
    .context("look up an entered code")
}

/// What a generation request got: the codes, or the task making them.
#[derive(Debug, Clone, PartialEq)]
pub enum Generated {
    Inline { generated: i64 },
    Task(TaskRecord),
}

/// Generates codes for a `code` promotion (`POST /api/v1/promotions/{id}/codes`):
/// up to 10,000 while the caller waits, more as a task. Audited either way.
#[tracing::instrument(skip_all)]
pub async fn generate_codes(
    db: &Db,
    promotion_id: i64,
    batch: CodeBatch,
    actor: &Actor,
    scope: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Generated, PromotionError> {
    {
        let mut tx = db.begin_read().await?;
        let promotion = load_in(&mut tx, promotion_id, false).await?.ok_or(PromotionError::NotFound)?;
        if promotion.promotion.kind != PromotionKind::Code {
            return Err(PromotionError::invalid("kind", "not_a_code_promotion", "only a promotion of kind code has codes"));
        }
    }
    if !batch.runs_inline() {
        let task = NewTask {
            kind: TaskKind::GenerateCodes,
            work_key: format!("generate_codes:{promotion_id}"),
            input: json!({ "promotion_id": promotion_id, "batch": batch }),
            total: batch.count,
        };
        return Ok(Generated::Task(tasks::start(db, task, actor, scope, now).await?));
    }
    let mut tx = db.begin_write().await?;
    // Serializes generation with changes to the promotion (PostgreSQL).
    load_in(&mut tx, promotion_id, true).await?.ok_or(PromotionError::NotFound)?;
    insert_codes(&mut tx, promotion_id, &batch, batch.count, now).await?;
    record_generation(&mut tx, actor, promotion_id, &batch, now).await?;
    tx.commit().await?;
    Ok(Generated::Inline { generated: batch.count })
}

/// Inserts `n` new codes drawn for `batch`; a drawn code that exists already
/// (in any promotion) is drawn again, so exactly `n` are added.
async fn insert_codes(tx: &mut Tx, promotion_id: i64, batch: &CodeBatch, n: i64, now: DateTime<Utc>) -> anyhow::Result<()> {
    let mut missing = n as usize;
    let mut rounds = 0;
    while missing > 0 {
        rounds += 1;
        anyhow::ensure!(rounds <= 50, "could not draw {missing} more unused codes for pattern {}", batch.pattern);
        let codes: Vec<String> = {
            let mut rng = rand::thread_rng();
            (0..missing).map(|_| batch.make_code(|| rng.gen())).collect()
        };
        for chunk in codes.chunks(ROWS_PER_INSERT) {
            let sql = format!(
                "INSERT INTO promotion_codes (promotion_id, code, code_key, shared, status, max_uses, created_at) VALUES {}
                 ON CONFLICT (code_key) DO NOTHING",
                value_rows(chunk.len(), 7)
            );
            let added = dispatch!(tx tx, |c| {
                let mut q = sqlx::query(&sql);
                for code in chunk {
                    q = q.bind(promotion_id).bind(code).bind(code).bind(false).bind("active").bind(batch.max_uses).bind(now);
                }
                q.execute(c).await.map(|r| r.rows_affected())
            })
            .context("insert generated codes")?;
            missing -= added as usize;
        }
    }
    Ok(())
}

async fn record_generation(tx: &mut Tx, actor: &Actor, promotion_id: i64, batch: &CodeBatch, now: DateTime<Utc>) -> anyhow::Result<()> {
    audit::record(
        tx,
        AuditEntry {
            actor: actor.clone(),
            action: "promotion.codes.generate",
            entity_type: "promotion",
            entity_id: Some(promotion_id.to_string()),
            before: None,
            after: Some(json!({ "generated": batch.count, "prefix": batch.prefix, "pattern": batch.pattern, "max_uses": batch.max_uses })),
            ip: actor.ip.clone(),
            at: now,
        },
    )
    .await
}

/// The `generate_codes` task: steps of 10,000 codes, each committed with the
/// task's progress, so a resumed task adds exactly what is still missing. The
/// audit row is written with the last step.
pub(crate) async fn run_generation(db: &Db, task: &Claimed) -> Result<serde_json::Value, TaskError> {
    let promotion_id = task.input["promotion_id"].as_i64().context("task input without promotion_id")?;
    let batch: CodeBatch = serde_json::from_value(task.input["batch"].clone()).context("task input without its batch")?;
    let mut done = task.done;
    while done < batch.count {
        let n = CODES_PER_STEP.min(batch.count - done);
        let now = Utc::now();
        let mut tx = db.begin_write().await?;
        insert_codes(&mut tx, promotion_id, &batch, n, now).await?;
        task.progress_in(&mut tx, done + n, now).await?;
        if done + n == batch.count {
            record_generation(&mut tx, &task.actor, promotion_id, &batch, now).await?;
        }
        tx.commit().await?;
        done += n;
    }
    Ok(json!({ "generated": batch.count }))
}

/// One code of a promotion as listed and exported.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CodeRow {
    pub id: i64,
    pub code: String,
    pub shared: bool,
    pub status: String,
    pub max_uses: Option<i64>,
    /// Reserved and confirmed uses.
    pub uses: i64,
}

/// Up to `limit` codes of a promotion after the code with id `after` (keyset
/// paging: the CSV export reads page after page in flat memory).
#[tracing::instrument(skip_all)]
pub async fn codes_after(db: &Db, promotion_id: i64, after: i64, limit: i64) -> anyhow::Result<Vec<CodeRow>> {
    dispatch!(db, |c| sqlx::query_as::<_, CodeRow>(
        "SELECT c.id, c.code, c.shared, c.status, c.max_uses,
                CAST((SELECT COUNT(*) FROM promotion_uses u WHERE u.code_id = c.id AND u.status <> 'released') AS BIGINT) AS uses
         FROM promotion_codes c WHERE c.promotion_id = $1 AND c.id > $2 ORDER BY c.id LIMIT $3"
    )
    .bind(promotion_id)
    .bind(after)
    .bind(limit)
    .fetch_all(c)
    .await)
    .context("list promotion codes")
}

/// Disables or enables one code of a promotion (audited). 404 when the promotion
/// has no such code.
#[tracing::instrument(skip_all)]
pub async fn set_code_status(
    db: &Db,
    promotion_id: i64,
    code: &str,
    disabled: bool,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(), PromotionError> {
    let status = if disabled { "disabled" } else { "active" };
    let mut tx = db.begin_write().await?;
    let before: Option<String> = dispatch!(tx &mut tx, |c| sqlx::query_scalar(
        "SELECT status FROM promotion_codes WHERE promotion_id = $1 AND code_key = $2"
    )
    .bind(promotion_id)
    .bind(normalize_code(code))
    .fetch_optional(c)
    .await)
    .context("read code status")?;
    let before = before.ok_or(PromotionError::NotFound)?;
    if before == status {
        return Ok(());
    }
    dispatch!(tx &mut tx, |c| sqlx::query("UPDATE promotion_codes SET status = $1 WHERE promotion_id = $2 AND code_key = $3")
        .bind(status)
        .bind(promotion_id)
        .bind(normalize_code(code))
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .context("change code status")?;
    let entry = AuditEntry {
        actor: actor.clone(),
        action: if disabled { "promotion.code.disable" } else { "promotion.code.enable" },
        entity_type: "promotion",
        entity_id: Some(promotion_id.to_string()),
        before: Some(json!({ "code": normalize_code(code), "status": before })),
        after: Some(json!({ "code": normalize_code(code), "status": status })),
        ip: actor.ip.clone(),
        at: now,
    };
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// An order that used a code, and how far that use went.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CodeUse {
    pub order_id: i64,
    pub order_status: String,
    /// `reserved`, `confirmed` or `released`.
    pub use_status: String,
    pub amount: i64,
    pub created_at: DateTime<Utc>,
}

/// One code of a promotion with the orders that used it (newest first, at most
/// 100): support's answer to "why didn't my code work?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeDetail {
    pub code: CodeRow,
    pub uses: Vec<CodeUse>,
}

#[tracing::instrument(skip_all)]
pub async fn find_code(db: &Db, promotion_id: i64, code: &str) -> anyhow::Result<Option<CodeDetail>> {
    let row: Option<CodeRow> = dispatch!(db, |c| sqlx::query_as::<_, CodeRow>(
        "SELECT c.id, c.code, c.shared, c.status, c.max_uses,
                CAST((SELECT COUNT(*) FROM promotion_uses u WHERE u.code_id = c.id AND u.status <> 'released') AS BIGINT) AS uses
         FROM promotion_codes c WHERE c.promotion_id = $1 AND c.code_key = $2"
    )
    .bind(promotion_id)
    .bind(normalize_code(code))
    .fetch_optional(c)
    .await)
    .context("find a code")?;
    let Some(code) = row else { return Ok(None) };
    let uses = dispatch!(db, |c| sqlx::query_as::<_, CodeUse>(
        "SELECT u.order_id, o.status AS order_status, u.status AS use_status, u.amount, u.created_at
         FROM promotion_uses u JOIN orders o ON o.id = u.order_id
         WHERE u.code_id = $1 ORDER BY u.id DESC LIMIT 100"
    )
    .bind(code.id)
    .fetch_all(c)
    .await)
    .context("list a code's uses")?;
    Ok(Some(CodeDetail { code, uses }))
}

/// How many codes a promotion has (shared and generated).
#[tracing::instrument(skip_all)]
pub async fn count_codes(db: &Db, promotion_id: i64) -> anyhow::Result<i64> {
    dispatch!(db, |c| sqlx::query_scalar::<_, i64>("SELECT CAST(COUNT(*) AS BIGINT) FROM promotion_codes WHERE promotion_id = $1")
        .bind(promotion_id)
        .fetch_one(c)
        .await)
    .context("count codes")
}
