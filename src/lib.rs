#![recursion_limit = "256"]
//! The Setia server: the axum router around the Leptos app, sessions, health,
//! metrics, and the command line's building blocks. `main.rs` parses arguments.

pub mod api;
pub mod cli;
pub mod downloads;
pub mod error_status;
pub mod limits;
pub mod metrics;
pub mod origin;
pub mod request_id;
pub mod server;
pub mod telemetry;
