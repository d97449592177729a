//! The customer spending index (backend/src/spending_index.rs) on both databases:
//! lists and tier counts read through it equal the live aggregate after payments,
//! refunds, new customers, tier window edges and ladder changes; it is really read
//! for unchanged customers and never for changed ones; the job rebuilds it when
//! the ladder changes or it grows old.

use crate::common::insert_tier as tier;
use chrono::{DateTime, Duration, Utc};
use setia_backend::customer_directory::{list_customers, CustomerFilter, CustomerSort, TierFilter};
use setia_backend::tier_census::{near_next_tier, preview_moves, tier_distribution, TierMoves};
use setia_backend::tiers::{list_tiers, TierRow};
use setia_backend::{dispatch, spending_index, Db};
use setia_domain::{Money, TierRule, TierWindow};

async fn customer(db: &Db, name: &str, phone: &str, at: DateTime<Utc>) -> i64 {
    dispatch!(db, |c| sqlx::query_scalar::<_, i64>(
        "INSERT INTO customers (name, phone, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id"
    )
    .bind(name)
    .bind(phone)
    .bind(at)
    .fetch_one(c)
    .await)
    .unwrap()
}

/// A paid order written at `written` (what `updated_at` records) and paid at `paid`.
async fn paid_order(db: &Db, customer: i64, total: i64, paid: DateTime<Utc>, written: DateTime<Utc>) -> i64 {
    let n: i64 = dispatch!(db, |c| sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM orders").fetch_one(c).await).unwrap();
    dispatch!(db, |c| sqlx::query_scalar::<_, i64>(
        "INSERT INTO orders (source, external_ref, customer_id, status, payment_deadline, subtotal, discount_total,
                             points_discount, shipping, total, payment_ref, paid_at, created_at, updated_at)
         VALUES ('pos', $1, $2, 'paid', $3, $4, 0, 0, 0, $4, $1, $3, $3, $5) RETURNING id"
    )
    .bind(format!("IDX-{n}"))
    .bind(customer)
    .bind(paid)
    .bind(total)
    .bind(written)
    .fetch_one(c)
    .await)
    .unwrap()
}

async fn ladder(db: &Db) -> Vec<TierRule> {
    list_tiers(db).await.unwrap().iter().map(TierRow::rule).collect()
}

/// Everything the index serves, as comparable values: every filter and spending
/// sort of the customer list (ids, spending and total), the tier distribution and
/// the near-next-tier list.
async fn census(db: &Db, now: DateTime<Utc>) -> Vec<String> {
    let rules = ladder(db).await;
    let mut tier_filters = vec![TierFilter::Any, TierFilter::NoTier];
    tier_filters.extend(rules.iter().map(|t| TierFilter::Tier(t.id)));
    let mut out = Vec::new();
    for tier in tier_filters {
        for loyal in [None, Some(true), Some(false)] {
            for sort in [CustomerSort::SpendingDesc, CustomerSort::SpendingAsc, CustomerSort::Name] {
                for search in [None, Some("a".to_string())] {
                    let filter = CustomerFilter { search: search.clone(), tier, loyal, sort };
                    // Whole list, and small pages that cut through the index rows
                    // and the changed customers' live rows (merged per page).
                    for (limit, offset) in [(50, 0), (2, 1), (1, 3)] {
                        let (rows, total) =
                            list_customers(db, &setia_backend::store_cache::StoreCache::default(), &filter, limit, offset, now)
                                .await
                                .unwrap();
                        let shown: Vec<(i64, i64)> = rows.iter().map(|r| (r.customer.id, r.facts.total_spending.0)).collect();
                        out.push(format!("{tier:?} {loyal:?} {sort:?} {search:?} {limit}@{offset}: {total} {shown:?}"));
                    }
                }
            }
        }
    }
    let mut distribution = tier_distribution(db, &rules, now).await.unwrap();
    distribution.sort();
    out.push(format!("distribution {distribution:?}"));
    out.push(format!("near {:?}", near_next_tier(db, &rules, now, 20).await.unwrap()));
    out
}

/// [`census`] with the index switched off (its state cleared, then restored).
async fn live_census(db: &Db, now: DateTime<Utc>) -> Vec<String> {
    let (as_of, key): (Option<DateTime<Utc>>, Option<String>) =
        dispatch!(db, |c| sqlx::query_as("SELECT as_of, ladder FROM customer_spending_index_state WHERE id = 1").fetch_one(c).await)
            .unwrap();
    set_state(db, None, None).await;
    let live = census(db, now).await;
    set_state(db, as_of, key).await;
    live
}

