//! The orders list (admin UI): filter by status, source, creation date and
//! customer, newest first, one page at a time with the total count.

use crate::bind_params;
use crate::db::{Arg, Db, Params};
use crate::dispatch;
use crate::orders::{OrderRow, OrderSource, ORDER_COLUMNS};
use anyhow::Context;
use chrono::{DateTime, Utc};
use setia_domain::OrderStatus;

#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    pub status: Option<OrderStatus>,
    pub source: Option<OrderSource>,
    /// Created at or after.
    pub from: Option<DateTime<Utc>>,
    /// Created before.
    pub until: Option<DateTime<Utc>>,
    pub customer_id: Option<i64>,
    /// A prefix of the external reference.
    pub reference: Option<String>,
}

/// One page of orders, newest first, and how many match.
#[tracing::instrument(skip_all)]
pub async fn list_orders(db: &Db, filter: &OrderFilter, limit: i64, offset: i64) -> anyhow::Result<(Vec<OrderRow>, i64)> {
    let mut params = Params::default();
    let mut cond = vec!["1 = 1".to_string()];
    if let Some(s) = filter.status {
        cond.push(format!("status = {}", params.add(Arg::Text(s.as_str().into()))));
    }
    if let Some(s) = filter.source {
        cond.push(format!("source = {}", params.add(Arg::Text(s.as_str().into()))));
    }
    if let Some(t) = filter.from {
        cond.push(format!("created_at >= {}", params.add(Arg::Time(t))));
    }
    if let Some(t) = filter.until {
        cond.push(format!("created_at < {}", params.add(Arg::Time(t))));
    }
    if let Some(c) = filter.customer_id {
        cond.push(format!("customer_id = {}", params.add(Arg::Int(c))));
    }
    if let Some(r) = filter.reference.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        cond.push(format!("external_ref LIKE {}", params.add(Arg::Text(format!("{}%", r.replace(['%', '_'], ""))))));
    }
    let cond = cond.join(" AND ");
    let count_sql = format!("SELECT COUNT(*) FROM orders WHERE {cond}");
    let total: i64 =
        dispatch!(db, |c| bind_params!(sqlx::query_scalar::<_, i64>(&count_sql), params).fetch_one(c).await).context("count orders")?;
    let lim = params.add(Arg::Int(limit));
    let off = params.add(Arg::Int(offset));
    let sql = format!("SELECT {ORDER_COLUMNS} FROM orders WHERE {cond} ORDER BY created_at DESC, id DESC LIMIT {lim} OFFSET {off}");
    let rows = dispatch!(db, |c| bind_params!(sqlx::query_as::<_, OrderRow>(&sql), params).fetch_all(c).await).context("list orders")?;
    Ok((rows, total))
}
