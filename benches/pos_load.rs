//! POS throughput under concurrency (issue 15, item 6): N terminals each create an
//! order of 3 lines for a known customer and pay it, as fast as they can, over HTTP
//! on 127.0.0.1 against Setia served in-process; then the same for
//! `POST /api/v1/orders/quote`. On PostgreSQL, `pgbench` (tpcb-like) runs on the
//! same cluster afterwards, for a ratio against what the server itself manages.
//!
//!     cargo bench --bench pos_load                                  # fresh SQLite file in a temp dir
//!     SETIA_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:55432/setia_load cargo bench --bench pos_load
//!     SETIA_BENCH_CONNECTIONS=1,16,32,64 SETIA_BENCH_SECONDS=10 …  # the defaults
//!
//! The bench seeds 300 customers, 20 products and two tiers itself (an existing
//! database keeps its rows; the seed upserts). Each phase warms up for 2 s, then
//! counts the requests that start within the measured seconds. Reported: requests,
//! orders/s (paid orders) or quotes/s, p50 / p99 per request kind, non-2xx and
//! transport errors (the first body is printed), and the process's peak RSS
//! (VmHWM, the load generator and the server together: they share the process and
//! its cores). `SETIA_DB_MAX_CONNECTIONS` and other `SETIA_*` settings pass through.
//! A benchmark, not a test: nothing here passes or fails.

use serde_json::{json, Value};
use setia_backend::config::{Backend, Config};
use setia_backend::Db;
use std::sync::Arc;
use std::time::{Duration, Instant};

const CUSTOMERS: usize = 300;
const PRODUCTS: usize = 20;
const WARM_UP: Duration = Duration::from_secs(2);

/// Latency samples of one request kind.
#[derive(Default)]
struct Stats {
    samples: Vec<Duration>,
}

impl Stats {
    fn ms(&mut self, q: f64) -> String {
        if self.samples.is_empty() {
            return "-".into();
        }
        self.samples.sort();
        let d = self.samples[((self.samples.len() as f64 - 1.0) * q).round() as usize];
        format!("{:.1}", d.as_secs_f64() * 1000.0)
    }
}

/// What one phase at one connection count measured.
#[derive(Default)]
struct Tally {
    first: Stats,
    second: Stats,
    done: u64,
    errors: u64,
    first_error: Option<String>,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        self.first.samples.extend(other.first.samples);
        self.second.samples.extend(other.second.samples);
        self.done += other.done;
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }

    fn error(&mut self, measured: bool, what: String) {
        if measured {
            self.errors += 1;
            self.first_error.get_or_insert(what);
        }
    }
}

#[derive(Clone)]
struct Shop {
    http: reqwest::Client,
    base: String,
    token: String,
    customers: Arc<Vec<Value>>,
    run: String,
}

impl Shop {
    /// POSTs `body` to `/api/v1{path}`; Ok(JSON) on 2xx, Err(description) otherwise.
    async fn post(&self, path: &str, body: &Value) -> Result<Value, String> {
        let res = self.http.post(format!("{}/api/v1{path}", self.base)).bearer_auth(&self.token).json(body).send().await;
        let res = res.map_err(|e| format!("POST {path}: {e}"))?;
        let status = res.status();
        let text = res.text().await.map_err(|e| format!("POST {path}: {status}, body: {e}"))?;
        if !status.is_success() {
            return Err(format!("POST {path}: {status} {}", text.chars().take(400).collect::<String>()));
        }
        serde_json::from_str(&text).map_err(|e| format!("POST {path}: {status}, not JSON ({e}): {text}"))
    }

    /// A cart of 3 distinct products for one of the customers, the same for the same (worker, n).
    fn cart(&self, worker: usize, n: usize) -> (Value, Value) {
        let customer = self.customers[(worker * 7919 + n * 31) % self.customers.len()].clone();
        let start = worker * 7 + n;
        let lines: Vec<Value> = (0..3).map(|k| json!({"sku": sku((start + k * 3) % PRODUCTS), "quantity": 1 + (n + k) % 3})).collect();
        (customer, Value::Array(lines))
    }
}

