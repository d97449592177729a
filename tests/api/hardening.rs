//! Issue 13's defects, each reproduced through the surfaces an attacker or a
//! careless client reaches, on SQLite and PostgreSQL: money that could wrap
//! around i64, a promotion use confirmed past its limit, and more.

use crate::common;

use crate::common::{Store, TestApp};
use serde_json::{json, Value};
use setia_backend::dispatch;

async fn store(app: &TestApp) -> Store {
    app.store_with(&[("KOPI", 25_000)]).await
}

fn lines_of(n: usize, unit_price: i64) -> Value {
    Value::Array((0..n).map(|_| json!({"sku": "KOPI", "quantity": 1, "unit_price": unit_price})).collect())
}

// 18,447 lines of Rp 10^15 once summed past i64::MAX and wrapped to a small
// positive subtotal (a debug build panicked instead). A cart has at most 500 lines.
both_backends!(a_cart_whose_sum_would_wrap_around_i64_is_refused_and_nothing_is_stored, |app| async move {
    let s = store(&app).await;
    for path in ["/orders/quote", "/orders"] {
        let body = json!({"source": "pos", "external_ref": "WRAP-1", "lines": lines_of(18_447, 1_000_000_000_000_000)});
        let r = app.api("POST", path, Some(&s.pos), Some(body)).await;
        assert_eq!(r.status, 422, "{path}: {:?}", r.body);
        assert_eq!(r.body["error"]["code"], "too_many_lines");
        assert_eq!(r.body["error"]["field"], "lines");
    }
    let r = app
        .api(
            "POST",
            "/orders",
            Some(&s.pos),
            Some(json!({"source": "pos", "external_ref": "BIG", "lines": lines_of(500, 1_000_000_000_000_000)})),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["error"]["code"], "amount_too_large");
    let r = app
        .api("POST", "/orders", Some(&s.pos), Some(json!({"source": "pos", "external_ref": "MAX", "lines": lines_of(500, 1_000)})))
        .await;
    assert_eq!(r.status, 201, "500 lines is allowed: {:?}", r.body);
    assert_eq!(r.body["total"], 500_000);
    assert_eq!(app.count("SELECT COUNT(*) FROM orders").await, 1);
    let _ = &s.admin;
});

/// An order with the code `LAST`, created at `now` by the backend (so its
/// deadline can be a second away); returns its id and total.
async fn order_with_code(app: &TestApp, customer: i64, external_ref: &str, now: chrono::DateTime<chrono::Utc>, minutes: i64) -> (i64, i64) {
    use setia_backend::orders::{self, CartInput, Created, LineInput, NewOrder, OrderSource};
    let cart = CartInput {
        customer_id: Some(customer),
        lines: vec![LineInput { sku: "KOPI".into(), quantity: 1, unit_price: None }],
        coupon_code: Some("LAST".into()),
        ..CartInput::default()
    };
    let input = NewOrder { source: OrderSource::Pos, external_ref: external_ref.into(), cart, payment_deadline_minutes: Some(minutes) };
    let store = app.state.store.snapshot(&app.state.db).await.unwrap();
    let Created::New(o) = orders::create_order(&app.state.db, &app.state.store, &store, input, now).await.unwrap() else {
        panic!("new order")
    };
    assert_eq!(o.order.discount_total, 2_500, "the order took the promotion");
    (o.order.id, o.order.total)
}

/// What another checkout does when it takes a promotion's use: an order and its
/// `status` use row, written raw inside the caller's transaction.
async fn competing_use(tx: &mut setia_backend::db::Tx, promotion: i64, status: &str) {
    let now = chrono::Utc::now();
    let order: i64 = dispatch!(tx tx, |c| sqlx::query_scalar::<_, i64>(
        "INSERT INTO orders (source, external_ref, status, payment_deadline, subtotal, discount_total, points_discount, shipping, total,
                             coupon_code, promotions_rejected, created_at, updated_at)
         VALUES ('online', 'OTHER-CHECKOUT', 'pending_payment', $1, 25000, 2500, 0, 0, 22500, 'LAST', '[]', $2, $2) RETURNING id"
    )
    .bind(now + chrono::Duration::hours(1))
    .bind(now)
    .fetch_one(c)
    .await)
    .unwrap();
    dispatch!(tx tx, |c| sqlx::query(
        "INSERT INTO promotion_uses (promotion_id, order_id, amount, status, created_at, updated_at) VALUES ($1, $2, 2500, $3, $4, $4)"
    )
    .bind(promotion)
    .bind(order)
    .bind(status)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
}

