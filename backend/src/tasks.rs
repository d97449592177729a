//! Background tasks: long work a person or a token started (generating a million
//! codes, later bulk regeneration and backtests), kept in the `tasks` table and
//! run in-process by whichever instance's worker claims it.
//!
//! Why a task runs once, whatever the number of instances: a worker claims a task
//! with one `UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED)` (PostgreSQL;
//! on SQLite the one writer does the same), writing its own name in `worker`. Every
//! step the task commits (a batch of codes and its progress) checks in the same
//! transaction that the row still names this worker ([`Claimed::progress_in`]); a
//! worker that lost the task — it went silent past `task_stale_after` and another
//! took over — has its step rolled back and stops. So a restart resumes: the
//! task's `done` counts exactly the committed steps, and the next worker goes on
//! from there.
//!
//! A failed step is retried with backoff while its kind allows
//! ([`TaskKind::max_attempts`]); then the task is `failed` with the error.

use crate::audit::Actor;
use crate::db::{Db, Tx};
use crate::dispatch;
use anyhow::Context;
use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::types::Json;
use std::sync::LazyLock;
use std::time::Duration;

/// What a task does (the API's `kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskKind {
    GenerateCodes,
}

impl TaskKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskKind::GenerateCodes => "generate_codes",
        }
    }

    pub fn parse(s: &str) -> Option<TaskKind> {
        match s {
            "generate_codes" => Some(TaskKind::GenerateCodes),
            _ => None,
        }
    }

    /// How many times a task of this kind is tried before it is `failed`.
    /// Generating codes resumes from its committed batches, so trying again is safe.
    pub fn max_attempts(self) -> i32 {
        match self {
            TaskKind::GenerateCodes => 5,
        }
    }
}

/// A task's state (the API's `status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Queued,
    Running,
    Done,
    Failed,
}

impl TaskStatus {
    fn parse(s: &str) -> anyhow::Result<TaskStatus> {
        Ok(match s {
            "queued" => TaskStatus::Queued,
            "running" => TaskStatus::Running,
            "done" => TaskStatus::Done,
            "failed" => TaskStatus::Failed,
            other => anyhow::bail!("stored task status {other} is not valid"),
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Queued => "queued",
            TaskStatus::Running => "running",
            TaskStatus::Done => "done",
            TaskStatus::Failed => "failed",
        }
    }

    pub fn is_finished(self) -> bool {
        matches!(self, TaskStatus::Done | TaskStatus::Failed)
    }
}

/// Work to start.
#[derive(Debug, Clone)]
pub struct NewTask {
    pub kind: TaskKind,
    /// What it works on (`generate_codes:12`): while a task with this key is queued
    /// or running, starting the same work returns that task.
    pub work_key: String,
    pub input: Value,
    pub total: i64,
}

/// A task as the API and the pages show it.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskRecord {
    pub id: i64,
    pub kind: String,
    pub status: TaskStatus,
    pub done: i64,
    pub total: i64,
    pub result: Option<Value>,
    pub error: Option<String>,
    pub attempts: i32,
    /// The API token scope that started it; `None` when started from a page.
    pub scope: Option<String>,
    pub actor_label: String,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct TaskRow {
    id: i64,
    kind: String,
    status: String,
    done: i64,
    total: i64,
    result: Option<Json<Value>>,
    error: Option<String>,
    attempts: i32,
    scope: Option<String>,
    actor_label: String,
    created_at: DateTime<Utc>,
    started_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
    updated_at: DateTime<Utc>,
}

const TASK_COLUMNS: &str =
    "id, kind, status, done, total, result, error, attempts, scope, actor_label, created_at, started_at, finished_at, updated_at";

impl TryFrom<TaskRow> for TaskRecord {
    type Error = anyhow::Error;
    fn try_from(r: TaskRow) -> anyhow::Result<TaskRecord> {
        Ok(TaskRecord {
            id: r.id,
            kind: r.kind,
            status: TaskStatus::parse(&r.status)?,
            done: r.done,
            total: r.total,
            result: r.result.map(|j| j.0),
            error: r.error,
            attempts: r.attempts,
            scope: r.scope,
            actor_label: r.actor_label,
            created_at: r.created_at,
            started_at: r.started_at,
            finished_at: r.finished_at,
            updated_at: r.updated_at,
        })
    }
}

/// Wakes this process's workers when a task is queued here (others poll).
static QUEUED: LazyLock<tokio::sync::Notify> = LazyLock::new(tokio::sync::Notify::new);

/// Queues `task`, or returns the queued or running task doing the same work.
#[tracing::instrument(skip_all, fields(kind = task.kind.as_str()))]
pub async fn start(db: &Db, task: NewTask, actor: &Actor, scope: Option<&str>, now: DateTime<Utc>) -> anyhow::Result<TaskRecord> {
    let sql = format!(
        "INSERT INTO tasks (kind, work_key, input, status, done, total, attempts, run_after, actor_id, actor_label, actor_ip, scope,
                            created_at, updated_at)
         VALUES ($1, $2, $3, 'queued', 0, $4, 0, $5, $6, $7, $8, $9, $5, $5)
         ON CONFLICT (work_key) WHERE status IN ('queued', 'running') DO NOTHING
         RETURNING {TASK_COLUMNS}"
    );
    let inserted: Option<TaskRow> = dispatch!(db, |c| sqlx::query_as::<_, TaskRow>(&sql)
        .bind(task.kind.as_str())
        .bind(&task.work_key)
        .bind(Json(&task.input))
        .bind(task.total)
        .bind(now)
        .bind(actor.staff_id)
        .bind(&actor.label)
        .bind(actor.ip.as_deref())
        .bind(scope)
        .fetch_optional(c)
        .await)
    .context("queue task")?;
    if let Some(row) = inserted {
        QUEUED.notify_waiters();
        return row.try_into();
    }
    let sql = format!("SELECT {TASK_COLUMNS} FROM tasks WHERE work_key = $1 AND status IN ('queued', 'running')");
    let running: Option<TaskRow> =
        dispatch!(db, |c| sqlx::query_as::<_, TaskRow>(&sql).bind(&task.work_key).fetch_optional(c).await).context("find running task")?;
    match running {
        Some(row) => row.try_into(),
        // It finished between the two statements: start it again.
        None => Box::pin(start(db, task, actor, scope, now)).await,
    }
}