fn sku(i: usize) -> String {
    format!("BENCH-{:02}", i + 1)
}

fn id_text(id: &Value) -> String {
    id.as_str().map(str::to_string).unwrap_or_else(|| id.to_string())
}

/// One terminal: create and pay orders (or quote carts) until `end`; only requests
/// started at or after `from` are counted.
async fn terminal(shop: Shop, worker: usize, quote: bool, from: Instant, end: Instant) -> Tally {
    let mut t = Tally::default();
    let mut n = 0;
    while Instant::now() < end {
        n += 1;
        let (customer, lines) = shop.cart(worker, n);
        let started = Instant::now();
        let measured = started >= from;
        if quote {
            match shop.post("/orders/quote", &json!({"customer_id": customer, "lines": lines})).await {
                Ok(_) if measured => {
                    t.first.samples.push(started.elapsed());
                    t.done += 1;
                }
                Ok(_) => {}
                Err(e) => t.error(measured, e),
            }
            continue;
        }
        let external_ref = format!("LOAD-{}-{worker}-{n}", shop.run);
        let body = json!({"source": "pos", "external_ref": external_ref, "customer_id": customer, "lines": lines});
        let order = match shop.post("/orders", &body).await {
            Ok(order) => order,
            Err(e) => {
                t.error(measured, e);
                continue;
            }
        };
        if measured {
            t.first.samples.push(started.elapsed());
        }
        let (Some(id), Some(total)) = (order.get("id"), order["total"].as_i64()) else {
            t.error(measured, format!("create answered without id or total: {order}"));
            continue;
        };
        let started = Instant::now();
        let measured = started >= from;
        match shop
            .post(&format!("/orders/{}/pay", id_text(id)), &json!({"payment_ref": format!("PAY-{external_ref}"), "amount": total}))
            .await
        {
            Ok(_) if measured => {
                t.second.samples.push(started.elapsed());
                t.done += 1;
            }
            Ok(_) => {}
            Err(e) => t.error(measured, e),
        }
    }
    t
}

async fn phase(shop: &Shop, connections: usize, seconds: u64, quote: bool) -> Tally {
    let from = Instant::now() + WARM_UP;
    let end = from + Duration::from_secs(seconds);
    let workers: Vec<_> = (0..connections).map(|w| tokio::spawn(terminal(shop.clone(), w, quote, from, end))).collect();
    let mut all = Tally::default();
    for w in workers {
        all.merge(w.await.expect("worker"));
    }
    all
}

/// The process's peak resident set (VmHWM), in MiB.
fn peak_rss_mib() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = status.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok());
    kb.map_or_else(|| "?".into(), |kb| format!("{:.0}", kb / 1024.0))
}

fn pgbench_path() -> Option<std::path::PathBuf> {
    let on_path = std::env::var_os("PATH").into_iter().flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>());
    on_path.chain([std::path::PathBuf::from("/usr/lib/postgresql/15/bin")]).map(|d| d.join("pgbench")).find(|p| p.is_file())
}