const LAST_USE: &str = r#"{"name": "Tinggal satu", "kind": "code", "code": "LAST", "priority": 0, "stacking": "combinable",
    "conditions": {}, "reward": {"type": "percent_order", "value": 10}, "limits": {"total_uses": 1}}"#;

// The pay handler took its clock before waiting for its locks. A payment that
// waited past the order's deadline still confirmed its reservation, although a
// checkout had meanwhile found that reservation overdue and taken the last use:
// two confirmed uses of a one-use promotion. The test holds the locks itself to
// open that window: it holds the customer's row (PostgreSQL) or the write lock
// (SQLite) while the payment waits and the deadline passes, and takes the use as
// the competing checkout would.
both_backends!(a_payment_that_waited_past_its_deadline_cannot_confirm_a_use_taken_meanwhile, |app| async move {
    let s = store(&app).await;
    let promo = app.active_promotion(&s, serde_json::from_str(LAST_USE).unwrap()).await;
    let budi = app.customer(&s, "0812-4000-0013").await;
    // Created 59.5 s ago with one minute to pay: the deadline is half a second away.
    let created = chrono::Utc::now() - chrono::Duration::milliseconds(59_500);
    let (order, total) = order_with_code(&app, budi, "LATE-1", created, 1).await;
    let mut blocker = app.state.db.begin_write().await.unwrap();
    let lock = blocker.for_update();
    dispatch!(tx &mut blocker, |c| sqlx::query_scalar::<_, i64>(&format!("SELECT id FROM customers WHERE id = $1{lock}")).bind(budi).fetch_one(c).await)
        .unwrap();
    let app = std::sync::Arc::new(app);
    let payment = {
        let (app, pos) = (app.clone(), s.pos.clone());
        tokio::spawn(async move {
            app.api("POST", &format!("/orders/{order}/pay"), Some(&pos), Some(json!({"payment_ref": "PAY-LATE", "amount": total}))).await
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    competing_use(&mut blocker, promo, "reserved").await;
    blocker.commit().await.unwrap();
    let r = payment.await.unwrap();
    assert_eq!(r.status, 409, "{:?}", r.body);
    assert_eq!(r.body["error"]["code"], "order_not_payable");
    let held = app.count(&format!("SELECT COUNT(*) FROM promotion_uses WHERE promotion_id = {promo} AND status <> 'released'")).await;
    assert_eq!(held, 1, "only the competing checkout holds the one use");
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM payment_rejections WHERE order_id = {order}")).await, 1);
});

// Whatever let a checkout take the last use meanwhile (here: another instance
// whose clock ran ahead confirmed it), confirming a reservation checks the limit
// again under the promotion's lock; the refusal is recorded and the order can be
// recalculated and paid without the promotion.
both_backends!(confirming_a_reservation_checks_the_promotion_limit_again, |app| async move {
    let s = store(&app).await;
    let promo = app.active_promotion(&s, serde_json::from_str(LAST_USE).unwrap()).await;
    let budi = app.customer(&s, "0812-4000-0014").await;
    let (order, total) = order_with_code(&app, budi, "SKEW-1", chrono::Utc::now(), 60).await;
    let mut tx = app.state.db.begin_write().await.unwrap();
    competing_use(&mut tx, promo, "confirmed").await;
    tx.commit().await.unwrap();
    let path = format!("/orders/{order}/pay");
    let pay =
        |payment_ref: &str, amount: i64| app.api("POST", &path, Some(&s.pos), Some(json!({"payment_ref": payment_ref, "amount": amount})));
    let r = pay("PAY-SKEW", total).await;
    assert_eq!(r.status, 409, "{:?}", r.body);
    assert_eq!(r.body["error"]["code"], "promotion_limit_reached");
    let confirmed = format!("SELECT COUNT(*) FROM promotion_uses WHERE promotion_id = {promo} AND status = 'confirmed'");
    assert_eq!(app.count(&confirmed).await, 1);
    let reason = format!("SELECT COUNT(*) FROM payment_rejections WHERE order_id = {order} AND reason = 'promotion_limit_reached'");
    assert_eq!(app.count(&reason).await, 1);
    let r = app.api("POST", &format!("/orders/{order}/recalculate"), Some(&s.pos), None).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["total"], 25_000, "priced without the used-up promotion");
    let r = pay("PAY-SKEW-2", 25_000).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(app.count(&confirmed).await, 1);
});

// The tier snapshot was read before the customer's lock: a payment that
// committed while the checkout waited left the new order a tier behind. The test
// holds the lock (the customer's row on PostgreSQL, the write lock on SQLite) and
// commits that payment while the checkout waits.
both_backends!(a_new_order_takes_the_tier_its_customer_has_once_the_lock_is_held, |app| async move {
    let s = store(&app).await;
    let r = app
        .api("POST", "/tiers", Some(&s.admin), Some(json!({"name": "Gold", "min_spending": 100_000, "window_days": 365, "earn_rate_points": 1, "earn_rate_per": 1000, "discount_percent": 10})))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let budi = app.customer(&s, "0812-4000-0015").await;
    let mut blocker = app.state.db.begin_write().await.unwrap();
    let lock = blocker.for_update();
    dispatch!(tx &mut blocker, |c| sqlx::query_scalar::<_, i64>(&format!("SELECT id FROM customers WHERE id = $1{lock}")).bind(budi).fetch_one(c).await)
        .unwrap();
    let app = std::sync::Arc::new(app);
    let order = {
        let (app, pos) = (app.clone(), s.pos.clone());
        tokio::spawn(async move {
            let body = json!({"source": "pos", "external_ref": "TIER-1", "customer_id": budi, "lines": [{"sku": "KOPI", "quantity": 1}]});
            app.api("POST", "/orders", Some(&pos), Some(body)).await
        })
    };
    // Long enough for the checkout to read the customer's facts and wait on the lock.
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    let now = chrono::Utc::now();
    dispatch!(tx &mut blocker, |c| sqlx::query(
        "INSERT INTO orders (source, external_ref, customer_id, status, payment_deadline, subtotal, discount_total, points_discount, shipping, total,
                             promotions_rejected, payment_ref, paid_at, created_at, updated_at)
         VALUES ('pos', 'EARLIER', $1, 'paid', $2, 200000, 0, 0, 0, 200000, '[]', 'PAID-EARLIER', $2, $2, $2)"
    )
    .bind(budi)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
    blocker.commit().await.unwrap();
    let r = order.await.unwrap();
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["tier"]["name"], "Gold", "{:?}", r.body);
    assert_eq!(r.body["discount_total"], 2_500);
});

// A payment reference clash caught by the unique index (two orders paid with one
// reference at the same moment) was refused but not recorded (docs/SPEC.md §1: nothing
// fails silently). Twenty orders paid at once with one reference: one is paid,
// nineteen refusals are on record.
both_backends!(every_refused_payment_of_a_shared_reference_is_recorded, |app| async move {
    let s = store(&app).await;
    let mut orders = Vec::new();
    for i in 0..20 {
        let r = app
            .api(
                "POST",
                "/orders",
                Some(&s.pos),
                Some(json!({"source": "pos", "external_ref": format!("REF-{i}"), "lines": [{"sku": "KOPI", "quantity": 1}]})),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        orders.push(r.body["id"].as_i64().unwrap());
    }
    let app = std::sync::Arc::new(app);
    let payments: Vec<_> = orders
        .iter()
        .map(|id| {
            let (app, pos, id) = (app.clone(), s.pos.clone(), *id);
            tokio::spawn(async move {
                app.api("POST", &format!("/orders/{id}/pay"), Some(&pos), Some(json!({"payment_ref": "SAME-REF", "amount": 25_000}))).await
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for p in payments {
        let r = p.await.unwrap();
        if r.status == 409 {
            assert_eq!(r.body["error"]["code"], "payment_ref_used");
        }
        statuses.push(r.status);
    }
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 19, "{statuses:?}");
    assert_eq!(app.count("SELECT COUNT(*) FROM payment_rejections WHERE reason = 'payment_ref_used'").await, 19);
});

// Cancelling an order past its payment deadline called it "cancelled", as if it
// had been called off in time; it expired, as payment and the job would find it.
both_backends!(cancelling_an_overdue_order_expires_it, |app| async move {
    let s = store(&app).await;
    let promo = app.active_promotion(&s, serde_json::from_str(LAST_USE).unwrap()).await;
    let budi = app.customer(&s, "0812-4000-0016").await;
    let (order, _) = order_with_code(&app, budi, "OVERDUE-1", chrono::Utc::now() - chrono::Duration::minutes(2), 1).await;
    let r = app.api("POST", &format!("/orders/{order}/cancel"), Some(&s.pos), None).await;
    assert_eq!(r.status, 409, "{:?}", r.body);
    assert_eq!(r.body["error"]["code"], "order_not_pending");
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM orders WHERE id = {order} AND status = 'expired'")).await, 1);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM promotion_uses WHERE promotion_id = {promo} AND status = 'released'")).await, 1);
});

// Nothing bounded how long a PostgreSQL write could wait and still commit, while
// the spending index assumes every write commits within its 15-minute margin.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_write_transaction_is_bounded_in_time() {
    let app = TestApp::spawn(common::Backend::Postgres).await;
    let mut tx = app.state.db.begin_write().await.unwrap();
    let mut show = Vec::new();
    for setting in ["lock_timeout", "statement_timeout", "idle_in_transaction_session_timeout"] {
        let v = dispatch!(tx &mut tx, |c| sqlx::query_scalar::<_, String>(&format!("SHOW {setting}")).fetch_one(c).await).unwrap();
        show.push(v);
    }
    assert_eq!(show, ["10s", "2min", "1min"]);
    tx.commit().await.unwrap();
    // Only for the write transaction: a plain connection keeps the server's defaults.
    let plain = dispatch!(&app.state.db, |c| sqlx::query_scalar::<_, String>("SHOW lock_timeout").fetch_one(c).await).unwrap();
    assert_eq!(plain, "0");
}

// A customer's spending is summed in SQL; past i64 the sum fails (PostgreSQL's
// cast, SQLite's SUM) and every list that includes the customer with it. Payment
// keeps a customer's paid orders within MAX_CUSTOMER_SPENDING (10^18).
both_backends!(a_payment_that_would_take_a_customers_spending_past_the_bound_is_refused, |app| async move {
    let s = store(&app).await;
    let budi = app.customer(&s, "0812-4000-0017").await;
    let now = chrono::Utc::now();
    let near_bound = setia_domain::pricing::MAX_CUSTOMER_SPENDING - 10_000;
    dispatch!(&app.state.db, |c| sqlx::query(
        "INSERT INTO orders (source, external_ref, customer_id, status, payment_deadline, subtotal, discount_total, points_discount, shipping, total,
                             promotions_rejected, payment_ref, paid_at, created_at, updated_at)
         VALUES ('import', 'HUGE', $1, 'paid', $2, $3, 0, 0, 0, $3, '[]', 'PAID-HUGE', $2, $2, $2)"
    )
    .bind(budi)
    .bind(now)
    .bind(near_bound)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
    let r = app
        .api(
            "POST",
            "/orders",
            Some(&s.pos),
            Some(json!({"source": "pos", "external_ref": "PAST", "customer_id": budi, "lines": [{"sku": "KOPI", "quantity": 1}]})),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let order = r.body["id"].as_i64().unwrap();
    let r =
        app.api("POST", &format!("/orders/{order}/pay"), Some(&s.pos), Some(json!({"payment_ref": "PAY-PAST", "amount": 25_000}))).await;
    assert_eq!(r.status, 409, "{:?}", r.body);
    assert_eq!(r.body["error"]["code"], "spending_limit_reached");
    assert_eq!(app.count("SELECT COUNT(*) FROM payment_rejections WHERE reason = 'spending_limit_reached'").await, 1);
    let r = app.api("GET", &format!("/customers/{budi}"), Some(&s.pos), None).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["total_spending"], near_bound);
});

// docs/SPEC.md §2.7: every audit row says where the change came from. Tier, promotion,
// customer and product changes stored none.
both_backends!(audit_rows_of_catalogue_customer_tier_and_promotion_changes_carry_the_ip, |app| async move {
    let s = store(&app).await;
    app.customer(&s, "0812-4000-0018").await;
    let r = app
        .api(
            "POST",
            "/tiers",
            Some(&s.admin),
            Some(json!({"name": "Gold", "min_spending": 100_000, "window_days": 365, "earn_rate_points": 1, "earn_rate_per": 1000})),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    app.active_promotion(&s, serde_json::from_str(LAST_USE).unwrap()).await;
    let rows = dispatch!(&app.state.db, |c| sqlx::query_as::<_, (String, Option<String>)>(
        "SELECT action, ip FROM audit_log WHERE action NOT LIKE 'api_token.%' ORDER BY id"
    )
    .fetch_all(c)
    .await)
    .unwrap();
    let actions: Vec<&str> = rows.iter().map(|(a, _)| a.as_str()).collect();
    for kind in ["product.", "customer.", "tier.", "promotion."] {
        assert!(actions.iter().any(|a| a.starts_with(kind)), "{kind} in {actions:?}");
    }
    for (action, ip) in &rows {
        assert_eq!(ip.as_deref(), Some("127.0.0.1"), "{action}");
    }
});

// A payment held past PostgreSQL's lock timeout is told the server is busy
// (503 `busy`, Retry-After), not that something broke: gateways retry a 503.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_that_waits_past_the_lock_timeout_is_busy_not_broken() {
    let app = TestApp::spawn(common::Backend::Postgres).await;
    let s = store(&app).await;
    let budi = app.customer(&s, "0812-4000-0019").await;
    let r = app
        .api(
            "POST",
            "/orders",
            Some(&s.pos),
            Some(json!({"source": "pos", "external_ref": "HELD", "customer_id": budi, "lines": [{"sku": "KOPI", "quantity": 1}]})),
        )
        .await;
    let order = r.body["id"].as_i64().unwrap();
    let setia_backend::Db::Postgres(pool) = app.state.db.clone() else { panic!("PostgreSQL") };
    let mut blocker = pool.begin().await.unwrap();
    sqlx::query("SELECT id FROM customers WHERE id = $1 FOR UPDATE").bind(budi).execute(&mut *blocker).await.unwrap();
    let r =
        app.api("POST", &format!("/orders/{order}/pay"), Some(&s.pos), Some(json!({"payment_ref": "PAY-HELD", "amount": 25_000}))).await;
    assert_eq!(r.status, 503, "{:?}", r.body);
    assert_eq!(r.body["error"]["code"], "busy");
    assert!(r.headers.get("retry-after").is_some());
    blocker.rollback().await.unwrap();
    let r =
        app.api("POST", &format!("/orders/{order}/pay"), Some(&s.pos), Some(json!({"payment_ref": "PAY-HELD", "amount": 25_000}))).await;
    assert_eq!(r.status, 200, "the retry goes through: {:?}", r.body);
}
