//! The locks the code relies on, one PostgreSQL test each. On SQLite a write
//! transaction (`BEGIN IMMEDIATE`) already has the database to itself and
//! `FOR UPDATE` is a no-op, so only PostgreSQL shows that a lock matters.
//!
//! Every test plays the other transaction itself, on a connection of its own:
//! it takes what the competing writer would hold, writes what that writer would
//! write, and starts the request under test. It commits only once
//! `pg_stat_activity` shows the request waiting on a lock, so the two
//! transactions overlap whatever the timing. Each test then checks what the
//! lock is for (an answer that would be different had the request not waited)
//! and, last, that the request did wait.
//!
//! Where the app takes `FOR UPDATE`, the test holds the row `FOR NO KEY UPDATE`
//! (or updates it, which takes that lock): the two conflict, but the key-share
//! lock a foreign key takes does not conflict with it, so nothing but the lock
//! under test can make the request wait before it reads.

use crate::common::{insert_tier, Backend, Client, Reply, Store, TestApp, PASSWORD};
use serde_json::{json, Value};
use setia_domain::Role;
use sqlx::{PgPool, Postgres, Transaction};
use std::time::{Duration, Instant};

/// KOPI at Rp 25.000 and ROTI at Rp 50.000, and tokens for both scopes.
async fn store(app: &TestApp) -> Store {
    app.store_with(&[("KOPI", 25_000), ("ROTI", 50_000)]).await
}

async fn created(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let r = app.api("POST", path, Some(token), Some(body)).await;
    assert_eq!(r.status, 201, "{path}: {:?}", r.body);
    r.body
}

/// A pending order of `customer` (walk-in when `None`) for `kopi` KOPI; its id.
async fn pending_order(app: &TestApp, s: &Store, reference: &str, customer: Option<i64>, kopi: i64, code: Option<&str>) -> i64 {
    let body = json!({"source": "pos", "external_ref": reference, "customer_id": customer, "coupon_code": code,
                      "lines": [{"sku": "KOPI", "quantity": kopi}]});
    created(app, &s.pos, "/orders", body).await["id"].as_i64().unwrap()
}

/// Gold from Rp 100.000 in 365 days, 10 % off.
async fn gold(app: &TestApp, s: &Store) {
    let body = json!({"name": "Gold", "min_spending": 100_000, "window_days": 365, "earn_rate_points": 1, "earn_rate_per": 1000,
                      "discount_percent": 10});
    created(app, &s.admin, "/tiers", body).await;
}

fn one_use_code(code: &str) -> Value {
    json!({"name": format!("Tinggal satu {code}"), "kind": "code", "code": code, "priority": 0, "stacking": "combinable",
           "conditions": {}, "reward": {"type": "percent_order", "value": 10}, "limits": {"total_uses": 1}})
}

/// The test's own connections to the app's database (the app's pool stays free).
async fn own_pool(app: &TestApp) -> PgPool {
    assert_eq!(app.backend, Backend::Postgres);
    PgPool::connect(&app.database_url).await.expect("connect to the test database")
}

async fn scalar(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await.unwrap()
}

/// Waits (10 s at most) until `n` backends of this database wait on a lock, row
/// or advisory; returns how many did.
async fn lock_waiters(pool: &PgPool, n: i64) -> i64 {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let waiting =
            scalar(pool, "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'").await;
        if waiting >= n || Instant::now() > deadline {
            return waiting;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Commits `other` once a request waits on a lock (or the wait is given up);
/// returns how many requests waited.
async fn commit_once_waited_on(pool: &PgPool, other: Transaction<'static, Postgres>) -> i64 {
    let waited = lock_waiters(pool, 1).await;
    other.commit().await.unwrap();
    waited
}

/// Runs `request` while `other` is open; `other` commits once the request waits.
async fn overlapping<F: std::future::Future<Output = T>, T>(pool: &PgPool, other: Transaction<'static, Postgres>, request: F) -> (T, i64) {
    tokio::join!(request, commit_once_waited_on(pool, other))
}

async fn exec(tx: &mut Transaction<'static, Postgres>, sql: &str, ids: &[i64]) {
    let mut q = sqlx::query(sql);
    for id in ids {
        q = q.bind(*id);
    }
    q.execute(&mut **tx).await.unwrap();
}

/// What a payment in flight has done: marked the order paid.
async fn mark_paid(tx: &mut Transaction<'static, Postgres>, order: i64) {
    exec(tx, "UPDATE orders SET status = 'paid', payment_ref = 'PAID-' || id, paid_at = now(), updated_at = now() WHERE id = $1", &[order])
        .await;
}

// orders::lock_customer_tier: a checkout reads its customer's tier under the
// customer's row lock, so a payment that committed while it waited counts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_checkout_waits_for_its_customer_and_takes_the_tier_a_payment_in_flight_gives() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let s = store(&app).await;
    gold(&app, &s).await;
    let budi = app.customer(&s, "0812-6000-0001").await;
    let earlier = pending_order(&app, &s, "EARLIER", Some(budi), 4, None).await;
    let pool = own_pool(&app).await;
    // The payment of the earlier Rp 100.000 order, in flight: it holds Budi's row.
    let mut payment = pool.begin().await.unwrap();
    exec(&mut payment, "SELECT id FROM customers WHERE id = $1 FOR NO KEY UPDATE", &[budi]).await;
    mark_paid(&mut payment, earlier).await;
    let body = json!({"source": "pos", "external_ref": "NEXT", "customer_id": budi, "lines": [{"sku": "KOPI", "quantity": 1}]});
    let (r, waited) = overlapping(&pool, payment, app.api("POST", "/orders", Some(&s.pos), Some(body))).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["tier"]["name"], "Gold", "priced by the tier the payment gave, read under the customer's lock: {:?}", r.body);
    assert_eq!(r.body["discount_total"], 2_500);
    assert_eq!(waited, 1, "the checkout waited for the customer's row");
}