/// One task.
#[tracing::instrument(skip_all)]
pub async fn get(db: &Db, id: i64) -> anyhow::Result<Option<TaskRecord>> {
    let sql = format!("SELECT {TASK_COLUMNS} FROM tasks WHERE id = $1");
    let row: Option<TaskRow> =
        dispatch!(db, |c| sqlx::query_as::<_, TaskRow>(&sql).bind(id).fetch_optional(c).await).context("read task")?;
    row.map(TryInto::try_into).transpose()
}

/// The newest tasks, for the job runs page.
#[tracing::instrument(skip_all)]
pub async fn recent(db: &Db, limit: i64) -> anyhow::Result<Vec<TaskRecord>> {
    let sql = format!("SELECT {TASK_COLUMNS} FROM tasks ORDER BY id DESC LIMIT $1");
    let rows: Vec<TaskRow> = dispatch!(db, |c| sqlx::query_as::<_, TaskRow>(&sql).bind(limit).fetch_all(c).await).context("list tasks")?;
    rows.into_iter().map(TryInto::try_into).collect()
}

/// A task this worker claimed, with what it needs to run.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: i64,
    pub kind: TaskKind,
    pub input: Value,
    /// Steps committed by earlier attempts: a resumed task goes on from here.
    pub done: i64,
    pub total: i64,
    pub attempts: i32,
    /// Who started it: the task's own audit rows name them.
    pub actor: Actor,
    pub worker: String,
}

#[derive(sqlx::FromRow)]
struct ClaimedRow {
    id: i64,
    kind: String,
    input: Json<Value>,
    done: i64,
    total: i64,
    attempts: i32,
    actor_id: Option<i64>,
    actor_label: String,
    actor_ip: Option<String>,
}

