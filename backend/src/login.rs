//! Staff login: password check, throttling, audit.
//!
//! Throttle rules (failures are rows, so they hold across restarts and instances):
//! - One client (an IPv4 address or an IPv6 /64, [`crate::limits::client_network`])
//!   that failed [`MAX_FAILURES`] times for an email within
//!   [`THROTTLE_WINDOW_MINUTES`] waits until the oldest of those leaves the window.
//! - Every client is held back while [`MAX_FAILURES`] failures for the email, from
//!   anywhere, fall within the last [`CLEAN_IP_WINDOW_SECONDS`]: a minute is short
//!   enough that a stranger guessing cannot lock an admin out for longer than that
//!   after the guessing stops (nor turn the owner's one typo into a 15-minute
//!   lock), and long enough that guessers spread over many clients still get at
//!   most five guesses a minute at one account.
//! - One client may fail [`MAX_IP_FAILURES`] times within the window, whatever the
//!   emails, before it is refused. Without a known address, every failure counts
//!   as this client's.
//!
//! An attempt is recorded as a failure *before* the password is checked, in a
//! transaction that first takes the email's and the IP's locks, and is deleted
//! when the password was right. So a burst of parallel guesses cannot all pass
//! the check: the sixth finds five rows and is refused unverified.

use crate::audit::{self, Actor, AuditEntry};
use crate::db::{Db, Tx};
use crate::dispatch;
use crate::password::{CheckError, PasswordChecks};
use crate::staff::{self, StaffUser};
use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use setia_domain::Email;

pub const MAX_FAILURES: i64 = 5;
pub const THROTTLE_WINDOW_MINUTES: i64 = 15;
pub const CLEAN_IP_WINDOW_SECONDS: i64 = 60;
pub const MAX_IP_FAILURES: i64 = 20;

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// Wrong email, wrong password or a deactivated account: one answer for all,
    /// so the form does not reveal which accounts exist.
    #[error("email or password is wrong")]
    InvalidCredentials,
    #[error("too many failed logins; try again in {retry_after_minutes} minutes")]
    TooManyAttempts { retry_after_minutes: i64 },
    /// Over 254 characters or with control characters: refused before any work.
    #[error("this is not an email address")]
    MalformedEmail,
    #[error("too many sign-ins at once; try again in a moment")]
    Busy,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// How long until `failures` (times) drop below `max` within `window`.
fn lockout(failures: &[DateTime<Utc>], max: i64, window: Duration, now: DateTime<Utc>) -> Option<Duration> {
    let mut recent: Vec<DateTime<Utc>> = failures.iter().copied().filter(|t| *t > now - window).collect();
    if (recent.len() as i64) < max {
        return None;
    }
    // The window reopens when enough of the recent failures have aged out.
    recent.sort_unstable_by(|a, b| b.cmp(a));
    let reopens = recent[(max - 1) as usize] + window;
    (reopens > now).then(|| reopens - now)
}

/// When an email is locked out (every failure counts), how long until it may try again.
pub fn lockout_remaining(failures_in_window: &[DateTime<Utc>], now: DateTime<Utc>) -> Option<Duration> {
    lockout(failures_in_window, MAX_FAILURES, Duration::minutes(THROTTLE_WINDOW_MINUTES), now)
}

/// A recorded failure: when, and from where.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Failure {
    pub attempted_at: DateTime<Utc>,
    pub ip: Option<String>,
}

/// The throttle rules above: how long `ip` must wait before trying `email`,
/// given the email's failures and the IP's failures (any email) in the window.
pub fn wait_before_attempt(
    email_failures: &[Failure],
    ip_failures: &[DateTime<Utc>],
    ip: Option<&str>,
    now: DateTime<Utc>,
) -> Option<Duration> {
    let window = Duration::minutes(THROTTLE_WINDOW_MINUTES);
    let by_ip = lockout(ip_failures, MAX_IP_FAILURES, window, now);
    let all: Vec<DateTime<Utc>> = email_failures.iter().map(|f| f.attempted_at).collect();
    let here: Vec<DateTime<Utc>> =
        email_failures.iter().filter(|f| ip.is_none() || f.ip.as_deref() == ip).map(|f| f.attempted_at).collect();
    let by_this_client = lockout(&here, MAX_FAILURES, window, now);
    let by_everyone = lockout(&all, MAX_FAILURES, Duration::seconds(CLEAN_IP_WINDOW_SECONDS), now);
    by_ip.max(by_this_client).max(by_everyone)
}

/// Takes the email's and the IP's throttle locks for this transaction
/// (PostgreSQL advisory locks, in key order; SQLite's write lock already holds).
async fn lock_throttle(tx: &mut Tx, claimed: &str, ip: Option<&str>) -> anyhow::Result<()> {
    if tx.for_update().is_empty() {
        return Ok(());
    }
    let mut keys = vec![throttle_key("email", claimed)];
    if let Some(ip) = ip {
        keys.push(throttle_key("ip", ip));
    }
    keys.sort_unstable();
    for key in keys {
        dispatch!(tx tx, |c| sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(key).execute(c).await.map(|r| r.rows_affected()))
            .context("take the sign-in throttle lock")?;
    }
    Ok(())
}

