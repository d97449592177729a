//! SQLite writers of one process take turns in arrival order (issue 15): they queue
//! in the process before `BEGIN IMMEDIATE` instead of sleeping and retrying on
//! `SQLITE_BUSY`, where whoever retried last at the right moment would win.

use crate::common::{Backend, TestApp};
use setia_backend::dispatch;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_writers_commit_in_the_order_they_arrived() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let db = app.state.db.clone();
    let holder = db.begin_write().await.unwrap();
    let mut writers = Vec::new();
    for n in 0..6 {
        let db = db.clone();
        writers.push(tokio::spawn(async move {
            let mut tx = db.begin_write().await.unwrap();
            dispatch!(tx &mut tx, |c| sqlx::query("INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)")
                .bind(format!("queue.{n}"))
                .bind(n.to_string())
                .bind(chrono::Utc::now())
                .execute(c)
                .await
                .map(|r| r.rows_affected()))
            .unwrap();
            tx.commit().await.unwrap();
        }));
        // Each writer is waiting before the next one arrives.
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    // Long enough that writers sleeping on SQLITE_BUSY would be retrying at random.
    tokio::time::sleep(Duration::from_millis(300)).await;
    holder.commit().await.unwrap();
    for w in writers {
        w.await.unwrap();
    }
    let order: Vec<String> =
        dispatch!(&db, |c| sqlx::query_scalar::<_, String>("SELECT value FROM settings WHERE key LIKE 'queue.%' ORDER BY rowid")
            .fetch_all(c)
            .await)
        .unwrap();
    assert_eq!(order, ["0", "1", "2", "3", "4", "5"]);
}
