//! The integration tests: one binary (linking the server once instead of once per file),
//! a module per area. Each test starts Setia on a free port against a fresh database,
//! on SQLite and on PostgreSQL (`TEST_DATABASE_URL`); see `common`.

// First: its macros (`both_backends!`) are visible only to the modules after it.
#[allow(dead_code)]
#[macro_use]
mod common;

mod admin;
mod admin_commerce;
mod api_catalog_customers;
mod api_tokens;
mod auth;
mod authorization;
mod cli;
mod customer_facts;
mod demo_data;
mod hardening;
mod jobs;
mod locks;
mod odd_text;
mod openapi_schema;
mod operations;
mod orders;
mod overdue;
mod promotion_codes;
mod promotion_pages;
mod promotion_uses;
mod promotions_api;
mod request_limits;
mod route_auth;
mod same_errors;
mod schema_parity;
mod serve;
mod simulator;
mod spending_index;
mod sqlite_writers;
mod statement_budget;
mod static_files;
mod store_cache;
mod tasks;
