//! The error that crosses the wire.
//!
//! Policy: a server function or API route returns an [`AppError`] *kind* — what
//! went wrong in terms the caller can act on, with the input field to blame when
//! there is one. The cause (SQL error, IO error, stack of contexts) is logged on
//! the server and never sent: [`AppError::Internal`] carries no detail. Bad input
//! is always `Invalid` (naming the field), never `Internal`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AppError {
    #[error("sign in first")]
    Unauthenticated,
    #[error("your role may not do this")]
    Forbidden,
    #[error("request refused: it came from another site")]
    CrossSite,
    #[error("email or password is wrong")]
    InvalidCredentials,
    #[error("too many failed logins; try again in {retry_after_minutes} minutes")]
    TooManyAttempts { retry_after_minutes: i64 },
    /// Too many requests from this address (sign-in rate limit).
    #[error("too many requests; try again in {retry_after_seconds} seconds")]
    RateLimited { retry_after_seconds: u64 },
    /// The server is at its limit of expensive work (password checks); retry shortly.
    #[error("the server is busy; try again in a moment")]
    Busy,
    /// Input that is well-formed but not acceptable. `code` is stable and
    /// translatable; `message` is the English text.
    #[error("{field}: {message}")]
    Invalid { field: String, code: String, message: String },
    #[error("{message}")]
    Conflict { code: String, message: String },
    #[error("not found")]
    NotFound,
    #[error("something went wrong on the server; it has been logged")]
    Internal,
    /// The arguments could not be read (missing or of the wrong type).
    #[error("malformed request: {message}")]
    BadRequest { message: String },
    /// The request never reached the function (network, server unreachable).
    #[error("request failed: {message}")]
    Transport { message: String },
}

impl AppError {
    pub fn invalid(field: &str, code: &str, message: impl Into<String>) -> Self {
        AppError::Invalid { field: field.into(), code: code.into(), message: message.into() }
    }

    /// Stable snake_case code, as used in the REST error format and in URLs.
    pub fn code(&self) -> &str {
        match self {
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden => "forbidden",
            AppError::CrossSite => "cross_site_request",
            AppError::InvalidCredentials => "invalid_credentials",
            AppError::TooManyAttempts { .. } => "too_many_attempts",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::Busy => "busy",
            AppError::Invalid { code, .. } => code,
            AppError::Conflict { code, .. } => code,
            AppError::NotFound => "not_found",
            AppError::Internal => "internal",
            AppError::BadRequest { .. } => "bad_request",
            AppError::Transport { .. } => "transport",
        }
    }

    /// The input field to blame, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthenticated | AppError::InvalidCredentials => 401,
            AppError::Forbidden | AppError::CrossSite => 403,
            AppError::TooManyAttempts { .. } | AppError::RateLimited { .. } => 429,
            AppError::Busy => 503,
            AppError::Invalid { .. } => 422,
            AppError::Conflict { .. } => 409,
            AppError::NotFound => 404,
            AppError::BadRequest { .. } => 400,
            AppError::Internal | AppError::Transport { .. } => 500,
        }
    }

    /// Logs the cause and returns the opaque kind.
    #[cfg(feature = "ssr")]
    pub fn internal(cause: impl std::fmt::Debug) -> Self {
        tracing::error!(?cause, "internal error");
        AppError::Internal
    }
}

impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        use leptos::server_fn::error::ServerFnErrorErr as E;
        match value {
            E::Args(m) | E::MissingArg(m) | E::Deserialization(m) => AppError::BadRequest { message: m },
            other => AppError::Transport { message: other.to_string() },
        }
    }
}

#[cfg(feature = "ssr")]
impl From<anyhow::Error> for AppError {
    fn from(e: anyhow::Error) -> Self {
        if setia_backend::db::is_busy(&e) {
            tracing::warn!(cause = ?e, "request refused: database busy");
            return AppError::Busy;
        }
        AppError::internal(e)
    }
}
