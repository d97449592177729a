//! Server functions: the browser's door into the server. Each one is thin: a role
//! guard on its first line, one call into `setia_backend`, errors mapped to
//! [`AppError`](crate::error::AppError). Their DTOs are shared with the client.

pub mod audit;
pub mod auth;
pub mod customers;
pub mod jobs;
pub mod orders;
pub mod promotions;
pub mod settings;
pub mod simulator;
pub mod staff;
pub mod tasks;
pub mod tiers;
