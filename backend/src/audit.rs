//! The audit log (docs/SPEC.md §1.5, §2.7): who did what to which record, before and after,
//! when and from where. Every mutation calls [`record`] inside its own transaction,
//! so the change and its audit row commit or roll back together.

use crate::db::{Db, Tx};
use crate::dispatch;
use anyhow::Context;
use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::types::Json;

/// Who acted: a signed-in staff user, or something without an account
/// (an anonymous login attempt, the command line, a job).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub staff_id: Option<i64>,
    pub label: String,
    /// Where the change came from (docs/SPEC.md §2.7), when known.
    pub ip: Option<String>,
}

impl Actor {
    pub fn staff(id: i64, email: &str) -> Actor {
        Actor { staff_id: Some(id), label: email.to_string(), ip: None }
    }

    pub fn anonymous(claimed: &str) -> Actor {
        Actor { staff_id: None, label: claimed.to_string(), ip: None }
    }

    pub fn system(what: &str) -> Actor {
        Actor { staff_id: None, label: format!("system:{what}"), ip: None }
    }

    /// The same actor, acting from `ip`.
    pub fn from_ip(self, ip: Option<String>) -> Actor {
        Actor { ip, ..self }
    }
}

/// One audit row to write.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub actor: Actor,
    pub action: &'static str,
    pub entity_type: &'static str,
    pub entity_id: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub ip: Option<String>,
    pub at: DateTime<Utc>,
}

/// Writes `entry` in the caller's transaction.
#[tracing::instrument(skip_all, fields(action = entry.action))]
pub async fn record(tx: &mut Tx, entry: AuditEntry) -> anyhow::Result<()> {
    dispatch!(tx tx, |c| sqlx::query(
        "INSERT INTO audit_log (actor_id, actor_label, action, entity_type, entity_id, before_json, after_json, at, ip)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    )
    .bind(entry.actor.staff_id)
    .bind(&entry.actor.label)
    .bind(entry.action)
    .bind(entry.entity_type)
    .bind(&entry.entity_id)
    .bind(entry.before.map(Json))
    .bind(entry.after.map(Json))
    .bind(entry.at)
    .bind(&entry.ip)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .context("insert audit row")?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub actor_id: Option<i64>,
    pub actor_label: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub before_json: Option<Json<Value>>,
    pub after_json: Option<Json<Value>>,
    pub at: DateTime<Utc>,
    pub ip: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub action: Option<String>,
    pub actor: Option<String>,
}

/// One page of the audit log, newest first, and the total count of matching rows.
#[tracing::instrument(skip_all)]
pub async fn list(db: &Db, filter: &AuditFilter, limit: i64, offset: i64) -> anyhow::Result<(Vec<AuditRow>, i64)> {
    let action = filter.action.as_deref().filter(|s| !s.is_empty());
    let actor = filter.actor.as_deref().map(|s| format!("%{}%", s.to_lowercase())).filter(|s| s.len() > 2);
    let rows = dispatch!(db, |c| sqlx::query_as::<_, AuditRow>(
        "SELECT id, actor_id, actor_label, action, entity_type, entity_id, before_json, after_json, at, ip
         FROM audit_log
         WHERE ($1 IS NULL OR action = $1) AND ($2 IS NULL OR lower(actor_label) LIKE $2)
         ORDER BY at DESC, id DESC LIMIT $3 OFFSET $4"
    )
    .bind(action)
    .bind(&actor)
    .bind(limit)
    .bind(offset)
    .fetch_all(c)
    .await)
    .context("list audit rows")?;
    let total: i64 = dispatch!(db, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE ($1 IS NULL OR action = $1) AND ($2 IS NULL OR lower(actor_label) LIKE $2)"
    )
    .bind(action)
    .bind(&actor)
    .fetch_one(c)
    .await)
    .context("count audit rows")?;
    Ok((rows, total))
}
