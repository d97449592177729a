//! Background tasks over the API (docs/API.md "Tasks"): a task is read by the
//! scope that started it (admin reads every task, and those started from pages).

use super::auth::{ApiId, Pos, Scoped};
use super::ApiError;
use axum::extract::State;
use axum::Json;
use serde::Serialize;
use setia_backend::api_tokens::Scope;
use setia_backend::tasks::{self, TaskRecord, TaskStatus};
use setia_backend::AppState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TaskView {
    id: i64,
    kind: String,
    /// `queued`, `running`, `done` or `failed`.
    status: String,
    done: i64,
    total: i64,
    result: Option<serde_json::Value>,
    error: Option<String>,
}

impl From<TaskRecord> for TaskView {
    fn from(t: TaskRecord) -> Self {
        // The last error of a task that then succeeded is history, not its answer.
        let error = if t.status == TaskStatus::Done { None } else { t.error };
        TaskView { id: t.id, kind: t.kind, status: t.status.as_str().into(), done: t.done, total: t.total, result: t.result, error }
    }
}

/// `GET /api/v1/tasks/{id}` (the scope that started it) — the task's progress and result.
#[utoipa::path(get, path = "/api/v1/tasks/{id}", tag = "tasks", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = TaskView), (status = 403, body = super::error::ErrorBody), (status = 404, body = super::error::ErrorBody)))]
pub async fn get_one(auth: Scoped<Pos>, State(state): State<AppState>, ApiId(id): ApiId) -> Result<Json<TaskView>, ApiError> {
    let task = tasks::get(&state.db, id).await?.ok_or_else(|| ApiError::not_found("no task with this id"))?;
    // Started from a page: an admin token's to read.
    let needed = task.scope.as_deref().and_then(Scope::parse).unwrap_or(Scope::Admin);
    if !auth.token.scope().grants(needed) {
        return Err(ApiError::forbidden(needed.as_str()));
    }
    Ok(Json(task.into()))
}
