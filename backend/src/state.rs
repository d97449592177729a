//! What every request handler and server function can reach.

use crate::config::Config;
use crate::db::Db;
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    /// This instance's index of the active promotions.
    pub promotions: Arc<crate::promotion_catalog::PromotionCatalog>,
    /// This instance's cap on concurrent password checks (sign-in).
    pub password_checks: Arc<crate::password::PasswordChecks>,
}