// orders::lock_order, the customer's row: payments of one customer's orders
// take turns, so the second sees the first and tells the customer they moved up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_waits_for_its_customer_and_counts_the_payment_before_it() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let s = store(&app).await;
    gold(&app, &s).await;
    let budi = app.customer(&s, "0812-6000-0002").await;
    let first = pending_order(&app, &s, "FIRST", Some(budi), 2, None).await;
    let second = pending_order(&app, &s, "SECOND", Some(budi), 2, None).await;
    let pool = own_pool(&app).await;
    // The payment of the first Rp 50.000 order, in flight.
    let mut payment = pool.begin().await.unwrap();
    exec(&mut payment, "SELECT id FROM customers WHERE id = $1 FOR NO KEY UPDATE", &[budi]).await;
    mark_paid(&mut payment, first).await;
    let path = format!("/orders/{second}/pay");
    let pay = app.api("POST", &path, Some(&s.pos), Some(json!({"payment_ref": "PAY-SECOND", "amount": 50_000})));
    let (r, waited) = overlapping(&pool, payment, pay).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let notes = format!("SELECT COUNT(*) FROM notifications WHERE customer_id = {budi} AND kind = 'tier_up' AND order_id = {second}");
    let notes = scalar(&pool, &notes).await;
    assert_eq!(notes, 1, "Rp 50.000 + Rp 50.000 reach Gold: the second payment, counting the first, tells Budi");
    assert_eq!(waited, 1, "the payment waited for the customer's row");
}

// orders::lock_order, the order's row: a payment and a cancellation of one
// (walk-in) order take turns; the payment then finds the order cancelled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_waits_for_its_order_and_finds_it_cancelled() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let s = store(&app).await;
    let order = pending_order(&app, &s, "WALK-IN", None, 1, None).await;
    let pool = own_pool(&app).await;
    let mut cancel = pool.begin().await.unwrap();
    exec(&mut cancel, "UPDATE orders SET status = 'cancelled', updated_at = now() WHERE id = $1", &[order]).await;
    let path = format!("/orders/{order}/pay");
    let pay = app.api("POST", &path, Some(&s.pos), Some(json!({"payment_ref": "PAY-WALK-IN", "amount": 25_000})));
    let (r, waited) = overlapping(&pool, cancel, pay).await;
    assert_eq!(r.status, 409, "a cancelled order cannot be paid: {:?}", r.body);
    let row: (String, Option<String>) =
        sqlx::query_as("SELECT status, payment_ref FROM orders WHERE id = $1").bind(order).fetch_one(&pool).await.unwrap();
    assert_eq!(row, ("cancelled".to_string(), None));
    let refused = format!("SELECT COUNT(*) FROM payment_rejections WHERE order_id = {order} AND reason = 'order_not_payable'");
    assert_eq!(scalar(&pool, &refused).await, 1);
    assert_eq!(waited, 1, "the payment waited for the order's row");
}

