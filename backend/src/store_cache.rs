//! What rarely changes, cached on each app instance and exact on all of them: the
//! store settings, the tier ladder, the live API tokens, the index of active
//! promotions (docs/SPEC.md §2.3: pricing stays fast with many promotions) and the
//! product rows carts name.
//!
//! Every change to those tables raises a version in the same transaction — a
//! trigger for settings, tiers, tokens and products (`store_versions`, migration 0009), the
//! promotion service for promotions (`promotion_catalog_state`). A request reads
//! all versions in one statement ([`StoreCache::snapshot`]) and reloads only the
//! parts that moved, so an instance never serves a revoked token or an old ladder
//! after the change committed, whichever instance made it.

use crate::api_tokens::{self, ApiToken};
use crate::db::Db;
use crate::products::CartProduct;
use crate::settings::{self, StoreSettings};
use crate::tiers::{self, TierRow};
use crate::{dispatch, promotions};
use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use setia_domain::promotion_index::PromotionIndex;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::RwLock;

/// The version of each cached part, as stored now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct Versions {
    pub promotions: i64,
    pub settings: i64,
    pub tiers: i64,
    pub api_tokens: i64,
    pub products: i64,
}

/// The cached parts at one set of versions. Never newer data under an older
/// version: the versions are read first, the parts after.
#[derive(Debug)]
pub struct StoreSnapshot {
    pub versions: Versions,
    pub settings: Arc<StoreSettings>,
    /// Lowest minimum first.
    pub tiers: Arc<Vec<TierRow>>,
    /// Live tokens by the hash of their value.
    tokens: Arc<HashMap<String, ApiToken>>,
    pub promotions: Arc<PromotionIndex>,
    /// Product rows by SKU, filled as carts name them (at this products version).
    pub products: Arc<ProductCache>,
}

/// Product rows by SKU, kept while no product changes: filled by
/// [`crate::products::cart_products`] as carts name them, at most
/// [`ProductCache::MAX_ROWS`] (beyond that, rows are read each time).
#[derive(Debug, Default)]
pub struct ProductCache {
    rows: std::sync::RwLock<HashMap<String, CartProduct>>,
}

impl ProductCache {
    pub const MAX_ROWS: usize = 50_000;

    pub fn get(&self, sku: &str) -> Option<CartProduct> {
        self.rows.read().unwrap_or_else(|p| p.into_inner()).get(sku).cloned()
    }

    pub fn keep(&self, found: &[CartProduct]) {
        let mut rows = self.rows.write().unwrap_or_else(|p| p.into_inner());
        for p in found {
            if rows.len() < Self::MAX_ROWS {
                rows.insert(p.sku.clone(), p.clone());
            }
        }
    }
}

impl StoreSnapshot {
    /// The live token with this hash, if any.
    pub fn token(&self, token_hash: &str) -> Option<&ApiToken> {
        self.tokens.get(token_hash)
    }
}

#[derive(Debug, Default)]
pub struct StoreCache {
    built: RwLock<Option<Arc<StoreSnapshot>>>,
    /// When this instance last recorded each token's use (`api_tokens.last_used_at`).
    token_use: Mutex<HashMap<i64, DateTime<Utc>>>,
}

const VERSIONS: &str = "SELECT p.version AS promotions, v.settings, v.tiers, v.api_tokens, v.products
     FROM promotion_catalog_state p CROSS JOIN store_versions v WHERE p.id = 1 AND v.id = 1";

#[tracing::instrument(skip_all)]
async fn read_versions(db: &Db) -> anyhow::Result<Versions> {
    dispatch!(db, |c| sqlx::query_as::<_, Versions>(VERSIONS).fetch_one(c).await).context("read store versions")
}

impl StoreCache {
    /// The settings, tiers, tokens and promotions as stored now: one statement
    /// when nothing changed since the last request.
    #[tracing::instrument(skip_all)]
    pub async fn snapshot(&self, db: &Db) -> anyhow::Result<Arc<StoreSnapshot>> {
        let versions = read_versions(db).await?;
        if let Some(s) = self.built.read().await.as_ref().filter(|s| s.versions == versions) {
            return Ok(s.clone());
        }
        let mut built = self.built.write().await;
        // Another request may have rebuilt it while this one waited.
        if let Some(s) = built.as_ref().filter(|s| s.versions == versions) {
            return Ok(s.clone());
        }
        let old = built.as_ref();
        let kept = |same: fn(&Versions, &Versions) -> bool| old.filter(|o| same(&o.versions, &versions));
        let settings = match kept(|a, b| a.settings == b.settings) {
            Some(o) => o.settings.clone(),
            None => Arc::new(settings::load(db).await?),
        };
        let tiers = match kept(|a, b| a.tiers == b.tiers) {
            Some(o) => o.tiers.clone(),
            None => Arc::new(tiers::list_tiers(db).await?),
        };
        let tokens = match kept(|a, b| a.api_tokens == b.api_tokens) {
            Some(o) => o.tokens.clone(),
            None => Arc::new(api_tokens::live_tokens(db).await?.into_iter().collect()),
        };
        let promotions = match kept(|a, b| a.promotions == b.promotions) {
            Some(o) => o.promotions.clone(),
            None => Arc::new(PromotionIndex::build(promotions::active_promotions(db).await?)),
        };
        let products = match kept(|a, b| a.products == b.products) {
            Some(o) => o.products.clone(),
            None => Arc::default(),
        };
        let snapshot = Arc::new(StoreSnapshot { versions, settings, tiers, tokens, promotions, products });
        *built = Some(snapshot.clone());
        Ok(snapshot)
    }

    /// Whether this token's use is due to be recorded: at most once a minute per
    /// token and instance, so busy terminals do not write on every request.
    pub fn token_use_due(&self, token: &ApiToken, now: DateTime<Utc>) -> bool {
        let mut seen = self.token_use.lock().unwrap_or_else(|p| p.into_inner());
        let last = seen.get(&token.id).copied().or(token.last_used_at);
        if last.is_some_and(|u| now - u <= Duration::seconds(60)) {
            return false;
        }
        seen.insert(token.id, now);
        true
    }
}
