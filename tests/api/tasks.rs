//! Background tasks (backend/src/tasks.rs), on SQLite and PostgreSQL: one worker
//! wins a claim, a task interrupted by stopping its app is resumed by another
//! instance and finishes exactly, and two instances never run one task twice.

use crate::common::TestApp;
use serde_json::json;
use setia_backend::audit::Actor;
use setia_backend::tasks::{self, NewTask, TaskKind, TaskStatus};
use std::time::Duration;

/// A generation task of `count` codes for a new code promotion, queued directly.
async fn queue_generation(app: &TestApp, admin: &str, count: i64) -> (i64, i64) {
    let body = json!({"name": format!("Tugas {count}"), "kind": "code", "priority": 0, "stacking": "combinable",
                      "conditions": {}, "reward": {"type": "percent_order", "value": 10}});
    let r = app.api("POST", "/promotions", Some(admin), Some(body)).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let promotion = r.body["id"].as_i64().unwrap();
    let r = app
        .api("POST", &format!("/promotions/{promotion}/codes"), Some(admin), Some(json!({"count": count, "pattern": "##########"})))
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    (promotion, r.body["task_id"].as_i64().unwrap())
}

async fn task(app: &TestApp, id: i64) -> tasks::TaskRecord {
    tasks::get(&app.state.db, id).await.unwrap().expect("task")
}

async fn until(app: &TestApp, id: i64, what: &str, done: impl Fn(&tasks::TaskRecord) -> bool) -> tasks::TaskRecord {
    for _ in 0..1_200 {
        let t = task(app, id).await;
        if done(&t) {
            return t;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("task {id}: {what} did not happen in 60 s");
}

async fn codes_of(app: &TestApp, promotion: i64) -> i64 {
    app.count(&format!("SELECT COUNT(*) FROM promotion_codes WHERE promotion_id = {promotion}")).await
}

both_backends!(one_of_many_concurrent_claims_wins_a_task, |app| async move {
    // Queued an hour ahead: the app's own worker leaves it alone until the race.
    let later = chrono::Utc::now() + chrono::Duration::hours(1);
    let new = NewTask { kind: TaskKind::GenerateCodes, work_key: "claim-race".into(), input: json!({}), total: 1 };
    let queued = tasks::start(&app.state.db, new, &Actor::system("test"), None, later).await.unwrap();
    let claims: Vec<_> = (0..20)
        .map(|n| {
            let db = app.state.db.clone();
            let at = later + chrono::Duration::seconds(1);
            tokio::spawn(async move { tasks::claim(&db, &format!("racer-{n}"), at, at - chrono::Duration::minutes(5)).await.unwrap() })
        })
        .collect();
    let mut winners = Vec::new();
    for c in claims {
        if let Some(t) = c.await.unwrap() {
            winners.push(t.worker);
        }
    }
    assert_eq!(winners.len(), 1, "{winners:?}");
    let t = task(&app, queued.id).await;
    assert_eq!((t.status, t.attempts), (TaskStatus::Running, 1));
});

both_backends!(a_task_interrupted_by_stopping_its_app_is_resumed_by_another_instance, |app| async move {
    let admin = app.api_token("admin").await;
    let (promotion, id) = queue_generation(&app, &admin, 150_000).await;
    // Let the first instance commit some steps, then stop it mid-task.
    until(&app, id, "a first step", |t| t.done >= 10_000).await;
    let heir = app.another_instance_with(&[("SETIA_TASK_STALE_SECONDS", "1")]).await;
    app.stop().await;
    let t = until(&heir, id, "done", |t| t.status.is_finished()).await;
    assert_eq!(t.status, TaskStatus::Done, "{:?}", t.error);
    assert!(t.attempts >= 2, "another worker took it over: {t:?}");
    assert_eq!((t.done, t.total), (150_000, 150_000));
    assert_eq!(t.result, Some(json!({"generated": 150_000})));
    assert_eq!(codes_of(&heir, promotion).await, 150_000, "every step once: no code missing, none twice");
    assert_eq!(heir.count("SELECT COUNT(*) FROM audit_log WHERE action = 'promotion.codes.generate'").await, 1);
});

both_backends!(two_instances_never_run_one_task_twice, |app| async move {
    let admin = app.api_token("admin").await;
    let other = app.another_instance().await;
    let mut queued = Vec::new();
    for n in 0..4 {
        queued.push(queue_generation(if n % 2 == 0 { &app } else { &other }, &admin, 30_000 + n).await);
    }
    for (promotion, id) in queued {
        let t = until(&app, id, "done", |t| t.status.is_finished()).await;
        assert_eq!(t.status, TaskStatus::Done, "{:?}", t.error);
        assert_eq!(t.attempts, 1, "claimed once: {t:?}");
        assert_eq!(codes_of(&app, promotion).await, t.total);
    }
});
