//! Setia's Leptos app: routes, pages, components and server functions. The same
//! crate is compiled for the server (`ssr`) and the browser (`hydrate`); code that
//! touches the database lives in `setia_backend` and enters only with `ssr`.
#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod error;
#[cfg(feature = "ssr")]
pub mod guard;
pub mod pages;
mod root;

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

pub use root::{shell, App};