/// pgbench's tpcb-like TPS on a scratch database of the same cluster, per client count.
async fn pgbench(db: &Db, url: &str, clients: &[usize]) -> Vec<(usize, f64)> {
    let Some(bin) = pgbench_path() else {
        println!("pgbench not found on PATH or in /usr/lib/postgresql/15/bin; skipping the pgbench ratio");
        return vec![];
    };
    let Db::Postgres(pool) = db else { return vec![] };
    for sql in ["DROP DATABASE IF EXISTS setia_pgbench WITH (FORCE)", "CREATE DATABASE setia_pgbench"] {
        if let Err(e) = sqlx::query(sql).execute(pool).await {
            println!("pgbench skipped: {sql}: {e}");
            return vec![];
        }
    }
    let opts: sqlx::postgres::PgConnectOptions = url.parse().expect("a PostgreSQL URL");
    // The password is not among PgConnectOptions' getters: `user:password@` by hand.
    let password =
        url.split_once("://").and_then(|(_, rest)| rest.split_once('@')).and_then(|(auth, _)| auth.split_once(':')).map(|(_, p)| p);
    let run = |args: Vec<String>| {
        let mut cmd = tokio::process::Command::new(&bin);
        cmd.args(["-h", opts.get_host(), "-p", &opts.get_port().to_string(), "-U", opts.get_username()]).args(args).arg("setia_pgbench");
        if let Some(p) = password {
            cmd.env("PGPASSWORD", p);
        }
        async move { cmd.output().await }
    };
    let mut out = vec![];
    match run(["-i", "-q", "-s", "10"].map(String::from).to_vec()).await {
        Ok(o) if o.status.success() => {}
        Ok(o) => {
            println!("pgbench -i failed: {}", String::from_utf8_lossy(&o.stderr).trim());
            return out;
        }
        Err(e) => {
            println!("pgbench could not start: {e}");
            return out;
        }
    }
    for &c in clients {
        let args = ["-b", "tpcb-like", "-c", &c.to_string(), "-j", "2", "-T", "10"].map(String::from).to_vec();
        let Ok(o) = run(args).await else { continue };
        let text = String::from_utf8_lossy(&o.stdout);
        let tps = text.lines().find_map(|l| l.strip_prefix("tps = ")).and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok());
        match tps {
            Some(tps) => out.push((c, tps)),
            None => println!("pgbench -c {c}: no `tps = …` line; stderr: {}", String::from_utf8_lossy(&o.stderr).trim()),
        }
    }
    let _ = sqlx::query("DROP DATABASE IF EXISTS setia_pgbench WITH (FORCE)").execute(pool).await;
    out
}

/// 20 products, two tiers (a rerun keeps the existing ones), 300 customers; their ids.
async fn seed(shop: &Shop) -> Vec<Value> {
    for i in 0..PRODUCTS {
        let category = ["minuman", "makanan", "rumah"][i % 3];
        let body = json!({"sku": sku(i), "name": format!("Barang {}", i + 1), "price": 5_000 + 2_500 * i as i64, "category": category});
        shop.post("/products", &body).await.expect("seed a product");
    }
    for (name, min, discount) in [("Bench Silver", 1_000_000, 2.5), ("Bench Gold", 5_000_000, 5.0)] {
        let body = json!({"name": name, "min_spending": min, "window_days": 365, "earn_rate_points": 1, "earn_rate_per": 10_000,
            "discount_percent": discount});
        if let Err(e) = shop.post("/tiers", &body).await {
            eprintln!("tier {name} not created (an earlier run's?): {e}");
        }
    }
    let mut ids = Vec::with_capacity(CUSTOMERS);
    for i in 0..CUSTOMERS {
        let body = json!({"name": format!("Pelanggan Beban {i}"), "phone": format!("+62812{:07}", 5_000_000 + i)});
        ids.push(shop.post("/customers", &body).await.expect("seed a customer")["id"].clone());
    }
    ids
}

