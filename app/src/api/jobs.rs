//! Job runs (admin only): what the periodic jobs did, when, and how it ended.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobRunDto {
    pub id: i64,
    pub job: String,
    pub instance: String,
    pub started_at_local: chrono::NaiveDateTime,
    pub finished_at_local: Option<chrono::NaiveDateTime>,
    pub outcome: String,
    pub counts: Option<String>,
    pub error: Option<String>,
}

/// `POST /api/list_job_runs` — the newest 100 runs.
#[server(endpoint = "list_job_runs")]
pub async fn list_job_runs() -> Result<Vec<JobRunDto>, AppError> {
    crate::guard::require(setia_domain::Role::Admin).await?;
    let state = crate::guard::app_state()?;
    let tz = setia_backend::settings::load(&state.db).await?.tz();
    let runs = setia_backend::jobs::recent_runs(&state.db, 100).await?;
    Ok(runs
        .into_iter()
        .map(|r| JobRunDto {
            id: r.id,
            job: r.job,
            instance: r.instance,
            started_at_local: r.started_at.with_timezone(&tz).naive_local(),
            finished_at_local: r.finished_at.map(|f| f.with_timezone(&tz).naive_local()),
            outcome: r.outcome,
            counts: r.counts.map(|c| c.0.to_string()),
            error: r.error,
        })
        .collect())
}