fn throttle_key(kind: &str, value: &str) -> i64 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("setia-login-{kind}:{value}"));
    i64::from_be_bytes(digest[..8].try_into().expect("8 bytes"))
}

/// Claims an attempt: refuses it (audited, not counted) when throttled, else
/// records it as a failure now and returns that row's id.
/// `ip` is the client's network (the throttle's key); `audit_ip` the address itself.
async fn claim_attempt(db: &Db, claimed: &str, ip: Option<&str>, audit_ip: Option<&str>, now: DateTime<Utc>) -> Result<i64, LoginError> {
    let since = now - Duration::minutes(THROTTLE_WINDOW_MINUTES);
    let mut tx = db.begin_write().await?;
    lock_throttle(&mut tx, claimed, ip).await?;
    let email_failures = dispatch!(tx &mut tx, |c| sqlx::query_as::<_, Failure>(
        "SELECT attempted_at, ip FROM login_failures WHERE email = $1 AND attempted_at > $2"
    )
    .bind(claimed)
    .bind(since)
    .fetch_all(c)
    .await)
    .context("load recent login failures")?;
    let ip_failures = match ip {
        Some(ip) => dispatch!(tx &mut tx, |c| sqlx::query_scalar::<_, DateTime<Utc>>(
            "SELECT attempted_at FROM login_failures WHERE ip = $1 AND attempted_at > $2 ORDER BY attempted_at DESC LIMIT $3"
        )
        .bind(ip)
        .bind(since)
        .bind(MAX_IP_FAILURES)
        .fetch_all(c)
        .await)
        .context("load the IP's recent login failures")?,
        None => Vec::new(),
    };
    if let Some(wait) = wait_before_attempt(&email_failures, &ip_failures, ip, now) {
        // Audited but not counted: refused attempts must not extend the lockout.
        audit_failure(&mut tx, claimed, audit_ip, now, "throttled").await?;
        tx.commit().await?;
        let minutes = (wait.num_seconds() + 59) / 60;
        return Err(LoginError::TooManyAttempts { retry_after_minutes: minutes.max(1) });
    }
    let id = dispatch!(tx &mut tx, |c| sqlx::query_scalar::<_, i64>(
        "INSERT INTO login_failures (email, ip, attempted_at) VALUES ($1, $2, $3) RETURNING id"
    )
    .bind(claimed)
    .bind(ip)
    .bind(now)
    .fetch_one(c)
    .await)
    .context("record login attempt")?;
    tx.commit().await?;
    Ok(id)
}

/// Checks an email and password. On success the caller starts the session.
#[tracing::instrument(skip_all)]
pub async fn login(
    db: &Db,
    checks: &PasswordChecks,
    email_raw: &str,
    password: String,
    ip: Option<String>,
) -> Result<StaffUser, LoginError> {
    login_at(db, checks, email_raw, password, ip, Utc::now()).await
}

/// [`login`] at a given moment (tests move the clock).
#[tracing::instrument(skip_all)]
pub async fn login_at(
    db: &Db,
    checks: &PasswordChecks,
    email_raw: &str,
    password: String,
    ip: Option<String>,
    now: DateTime<Utc>,
) -> Result<StaffUser, LoginError> {
    // Nothing is stored or hashed for what cannot be an email (RFC 5321: 254).
    if email_raw.trim().len() > setia_domain::email::MAX_EMAIL_BYTES || email_raw.chars().any(char::is_control) {
        return Err(LoginError::MalformedEmail);
    }
    let claimed = email_raw.trim().to_lowercase();
    // Failures are counted per client network; the audit keeps the address itself.
    let client =
        ip.as_deref().map(|raw| raw.parse().map(crate::limits::client_network).map_or_else(|_| raw.to_string(), |n| n.to_string()));
    let attempt = claim_attempt(db, &claimed, client.as_deref(), ip.as_deref(), now).await?;
    let found = match Email::parse(&claimed) {
        Ok(email) => staff::find_credentials(db, &email).await?,
        Err(_) => None,
    };
    let (user, hash) = match found {
        Some((u, h)) => (Some(u), Some(h)),
        None => (None, None),
    };
    let password_ok = match checks.verify(password, hash).await {
        Ok(ok) => ok,
        Err(CheckError::Busy) => {
            // Never checked: the attempt does not count against the account.
            forget_attempt(db, attempt).await?;
            return Err(LoginError::Busy);
        }
        Err(CheckError::Unexpected(e)) => return Err(e.into()),
    };
    let mut tx = db.begin_write().await?;
    let outcome = match user {
        Some(user) if password_ok && user.active => {
            // The attempt was right after all; this IP's earlier failures go with it.
            dispatch!(tx &mut tx, |c| sqlx::query("DELETE FROM login_failures WHERE id = $1 OR (email = $2 AND ip IS NOT DISTINCT FROM $3)")
                .bind(attempt)
                .bind(&claimed)
                .bind(&client)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))
            .context("clear login failures")?;
            let entry = AuditEntry {
                actor: Actor::staff(user.id, &user.email),
                action: "auth.login",
                entity_type: "staff_user",
                entity_id: Some(user.id.to_string()),
                before: None,
                after: None,
                ip,
                at: now,
            };
            audit::record(&mut tx, entry).await?;
            Ok(user)
        }
        Some(user) if password_ok => {
            audit_failure(&mut tx, &claimed, ip.as_deref(), now, "inactive").await?;
            tracing::info!(staff_id = user.id, "login refused: account deactivated");
            Err(LoginError::InvalidCredentials)
        }
        _ => {
            audit_failure(&mut tx, &claimed, ip.as_deref(), now, "wrong_credentials").await?;
            Err(LoginError::InvalidCredentials)
        }
    };
    tx.commit().await?;
    outcome
}