// promotion_uses::lock_limited: a checkout counts a limited promotion's uses
// under the promotion's row lock, so a use another checkout is reserving counts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_checkout_waits_for_a_limited_promotion_and_finds_its_last_use_taken() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let s = store(&app).await;
    let promo = app.active_promotion(&s, one_use_code("AKHIR")).await;
    let other_order = pending_order(&app, &s, "OTHER", None, 1, None).await;
    let pool = own_pool(&app).await;
    // The other checkout, in flight: it holds the promotion and reserves its one use.
    let mut other = pool.begin().await.unwrap();
    exec(&mut other, "SELECT id FROM promotions WHERE id = $1 FOR NO KEY UPDATE", &[promo]).await;
    exec(
        &mut other,
        "INSERT INTO promotion_uses (promotion_id, order_id, amount, status, created_at, updated_at) VALUES ($1, $2, 2500, 'reserved', now(), now())",
        &[promo, other_order],
    )
    .await;
    let body = json!({"source": "pos", "external_ref": "MINE", "coupon_code": "AKHIR", "lines": [{"sku": "ROTI", "quantity": 1}]});
    let (r, waited) = overlapping(&pool, other, app.api("POST", "/orders", Some(&s.pos), Some(body))).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["discount_total"], 0, "the one use is taken: {:?}", r.body);
    assert_eq!(r.body["rejected"][0]["reason_code"], "uses_exhausted");
    let held = format!("SELECT COUNT(*) FROM promotion_uses WHERE promotion_id = {promo} AND status <> 'released'");
    assert_eq!(scalar(&pool, &held).await, 1);
    assert_eq!(waited, 1, "the checkout waited for the promotion's row");
}

// promotion_uses::check_confirmable: a payment checks its reserved use against
// the limit under the promotion's row lock, so a use a checkout is reserving
// meanwhile (one that found this reservation overdue by its clock) counts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_waits_for_its_promotion_and_finds_the_limit_reached() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let s = store(&app).await;
    let promo = app.active_promotion(&s, one_use_code("LAST")).await;
    let mine = pending_order(&app, &s, "MINE", None, 1, Some("LAST")).await;
    let other_order = pending_order(&app, &s, "OTHER", None, 2, None).await;
    let pool = own_pool(&app).await;
    let mut other = pool.begin().await.unwrap();
    exec(&mut other, "SELECT id FROM promotions WHERE id = $1 FOR NO KEY UPDATE", &[promo]).await;
    exec(
        &mut other,
        "INSERT INTO promotion_uses (promotion_id, order_id, amount, status, created_at, updated_at) VALUES ($1, $2, 5000, 'reserved', now(), now())",
        &[promo, other_order],
    )
    .await;
    let path = format!("/orders/{mine}/pay");
    let pay = app.api("POST", &path, Some(&s.pos), Some(json!({"payment_ref": "PAY-MINE", "amount": 22_500})));
    let (r, waited) = overlapping(&pool, other, pay).await;
    assert_eq!(r.status, 409, "the use no longer fits the limit: {:?}", r.body);
    let refused = format!("SELECT COUNT(*) FROM payment_rejections WHERE order_id = {mine} AND reason = 'promotion_limit_reached'");
    assert_eq!(scalar(&pool, &refused).await, 1);
    let confirmed = format!("SELECT COUNT(*) FROM promotion_uses WHERE promotion_id = {promo} AND status = 'confirmed'");
    assert_eq!(scalar(&pool, &confirmed).await, 0);
    assert_eq!(waited, 1, "the payment waited for the promotion's row");
}

// promotions::load_in(lock = true): changes to one promotion take turns, so a
// status change sees the status another change just committed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_status_change_waits_for_the_promotion_and_sees_it_ended() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let s = store(&app).await;
    let body = json!({"name": "Sebentar", "kind": "automatic", "priority": 0, "stacking": "combinable",
                      "conditions": {}, "reward": {"type": "percent_order", "value": 5}});
    let promo = created(&app, &s.admin, "/promotions", body).await["id"].as_i64().unwrap();
    let path = format!("/promotions/{promo}/status");
    let status = |to: &'static str| app.api("POST", &path, Some(&s.admin), Some(json!({"status": to})));
    assert_eq!(status("paused").await.status, 200);
    let pool = own_pool(&app).await;
    let mut ending = pool.begin().await.unwrap();
    exec(&mut ending, "UPDATE promotions SET status = 'ended', updated_at = now() WHERE id = $1", &[promo]).await;
    let (r, waited) = overlapping(&pool, ending, status("active")).await;
    assert_eq!(r.status, 409, "ended is final: {:?}", r.body);
    let now: String = sqlx::query_scalar("SELECT status FROM promotions WHERE id = $1").bind(promo).fetch_one(&pool).await.unwrap();
    assert_eq!(now, "ended");
    assert_eq!(waited, 1, "the status change waited for the promotion's row");
}

