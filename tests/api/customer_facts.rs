//! Derived customer values (docs/SPEC.md §2.1, §2.2) from stored facts, on both databases:
//! spending counts only paid orders less refunds, loyal flips at the threshold,
//! tiers use their own windows.

use crate::common::insert_tier as tier;
use chrono::{DateTime, Duration, Utc};
use setia_backend::customer_facts::customer_facts;
use setia_backend::dispatch;
use setia_backend::Db;
use setia_domain::Money;

async fn customer(db: &Db, phone: &str) -> i64 {
    let now = Utc::now();
    dispatch!(db, |c| sqlx::query_scalar::<_, i64>(
        "INSERT INTO customers (name, phone, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id"
    )
    .bind("Siti Rahayu")
    .bind(phone)
    .bind(now)
    .fetch_one(c)
    .await)
    .unwrap()
}

async fn order(db: &Db, customer: i64, status: &str, total: i64, paid_at: Option<DateTime<Utc>>) -> i64 {
    let now = Utc::now();
    let n: i64 = dispatch!(db, |c| sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM orders").fetch_one(c).await).unwrap();
    dispatch!(db, |c| sqlx::query_scalar::<_, i64>(
        "INSERT INTO orders (source, external_ref, customer_id, status, payment_deadline, subtotal, discount_total,
                             points_discount, shipping, total, paid_at, created_at, updated_at)
         VALUES ('pos', $1, $2, $3, $4, $5, 0, 0, 0, $5, $6, $4, $4) RETURNING id"
    )
    .bind(format!("POS-{n}"))
    .bind(customer)
    .bind(status)
    .bind(now)
    .bind(total)
    .bind(paid_at)
    .fetch_one(c)
    .await)
    .unwrap()
}

async fn refund(db: &Db, order: i64, amount: i64, reference: &str) {
    dispatch!(db, |c| sqlx::query("INSERT INTO refunds (order_id, refund_ref, amount, created_at) VALUES ($1, $2, $3, $4)")
        .bind(order)
        .bind(reference)
        .bind(amount)
        .bind(Utc::now())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .unwrap();
}

both_backends!(spending_counts_paid_orders_less_refunds, |app| async move {
    let db = &app.state.db;
    let now = Utc::now();
    let c = customer(db, "+6281111111111").await;
    let paid = Some(now - Duration::days(3));
    order(db, c, "paid", 100_000, paid).await;
    order(db, c, "shipped", 200_000, paid).await;
    order(db, c, "completed", 300_000, paid).await;
    let partly = order(db, c, "partially_refunded", 400_000, paid).await;
    refund(db, partly, 150_000, "R1").await;
    let fully = order(db, c, "refunded", 50_000, paid).await;
    refund(db, fully, 20_000, "R2").await;
    refund(db, fully, 30_000, "R3").await;
    // Never paid: nothing.
    order(db, c, "pending_payment", 1_000_000, None).await;
    order(db, c, "cancelled", 1_000_000, None).await;
    order(db, c, "expired", 1_000_000, None).await;
    // Another customer's orders are not mixed in.
    let other = customer(db, "+6282222222222").await;
    order(db, other, "paid", 9_999_999, paid).await;

    let facts = customer_facts(db, &app.state.store.snapshot(db).await.unwrap(), c, now).await.unwrap();
    assert_eq!(facts.total_spending, Money(100_000 + 200_000 + 300_000 + 250_000));
    assert!(!facts.loyal);
    assert!(facts.standing.current.is_none());
    // Many at once (a list page), in the order asked, a repeated id counted once.
    let many = setia_backend::customer_facts::customers_facts(db, &app.state.store.snapshot(db).await.unwrap(), &[other, c, other], now)
        .await
        .unwrap();
    let spent: Vec<Money> = many.iter().map(|f| f.total_spending).collect();
    assert_eq!(spent, vec![Money(9_999_999), facts.total_spending, Money(9_999_999)]);
});

both_backends!(loyal_flips_exactly_at_the_threshold, |app| async move {
    let db = &app.state.db;
    let now = Utc::now();
    let c = customer(db, "+6283333333333").await;
    order(db, c, "paid", 4_999_999, Some(now)).await;
    let facts = customer_facts(db, &app.state.store.snapshot(db).await.unwrap(), c, now).await.unwrap();
    assert_eq!(facts.loyalty_threshold, Money(5_000_000));
    assert!(!facts.loyal);
    let last = order(db, c, "completed", 1, Some(now)).await;
    assert!(customer_facts(db, &app.state.store.snapshot(db).await.unwrap(), c, now).await.unwrap().loyal, "≥ threshold is loyal");
    refund(db, last, 1, "R-last").await;
    assert!(!customer_facts(db, &app.state.store.snapshot(db).await.unwrap(), c, now).await.unwrap().loyal, "a refund takes it back below");
});

both_backends!(tiers_count_spending_within_their_own_window, |app| async move {
    let db = &app.state.db;
    let now = Utc::now();
    let silver = tier(db, "Silver", 0, None).await;
    let gold = tier(db, "Gold", 5_000_000, Some(365)).await;
    let platinum = tier(db, "Platinum", 20_000_000, Some(365)).await;
    let c = customer(db, "+6284444444444").await;
    // 25 M two years ago, 6 M this year: Gold (Platinum needs 20 M within a year).
    order(db, c, "completed", 25_000_000, Some(now - Duration::days(730))).await;
    order(db, c, "paid", 6_000_000, Some(now - Duration::days(10))).await;
    let facts = customer_facts(db, &app.state.store.snapshot(db).await.unwrap(), c, now).await.unwrap();
    assert_eq!(facts.total_spending, Money(31_000_000));
    assert!(facts.loyal);
    let (current, spent) = facts.standing.current.clone().unwrap();
    assert_eq!(current.id, gold);
    assert_eq!(spent, Money(6_000_000));
    assert_eq!(facts.tier().unwrap().name, "Gold");
    let next = facts.standing.next.clone().unwrap();
    assert_eq!(next.tier.id, platinum);
    assert_eq!(next.missing, Money(14_000_000));

    // The window edge: an order paid 366 days ago has left the year.
    let c2 = customer(db, "+6285555555555").await;
    order(db, c2, "paid", 5_000_000, Some(now - Duration::days(366))).await;
    let facts = customer_facts(db, &app.state.store.snapshot(db).await.unwrap(), c2, now).await.unwrap();
    assert_eq!(facts.standing.current.unwrap().0.id, silver);
    order(db, c2, "paid", 5_000_000, Some(now - Duration::days(364))).await;
    assert_eq!(
        customer_facts(db, &app.state.store.snapshot(db).await.unwrap(), c2, now).await.unwrap().standing.current.unwrap().0.id,
        gold
    );
});