fn main() {
    let connections: Vec<usize> = std::env::var("SETIA_BENCH_CONNECTIONS")
        .unwrap_or_else(|_| "1,16,32,64".into())
        .split(',')
        .filter_map(|c| c.trim().parse().ok())
        .filter(|&c| c > 0)
        .collect();
    let seconds: u64 = std::env::var("SETIA_BENCH_SECONDS").ok().and_then(|v| v.parse().ok()).unwrap_or(10);
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
            "SETIA_ADDR" => Some("127.0.0.1:0".into()),
            "SETIA_LOG" => Some("warn".into()),
            other => std::env::var(other).ok(),
        })
        .expect("config");
        let pool_size = config.db_max_connections;
        let state = setia::server::prepare(config).await.expect("prepare");
        let db: Db = state.db.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let serve_state = state.clone();
        tokio::spawn(async move { setia::server::serve_on(listener, serve_state, std::future::pending()).await.expect("serve") });

        let actor = setia_backend::audit::Actor::system("bench");
        let admin = setia_backend::api_tokens::create_token(&db, "bench admin", setia_backend::api_tokens::Scope::Admin, &actor);
        let pos = setia_backend::api_tokens::create_token(&db, "bench pos", setia_backend::api_tokens::Scope::Pos, &actor);
        let (admin, pos) = (admin.await.expect("admin token").1, pos.await.expect("pos token").1);
        let http = reqwest::Client::builder().timeout(Duration::from_secs(60)).pool_max_idle_per_host(256).build().expect("client");
        let run = format!("{}", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_millis());
        let mut shop = Shop { http, base, token: admin.expose().to_string(), customers: Arc::new(vec![]), run };
        let started = Instant::now();
        shop.customers = Arc::new(seed(&shop).await);
        shop.token = pos.expose().to_string();
        eprintln!("seeded {CUSTOMERS} customers and {PRODUCTS} products in {} ms", started.elapsed().as_millis());

        let backend = db.backend();
        let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
        println!("## {backend:?}: {seconds} s per phase after a {} s warm-up, pool {pool_size}, {cores} cores\n", WARM_UP.as_secs());
        let mut first_errors = Vec::new();
        let mut orders_rows = vec![];
        let mut orders_per_s = vec![];
        for &c in &connections {
            let mut t = phase(&shop, c, seconds, false).await;
            let rate = t.done as f64 / seconds as f64;
            let rss = peak_rss_mib();
            eprintln!("orders, {c} connections: {} paid, {rate:.1}/s, {} errors, peak RSS {rss} MiB", t.done, t.errors);
            orders_per_s.push((c, rate));
            let creates = t.first.samples.len();
            orders_rows.push(format!(
                "| {c} | {creates} | {} | {rate:.1} | {} | {} | {} | {} | {} | {rss} |",
                t.done,
                t.first.ms(0.5),
                t.first.ms(0.99),
                t.second.ms(0.5),
                t.second.ms(0.99),
                t.errors
            ));
            if let Some(e) = t.first_error.take() {
                first_errors.push(format!("orders, {c} connections: {e}"));
            }
        }
        let mut quote_rows = vec![];
        for &c in &connections {
            let mut t = phase(&shop, c, seconds, true).await;
            let rate = t.done as f64 / seconds as f64;
            let rss = peak_rss_mib();
            eprintln!("quotes, {c} connections: {} quoted, {rate:.1}/s, {} errors, peak RSS {rss} MiB", t.done, t.errors);
            quote_rows.push(format!("| {c} | {} | {rate:.1} | {} | {} | {} | {rss} |", t.done, t.first.ms(0.5), t.first.ms(0.99), t.errors));
            if let Some(e) = t.first_error.take() {
                first_errors.push(format!("quotes, {c} connections: {e}"));
            }
        }

        println!("### Create + pay (3 lines, a known customer)\n");
        println!("| connections | creates | paid orders | orders/s | create p50 ms | create p99 ms | pay p50 ms | pay p99 ms | errors | peak RSS MiB |");
        println!("|---|---|---|---|---|---|---|---|---|---|");
        orders_rows.iter().for_each(|r| println!("{r}"));
        println!("\n### Quote (`POST /api/v1/orders/quote`, same carts)\n");
        println!("| connections | quotes | quotes/s | p50 ms | p99 ms | errors | peak RSS MiB |\n|---|---|---|---|---|---|---|");
        quote_rows.iter().for_each(|r| println!("{r}"));
        for e in first_errors {
            println!("\nfirst error, {e}");
        }

        if backend == Backend::Postgres {
            let results = pgbench(&db, url.as_str(), &[16, 32]).await;
            if !results.is_empty() {
                println!("\n### pgbench tpcb-like on the same cluster (-s 10, -j 2, -T 10)\n");
                println!("| clients | pgbench tps | Setia orders/s at that concurrency | ratio |\n|---|---|---|---|");
                for (c, tps) in results {
                    match orders_per_s.iter().find(|(n, _)| *n == c) {
                        Some((_, rate)) => println!("| {c} | {tps:.0} | {rate:.1} | {:.3} |", rate / tps),
                        None => println!("| {c} | {tps:.0} | not measured | - |"),
                    }
                }
            }
        }
        println!("\npeak RSS at the end: {} MiB", peak_rss_mib());
    });
    drop(temp_dir);
}
