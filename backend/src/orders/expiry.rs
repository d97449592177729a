//! The order expiry job (docs/SPEC.md §2.1): every 60 s, pending orders at or past their
//! payment deadline (as payment sees it) become `expired` and their promotion uses are released
//! (docs/SPEC.md §2.3), in one transaction. (Point reservations join this job when the
//! points ledger exists.)

use crate::db::Db;
use crate::dispatch;
use crate::jobs::{Job, JobFuture};
use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use std::sync::Arc;

pub const JOB_NAME: &str = "order_expiry";

/// Expires overdue pending orders and releases their promotion uses, in one
/// transaction; returns how many orders.
#[tracing::instrument(skip_all)]
pub async fn expire_overdue_orders(db: &Db, now: DateTime<Utc>) -> anyhow::Result<u64> {
    let mut tx = db.begin_write().await?;
    // "Overdue" is `setia_domain::order::is_overdue` (pending, `payment_deadline <= now`);
    // tests/api/overdue.rs holds this copy to it at the deadline second.
    let expired: Vec<i64> = dispatch!(tx &mut tx, |c| sqlx::query_scalar::<_, i64>(
        "UPDATE orders SET status = 'expired', updated_at = $1 WHERE status = 'pending_payment' AND payment_deadline <= $1 RETURNING id"
    )
    .bind(now)
    .fetch_all(c)
    .await)
    .context("expire overdue orders")?;
    crate::promotion_uses::release_expired(&mut tx, &expired, now).await?;
    tx.commit().await?;
    Ok(expired.len() as u64)
}

pub fn job() -> Job {
    Job {
        name: JOB_NAME,
        period: Duration::seconds(60),
        run: Arc::new(|db: Db, now: DateTime<Utc>| -> JobFuture {
            Box::pin(async move { Ok(json!({ "expired": expire_overdue_orders(&db, now).await? })) })
        }),
    }
}
