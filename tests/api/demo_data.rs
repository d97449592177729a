//! `setia demo-data` on both databases: an empty database becomes a store with
//! customers, tiers, products and a year of orders in every status; a database
//! that has data is refused.

use setia_backend::demo_data::{fill, DemoSize};
use setia_backend::dispatch;

both_backends!(demo_data_fills_an_empty_store_once, |app| async move {
    let db = &app.state.db;
    let size = DemoSize { customers: 300, orders: 3_000, seed: 7 };
    let report = fill(db, size, chrono::Utc::now(), &|_| {}).await.unwrap();
    assert_eq!((report.customers, report.orders, report.tiers), (300, 3_000, 3));
    assert!(report.products >= 30);
    assert!(report.lines >= 3_000 && report.lines <= 9_000);
    let count = |sql: &'static str| async move { dispatch!(db, |c| sqlx::query_scalar::<_, i64>(sql).fetch_one(c).await).unwrap() };
    assert_eq!(count("SELECT COUNT(*) FROM customers").await, 300);
    assert_eq!(count("SELECT COUNT(*) FROM orders").await, 3_000);
    assert_eq!(count("SELECT COUNT(DISTINCT status) FROM orders").await, 8, "every status appears");
    assert_eq!(count("SELECT COUNT(*) FROM refunds").await as u64, report.refunds);
    assert_eq!(count("SELECT COUNT(*) FROM orders WHERE status IN ('paid', 'shipped', 'completed') AND paid_at IS NULL").await, 0);
    assert_eq!(count("SELECT COUNT(*) FROM customers WHERE phone NOT LIKE '+628%'").await, 0);
    // Lines add up to their order.
    assert_eq!(
        count("SELECT COUNT(*) FROM orders o WHERE o.subtotal <> (SELECT SUM(l.base_amount) FROM order_lines l WHERE l.order_id = o.id)")
            .await,
        0
    );
    // The derived values work on it: somebody is loyal, somebody has a tier.
    let pos = app.api_token("pos").await;
    let mut loyal = 0;
    let mut tiered = 0;
    let ids: Vec<i64> =
        dispatch!(db, |c| sqlx::query_scalar::<_, i64>("SELECT id FROM customers ORDER BY id LIMIT 40").fetch_all(c).await).unwrap();
    for id in ids {
        let r = app.api("GET", &format!("/customers/{id}"), Some(&pos), None).await;
        loyal += usize::from(r.body["loyal"] == true);
        tiered += usize::from(!r.body["tier"].is_null());
    }
    assert!(loyal > 0 && tiered > 0, "loyal {loyal}, tiered {tiered}");
    let again = fill(db, size, chrono::Utc::now(), &|_| {}).await;
    assert!(again.unwrap_err().to_string().contains("empty"));
    assert_eq!(count("SELECT COUNT(*) FROM orders").await, 3_000);
});

both_backends!(planner_statistics_keep_one_customers_spending_on_its_index, |app| async move {
    let db = &app.state.db;
    fill(db, DemoSize { customers: 200, orders: 4_000, seed: 3 }, chrono::Utc::now(), &|_| {}).await.unwrap();
    // The daily job runs and is recorded.
    let run = setia_backend::jobs::run_and_record(db, &setia_backend::db_maintenance::job(), "test", chrono::Utc::now()).await.unwrap();
    assert_eq!(run.outcome, "ok", "{:?}", run.error);
    if let setia_backend::Db::Sqlite(pool, _) = db {
        // Without statistics SQLite read one customer's spending through the status
        // index (most of `orders`); with them it uses the customer index.
        let mut params = setia_backend::db::Params::default();
        let sql = setia_backend::customer_facts::spending_subquery(
            &[setia_domain::TierWindow::Lifetime, setia_domain::TierWindow::RollingDays(365)],
            chrono::Utc::now(),
            &mut params,
            Some(&[1, 2, 3]),
        );
        let explain = format!("EXPLAIN QUERY PLAN {sql}");
        let plan: Vec<String> = setia_backend::bind_params!(sqlx::query_as::<_, (i64, i64, i64, String)>(&explain), params)
            .fetch_all(pool)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.3)
            .collect();
        assert!(plan.iter().any(|p| p.contains("orders_customer_paid")), "{plan:?}");
    }
});
