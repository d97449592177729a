//! The daily database maintenance job: fresh planner statistics (see
//! [`Db::optimize`]), so list and spending queries keep their index plans as
//! the tables grow.

use crate::db::Db;
use crate::jobs::{Job, JobFuture};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use std::sync::Arc;

pub const JOB_NAME: &str = "db_optimize";

pub fn job() -> Job {
    Job {
        name: JOB_NAME,
        period: Duration::hours(24),
        run: Arc::new(|db: Db, _now: DateTime<Utc>| -> JobFuture {
            Box::pin(async move {
                let started = std::time::Instant::now();
                db.optimize().await?;
                Ok(json!({ "milliseconds": started.elapsed().as_millis() as u64 }))
            })
        }),
    }
}
