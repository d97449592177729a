//! The customer list (admin UI): search by name, phone or email, filter by tier
//! and loyal, sort by spending, one page at a time with the total count.
//!
//! Two plans. Without a tier/loyal filter or a spending sort, the page is read
//! from `customers` alone and spending is computed for its rows only. With one,
//! the customers are ordered and filtered on `spending_index::standing_parts`
//! (every customer's spending and tier, exact, from the spending index where it
//! can serve). Either way the values shown come from
//! `customer_facts::derive_facts`, the one definition.

use crate::bind_params;
use crate::customer_facts::{customers_facts, CustomerFacts};
use crate::customers::Customer;
use crate::db::{Arg, Db, Params};
use crate::dispatch;
use crate::settings;
use crate::spending_index::standing_parts;
use crate::tiers::{self, TierRow};
use anyhow::Context;
use chrono::{DateTime, Utc};
use setia_domain::{Phone, TierRule};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CustomerSort {
    #[default]
    Newest,
    Name,
    SpendingDesc,
    SpendingAsc,
}

impl CustomerSort {
    pub fn parse(s: &str) -> CustomerSort {
        match s {
            "name" => CustomerSort::Name,
            "spending_desc" => CustomerSort::SpendingDesc,
            "spending_asc" => CustomerSort::SpendingAsc,
            _ => CustomerSort::Newest,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CustomerSort::Newest => "newest",
            CustomerSort::Name => "name",
            CustomerSort::SpendingDesc => "spending_desc",
            CustomerSort::SpendingAsc => "spending_asc",
        }
    }
}

/// Which tier to show: any, customers in no tier, or one tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TierFilter {
    #[default]
    Any,
    NoTier,
    Tier(i64),
}

#[derive(Debug, Clone, Default)]
pub struct CustomerFilter {
    pub search: Option<String>,
    pub tier: TierFilter,
    pub loyal: Option<bool>,
    pub sort: CustomerSort,
}

/// One row of the list: the stored customer and their derived facts.
#[derive(Debug, Clone)]
pub struct CustomerListRow {
    pub customer: Customer,
    pub facts: CustomerFacts,
}

const COLUMNS: &str = "c.id, c.name, c.phone, c.email, c.birth_date, c.address, c.external_id, c.created_at";

/// A name or email containing the search (case-insensitive), or, when the
/// search is a phone number as staff type it (`0812-40…`, `+62 812…`), the
/// customers whose stored E.164 number starts with it: a range on the unique
/// phone index, not a scan.
fn search_condition(search: Option<&str>, params: &mut Params) -> String {
    let Some(q) = search.map(str::trim).filter(|q| !q.is_empty()) else {
        return "1 = 1".to_string();
    };
    if let Some(prefix) = Phone::search_prefix(q) {
        let from = params.add(Arg::Text(prefix.clone()));
        return match phone_prefix_end(&prefix) {
            Some(end) => format!("(c.phone >= {from} AND c.phone < {})", params.add(Arg::Text(end))),
            None => format!("c.phone >= {from}"),
        };
    }
    let text = params.add(Arg::Text(format!("%{}%", q.to_lowercase())));
    format!("(lower(c.name) LIKE {text} OR lower(c.email) LIKE {text})")
}

/// The first number after every number starting with `prefix` (`+62812` →
/// `+62813`, `+6289` → `+629`); `None` when the prefix is all nines. Stored
/// numbers are `+` and digits, so this bound holds under any collation.
fn phone_prefix_end(prefix: &str) -> Option<String> {
    let kept = prefix.trim_end_matches('9');
    let last = kept.chars().last().filter(char::is_ascii_digit)?;
    Some(format!("{}{}", &kept[..kept.len() - 1], (last as u8 + 1) as char))
}

/// One page of customers and the number of customers matching the filter.
#[tracing::instrument(skip_all)]
pub async fn list_customers(
    db: &Db,
    cache: &crate::store_cache::StoreCache,
    filter: &CustomerFilter,
    limit: i64,
    offset: i64,
    now: DateTime<Utc>,
) -> anyhow::Result<(Vec<CustomerListRow>, i64)> {
    let needs_spending = filter.tier != TierFilter::Any
        || filter.loyal.is_some()
        || matches!(filter.sort, CustomerSort::SpendingAsc | CustomerSort::SpendingDesc);
    let (customers, total) = if needs_spending {
        page_by_spending(db, filter, limit, offset, now).await?
    } else {
        page_from_customers(db, filter, limit, offset).await?
    };
    let ids: Vec<i64> = customers.iter().map(|c| c.id).collect();
    let facts = customers_facts(db, &*cache.snapshot(db).await?, &ids, now).await?;
    Ok((customers.into_iter().zip(facts).map(|(customer, facts)| CustomerListRow { customer, facts }).collect(), total))
}