async fn forget_attempt(db: &Db, attempt: i64) -> anyhow::Result<()> {
    let mut tx = db.begin_write().await?;
    dispatch!(tx &mut tx, |c| sqlx::query("DELETE FROM login_failures WHERE id = $1").bind(attempt).execute(c).await.map(|r| r.rows_affected()))
        .context("forget an unchecked login attempt")?;
    tx.commit().await
}

async fn audit_failure(tx: &mut Tx, claimed: &str, ip: Option<&str>, now: DateTime<Utc>, reason: &str) -> anyhow::Result<()> {
    audit::record(
        tx,
        AuditEntry {
            actor: Actor::anonymous(claimed),
            action: "auth.login_failed",
            entity_type: "staff_user",
            entity_id: None,
            before: None,
            after: Some(json!({"email": claimed, "reason": reason})),
            ip: ip.map(str::to_string),
            at: now,
        },
    )
    .await
}

/// Audits a logout in its own transaction.
#[tracing::instrument(skip_all)]
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

    fn failure(ago_seconds: i64, ip: &str, now: DateTime<Utc>) -> Failure {
        Failure { attempted_at: now - Duration::seconds(ago_seconds), ip: Some(ip.into()) }
    }

    #[test]
    fn other_ips_failures_hold_a_clean_ip_back_for_a_minute_only() {
        let now = Utc::now();
        let five_from_a: Vec<Failure> = (0..5).map(|i| failure(10 + i, "10.0.0.1", now)).collect();
        assert!(wait_before_attempt(&five_from_a, &[], Some("10.0.0.1"), now).is_some(), "the guessing IP waits");
        let clean = wait_before_attempt(&five_from_a, &[], Some("10.0.0.2"), now).expect("a burst a moment ago");
        assert!(clean <= Duration::seconds(CLEAN_IP_WINDOW_SECONDS), "{clean:?}");
        let two_minutes_on: Vec<Failure> = (0..5).map(|i| failure(120 + i, "10.0.0.1", now)).collect();
        assert_eq!(wait_before_attempt(&two_minutes_on, &[], Some("10.0.0.2"), now), None);
        assert!(wait_before_attempt(&two_minutes_on, &[], Some("10.0.0.1"), now).is_some());
    }

    #[test]
    fn the_owners_one_typo_and_a_strangers_four_guesses_lock_no_one_for_long() {
        let now = Utc::now();
        let mut failures = vec![failure(100, "10.0.0.2", now)];
        failures.extend((0..4).map(|i| failure(90 + i, "203.0.113.66", now)));
        assert_eq!(wait_before_attempt(&failures, &[], Some("10.0.0.2"), now), None, "the five are older than a minute");
        assert_eq!(wait_before_attempt(&failures, &[], Some("203.0.113.66"), now), None, "four of the stranger's own");
    }

    #[test]
    fn one_ip_failing_on_many_emails_is_refused() {
        let now = Utc::now();
        let ip_failures: Vec<DateTime<Utc>> = (0..MAX_IP_FAILURES).map(|i| now - Duration::seconds(i)).collect();
        assert!(wait_before_attempt(&[], &ip_failures, Some("10.0.0.9"), now).is_some());
        assert_eq!(wait_before_attempt(&[], &ip_failures[1..], Some("10.0.0.9"), now), None);
    }

    #[test]
    fn lock_ends_when_the_window_passes() {
        let now = Utc::now();
        let old: Vec<_> = (0..5).map(|i| now - Duration::minutes(15) - Duration::seconds(i)).collect();
        assert_eq!(lockout_remaining(&old, now), None);
    }
}
