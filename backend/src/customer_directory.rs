//! The customer list (admin UI): search by name, phone or email, filter by tier
//! and loyal, sort by spending, one page at a time with the total count.
//!
//! Two plans. Without a tier/loyal filter or a spending sort, the page is read
//! from `customers` alone and spending is computed for its rows only. With one,
//! every customer's spending is aggregated once (`spending_subquery`) and filtered
//! by the tier rule in SQL (`tier_case`). Either way the values shown come from
//! `customer_facts::derive_facts`, the one definition.

use crate::bind_params;
use crate::customer_facts::{customers_facts, spending_subquery, tier_case, windows_of, CustomerFacts};
use crate::customers::Customer;
use crate::db::{Arg, Db, Params};
use crate::dispatch;
use crate::settings;
use crate::tiers::{self, TierRow};
use anyhow::Context;
use chrono::{DateTime, Utc};

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

/// `(name ILIKE … OR phone LIKE … OR email LIKE …)`; a search that looks like a
/// phone number also matches its E.164 digits (`0812…` finds `+62812…`).
fn search_condition(search: Option<&str>, params: &mut Params) -> String {
    let Some(q) = search.map(str::trim).filter(|q| !q.is_empty()) else {
        return "1 = 1".to_string();
    };
    let text = params.add(Arg::Text(format!("%{}%", q.to_lowercase())));
    let digits: String = q.chars().filter(char::is_ascii_digit).collect();
    let phone_like = if digits.len() >= 3 && q.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c)) {
        let national = digits.strip_prefix('0').map(|d| format!("62{d}")).unwrap_or(digits);
        format!(" OR c.phone LIKE {}", params.add(Arg::Text(format!("%{national}%"))))
    } else {
        String::new()
    };
    format!("(lower(c.name) LIKE {text} OR c.phone LIKE {text} OR lower(c.email) LIKE {text}{phone_like})")
}

/// One page of customers and the number of customers matching the filter.
#[tracing::instrument(skip_all)]
pub async fn list_customers(
    db: &Db,
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
    let facts = customers_facts(db, &ids, now).await?;
    Ok((customers.into_iter().zip(facts).map(|(customer, facts)| CustomerListRow { customer, facts }).collect(), total))
}

async fn page_from_customers(db: &Db, filter: &CustomerFilter, limit: i64, offset: i64) -> anyhow::Result<(Vec<Customer>, i64)> {
    let mut params = Params::default();
    let cond = search_condition(filter.search.as_deref(), &mut params);
    let count_sql = format!("SELECT COUNT(*) FROM customers c WHERE {cond}");
    let total: i64 = dispatch!(db, |c| bind_params!(sqlx::query_scalar::<_, i64>(&count_sql), params).fetch_one(c).await)
        .context("count customers")?;
    let order = match filter.sort {
        CustomerSort::Name => "lower(c.name), c.id",
        _ => "c.created_at DESC, c.id DESC",
    };
    let lim = params.add(Arg::Int(limit));
    let off = params.add(Arg::Int(offset));
    let sql = format!("SELECT {COLUMNS} FROM customers c WHERE {cond} ORDER BY {order} LIMIT {lim} OFFSET {off}");
    let rows = dispatch!(db, |c| bind_params!(sqlx::query_as::<_, Customer>(&sql), params).fetch_all(c).await).context("list customers")?;
    Ok((rows, total))
}

async fn page_by_spending(
    db: &Db,
    filter: &CustomerFilter,
    limit: i64,
    offset: i64,
    now: DateTime<Utc>,
) -> anyhow::Result<(Vec<Customer>, i64)> {
    let tiers: Vec<TierRow> = tiers::list_tiers(db).await?;
    let rules: Vec<_> = tiers.iter().map(TierRow::rule).collect();
    let threshold = settings::load(db).await?.loyalty_threshold;
    let mut params = Params::default();
    let spend = spending_subquery(&windows_of(&rules), now, &mut params, None);
    let cond = search_condition(filter.search.as_deref(), &mut params);
    let tier_id = tier_case(&rules, |t| t.id, 0);
    let mut outer = Vec::new();
    match filter.tier {
        TierFilter::Any => {}
        TierFilter::NoTier => outer.push("x.tier_id = 0".to_string()),
        TierFilter::Tier(id) => outer.push(format!("x.tier_id = {}", params.add(Arg::Int(id)))),
    }
    match filter.loyal {
        Some(true) => outer.push(format!("x.spending >= {}", params.add(Arg::Int(threshold.0)))),
        Some(false) => outer.push(format!("x.spending < {}", params.add(Arg::Int(threshold.0)))),
        None => {}
    }
    let outer = if outer.is_empty() { "1 = 1".to_string() } else { outer.join(" AND ") };
    let order = match filter.sort {
        CustomerSort::SpendingAsc => "x.spending, x.id",
        CustomerSort::Name => "lower(x.name), x.id",
        CustomerSort::Newest => "x.created_at DESC, x.id DESC",
        CustomerSort::SpendingDesc => "x.spending DESC, x.id",
    };
    let lim = params.add(Arg::Int(limit));
    let off = params.add(Arg::Int(offset));
    let sql = format!(
        "SELECT x.id, x.name, x.phone, x.email, x.birth_date, x.address, x.external_id, x.created_at, COUNT(*) OVER () AS total
         FROM (SELECT {COLUMNS}, CAST(COALESCE(s.s_life, 0) AS BIGINT) AS spending, {tier_id} AS tier_id
               FROM customers c LEFT JOIN ({spend}) s ON s.customer_id = c.id
               WHERE {cond}) x
         WHERE {outer}
         ORDER BY {order} LIMIT {lim} OFFSET {off}"
    );
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        customer: Customer,
        total: i64,
    }
    let rows = dispatch!(db, |c| bind_params!(sqlx::query_as::<_, Row>(&sql), params).fetch_all(c).await).context("list customers by spending")?;
    let total = match rows.first() {
        Some(r) => r.total,
        // Past the last page the window count is not there; count without paging.
        None if offset > 0 => {
            let count_sql = sql.split("ORDER BY").next().unwrap_or_default().replacen(
                "SELECT x.id, x.name, x.phone, x.email, x.birth_date, x.address, x.external_id, x.created_at, COUNT(*) OVER () AS total",
                "SELECT COUNT(*)",
                1,
            );
            let mut count_params = params.clone();
            count_params.0.truncate(count_params.0.len() - 2);
            dispatch!(db, |c| bind_params!(sqlx::query_scalar::<_, i64>(&count_sql), count_params).fetch_one(c).await)
                .context("count customers by spending")?
        }
        None => 0,
    };
    Ok((rows.into_iter().map(|r| r.customer).collect(), total))
}
