//! `setia serve` as production runs it: the built binary (src/main.rs builds the
//! job scheduler there and nowhere else) on a fresh database and a free port.
//! Every job of its list must run and be recorded by this process. The
//! scheduler checks its jobs at start and every few seconds, and a fresh
//! database has no lease yet, so each job runs within seconds of the start.

use crate::common::{config_for, Backend, TestDatabase};
use setia_backend::jobs::{recent_runs, JobRun};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The names of the jobs `setia serve` schedules (src/main.rs): order expiry,
/// database maintenance, the customer spending index.
const JOBS: [&str; 3] = ["order_expiry", "db_optimize", "customer_spending_index"];

/// The server process; stopped when the test ends, also when it fails.
struct Server {
    child: Child,
    log: std::path::PathBuf,
}

impl Server {
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn serve_runs_every_job(backend: Backend) {
    let db = TestDatabase::create(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let log = dir.path().join("server.log");
    let mut command = Command::new(env!("CARGO_BIN_EXE_setia"));
    // Only what the test sets: no developer's .env (another folder) or SETIA_* settings.
    for (name, _) in std::env::vars() {
        if name == "DATABASE_URL" || name.starts_with("SETIA_") || name.starts_with("LEPTOS_") {
            command.env_remove(name);
        }
    }
    let child = command
        .arg("serve")
        .current_dir(dir.path())
        .env("DATABASE_URL", &db.url)
        .env("SETIA_ADDR", format!("127.0.0.1:{port}"))
        .env("SETIA_LOG", "warn")
        .env("HOSTNAME", "serve-test")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("start setia serve");
    let mut server = Server { child, log };
    let instance = format!("serve-test:{}", server.child.id());
    let deadline = Instant::now() + Duration::from_secs(60);

    let http = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap();
    loop {
        if let Ok(r) = http.get(format!("http://127.0.0.1:{port}/healthz")).send().await {
            if r.status() == 200 {
                break;
            }
        }
        if let Some(exit) = server.child.try_wait().unwrap() {
            panic!("setia serve stopped ({exit}):\n{}", server.log());
        }
        assert!(Instant::now() < deadline, "setia serve did not answer /healthz within 60 s:\n{}", server.log());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let reader = setia_backend::Db::connect(&config_for(&db.url).database_url, 1).await.expect("connect to the server's database");
    let runs: Vec<JobRun> = loop {
        let runs = recent_runs(&reader, 100).await.unwrap();
        if let Some(failed) = runs.iter().find(|r| r.outcome == "failed") {
            panic!("job {} failed: {:?}\n{}", failed.job, failed.error, server.log());
        }
        if JOBS.iter().all(|job| runs.iter().any(|r| r.job == *job && r.outcome == "ok")) {
            break runs;
        }
        if let Some(exit) = server.child.try_wait().unwrap() {
            panic!("setia serve stopped ({exit}):\n{}", server.log());
        }
        assert!(Instant::now() < deadline, "not every job ran within 60 s: {runs:?}\n{}", server.log());
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    for job in JOBS {
        let run = runs.iter().find(|r| r.job == job && r.outcome == "ok").unwrap();
        assert_eq!(run.instance, instance, "{job} ran in the served process");
        assert!(run.finished_at.is_some_and(|end| end >= run.started_at), "{job}: {run:?}");
        assert!(run.counts.is_some(), "{job} recorded its counts: {run:?}");
    }
    let unknown: Vec<&str> = runs.iter().map(|r| r.job.as_str()).filter(|j| !JOBS.contains(j)).collect();
    assert!(unknown.is_empty(), "jobs this test does not know: {unknown:?}; add them to JOBS");
    reader.close().await;
    // Still serving after its first round of jobs.
    assert_eq!(http.get(format!("http://127.0.0.1:{port}/healthz")).send().await.unwrap().status(), 200);
    drop(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setia_serve_runs_every_job_on_sqlite() {
    serve_runs_every_job(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setia_serve_runs_every_job_on_postgres() {
    serve_runs_every_job(Backend::Postgres).await;
}
