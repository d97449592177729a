//! What the promotions pages show, each read in one call: the list with the
//! store's money and time settings, and one promotion with its code count and
//! the names of the tiers its rule names.

use super::list::{list_page, PromotionFilter, PromotionPage};
use super::{codes, get_promotion, PromotionError, PromotionRecord};
use crate::db::Db;
use crate::settings::StoreSettings;
use crate::store_cache::StoreCache;
use chrono::{DateTime, Utc};
use setia_domain::paging::Page;
use std::sync::Arc;

pub struct PromotionListPage {
    pub page: PromotionPage,
    pub settings: Arc<StoreSettings>,
}

#[tracing::instrument(skip_all)]
pub async fn promotion_list(
    db: &Db,
    cache: &StoreCache,
    filter: &PromotionFilter,
    page: Page,
    now: DateTime<Utc>,
) -> anyhow::Result<PromotionListPage> {
    let store = cache.snapshot(db).await?;
    Ok(PromotionListPage { page: list_page(db, filter, page, now).await?, settings: store.settings.clone() })
}

pub struct PromotionPageData {
    pub record: PromotionRecord,
    /// Its codes, shared and generated.
    pub codes: i64,
    pub settings: Arc<StoreSettings>,
    /// Every tier of the ladder, by id (the rule names some).
    pub tier_names: Vec<(i64, String)>,
}

#[tracing::instrument(skip_all)]
pub async fn promotion_page(db: &Db, cache: &StoreCache, id: i64) -> Result<PromotionPageData, PromotionError> {
    let store = cache.snapshot(db).await?;
    let record = get_promotion(db, id).await?;
    let codes = codes::count_codes(db, id).await?;
    let tier_names = store.tiers.iter().map(|t| (t.id, t.name.clone())).collect();
    Ok(PromotionPageData { record, codes, settings: store.settings.clone(), tier_names })
}
