//! Bulk promotion codes (issue 16): generating 1,000,000 codes as a background task
//! (steps of 10,000, batched inserts) and exporting them as streamed CSV, with the
//! time and the process's peak RSS (VmHWM) of each, reset between the two.
//!
//!     cargo bench --bench code_generation                            # fresh SQLite file in a temp dir
//!     SETIA_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:55432/setia_codes cargo bench --bench code_generation
//!     SETIA_BENCH_CODES=1000000 …                                    # the default
//!
//! The server is not started: the worker and the export run in this process as
//! they would in the app. A benchmark, not a test: nothing here passes or fails.

use chrono::Utc;
use futures_util::StreamExt;
use setia_backend::audit::Actor;
use setia_backend::config::{Config, DatabaseUrl};
use setia_backend::promotions::{self, codes, PromotionDefinition};
use setia_backend::tasks::{self, TaskStatus};
use setia_backend::{csv_export, Db};
use setia_domain::promotion::{Conditions, Limits, PromotionKind, Reward, Stacking};
use setia_domain::promotion_code::CodeBatch;
use setia_domain::Percent;
use std::time::{Duration, Instant};

/// Peak resident memory of this process so far, MiB.
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 =
        status.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.split_whitespace().next()?.parse().ok()).unwrap_or(0.0);
    kib / 1024.0
}

/// Starts a new peak (Linux: writing 5 to clear_refs resets VmHWM).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn main() {
    let count: i64 = std::env::var("SETIA_BENCH_CODES").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let mut temp_dir = None;
    let url = std::env::var("SETIA_BENCH_DATABASE_URL").unwrap_or_else(|_| {
        let dir = tempfile::tempdir().expect("a temp dir");
        let url = format!("sqlite://{}", dir.path().join("setia.db").display());
        temp_dir = Some(dir);
        url
    });
    tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime").block_on(async move {
        let config = Config::from_lookup(|k| match k {
            "DATABASE_URL" => Some(url.clone()),
            other => std::env::var(other).ok(),
        })
        .expect("config");
        let db = Db::connect(&DatabaseUrl::parse(&url).expect("url"), config.db_max_connections).await.expect("connect");
        db.migrate().await.expect("migrate");
        let definition = PromotionDefinition {
            name: format!("Bench {}", Utc::now().timestamp_millis()),
            description: String::new(),
            kind: PromotionKind::Code,
            code: None,
            starts_at: None,
            ends_at: None,
            priority: 0,
            stacking: Stacking::Combinable,
            conditions: Conditions::default(),
            reward: Reward::PercentOrder { percent: Percent::parse("10").expect("percent") },
            max_discount: None,
            limits: Limits::default(),
        };
        let actor = Actor::system("bench");
        let promotion = promotions::create_promotion(&db, definition, &actor, Utc::now()).await.expect("promotion").promotion.id;
        let batch = CodeBatch::parse(count, Some("B-"), Some("##########"), Some(1)).expect("batch");
        reset_peak();
        let started = Instant::now();
        let worker = tasks::spawn_worker(db.clone(), config.task_stale_after);
        let task = match codes::generate_codes(&db, promotion, batch, &actor, None, Utc::now()).await.expect("generate") {
            codes::Generated::Task(t) => Some(t.id),
            codes::Generated::Inline { .. } => None,
        };
        if let Some(id) = task {
            loop {
                let t = tasks::get(&db, id).await.expect("task").expect("task row");
                if t.status == TaskStatus::Done {
                    break;
                }
                assert_ne!(t.status, TaskStatus::Failed, "{:?}", t.error);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        let generated = started.elapsed();
        worker.abort();
        let gen_peak = peak_rss_mib();
        reset_peak();
        let started = Instant::now();
        let export_db = db.clone();
        let mut stream = Box::pin(csv_export::stream_pages(&["code", "max_uses", "uses", "status"], true, move |after| {
            let db = export_db.clone();
            async move {
                let page = codes::codes_after(&db, promotion, after, 5_000).await?;
                Ok(page
                    .into_iter()
                    .map(|c| (c.id, vec![c.code, c.max_uses.map(|m| m.to_string()).unwrap_or_default(), c.uses.to_string(), c.status]))
                    .collect())
            }
        }));
        let (mut bytes, mut chunks) = (0usize, 0usize);
        while let Some(chunk) = stream.next().await {
            bytes += chunk.expect("chunk").len();
            chunks += 1;
        }
        let exported = started.elapsed();
        let export_peak = peak_rss_mib();
        println!("backend: {}", config.database_url);
        println!("generate {count} codes (task, steps of 10,000): {:.1} s, peak RSS {gen_peak:.0} MiB", generated.as_secs_f64());
        println!(
            "export {count} codes as CSV: {:.1} s, {:.1} MB in {chunks} chunks, peak RSS {export_peak:.0} MiB",
            exported.as_secs_f64(),
            bytes as f64 / 1e6
        );
        drop(temp_dir);
    });
}
