//! What the back office's read-only pages show, each read by one call so a server
//! function stays a role guard, one call and a mapping to its DTO.

use crate::customer_facts::{customer_facts, customers_facts, CustomerFacts};
use crate::customers::{find_customer, Customer};
use crate::db::Db;
use crate::notifications::{self, Notification};
use crate::orders::list::{list_orders, OrderFilter};
use crate::orders::OrderRow;
use crate::settings::StoreSettings;
use crate::store_cache::StoreCache;
use crate::tier_census::{near_next_tier, tier_distribution};
use crate::tiers::TierRow;
use chrono::{DateTime, Utc};

/// The customer page: stored facts, derived spending, tier and loyal, latest
/// orders and notifications.
pub struct CustomerPage {
    pub customer: Customer,
    pub facts: CustomerFacts,
    pub orders: Vec<OrderRow>,
    pub orders_total: i64,
    pub notifications: Vec<Notification>,
    pub settings: StoreSettings,
}

/// How many orders and notifications the customer page lists.
pub const CUSTOMER_PAGE_ROWS: i64 = 20;

#[tracing::instrument(skip_all)]
pub async fn customer_page(db: &Db, cache: &StoreCache, id: i64, now: DateTime<Utc>) -> anyhow::Result<Option<CustomerPage>> {
    let Some(customer) = find_customer(db, id).await? else { return Ok(None) };
    let store = cache.snapshot(db).await?;
    let facts = customer_facts(db, &store, id, now).await?;
    let settings = store.settings.as_ref().clone();
    let filter = OrderFilter { customer_id: Some(id), ..Default::default() };
    let (orders, orders_total) = list_orders(db, &filter, CUSTOMER_PAGE_ROWS, 0).await?;
    let notifications = notifications::for_customer(db, id, CUSTOMER_PAGE_ROWS).await?;
    Ok(Some(CustomerPage { customer, facts, orders, orders_total, notifications, settings }))
}

/// A customer close to their next tier.
pub struct NearCustomer {
    pub facts: CustomerFacts,
    pub name: String,
}

/// The tiers page: the ladder, customers per tier (`None`: no tier), and the
/// customers within reach of their next tier.
pub struct TiersOverview {
    pub tiers: Vec<TierRow>,
    pub counts: Vec<(Option<i64>, i64)>,
    pub near: Vec<NearCustomer>,
    pub near_total: i64,
    pub settings: StoreSettings,
}

#[tracing::instrument(skip_all)]
pub async fn tiers_overview(db: &Db, cache: &StoreCache, now: DateTime<Utc>, near_limit: i64) -> anyhow::Result<TiersOverview> {
    let store = cache.snapshot(db).await?;
    let tiers = store.tiers.as_ref().clone();
    let rules: Vec<_> = tiers.iter().map(TierRow::rule).collect();
    let counts = tier_distribution(db, &rules, now).await?;
    let (near_ids, near_total) = near_next_tier(db, &rules, now, near_limit).await?;
    let facts = customers_facts(db, &store, &near_ids, now).await?;
    let mut names = crate::db::names_by_id(db, crate::db::Named::Customers, &near_ids).await?;
    let near = facts
        .into_iter()
        .filter(|f| f.standing.next.is_some())
        .map(|f| NearCustomer { name: names.remove(&f.customer_id).unwrap_or_default(), facts: f })
        .collect();
    let settings = store.settings.as_ref().clone();
    Ok(TiersOverview { tiers, counts, near, near_total, settings })
}
