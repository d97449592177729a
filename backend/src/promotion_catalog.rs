//! Each app instance's promotion index (docs/SPEC.md §2.3: pricing stays fast with many
//! promotions), rebuilt when the stored promotions change — on every instance
//! sharing the database, not only the one that saved the change. Every change
//! raises `promotion_catalog_state.version` in its own transaction
//! ([`crate::promotions`]); [`PromotionCatalog::current`] reads that one row and
//! rebuilds the index only when it moved.

use crate::db::Db;
use crate::promotions;
use setia_domain::promotion_index::PromotionIndex;
use std::sync::Arc;
use tokio::sync::RwLock;

#[derive(Debug, Default)]
pub struct PromotionCatalog {
    built: RwLock<Option<(i64, Arc<PromotionIndex>)>>,
}

impl PromotionCatalog {
    /// The index of the active promotions as stored now.
    #[tracing::instrument(skip_all)]
    pub async fn current(&self, db: &Db) -> anyhow::Result<Arc<PromotionIndex>> {
        Ok(self.current_versioned(db).await?.1)
    }

    /// The index and the catalogue version it was built from: a checkout compares
    /// that version again inside its transaction (see [`crate::orders`]).
    #[tracing::instrument(skip_all)]
    pub async fn current_versioned(&self, db: &Db) -> anyhow::Result<(i64, Arc<PromotionIndex>)> {
        let version = promotions::catalog_version(db).await?;
        if let Some((v, index)) = self.built.read().await.as_ref() {
            if *v == version {
                return Ok((version, index.clone()));
            }
        }
        let mut built = self.built.write().await;
        // Another request may have rebuilt it while this one waited.
        if let Some((v, index)) = built.as_ref() {
            if *v == version {
                return Ok((version, index.clone()));
            }
        }
        // Promotions changed after the version was read are caught by the next call:
        // the version is read first, so the index is never newer than it claims.
        let index = Arc::new(PromotionIndex::build(promotions::active_promotions(db).await?));
        *built = Some((version, index.clone()));
        Ok((version, index))
    }
}
