//! Periodic jobs on both databases: one run per period across instances, every
//! run recorded, and the order expiry job.

use chrono::{Duration, TimeZone, Utc};
use serde_json::json;
use setia_backend::dispatch;
use setia_backend::jobs::{recent_runs, tick, try_claim, Job, JobFuture};
use setia_backend::orders::expiry::{expire_overdue_orders, job as expiry_job};
use std::sync::Arc;

both_backends!(one_claim_per_period_across_instances, |app| async move {
    let second = app.another_instance().await;
    let now = Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 5).unwrap();
    let minute = Duration::seconds(60);
    // Twenty claimants on two "instances" (two pools) race for the same period.
    let mut tasks = Vec::new();
    for i in 0..20 {
        let db = if i % 2 == 0 { app.state.db.clone() } else { second.state.db.clone() };
        tasks.push(tokio::spawn(async move { try_claim(&db, "race_job", &format!("node-{i}"), now, minute).await.unwrap() }));
    }
    let mut wins = 0;
    for t in tasks {
        if t.await.unwrap() {
            wins += 1;
        }
    }
    assert_eq!(wins, 1, "exactly one instance runs the period");
    // Later in the same period: nobody.
    assert!(!try_claim(&app.state.db, "race_job", "node-x", now + Duration::seconds(50), minute).await.unwrap());
    // The next period: one again.
    assert!(try_claim(&second.state.db, "race_job", "node-y", now + Duration::seconds(60), minute).await.unwrap());
    assert!(!try_claim(&app.state.db, "race_job", "node-z", now + Duration::seconds(61), minute).await.unwrap());
    // Another job has its own lease.
    assert!(try_claim(&app.state.db, "other_job", "node-x", now, minute).await.unwrap());
});

both_backends!(every_run_is_recorded_with_its_outcome, |app| async move {
    let db = &app.state.db;
    let ok = Job {
        name: "counting_job",
        period: Duration::seconds(60),
        run: Arc::new(|_db, _now| -> JobFuture { Box::pin(async { Ok(json!({"counted": 3})) }) }),
    };
    let failing = Job {
        name: "failing_job",
        period: Duration::seconds(60),
        run: Arc::new(|_db, _now| -> JobFuture { Box::pin(async { Err(anyhow::anyhow!("provider unreachable")) }) }),
    };
    let now = Utc::now();
    let run = tick(db, &ok, "node-a", now).await.unwrap().expect("first tick runs");
    assert_eq!(run.outcome, "ok");
    assert_eq!(run.counts.unwrap().0, json!({"counted": 3}));
    assert!(run.finished_at.unwrap() >= run.started_at);
    assert!(tick(db, &ok, "node-b", now).await.unwrap().is_none(), "same period: skipped");
    let failed = tick(db, &failing, "node-a", now).await.unwrap().unwrap();
    assert_eq!(failed.outcome, "failed");
    assert!(failed.error.unwrap().contains("provider unreachable"));
    let runs = recent_runs(db, 10).await.unwrap();
    assert_eq!(runs.len(), 2);
});

both_backends!(expiry_job_expires_only_overdue_pending_orders, |app| async move {
    let db = &app.state.db;
    let now = Utc::now();
    let insert = |reference: &'static str, status: &'static str, deadline: chrono::DateTime<Utc>| {
        let db = db.clone();
        async move {
            dispatch!(&db, |c| sqlx::query_scalar::<_, i64>(
                "INSERT INTO orders (source, external_ref, status, payment_deadline, subtotal, discount_total,
                                     points_discount, shipping, total, created_at, updated_at)
                 VALUES ('online', $1, $2, $3, 1000, 0, 0, 0, 1000, $4, $4) RETURNING id"
            )
            .bind(reference)
            .bind(status)
            .bind(deadline)
            .bind(now - Duration::hours(2))
            .fetch_one(c)
            .await)
            .unwrap()
        }
    };
    let overdue = insert("A", "pending_payment", now - Duration::minutes(1)).await;
    let in_time = insert("B", "pending_payment", now + Duration::minutes(10)).await;
    let paid = insert("C", "paid", now - Duration::minutes(5)).await;
    let status = |id: i64| {
        let db = db.clone();
        async move {
            dispatch!(&db, |c| sqlx::query_scalar::<_, String>("SELECT status FROM orders WHERE id = $1").bind(id).fetch_one(c).await)
                .unwrap()
        }
    };
    let run = tick(db, &expiry_job(), "node-a", now).await.unwrap().unwrap();
    assert_eq!(run.counts.unwrap().0, json!({"expired": 1}));
    assert_eq!(status(overdue).await, "expired");
    assert_eq!(status(in_time).await, "pending_payment");
    assert_eq!(status(paid).await, "paid");
    // Running again changes nothing.
    assert_eq!(expire_overdue_orders(db, now).await.unwrap(), 0);
});