// spending_index::lock_state: refreshes of the spending index take turns on its
// state row; one that ran alongside another would replace rows the other had
// just replaced (here: a duplicate key, the refresh fails).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spending_index_refresh_waits_for_another_refresh() {
    use setia_backend::spending_index::{refresh, Refreshed};
    let app = TestApp::spawn(Backend::Postgres).await;
    let s = store(&app).await;
    insert_tier(&app.state.db, "Gold", 100_000, None).await;
    let budi = app.customer(&s, "0812-6000-0007").await;
    let first = refresh(&app.state.db, chrono::Utc::now()).await.unwrap();
    assert!(matches!(first, Refreshed::Full { .. }), "{first:?}");
    let pool = own_pool(&app).await;
    // The other refresh, in flight: it holds the state row and has replaced Budi's row.
    let mut other = pool.begin().await.unwrap();
    exec(&mut other, "UPDATE customer_spending_index_state SET as_of = now() WHERE id = 1", &[]).await;
    let row: (i64, i64, i64, Option<i64>) =
        sqlx::query_as("DELETE FROM customer_spending_index WHERE customer_id = $1 RETURNING customer_id, spending, tier_id, to_next")
            .bind(budi)
            .fetch_one(&mut *other)
            .await
            .unwrap();
    sqlx::query("INSERT INTO customer_spending_index (customer_id, spending, tier_id, to_next) VALUES ($1, $2, $3, $4)")
        .bind(row.0)
        .bind(row.1)
        .bind(row.2)
        .bind(row.3)
        .execute(&mut *other)
        .await
        .unwrap();
    let (refreshed, waited) = overlapping(&pool, other, refresh(&app.state.db, chrono::Utc::now())).await;
    let refreshed = refreshed.map_err(|e| format!("{e:#}"));
    assert!(matches!(refreshed, Ok(Refreshed::Changed { .. })), "{refreshed:?}");
    assert_eq!(scalar(&pool, &format!("SELECT COUNT(*) FROM customer_spending_index WHERE customer_id = {budi}")).await, 1);
    assert_eq!(waited, 1, "the refresh waited for the state row");
}

// tiers::save_tier: saving a tier locks the whole ladder, so it is checked
// against a rename another save just committed (names are unique in any case).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tier_save_waits_for_the_ladder_and_sees_a_rename_in_flight() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let s = store(&app).await;
    let tier = |name: &str, min: i64| json!({"name": name, "min_spending": min, "window_days": 365, "earn_rate_points": 1, "earn_rate_per": 10000});
    let silver = created(&app, &s.admin, "/tiers", tier("Silver", 100_000)).await["id"].as_i64().unwrap();
    let gold = created(&app, &s.admin, "/tiers", tier("Gold", 1_000_000)).await["id"].as_i64().unwrap();
    let marketing = app.signed_in(Role::Marketing).await;
    let pool = own_pool(&app).await;
    let mut rename = pool.begin().await.unwrap();
    exec(&mut rename, "UPDATE tiers SET name = 'Emas' WHERE id = $1", &[gold]).await;
    let silver_id = silver.to_string();
    let form = [
        ("id", silver_id.as_str()),
        ("name", "emas"),
        ("min_spending", "100000"),
        ("window_days", "365"),
        ("earn_rate_points", "1"),
        ("earn_rate_per", "10000"),
        ("discount_percent", ""),
        ("colour", "#c0c0c0"),
    ];
    let (r, waited) = overlapping(&pool, rename, marketing.server_fn("save_tier", &form)).await;
    assert_eq!(r.status, 422, "Emas and emas are one name: {}", r.text);
    assert_eq!(r.body["field"], "name", "{}", r.text);
    let names: Vec<String> = sqlx::query_scalar("SELECT name FROM tiers ORDER BY min_spending").fetch_all(&pool).await.unwrap();
    assert_eq!(names, ["Silver", "Emas"]);
    assert_eq!(waited, 1, "the save waited for the ladder's rows");
}

/// The advisory lock key of the sign-in throttle for `kind` ("email" or "ip") and
/// `value`, as backend/src/login.rs derives it: the first 8 bytes of
/// SHA-256("setia-login-{kind}:{value}"), big-endian.
const THROTTLE_LOCK: &str =
    "SELECT pg_advisory_xact_lock(('x' || encode(substring(sha256(convert_to($1, 'UTF8')) FROM 1 FOR 8), 'hex'))::bit(64)::bigint)";

async fn sign_in(c: &Client, email: &str, password: &str) -> Reply {
    c.server_fn("login", &[("email", email), ("password", password)]).await
}

