//! Periodic jobs, run in-process by every app instance but executed once per
//! period across all instances sharing the database, each run recorded.
//!
//! Once per period: periods are aligned to the clock (`floor(now / period)`), and a
//! run must first claim the job's lease row for the current period with one atomic
//! `INSERT … ON CONFLICT DO UPDATE … WHERE lease_until <= now RETURNING`. Only one
//! instance's statement can move the lease into a new period; the others get no
//! row back and skip. The same statement works on SQLite and PostgreSQL.

use crate::db::Db;
use crate::dispatch;
use anyhow::Context;
use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::Value;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub type JobFuture = Pin<Box<dyn Future<Output = anyhow::Result<Value>> + Send>>;

/// A periodic job: its name, its period, and what it does (returning counts).
#[derive(Clone)]
pub struct Job {
    pub name: &'static str,
    pub period: Duration,
    pub run: Arc<dyn Fn(Db, DateTime<Utc>) -> JobFuture + Send + Sync>,
}

/// The end of the period containing `now`.
pub fn period_end(now: DateTime<Utc>, period: Duration) -> DateTime<Utc> {
    let p = period.num_milliseconds().max(1);
    let start = now.timestamp_millis().div_euclid(p) * p;
    Utc.timestamp_millis_opt(start + p).single().unwrap_or(now + period)
}

/// Claims `job` for the period containing `now`. True for exactly one caller per period.
#[tracing::instrument(skip_all, fields(job))]
pub async fn try_claim(db: &Db, job: &str, instance: &str, now: DateTime<Utc>, period: Duration) -> anyhow::Result<bool> {
    let until = period_end(now, period);
    let claimed: Option<String> = dispatch!(db, |c| sqlx::query_scalar::<_, String>(
        "INSERT INTO job_leases (job, holder, lease_until) VALUES ($1, $2, $3)
         ON CONFLICT (job) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until
         WHERE job_leases.lease_until <= $4
         RETURNING holder"
    )
    .bind(job)
    .bind(instance)
    .bind(until)
    .bind(now)
    .fetch_optional(c)
    .await)
    .context("claim job lease")?;
    Ok(claimed.is_some())
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct JobRun {
    pub id: i64,
    pub job: String,
    pub instance: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub outcome: String,
    pub counts: Option<sqlx::types::Json<Value>>,
    pub error: Option<String>,
}

/// Runs `job` now and records the run (start, end, outcome, counts or error).
#[tracing::instrument(skip_all, fields(job = job.name))]
pub async fn run_and_record(db: &Db, job: &Job, instance: &str, now: DateTime<Utc>) -> anyhow::Result<JobRun> {
    let id: i64 = dispatch!(db, |c| sqlx::query_scalar::<_, i64>(
        "INSERT INTO job_runs (job, instance, started_at, outcome) VALUES ($1, $2, $3, 'running') RETURNING id"
    )
    .bind(job.name)
    .bind(instance)
    .bind(Utc::now())
    .fetch_one(c)
    .await)
    .context("record job start")?;
    let result = (job.run)(db.clone(), now).await;
    let (outcome, counts, error) = match result {
        Ok(v) => ("ok", Some(sqlx::types::Json(v)), None),
        Err(e) => {
            tracing::error!(job = job.name, error = ?e, "job failed");
            ("failed", None, Some(format!("{e:#}")))
        }
    };
    dispatch!(db, |c| sqlx::query_as::<_, JobRun>(
        "UPDATE job_runs SET finished_at = $1, outcome = $2, counts = $3, error = $4 WHERE id = $5
         RETURNING id, job, instance, started_at, finished_at, outcome, counts, error"
    )
    .bind(Utc::now())
    .bind(outcome)
    .bind(counts)
    .bind(error)
    .bind(id)
    .fetch_one(c)
    .await)
    .context("record job end")
}

/// Claims and, if this instance won the period, runs the job. `None` = another
/// instance has this period.
#[tracing::instrument(skip_all)]
pub async fn tick(db: &Db, job: &Job, instance: &str, now: DateTime<Utc>) -> anyhow::Result<Option<JobRun>> {
    if !try_claim(db, job.name, instance, now, job.period).await? {
        return Ok(None);
    }
    run_and_record(db, job, instance, now).await.map(Some)
}

/// The newest runs, for the admin page.
#[tracing::instrument(skip_all)]
pub async fn recent_runs(db: &Db, limit: i64) -> anyhow::Result<Vec<JobRun>> {
    dispatch!(db, |c| {
        sqlx::query_as::<_, JobRun>(
        "SELECT id, job, instance, started_at, finished_at, outcome, counts, error FROM job_runs ORDER BY started_at DESC, id DESC LIMIT $1"
    )
    .bind(limit)
    .fetch_all(c)
    .await
    })
    .context("list job runs")
}

/// Checks every job every few seconds for as long as the app runs.
pub fn spawn_scheduler(db: Db, jobs: Vec<Job>, instance: String) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(std::time::Duration::from_secs(5));
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            for job in &jobs {
                if let Err(e) = tick(&db, job, &instance, Utc::now()).await {
                    tracing::error!(job = job.name, error = ?e, "job scheduling failed");
                }
            }
        }
    })
}

/// A name for this process in job records: host and process id.
pub fn instance_name() -> String {
    let host = std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty()).unwrap_or_else(|| "setia".into());
    format!("{host}:{}", std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_align_to_the_clock() {
        let t = Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 37).unwrap();
        assert_eq!(period_end(t, Duration::seconds(60)), Utc.with_ymd_and_hms(2026, 11, 25, 10, 1, 0).unwrap());
        let on_edge = Utc.with_ymd_and_hms(2026, 11, 25, 10, 1, 0).unwrap();
        assert_eq!(period_end(on_edge, Duration::seconds(60)), Utc.with_ymd_and_hms(2026, 11, 25, 10, 2, 0).unwrap());
    }
}
