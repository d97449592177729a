//! Read latency at scale (issue 4): the customer list (default order, search,
//! sorted by spending, filtered by tier), the customer page, and
//! `GET /api/v1/customers/{id}`, measured over HTTP on 127.0.0.1 against Setia
//! served in-process on a database filled by `setia demo-data`.
//!
//!     setia demo-data --customers 1000000 --orders 10000000   # with DATABASE_URL set
//!     SETIA_BENCH_DATABASE_URL=… cargo bench --bench customer_reads
//!
//! Requests run one after another (latency, not throughput); each case reports
//! p50 / p95 / p99 / max. A benchmark, not a test: nothing here passes or fails.

use reqwest::header::{ACCEPT, AUTHORIZATION, ORIGIN};
use setia_backend::config::Config;
use setia_backend::{dispatch, Db};
use std::time::{Duration, Instant};

struct Stats {
    samples: Vec<Duration>,
}

impl Stats {
    fn line(&mut self, name: &str) -> String {
        self.samples.sort();
        let pick = |q: f64| self.samples[((self.samples.len() as f64 - 1.0) * q).round() as usize];
        let ms = |d: Duration| format!("{:.1}", d.as_secs_f64() * 1000.0);
        format!(
            "| {name} | {} | {} | {} | {} | {} |",
            self.samples.len(),
            ms(pick(0.50)),
            ms(pick(0.95)),
            ms(pick(0.99)),
            ms(*self.samples.last().unwrap())
        )
    }
}

async fn measure(client: &reqwest::Client, n: usize, mut url: impl FnMut(usize) -> (String, Option<String>)) -> Stats {
    let mut samples = Vec::with_capacity(n);
    for i in 0..n {
        let (u, bearer) = url(i);
        let mut req = client.get(&u).header(ACCEPT, "text/html");
        if let Some(b) = bearer {
            req = req.header(AUTHORIZATION, format!("Bearer {b}")).header(ACCEPT, "application/json");
        }
        let started = Instant::now();
        let res = req.send().await.expect("request");
        let status = res.status();
        let _ = res.bytes().await.expect("body");
        samples.push(started.elapsed());
        assert!(status.is_success(), "{u}: {status}");
    }
    Stats { samples }
}