async fn page_from_customers(db: &Db, filter: &CustomerFilter, limit: i64, offset: i64) -> anyhow::Result<(Vec<Customer>, i64)> {
    let mut params = Params::default();
    let cond = search_condition(filter.search.as_deref(), &mut params);
    let count_sql = format!("SELECT COUNT(*) FROM customers c WHERE {cond}");
    let total: i64 = dispatch!(db, |c| bind_params!(sqlx::query_scalar::<_, i64>(&count_sql).persistent(false), params).fetch_one(c).await)
        .context("count customers")?;
    let order = match filter.sort {
        CustomerSort::Name => "lower(c.name), c.id",
        _ => "c.created_at DESC, c.id DESC",
    };
    let lim = params.add(Arg::Int(limit));
    let off = params.add(Arg::Int(offset));
    let sql = format!("SELECT {COLUMNS} FROM customers c WHERE {cond} ORDER BY {order} LIMIT {lim} OFFSET {off}");
    let rows = dispatch!(db, |c| bind_params!(sqlx::query_as::<_, Customer>(&sql).persistent(false), params).fetch_all(c).await)
        .context("list customers")?;
    Ok((rows, total))
}

async fn page_by_spending(
    db: &Db,
    filter: &CustomerFilter,
    limit: i64,
    offset: i64,
    now: DateTime<Utc>,
) -> anyhow::Result<(Vec<Customer>, i64)> {
    let mut tx = db.begin_read().await?;
    let ladder: Vec<TierRule> = tiers::list_tiers_in(&mut tx).await?.iter().map(TierRow::rule).collect();
    let threshold = settings::load(db).await?.loyalty_threshold;
    let mut params = Params::default();
    let parts = standing_parts(&mut tx, &ladder, now, &mut params).await?;
    let standing = parts.join(" UNION ALL ");
    let search = filter.search.as_deref().map(str::trim).filter(|q| !q.is_empty());
    let mut conditions = vec![search_condition(search, &mut params)];
    match filter.tier {
        TierFilter::Any => {}
        TierFilter::NoTier => conditions.push("x.tier_id = 0".to_string()),
        TierFilter::Tier(id) => conditions.push(format!("x.tier_id = {}", params.add(Arg::Int(id)))),
    }
    // `setia_domain::customer::is_loyal` in SQL.
    match filter.loyal {
        Some(true) => conditions.push(format!("x.spending >= {}", params.add(Arg::Int(threshold.0)))),
        Some(false) => conditions.push(format!("x.spending < {}", params.add(Arg::Int(threshold.0)))),
        None => {}
    }
    let conditions = conditions.join(" AND ");
    // Without a search the count needs no customer row: the index alone answers it.
    let count_sql = if search.is_some() {
        format!("SELECT COUNT(*) FROM ({standing}) x JOIN customers c ON c.id = x.customer_id WHERE {conditions}")
    } else {
        format!("SELECT COUNT(*) FROM ({standing}) x WHERE {conditions}")
    };
    let total: i64 =
        dispatch!(tx &mut tx, |c| bind_params!(sqlx::query_scalar::<_, i64>(&count_sql).persistent(false), params).fetch_one(c).await)
            .context("count customers by spending")?;
    // Ties broken by id in the same direction, so an index on (spending, id) serves both.
    let order = match filter.sort {
        CustomerSort::SpendingAsc => "x.spending, x.customer_id",
        CustomerSort::SpendingDesc => "x.spending DESC, x.customer_id DESC",
        CustomerSort::Name => "lower(c.name), c.id",
        CustomerSort::Newest => "c.created_at DESC, c.id DESC",
    };
    let lim = params.add(Arg::Int(limit));
    let off = params.add(Arg::Int(offset));
    let sql = if matches!(filter.sort, CustomerSort::SpendingAsc | CustomerSort::SpendingDesc) {
        // Top-N per part, then the page from their union: the index part is read
        // along its (spending, customer_id) index and stops after offset + limit
        // rows, instead of sorting every customer (2 s at 1 M on PostgreSQL).
        let first_rows = params.add(Arg::Int(offset.saturating_add(limit)));
        let customers_join = if search.is_some() { " JOIN customers c ON c.id = x.customer_id" } else { "" };
        let tops = parts
            .iter()
            .map(|part| {
                format!(
                    "SELECT * FROM (SELECT x.customer_id, x.spending FROM ({part}) x{customers_join}
                     WHERE {conditions} ORDER BY {order} LIMIT {first_rows}) t"
                )
            })
            .collect::<Vec<_>>()
            .join(" UNION ALL ");
        format!("SELECT {COLUMNS} FROM ({tops}) x JOIN customers c ON c.id = x.customer_id ORDER BY {order} LIMIT {lim} OFFSET {off}")
    } else {
        format!(
            "SELECT {COLUMNS} FROM ({standing}) x JOIN customers c ON c.id = x.customer_id
             WHERE {conditions} ORDER BY {order} LIMIT {lim} OFFSET {off}"
        )
    };
    let rows = dispatch!(tx &mut tx, |c| bind_params!(sqlx::query_as::<_, Customer>(&sql).persistent(false), params).fetch_all(c).await)
        .context("list customers by spending")?;
    Ok((rows, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phone_prefix_ends_at_the_next_number() {
        assert_eq!(phone_prefix_end("+62812").as_deref(), Some("+62813"));
        assert_eq!(phone_prefix_end("+6289").as_deref(), Some("+629"));
        assert_eq!(phone_prefix_end("+6281299").as_deref(), Some("+62813"));
        assert_eq!(phone_prefix_end("+999"), None);
    }
}
