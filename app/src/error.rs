//! The error that crosses the wire lives in `setia-error`, shared with the REST
//! API; each service error maps to it there, once.

pub use setia_error::AppError;