// login::lock_throttle, the email's lock: attempts at one email take turns, so
// the fifth failure, still being recorded, locks the account for the next one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_waits_for_the_emails_throttle_lock_and_counts_the_failure_in_flight() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let email = "kasir@toko.test";
    app.create_staff(email, Role::Support).await;
    let c = app.client();
    for _ in 0..4 {
        assert_eq!(sign_in(&c, email, "not the password").await.status, 401);
    }
    let pool = own_pool(&app).await;
    let ip: Option<String> =
        sqlx::query_scalar("SELECT ip FROM login_failures WHERE email = $1 LIMIT 1").bind(email).fetch_one(&pool).await.unwrap();
    let mut fifth = pool.begin().await.unwrap();
    sqlx::query(THROTTLE_LOCK).bind(format!("setia-login-email:{email}")).execute(&mut *fifth).await.unwrap();
    sqlx::query("INSERT INTO login_failures (email, ip, attempted_at) VALUES ($1, $2, now())")
        .bind(email)
        .bind(&ip)
        .execute(&mut *fifth)
        .await
        .unwrap();
    let (r, waited) = overlapping(&pool, fifth, sign_in(&c, email, PASSWORD)).await;
    assert_eq!(r.status, 429, "five failures lock the email, the right password too: {}", r.text);
    assert_eq!(waited, 1, "the sign-in waited for the email's throttle lock");
}

// login::lock_throttle, the client's lock: attempts from one client take turns
// whatever the email, so its 20th failure, still being recorded, counts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_waits_for_the_clients_throttle_lock_and_counts_the_failure_in_flight() {
    use setia_backend::login::MAX_IP_FAILURES;
    let app = TestApp::spawn(Backend::Postgres).await;
    let email = "kasir@toko.test";
    app.create_staff(email, Role::Support).await;
    let c = app.client();
    assert_eq!(sign_in(&c, "guess-0@toko.test", "not the password").await.status, 401);
    let pool = own_pool(&app).await;
    let ip: String = sqlx::query_scalar("SELECT ip FROM login_failures LIMIT 1").fetch_one(&pool).await.unwrap();
    // Failures from this client at other emails, one each: MAX_IP_FAILURES - 1 with the first.
    for n in 1..MAX_IP_FAILURES - 1 {
        sqlx::query("INSERT INTO login_failures (email, ip, attempted_at) VALUES ($1, $2, now())")
            .bind(format!("guess-{n}@toko.test"))
            .bind(&ip)
            .execute(&pool)
            .await
            .unwrap();
    }
    let mut last = pool.begin().await.unwrap();
    sqlx::query(THROTTLE_LOCK).bind(format!("setia-login-ip:{ip}")).execute(&mut *last).await.unwrap();
    sqlx::query("INSERT INTO login_failures (email, ip, attempted_at) VALUES ('guess-last@toko.test', $1, now())")
        .bind(&ip)
        .execute(&mut *last)
        .await
        .unwrap();
    let (r, waited) = overlapping(&pool, last, sign_in(&c, email, PASSWORD)).await;
    assert_eq!(r.status, 429, "{MAX_IP_FAILURES} failures hold the client back, at any email: {}", r.text);
    assert_eq!(waited, 1, "the sign-in waited for the client's throttle lock");
}

// jobs::try_claim takes no explicit lock: its one INSERT … ON CONFLICT DO UPDATE
// … WHERE waits for a claim in flight on the same job and then re-checks the
// lease, so it loses the period instead of running the job twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_claim_waits_for_a_claim_in_flight_and_loses_the_period() {
    use setia_backend::jobs::{period_end, try_claim};
    let app = TestApp::spawn(Backend::Postgres).await;
    let now = chrono::Utc::now();
    let minute = chrono::Duration::seconds(60);
    let pool = own_pool(&app).await;
    let mut other = pool.begin().await.unwrap();
    sqlx::query("INSERT INTO job_leases (job, holder, lease_until) VALUES ('locks_job', 'other-node', $1)")
        .bind(period_end(now, minute))
        .execute(&mut *other)
        .await
        .unwrap();
    let (claimed, waited) = overlapping(&pool, other, try_claim(&app.state.db, "locks_job", "this-node", now, minute)).await;
    assert!(!claimed.unwrap(), "the other node has this period");
    let holder: String = sqlx::query_scalar("SELECT holder FROM job_leases WHERE job = 'locks_job'").fetch_one(&pool).await.unwrap();
    assert_eq!(holder, "other-node");
    assert_eq!(waited, 1, "the claim waited for the claim in flight");
}
