//! Setia's services and storage, server-only (never compiled to wasm): the
//! database over SQLite or PostgreSQL (`db`), configuration and request limits;
//! staff accounts, passwords, login throttling, sessions, API tokens and the audit
//! log; store settings; customers and their derived facts (spending, loyal, tier),
//! the customer list and its spending index; products; membership tiers and the
//! tier census; promotions, their per-instance index and their uses; orders (quote,
//! create, pay, cancel, refund, recalculate) and the order list; customer
//! notifications; periodic jobs (order expiry, spending index, database upkeep);
//! demo data. Each service does the IO, transactions and locks; the rules
//! themselves live in `setia_domain`.

pub mod api_tokens;
pub mod audit;
pub mod back_office_pages;
pub mod config;
pub mod csv_export;
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
pub mod orders;
pub mod password;
pub mod products;
pub mod promotion_uses;
pub mod promotions;
pub mod sessions;
pub mod settings;
pub mod spending_index;
pub mod spending_index_check;
pub mod staff;
pub mod state;
pub mod store_cache;
pub mod tasks;
pub mod tier_census;
pub mod tiers;

pub use db::Db;
pub use state::AppState;
