//! The promotions list of the back office (`/promotions`): filters, sort and one
//! page at a time, with each promotion's derived uses and discount granted.

use super::rows::load_matching;
use super::PromotionRecord;
use crate::bind_params;
use crate::db::{Arg, Db, Params};
use crate::dispatch;
use anyhow::Context;
use chrono::{DateTime, Utc};
use setia_domain::paging::Page;
use setia_domain::promotion::{PromotionKind, PromotionStatus};

/// How the list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PromotionSort {
    #[default]
    Newest,
    Name,
    Priority,
    Uses,
    Discount,
}

impl PromotionSort {
    pub fn parse(s: &str) -> Option<PromotionSort> {
        Some(match s {
            "newest" => PromotionSort::Newest,
            "name" => PromotionSort::Name,
            "priority" => PromotionSort::Priority,
            "uses" => PromotionSort::Uses,
            "discount" => PromotionSort::Discount,
            _ => return None,
        })
    }

    fn order_by(self) -> &'static str {
        // Ties broken by id, so pages never overlap.
        match self {
            PromotionSort::Newest => "ORDER BY p.id DESC",
            PromotionSort::Name => "ORDER BY p.name, p.id",
            PromotionSort::Priority => "ORDER BY p.priority DESC, p.id",
            PromotionSort::Uses => "ORDER BY uses DESC, p.id",
            PromotionSort::Discount => "ORDER BY budget_used DESC, p.id",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct PromotionFilter {
    pub status: Option<PromotionStatus>,
    pub kind: Option<PromotionKind>,
    /// Active, and `now` within its dates.
    pub running_now: bool,
    /// In the name (case-insensitive), or a code of the promotion.
    pub text: Option<String>,
    pub sort: PromotionSort,
}

/// One page of the list and how many promotions match.
#[derive(Debug, Clone)]
pub struct PromotionPage {
    pub rows: Vec<PromotionRecord>,
    pub total: i64,
}

#[tracing::instrument(skip_all)]
pub async fn list_page(db: &Db, filter: &PromotionFilter, page: Page, now: DateTime<Utc>) -> anyhow::Result<PromotionPage> {
    let mut params = Params::default();
    let mut clauses = vec!["1 = 1".to_string()];
    if let Some(s) = filter.status {
        clauses.push(format!("p.status = {}", params.add(Arg::Text(s.as_str().into()))));
    }
    if let Some(k) = filter.kind {
        clauses.push(format!("p.kind = {}", params.add(Arg::Text(k.as_str().into()))));
    }
    if filter.running_now {
        let at = params.add(Arg::Time(now));
        clauses.push(format!(
            "p.status = 'active' AND (p.starts_at IS NULL OR p.starts_at <= {at}) AND (p.ends_at IS NULL OR p.ends_at > {at})"
        ));
    }
    if let Some(text) = filter.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let like =
            params.add(Arg::Text(format!("%{}%", text.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"))));
        let code = params.add(Arg::Text(setia_domain::promotion::normalize_code(text)));
        clauses.push(format!(
            "(LOWER(p.name) LIKE {like} ESCAPE '\\' OR EXISTS (SELECT 1 FROM promotion_codes c WHERE c.promotion_id = p.id AND c.code_key = {code}))"
        ));
    }
    let where_sql = clauses.join(" AND ");
    let count_sql = format!("SELECT CAST(COUNT(*) AS BIGINT) FROM promotions p WHERE {where_sql}");
    let total =
        dispatch!(db, |c| bind_params!(sqlx::query_scalar::<_, i64>(&count_sql), params).fetch_one(c).await).context("count promotions")?;
    let tail = format!("{} LIMIT {} OFFSET {}", filter.sort.order_by(), page.size, page.offset());
    let mut tx = db.begin_read().await?;
    let rows = load_matching(&mut tx, &where_sql, &tail, &params).await?;
    Ok(PromotionPage { rows, total })
}
