//! Customer notifications (docs/SPEC.md §2.4): customer, kind, message, target URL, read
//! flag, created at. Messages are written in Bahasa Indonesia, the language the
//! store's customers read.

use crate::db::{Db, Tx};
use crate::dispatch;
use anyhow::Context;
use chrono::{DateTime, Utc};

pub const KIND_TIER_UP: &str = "tier_up";

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Notification {
    pub id: i64,
    pub customer_id: i64,
    pub kind: String,
    pub message: String,
    pub target_url: Option<String>,
    pub order_id: Option<i64>,
    pub is_read: bool,
    pub created_at: DateTime<Utc>,
}

/// A payment moved the customer into a higher tier (docs/SPEC.md §2.2); written inside
/// the payment's transaction so it exists exactly when the payment does.
#[tracing::instrument(skip_all)]
pub async fn tier_up(tx: &mut Tx, customer_id: i64, order_id: i64, tier: &str, now: DateTime<Utc>) -> anyhow::Result<()> {
    let message = format!("Selamat! Anda naik ke tier {tier}.");
    dispatch!(tx tx, |c| sqlx::query(
        "INSERT INTO notifications (customer_id, kind, message, target_url, order_id, is_read, created_at)
         VALUES ($1, $2, $3, $4, $5, FALSE, $6)"
    )
    .bind(customer_id)
    .bind(KIND_TIER_UP)
    .bind(&message)
    .bind(format!("/customers/{customer_id}"))
    .bind(order_id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .context("create tier-up notification")?;
    Ok(())
}

/// A customer's notifications, newest first.
#[tracing::instrument(skip_all)]
pub async fn for_customer(db: &Db, customer_id: i64, limit: i64) -> anyhow::Result<Vec<Notification>> {
    dispatch!(db, |c| sqlx::query_as::<_, Notification>(
        "SELECT id, customer_id, kind, message, target_url, order_id, is_read, created_at
         FROM notifications WHERE customer_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2"
    )
    .bind(customer_id)
    .bind(limit)
    .fetch_all(c)
    .await)
    .context("list customer notifications")
}