/// Claims the oldest task that is due, or running under a worker silent since
/// before `stale_before`; `None` when there is none (or others hold them all).
#[tracing::instrument(skip_all)]
pub async fn claim(db: &Db, worker: &str, now: DateTime<Utc>, stale_before: DateTime<Utc>) -> anyhow::Result<Option<Claimed>> {
    // SKIP LOCKED: two instances polling at once take different tasks instead of
    // queueing on one row. SQLite's writer is alone; the clause is PostgreSQL's.
    let skip_locked = match db {
        Db::Sqlite(..) => "",
        Db::Postgres(_) => " FOR UPDATE SKIP LOCKED",
    };
    let sql = format!(
        "UPDATE tasks SET status = 'running', worker = $1, heartbeat_at = $2, attempts = attempts + 1,
                          started_at = COALESCE(started_at, $2), updated_at = $2
         WHERE id = (SELECT id FROM tasks
                     WHERE (status = 'queued' AND run_after <= $2) OR (status = 'running' AND heartbeat_at < $3)
                     ORDER BY id LIMIT 1{skip_locked})
         RETURNING id, kind, input, done, total, attempts, actor_id, actor_label, actor_ip"
    );
    let mut tx = db.begin_write().await?;
    let row: Option<ClaimedRow> =
        dispatch!(tx &mut tx, |c| sqlx::query_as::<_, ClaimedRow>(&sql).bind(worker).bind(now).bind(stale_before).fetch_optional(c).await)
            .context("claim task")?;
    tx.commit().await?;
    let Some(r) = row else { return Ok(None) };
    let Some(kind) = TaskKind::parse(&r.kind) else {
        // A kind this build does not know (a newer instance queued it): leave it to one that does.
        release_unknown(db, r.id, worker, now).await?;
        return Ok(None);
    };
    Ok(Some(Claimed {
        id: r.id,
        kind,
        input: r.input.0,
        done: r.done,
        total: r.total,
        attempts: r.attempts,
        actor: Actor { staff_id: r.actor_id, label: r.actor_label, ip: r.actor_ip },
        worker: worker.to_string(),
    }))
}