async fn set_state(db: &Db, as_of: Option<DateTime<Utc>>, key: Option<String>) {
    dispatch!(db, |c| sqlx::query("UPDATE customer_spending_index_state SET as_of = $1, ladder = $2 WHERE id = 1")
        .bind(as_of)
        .bind(key)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .unwrap();
}

/// Writes a made-up spending into a customer's index row: if a list shows it,
/// the list read the index for that customer.
async fn tamper(db: &Db, customer: i64, spending: i64) {
    let n = dispatch!(db, |c| sqlx::query("UPDATE customer_spending_index SET spending = $1 WHERE customer_id = $2")
        .bind(spending)
        .bind(customer)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .unwrap();
    assert_eq!(n, 1, "customer {customer} has an index row");
}

async fn first_by_spending(db: &Db, now: DateTime<Utc>) -> i64 {
    let filter = CustomerFilter { sort: CustomerSort::SpendingDesc, ..Default::default() };
    list_customers(db, &setia_backend::store_cache::StoreCache::default(), &filter, 1, 0, now).await.unwrap().0[0].customer.id
}

struct Store {
    t0: DateTime<Utc>,
    ani: i64,
    budi: i64,
    citra: i64,
    edge: i64,
}

/// Three tiers with three windows, customers in each, one whose Platinum rests
/// on a payment about to leave its 30-day window; the index built at `t0`.
async fn store(db: &Db) -> Store {
    let t0 = Utc::now();
    let long_ago = t0 - Duration::days(400);
    tier(db, "Silver", 1_000_000, None).await;
    tier(db, "Gold", 5_000_000, Some(365)).await;
    tier(db, "Platinum", 20_000_000, Some(30)).await;
    let ani = customer(db, "Ani Susanti", "+6281200000001", long_ago).await;
    let budi = customer(db, "Budi Santoso", "+6281200000002", long_ago).await;
    let citra = customer(db, "Citra Lestari", "+6281200000003", long_ago).await;
    let edge = customer(db, "Dewi Anggraini", "+6281200000004", long_ago).await;
    customer(db, "Eko Prasetyo", "+6281200000005", long_ago).await;
    paid_order(db, ani, 950_000, t0 - Duration::days(20), t0 - Duration::days(20)).await;
    paid_order(db, budi, 4_800_000, t0 - Duration::days(100), t0 - Duration::days(100)).await;
    paid_order(db, citra, 7_000_000, t0 - Duration::days(500), t0 - Duration::days(500)).await;
    paid_order(db, citra, 5_200_000, t0 - Duration::days(40), t0 - Duration::days(40)).await;
    // Leaves the 30-day window five minutes after t0.
    let edge_paid = t0 - Duration::days(30) + Duration::minutes(5);
    paid_order(db, edge, 21_000_000, edge_paid, edge_paid).await;
    assert_eq!(spending_index::rebuild(db, t0).await.unwrap(), 5);
    Store { t0, ani, budi, citra, edge }
}

both_backends!(the_index_equals_the_live_aggregate_through_every_kind_of_change, |app| async move {
    let db = &app.state.db;
    let s = store(db).await;
    assert_eq!(census(db, s.t0).await, live_census(db, s.t0).await, "just built");

    // A payment, a refund through the order service, a new customer with an order.
    let t1 = s.t0 + Duration::minutes(1);
    paid_order(db, s.budi, 300_000, t1, t1).await;
    let ani_order: i64 =
        dispatch!(db, |c| sqlx::query_scalar::<_, i64>("SELECT id FROM orders WHERE customer_id = $1").bind(s.ani).fetch_one(c).await)
            .unwrap();
    setia_backend::orders::refund_order(db, ani_order, "RF-1", Some(100_000), t1).await.unwrap();
    let newcomer = customer(db, "Fajar Nugroho", "+6281200000006", t1).await;
    paid_order(db, newcomer, 25_000_000, t1, t1).await;
    // Ten minutes on, the edge customer's payment has left the 30-day window.
    let t2 = s.t0 + Duration::minutes(10);
    let now = census(db, t2).await;
    assert_eq!(now, live_census(db, t2).await);
    let rules = ladder(db).await;
    let platinum = rules.iter().find(|t| t.name == "Platinum").unwrap().id;
    let in_platinum = CustomerFilter { tier: TierFilter::Tier(platinum), ..Default::default() };
    let (rows, _) = list_customers(db, &setia_backend::store_cache::StoreCache::default(), &in_platinum, 50, 0, t2).await.unwrap();
    assert_eq!(rows.iter().map(|r| r.customer.id).collect::<Vec<_>>(), vec![newcomer], "the edge customer left Platinum");
    let (rows, _) = list_customers(db, &setia_backend::store_cache::StoreCache::default(), &in_platinum, 50, 0, s.t0).await.unwrap();
    assert!(rows.iter().any(|r| r.customer.id == s.edge), "at t0 they were still in it");
});

both_backends!(unchanged_customers_are_read_from_the_index_and_changed_ones_live, |app| async move {
    let db = &app.state.db;
    let s = store(db).await;
    let later = s.t0 + Duration::minutes(1);
    tamper(db, s.ani, 99_000_000).await;
    assert_eq!(first_by_spending(db, later).await, s.ani, "an unchanged customer's order comes from the index");
    // Ani writes an order: from now on her row is computed live, tampered or not.
    paid_order(db, s.ani, 10_000, later, later).await;
    assert_ne!(first_by_spending(db, later).await, s.ani);
    // Asked about a moment before the index was built, nothing is read from it.
    tamper(db, s.budi, 99_000_000).await;
    assert_ne!(first_by_spending(db, s.t0 - Duration::minutes(1)).await, s.budi);
    assert_eq!(first_by_spending(db, later).await, s.budi);
});

both_backends!(a_ladder_change_stops_the_index_until_the_job_rebuilds_it, |app| async move {
    let db = &app.state.db;
    let s = store(db).await;
    let later = s.t0 + Duration::minutes(1);
    assert!(!spending_index::needs_rebuild(db, later).await.unwrap());
    tamper(db, s.ani, 99_000_000).await;
    assert_eq!(first_by_spending(db, later).await, s.ani);
    let diamond = tier(db, "Diamond", 50_000_000, None).await;
    assert_ne!(first_by_spending(db, later).await, s.ani, "built for another ladder: not read");
    assert_eq!(census(db, later).await, live_census(db, later).await);
    assert!(spending_index::needs_rebuild(db, later).await.unwrap());

    let job = spending_index::job();
    let run = setia_backend::jobs::run_and_record(db, &job, "test", later).await.unwrap();
    assert_eq!(run.outcome, "ok");
    assert_eq!(run.counts.unwrap().0["rebuilt"], "full", "another ladder: every customer again");
    assert!(!spending_index::needs_rebuild(db, later).await.unwrap());
    let state_key: String =
        dispatch!(db, |c| sqlx::query_scalar("SELECT ladder FROM customer_spending_index_state").fetch_one(c).await).unwrap();
    assert!(state_key.contains(&format!("{diamond}:50000000:0")), "{state_key}");
    let run = setia_backend::jobs::run_and_record(db, &job, "test", later + Duration::minutes(1)).await.unwrap();
    assert_eq!(run.counts.unwrap().0["rebuilt"], false, "fresh: nothing to do");
    let old = later + Duration::minutes(spending_index::REBUILD_AFTER_MINUTES);
    assert!(spending_index::needs_rebuild(db, old).await.unwrap(), "old");
    let run = setia_backend::jobs::run_and_record(db, &job, "test", old).await.unwrap();
    assert_eq!(run.counts.unwrap().0["rebuilt"], "changed", "same ladder: only the changed customers");
    assert_eq!(census(db, later).await, live_census(db, later).await);
});

async fn tamper_window(db: &Db, customer: i64, days: i64, spending: i64) {
    let n = dispatch!(db, |c| sqlx::query("UPDATE customer_window_spending_index SET spending = $1 WHERE customer_id = $2 AND days = $3")
        .bind(spending)
        .bind(customer)
        .bind(days)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .unwrap();
    assert_eq!(n, 1, "customer {customer} has a {days}-day window row");
}

/// The tier editor's preview of each proposed ladder, once through the index and
/// once with the index switched off.
async fn previews(db: &Db, proposals: &[Vec<TierRule>], now: DateTime<Utc>) -> (Vec<String>, Vec<String>) {
    let current = ladder(db).await;
    let mut indexed = Vec::new();
    for p in proposals {
        indexed.push(format!("{:?}", preview_moves(db, &current, p, now).await.unwrap()));
    }
    let (as_of, key): (Option<DateTime<Utc>>, Option<String>) =
        dispatch!(db, |c| sqlx::query_as("SELECT as_of, ladder FROM customer_spending_index_state WHERE id = 1").fetch_one(c).await)
            .unwrap();
    set_state(db, None, None).await;
    let mut live = Vec::new();
    for p in proposals {
        live.push(format!("{:?}", preview_moves(db, &current, p, now).await.unwrap()));
    }
    set_state(db, as_of, key).await;
    (indexed, live)
}

both_backends!(the_tier_preview_reads_window_spending_from_the_index_when_the_windows_are_kept, |app| async move {
    let db = &app.state.db;
    let s = store(db).await;
    let window_rows: Vec<(i64, i64)> = dispatch!(db, |c| sqlx::query_as::<_, (i64, i64)>(
        "SELECT CAST(days AS BIGINT), COUNT(*) FROM customer_window_spending_index GROUP BY days ORDER BY days"
    )
    .fetch_all(c)
    .await)
    .unwrap();
    assert_eq!(window_rows, vec![(30, 2), (365, 4)], "one row per customer who spent in each rolling window");

    let current = ladder(db).await;
    let with = |name: &str, change: &dyn Fn(&mut TierRule)| -> Vec<TierRule> {
        let mut l = current.clone();
        change(l.iter_mut().find(|t| t.name == name).unwrap());
        l
    };
    let lower_gold = with("Gold", &|t| t.min_spending = Money(4_000_000));
    let proposals = vec![
        lower_gold.clone(),
        with("Platinum", &|t| t.min_spending = Money(21_500_000)),
        with("Silver", &|t| t.min_spending = Money(900_000)),
        {
            let mut l = current.clone();
            l.push(TierRule { id: 0, name: "Diamond".into(), min_spending: Money(24_000_000), window: TierWindow::RollingDays(365) });
            l
        },
        // A window the index does not hold: aggregated live.
        with("Gold", &|t| t.window = TierWindow::RollingDays(180)),
    ];
    let (indexed, live) = previews(db, &proposals, s.t0).await;
    assert_eq!(indexed, live, "just built");
    assert_eq!(indexed[0], format!("{:?}", TierMoves { up: 1, down: 0, unchanged: 4 }), "Budi would reach Gold");

    // A payment, a new customer, and the edge customer's payment leaving the 30-day window.
    let t1 = s.t0 + Duration::minutes(1);
    paid_order(db, s.ani, 100_000, t1, t1).await;
    let newcomer = customer(db, "Fajar Nugroho", "+6281200000006", t1).await;
    paid_order(db, newcomer, 4_500_000, t1, t1).await;
    let t2 = s.t0 + Duration::minutes(10);
    let (indexed, live) = previews(db, &proposals, t2).await;
    assert_eq!(indexed, live, "after changes");

    // Budi's 365-day row is read from the index while he has not changed: made up
    // to Rp 99.000.000 he is already Gold, so lowering Gold moves nobody of his.
    tamper_window(db, s.budi, 365, 99_000_000).await;
    let (indexed, live) = previews(db, &proposals, t2).await;
    assert_ne!(indexed[0], live[0], "an unchanged customer's window spending comes from the index");
    assert_eq!(indexed[4], live[4], "a window the index does not hold is never read from it");
    // Once he writes an order, his row is computed live.
    paid_order(db, s.budi, 10_000, t2, t2).await;
    let (indexed, live) = previews(db, &proposals, t2).await;
    assert_eq!(indexed, live);
});

both_backends!(an_index_built_without_window_rows_is_rebuilt, |app| async move {
    let db = &app.state.db;
    let s = store(db).await;
    let later = s.t0 + Duration::minutes(1);
    assert!(!spending_index::needs_rebuild(db, later).await.unwrap());
    dispatch!(db, |c| sqlx::query("UPDATE customer_spending_index_state SET windows = NULL").execute(c).await.map(|r| r.rows_affected()))
        .unwrap();
    assert!(spending_index::needs_rebuild(db, later).await.unwrap(), "an index from before window rows existed");
});

/// Every row of the index and its window rows, in order.
async fn index_rows(db: &Db) -> (Vec<(i64, i64, i64, Option<i64>)>, Vec<(i32, i64, i64)>) {
    let rows = dispatch!(db, |c| sqlx::query_as(
        "SELECT customer_id, spending, tier_id, to_next FROM customer_spending_index ORDER BY customer_id"
    )
    .fetch_all(c)
    .await)
    .unwrap();
    let windows = dispatch!(db, |c| sqlx::query_as(
        "SELECT days, customer_id, spending FROM customer_window_spending_index ORDER BY days, customer_id"
    )
    .fetch_all(c)
    .await)
    .unwrap();
    (rows, windows)
}

both_backends!(a_refresh_recomputes_only_the_changed_customers, |app| async move {
    use spending_index::Refreshed;
    let db = &app.state.db;
    let s = store(db).await;
    // Budi's row is made up: a refresh that recomputed him would put it right.
    tamper(db, s.budi, 99_000_000).await;
    let t1 = s.t0 + Duration::minutes(1);
    paid_order(db, s.ani, 2_000_000, t1, t1).await;
    let newcomer = customer(db, "Fajar Nugroho", "+6281200000006", t1).await;
    paid_order(db, newcomer, 1_500_000, t1, t1).await;
    // 21 minutes on: Ani and the newcomer wrote orders, and the edge customer's
    // payment left the 30-day window. Nobody else changed. (At 20 minutes the
    // next refresh's margin would still reach back to that payment.)
    let t2 = s.t0 + Duration::minutes(21);
    // No sample check here: it would put Budi right (see the next test).
    assert_eq!(spending_index::refresh_checking(db, t2, 0).await.unwrap(), Refreshed::Changed { customers: 3, repaired: 0 });
    let (rows, windows) = index_rows(db).await;
    let state: (DateTime<Utc>, i64) =
        dispatch!(db, |c| sqlx::query_as("SELECT as_of, customers FROM customer_spending_index_state").fetch_one(c).await).unwrap();
    assert_eq!(state.0.timestamp_micros(), t2.timestamp_micros());
    assert_eq!(state.1, 6, "the newcomer is counted");
    assert_eq!(rows.iter().find(|r| r.0 == s.budi).unwrap().1, 99_000_000, "an unchanged customer is not recomputed");

    // Everyone else's rows are exactly what a full rebuild at t2 computes.
    assert_eq!(spending_index::rebuild(db, t2).await.unwrap(), 6);
    let (full_rows, full_windows) = index_rows(db).await;
    let without_budi = |r: &Vec<(i64, i64, i64, Option<i64>)>| r.iter().filter(|r| r.0 != s.budi).cloned().collect::<Vec<_>>();
    assert_eq!(without_budi(&rows), without_budi(&full_rows));
    assert_eq!(windows, full_windows);
    assert_ne!(rows, full_rows, "the full rebuild did recompute Budi");
    let edge = full_rows.iter().find(|r| r.0 == s.edge).unwrap();
    let edge_refreshed = rows.iter().find(|r| r.0 == s.edge).unwrap();
    assert_eq!(edge, edge_refreshed, "the edge customer's tier moved with the window");

    // Nothing changed since: the refresh only moves as_of.
    let t3 = t2 + Duration::minutes(40);
    assert_eq!(spending_index::refresh(db, t3).await.unwrap(), Refreshed::Changed { customers: 0, repaired: 0 });
    assert_eq!(index_rows(db).await, (full_rows, full_windows));
    assert_eq!(census(db, t3).await, live_census(db, t3).await);
});

// The index trusts every write to commit within its margin; each refresh checks
// a sample of rows against live values and repairs any that drifted.
both_backends!(a_refresh_finds_and_repairs_rows_that_drifted_from_live_values, |app| async move {
    use spending_index::Refreshed;
    let db = &app.state.db;
    let s = store(db).await;
    tamper(db, s.budi, 99_000_000).await;
    tamper_window(db, s.ani, 30, 1).await;
    // A customer missing from the index altogether is found too.
    let missing = dispatch!(db, |c| sqlx::query("DELETE FROM customer_spending_index WHERE customer_id = $1")
        .bind(s.citra)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .unwrap();
    assert_eq!(missing, 1);
    // Only the edge customer changed (a payment left the 30-day window).
    let later = s.t0 + Duration::minutes(40);
    assert_eq!(spending_index::refresh(db, later).await.unwrap(), Refreshed::Changed { customers: 1, repaired: 3 });
    let refreshed = index_rows(db).await;
    assert_eq!(spending_index::rebuild(db, later).await.unwrap(), 5);
    assert_eq!(refreshed, index_rows(db).await, "every row is what a full rebuild computes");
    let metrics = setia::metrics::layer_and_handle().1.render();
    assert!(metrics.contains("setia_spending_index_repaired_total"), "{metrics}");
});

both_backends!(a_rebuild_in_small_chunks_writes_what_one_chunk_writes, |app| async move {
    let db = &app.state.db;
    let s = store(db).await;
    let t1 = s.t0 + Duration::minutes(30);
    assert_eq!(spending_index::rebuild_in_chunks(db, t1, 100).await.unwrap(), 5);
    let whole = index_rows(db).await;
    tamper(db, s.ani, 1).await;
    tamper_window(db, s.edge, 365, 1).await;
    assert_eq!(spending_index::rebuild_in_chunks(db, t1, 2).await.unwrap(), 5, "three chunks: 2 + 2 + 1");
    assert_eq!(index_rows(db).await, whole, "every chunk replaced its customers' rows");
    assert_eq!(census(db, t1).await, live_census(db, t1).await);
});
