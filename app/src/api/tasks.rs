//! Background tasks in the admin UI (docs/UI.md "Tasks"): a task's progress, read
//! again every few seconds while its page is open.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskDto {
    pub id: i64,
    pub kind: String,
    /// `queued`, `running`, `done` or `failed`.
    pub status: String,
    pub done: i64,
    pub total: i64,
    /// Seconds left at the rate so far; `None` until there is a rate.
    pub eta_seconds: Option<i64>,
    pub result: Option<String>,
    pub error: Option<String>,
    pub started_by: String,
    pub created_local: chrono::NaiveDateTime,
    pub finished_local: Option<chrono::NaiveDateTime>,
}

impl TaskDto {
    pub fn finished(&self) -> bool {
        self.status == "done" || self.status == "failed"
    }
}

#[cfg(feature = "ssr")]
fn task_dto(task: setia_backend::tasks::TaskRecord, tz: &chrono_tz::Tz, now: chrono::DateTime<chrono::Utc>) -> TaskDto {
    let local = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(tz).naive_local();
    let eta_seconds = match task.started_at {
        Some(started) if task.done > 0 && task.done < task.total && !task.status.is_finished() => {
            let spent = (now - started).num_milliseconds().max(1);
            Some(spent * (task.total - task.done) / task.done / 1000)
        }
        _ => None,
    };
    let finished = task.status.is_finished();
    TaskDto {
        id: task.id,
        kind: task.kind,
        status: task.status.as_str().into(),
        done: task.done,
        total: task.total,
        eta_seconds,
        result: task.result.map(|r| r.to_string()),
        // An error of an earlier attempt is history once the task is done.
        error: if task.status == setia_backend::tasks::TaskStatus::Done { None } else { task.error },
        started_by: task.actor_label,
        created_local: local(task.created_at),
        finished_local: task.finished_at.filter(|_| finished).map(local),
    }
}

/// `POST /api/task_progress` (every staff role) — one task as it stands.
#[server(endpoint = "task_progress")]
pub async fn task_progress(id: i64) -> Result<TaskDto, AppError> {
    crate::guard::require_staff().await?;
    let state = crate::guard::app_state()?;
    let store = state.store.snapshot(&state.db).await?;
    let task = setia_backend::tasks::get(&state.db, id).await?.ok_or_else(|| AppError::not_found("no task with this id"))?;
    Ok(task_dto(task, &store.settings.tz(), chrono::Utc::now()))
}

/// `POST /api/list_tasks` (admin) — the newest 100 tasks, for the job runs page.
#[server(endpoint = "list_tasks")]
pub async fn list_tasks() -> Result<Vec<TaskDto>, AppError> {
    crate::guard::require(setia_domain::Role::Admin).await?;
    let state = crate::guard::app_state()?;
    let store = state.store.snapshot(&state.db).await?;
    let tz = store.settings.tz();
    let now = chrono::Utc::now();
    Ok(setia_backend::tasks::recent(&state.db, 100).await?.into_iter().map(|t| task_dto(t, &tz, now)).collect())
}
