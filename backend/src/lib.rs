//! Server-only code: configuration, the database over SQLite or PostgreSQL,
//! staff accounts and passwords, login throttling, sessions, the audit log and
//! store settings. Never compiled to wasm.

pub mod api_tokens;
pub mod audit;
pub mod config;
pub mod customer_directory;
pub mod customer_facts;
pub mod customers;
pub mod db;
pub mod db_maintenance;
pub mod demo_data;
pub mod jobs;
pub mod limits;
pub mod login;
pub mod notifications;
pub mod order_expiry;
pub mod order_list;
pub mod orders;
pub mod password;
pub mod products;
pub mod promotion_catalog;
pub mod promotion_uses;
pub mod promotions;
pub mod sessions;
pub mod settings;
pub mod spending_index;
pub mod spending_index_check;
pub mod staff;
pub mod state;
pub mod tier_census;
pub mod tiers;

pub use db::Db;
pub use state::AppState;
