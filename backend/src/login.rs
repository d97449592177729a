//! Staff login: password check, per-account throttling, audit.
//!
//! Throttle rule: after [`MAX_FAILURES`] failed logins for one email within
//! [`THROTTLE_WINDOW_MINUTES`], further attempts for that email are refused,
//! without checking the password, until the oldest of those failures leaves the
//! window. Failures are rows, so the rule holds across restarts and instances.

use crate::audit::{self, Actor, AuditEntry};
use crate::db::Db;
use crate::dispatch;
use crate::password::verify_password;
use crate::staff::{self, StaffUser};
use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use setia_domain::Email;

pub const MAX_FAILURES: i64 = 5;
pub const THROTTLE_WINDOW_MINUTES: i64 = 15;

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// Wrong email, wrong password or a deactivated account: one answer for all,
    /// so the form does not reveal which accounts exist.
    #[error("email or password is wrong")]
    InvalidCredentials,
    #[error("too many failed logins; try again in {retry_after_minutes} minutes")]
    TooManyAttempts { retry_after_minutes: i64 },
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// When an email is locked out, how long until it may try again.
pub fn lockout_remaining(failures_in_window: &[DateTime<Utc>], now: DateTime<Utc>) -> Option<Duration> {
    if (failures_in_window.len() as i64) < MAX_FAILURES {
        return None;
    }
    // The window reopens when enough of the recent failures have aged out.
    let mut sorted = failures_in_window.to_vec();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    let deciding = sorted[(MAX_FAILURES - 1) as usize];
    let reopens = deciding + Duration::minutes(THROTTLE_WINDOW_MINUTES);
    (reopens > now).then(|| reopens - now)
}

async fn recent_failures(db: &Db, email: &str, now: DateTime<Utc>) -> anyhow::Result<Vec<DateTime<Utc>>> {
    let since = now - Duration::minutes(THROTTLE_WINDOW_MINUTES);
    dispatch!(db, |c| sqlx::query_scalar::<_, DateTime<Utc>>(
        "SELECT attempted_at FROM login_failures WHERE email = $1 AND attempted_at > $2"
    )
    .bind(email)
    .bind(since)
    .fetch_all(c)
    .await)
    .context("load recent login failures")
}

/// Checks an email and password. On success the caller starts the session.
#[tracing::instrument(skip_all)]
pub async fn login(db: &Db, email_raw: &str, password: String, ip: Option<String>) -> Result<StaffUser, LoginError> {
    let now = Utc::now();
    let claimed = email_raw.trim().to_lowercase();
    if let Some(wait) = lockout_remaining(&recent_failures(db, &claimed, now).await?, now) {
        // Audited but not counted: refused attempts must not extend the lockout.
        record_failure(db, &claimed, ip, now, "throttled", false).await?;
        let minutes = (wait.num_seconds() + 59) / 60;
        return Err(LoginError::TooManyAttempts { retry_after_minutes: minutes.max(1) });
    }
    let found = match Email::parse(&claimed) {
        Ok(email) => staff::find_credentials(db, &email).await?,
        Err(_) => None,
    };
    let (user, hash) = match found {
        Some((u, h)) => (Some(u), Some(h)),
        None => (None, None),
    };
    let password_ok = verify_password(password, hash).await?;
    match user {
        Some(user) if password_ok && user.active => {
            let mut tx = db.begin_write().await?;
            dispatch!(tx &mut tx, |c| sqlx::query("DELETE FROM login_failures WHERE email = $1")
                .bind(&claimed)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))
            .context("clear login failures")?;
            audit::record(
                &mut tx,
                AuditEntry {
                    actor: Actor::staff(user.id, &user.email),
                    action: "auth.login",
                    entity_type: "staff_user",
                    entity_id: Some(user.id.to_string()),
                    before: None,
                    after: None,
                    ip,
                    at: now,
                },
            )
            .await?;
            tx.commit().await?;
            Ok(user)
        }
        Some(user) if password_ok => {
            record_failure(db, &claimed, ip, now, "inactive", true).await?;
            tracing::info!(staff_id = user.id, "login refused: account deactivated");
            Err(LoginError::InvalidCredentials)
        }
        _ => {
            record_failure(db, &claimed, ip, now, "wrong_credentials", true).await?;
            Err(LoginError::InvalidCredentials)
        }
    }
}

async fn record_failure(
    db: &Db,
    claimed: &str,
    ip: Option<String>,
    now: DateTime<Utc>,
    reason: &str,
    counts_toward_throttle: bool,
) -> anyhow::Result<()> {
    let mut tx = db.begin_write().await?;
    if counts_toward_throttle {
        dispatch!(tx &mut tx, |c| sqlx::query(
        "INSERT INTO login_failures (email, ip, attempted_at) VALUES ($1, $2, $3)"
    )
    .bind(claimed)
    .bind(&ip)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .context("record login failure")?;
    }
    audit::record(
        &mut tx,
        AuditEntry {
            actor: Actor::anonymous(claimed),
            action: "auth.login_failed",
            entity_type: "staff_user",
            entity_id: None,
            before: None,
            after: Some(json!({"email": claimed, "reason": reason})),
            ip,
            at: now,
        },
    )
    .await?;
    tx.commit().await
}

/// Audits a logout in its own transaction.
pub async fn record_logout(db: &Db, user: &StaffUser, ip: Option<String>) -> anyhow::Result<()> {
    let mut tx = db.begin_write().await?;
    audit::record(
        &mut tx,
        AuditEntry {
            actor: Actor::staff(user.id, &user.email),
            action: "auth.logout",
            entity_type: "staff_user",
            entity_id: Some(user.id.to_string()),
            before: None,
            after: None,
            ip,
            at: Utc::now(),
        },
    )
    .await?;
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_failures_do_not_lock_five_do() {
        let now = Utc::now();
        let four: Vec<_> = (0..4).map(|i| now - Duration::minutes(i)).collect();
        assert_eq!(lockout_remaining(&four, now), None);
        let five: Vec<_> = (0..5).map(|i| now - Duration::minutes(i)).collect();
        let wait = lockout_remaining(&five, now).unwrap();
        // The fifth most recent failure was 4 minutes ago: 11 minutes remain.
        assert_eq!(wait.num_minutes(), 11);
    }

    #[test]
    fn lock_ends_when_the_window_passes() {
        let now = Utc::now();
        let old: Vec<_> = (0..5).map(|i| now - Duration::minutes(15) - Duration::seconds(i)).collect();
        assert_eq!(lockout_remaining(&old, now), None);
    }
}