fn main() {
    let Ok(url) = std::env::var("SETIA_BENCH_DATABASE_URL") else {
        eprintln!("customer_reads: set SETIA_BENCH_DATABASE_URL to a database filled by `setia demo-data`; skipping");
        return;
    };
    let n: usize = std::env::var("SETIA_BENCH_REQUESTS").ok().and_then(|v| v.parse().ok()).unwrap_or(50);
    tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async move {
        let config = Config::from_lookup(|k| match k {
            "DATABASE_URL" => Some(url.clone()),
            "SETIA_ADDR" => Some("127.0.0.1:0".into()),
            "SETIA_LOG" => Some("warn".into()),
            _ => None,
        })
        .expect("config");
        let state = setia::server::prepare(config).await.expect("prepare");
        let db: Db = state.db.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let serve_state = state.clone();
        tokio::spawn(async move { setia::server::serve_on(listener, serve_state, std::future::pending()).await.unwrap() });

        // A bench admin and a POS token.
        let email = "bench.admin@setia.test";
        let password = "bench admin password";
        let actor = setia_backend::audit::Actor::system("bench");
        let _ = setia_backend::staff::create_staff(
            &db,
            setia_backend::staff::NewStaff {
                email: setia_domain::Email::parse(email).unwrap(),
                name: "Bench".into(),
                role: setia_domain::Role::Admin,
                password: setia_domain::NewPassword::parse(password).unwrap(),
            },
            &actor,
            None,
        )
        .await;
        let (_, token) =
            setia_backend::api_tokens::create_token(&db, "bench", setia_backend::api_tokens::Scope::Pos, &actor).await.unwrap();
        let token = token.expose().to_string();
        let client = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let login = client
            .post(format!("{base}/api/login"))
            .header(ORIGIN, &base)
            .header(ACCEPT, "application/json")
            .form(&[("email", email), ("password", password)])
            .send()
            .await
            .unwrap();
        assert!(login.status().is_success(), "login: {}", login.status());

        let customers: i64 = dispatch!(&db, |c| sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM customers").fetch_one(c).await).unwrap();
        let orders: i64 = dispatch!(&db, |c| sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM orders").fetch_one(c).await).unwrap();
        let (lo, hi): (i64, i64) =
            dispatch!(&db, |c| sqlx::query_as::<_, (i64, i64)>("SELECT MIN(id), MAX(id) FROM customers").fetch_one(c).await).unwrap();
        let gold: i64 =
            dispatch!(&db, |c| sqlx::query_scalar::<_, i64>("SELECT id FROM tiers ORDER BY min_spending DESC LIMIT 1").fetch_one(c).await)
                .unwrap_or(0);
        // What the job would do on a running server: keep the spending index fresh.
        if setia_backend::spending_index::needs_rebuild(&db, chrono::Utc::now()).await.unwrap() {
            let started = Instant::now();
            let indexed = setia_backend::spending_index::rebuild(&db, chrono::Utc::now()).await.unwrap();
            println!("spending index rebuilt for {indexed} customers in {} ms\n", started.elapsed().as_millis());
        }
        // A fixed spread of customer ids, the same on every run.
        let pick = move |i: usize| lo + ((i as i64 * 7_919_777) % (hi - lo + 1));
        println!("## {:?}: {customers} customers, {orders} orders, {n} requests per case\n", db.backend());
        println!("| case | requests | p50 ms | p95 ms | p99 ms | max ms |\n|---|---|---|---|---|---|");
        let few = n.clamp(3, 10);
        type Case<'a> = (&'a str, usize, Box<dyn FnMut(usize) -> (String, Option<String>)>);
        let cases: Vec<Case> = vec![
            (
                "GET /api/v1/customers/{id}",
                n,
                Box::new({
                    let (base, token) = (base.clone(), token.clone());
                    move |i| (format!("{base}/api/v1/customers/{}", pick(i)), Some(token.clone()))
                }),
            ),
            (
                "customer page /customers/{id}",
                n,
                Box::new({
                    let base = base.clone();
                    move |i| (format!("{base}/customers/{}", pick(i + 1000)), None)
                }),
            ),
            (
                "customer list, newest first, page 1",
                n,
                Box::new({
                    let base = base.clone();
                    move |_| (format!("{base}/customers"), None)
                }),
            ),
            (
                "customer list, page 200",
                n,
                Box::new({
                    let base = base.clone();
                    move |_| (format!("{base}/customers?page=200"), None)
                }),
            ),
            (
                "customer list, search by name",
                n,
                Box::new({
                    let base = base.clone();
                    move |i| (format!("{base}/customers?q={}", ["santoso", "dewi", "putra", "rina"][i % 4]), None)
                }),
            ),
            (
                "customer list, search by phone",
                n,
                Box::new({
                    let base = base.clone();
                    move |i| (format!("{base}/customers?q=0812{:07}", i * 13), None)
                }),
            ),
            (
                "customer list, sorted by spending",
                n,
                Box::new({
                    let base = base.clone();
                    move |_| (format!("{base}/customers?sort=spending_desc"), None)
                }),
            ),
            (
                "customer list, top tier only",
                n,
                Box::new({
                    let base = base.clone();
                    move |_| (format!("{base}/customers?tier={gold}"), None)
                }),
            ),
            (
                "customer list, loyal only",
                n,
                Box::new({
                    let base = base.clone();
                    move |_| (format!("{base}/customers?loyal=yes"), None)
                }),
            ),
            (
                "customer list, top tier by spending, page 20",
                n,
                Box::new({
                    let base = base.clone();
                    move |_| (format!("{base}/customers?tier={gold}&sort=spending_asc&page=20"), None)
                }),
            ),
            (
                "tiers page (distribution, near next tier)",
                few,
                Box::new({
                    let base = base.clone();
                    move |_| (format!("{base}/tiers"), None)
                }),
            ),
        ];
        for (name, count, url) in cases {
            let mut stats = measure(&client, count, url).await;
            println!("{}", stats.line(name));
        }
    });
}
