//! What every request handler and server function can reach.

use crate::config::Config;
use crate::db::Db;
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    /// This instance's copy of the settings, tiers, API tokens and active promotions.
    pub store: Arc<crate::store_cache::StoreCache>,
    /// This instance's cap on concurrent password checks (sign-in).
    pub password_checks: Arc<crate::password::PasswordChecks>,
}