async fn release_unknown(db: &Db, id: i64, worker: &str, now: DateTime<Utc>) -> anyhow::Result<()> {
    dispatch!(db, |c| sqlx::query(
        "UPDATE tasks SET status = 'queued', worker = NULL, attempts = attempts - 1, run_after = $1 WHERE id = $2 AND worker = $3"
    )
    .bind(now + chrono::Duration::minutes(1))
    .bind(id)
    .bind(worker)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .context("leave a task of an unknown kind")?;
    Ok(())
}

/// Why a task stopped before its end.
#[derive(Debug, thiserror::Error)]
pub enum TaskError {
    /// Another worker owns the task now: this one stops without a word.
    #[error("the task was taken over by another worker")]
    Lost,
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

impl Claimed {
    /// Records `done` in the transaction of the step that did it, if this worker
    /// still owns the task; otherwise [`TaskError::Lost`] (the caller rolls the step back).
    pub async fn progress_in(&self, tx: &mut Tx, done: i64, now: DateTime<Utc>) -> Result<(), TaskError> {
        let moved = dispatch!(tx tx, |c| sqlx::query(
            "UPDATE tasks SET done = $1, heartbeat_at = $2, updated_at = $2 WHERE id = $3 AND worker = $4 AND status = 'running'"
        )
        .bind(done)
        .bind(now)
        .bind(self.id)
        .bind(&self.worker)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .context("record task progress")?;
        if moved == 0 {
            return Err(TaskError::Lost);
        }
        Ok(())
    }

    /// Says this worker is alive (between steps that take long).
    async fn heartbeat(&self, db: &Db) -> anyhow::Result<bool> {
        let moved =
            dispatch!(db, |c| sqlx::query("UPDATE tasks SET heartbeat_at = $1 WHERE id = $2 AND worker = $3 AND status = 'running'")
                .bind(Utc::now())
                .bind(self.id)
                .bind(&self.worker)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))
            .context("task heartbeat")?;
        Ok(moved > 0)
    }

    async fn finish(&self, db: &Db, result: &Value) -> anyhow::Result<()> {
        let now = Utc::now();
        dispatch!(db, |c| sqlx::query(
            "UPDATE tasks SET status = 'done', result = $1, error = NULL, finished_at = $2, updated_at = $2, heartbeat_at = $2
             WHERE id = $3 AND worker = $4 AND status = 'running'"
        )
        .bind(Json(result))
        .bind(now)
        .bind(self.id)
        .bind(&self.worker)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .context("record task done")?;
        Ok(())
    }

    /// A failed attempt: queued again after a backoff while attempts remain, else `failed`.
    async fn fail(&self, db: &Db, error: &anyhow::Error) -> anyhow::Result<()> {
        let now = Utc::now();
        let text = format!("{error:#}");
        if self.attempts < self.kind.max_attempts() {
            let run_after = now + chrono::Duration::from_std(backoff(self.attempts)).unwrap_or_default();
            dispatch!(db, |c| sqlx::query(
                "UPDATE tasks SET status = 'queued', worker = NULL, error = $1, run_after = $2, updated_at = $3
                 WHERE id = $4 AND worker = $5 AND status = 'running'"
            )
            .bind(&text)
            .bind(run_after)
            .bind(now)
            .bind(self.id)
            .bind(&self.worker)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))
        } else {
            dispatch!(db, |c| sqlx::query(
                "UPDATE tasks SET status = 'failed', error = $1, finished_at = $2, updated_at = $2
                 WHERE id = $3 AND worker = $4 AND status = 'running'"
            )
            .bind(&text)
            .bind(now)
            .bind(self.id)
            .bind(&self.worker)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))
        }
        .context("record task failure")?;
        Ok(())
    }
}

/// The wait before attempt `attempts + 1`: 2, 4, 8 … seconds, at most five minutes.
pub fn backoff(attempts: i32) -> Duration {
    Duration::from_secs(2u64.saturating_pow(attempts.clamp(1, 16) as u32).min(300))
}

/// Runs one claimed task to its end (or until it is lost), reporting liveness meanwhile.
async fn run_claimed(db: &Db, task: Claimed, stale_after: Duration) {
    let beat = {
        let (db, task) = (db.clone(), task.clone());
        tokio::spawn(async move {
            let mut every = tokio::time::interval(stale_after / 3);
            every.tick().await;
            loop {
                every.tick().await;
                match task.heartbeat(&db).await {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(e) => tracing::warn!(task = task.id, error = ?e, "task heartbeat failed"),
                }
            }
        })
    };
    let outcome = match task.kind {
        TaskKind::GenerateCodes => crate::promotions::codes::run_generation(db, &task).await,
    };
    beat.abort();
    let recorded = match outcome {
        Ok(result) => task.finish(db, &result).await,
        Err(TaskError::Lost) => {
            tracing::warn!(task = task.id, "task taken over by another worker; stopping here");
            Ok(())
        }
        Err(TaskError::Failed(e)) => {
            tracing::error!(task = task.id, kind = task.kind.as_str(), error = ?e, "task step failed");
            task.fail(db, &e).await
        }
    };
    if let Err(e) = recorded {
        tracing::error!(task = task.id, error = ?e, "could not record the task's outcome");
    }
}

/// This instance's worker: claims and runs tasks one at a time for as long as the
/// app runs (abort the handle to stop it; a step cut short rolls back).
pub fn spawn_worker(db: Db, stale_after: Duration) -> tokio::task::JoinHandle<()> {
    let worker = format!("{}#{:08x}", crate::jobs::instance_name(), rand::random::<u32>());
    tokio::spawn(async move {
        loop {
            let now = Utc::now();
            let stale_before = now - chrono::Duration::from_std(stale_after).unwrap_or_default();
            match claim(&db, &worker, now, stale_before).await {
                Ok(Some(task)) => {
                    run_claimed(&db, task, stale_after).await;
                    continue;
                }
                Ok(None) => {}
                Err(e) => tracing::error!(error = ?e, "claiming a task failed"),
            }
            // Idle: wait for a task queued here, or poll for one queued elsewhere.
            let _ = tokio::time::timeout(Duration::from_secs(2), QUEUED.notified()).await;
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_five_minutes() {
        assert_eq!(backoff(1), Duration::from_secs(2));
        assert_eq!(backoff(3), Duration::from_secs(8));
        assert_eq!(backoff(12), Duration::from_secs(300));
    }

    #[test]
    fn kinds_round_trip() {
        assert_eq!(TaskKind::parse(TaskKind::GenerateCodes.as_str()), Some(TaskKind::GenerateCodes));
        assert_eq!(TaskKind::parse("nope"), None);
    }
}
