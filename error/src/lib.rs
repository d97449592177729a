//! The error that crosses the wire, for server functions and the REST API alike.
//!
//! Policy: a server function or API route returns an [`AppError`] *kind* — what
//! went wrong in terms the caller can act on, with the input field to blame when
//! there is one. The cause (SQL error, IO error, stack of contexts) is logged on
//! the server and never sent: [`AppError::Internal`] carries no detail. Bad input
//! is always `Invalid` (naming the field), never `Internal`.
//!
//! Each backend service error converts to this kind once (`service`, server side),
//! so the same bad input gets the same `code` and `field` from a page and from the
//! API. The codes are the API's (docs/API.md is a contract); the UI translates them.

use serde::{Deserialize, Serialize};
use setia_domain::text::TextError;
use setia_domain::Invalid;

#[cfg(feature = "ssr")]
mod service;

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
    /// The server is at its limit of expensive work (password checks) or the
    /// database was busy (a lock or statement timeout); retry shortly.
    #[error("the server is busy; try again in a moment")]
    Busy,
    /// Input that is well-formed but not acceptable. `code` is stable and
    /// translatable; `message` is the English text.
    #[error("{field}: {message}")]
    Invalid { field: String, code: String, message: String },
    /// The request conflicts with the current state (an order already paid).
    #[error("{message}")]
    Conflict {
        code: String,
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        field: Option<String>,
    },
    #[error("{message}")]
    NotFound { message: String },
    #[error("something went wrong on the server; it has been logged")]
    Internal,
    /// The arguments could not be read (missing, of the wrong type, not JSON).
    #[error("malformed request: {message}")]
    MalformedRequest {
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        field: Option<String>,
    },
    /// The request never reached the function (network, server unreachable).
    #[error("request failed: {message}")]
    Transport { message: String },
}

impl AppError {
    pub fn invalid(field: &str, code: &str, message: impl Into<String>) -> Self {
        AppError::Invalid { field: field.into(), code: code.into(), message: message.into() }
    }

    pub fn conflict(code: &str, message: impl Into<String>) -> Self {
        AppError::Conflict { code: code.into(), message: message.into(), field: None }
    }

    /// 404 with what was not found (`no order with this id`).
    pub fn not_found(message: impl Into<String>) -> Self {
        AppError::NotFound { message: message.into() }
    }

    pub fn malformed(field: Option<&str>, message: impl Into<String>) -> Self {
        AppError::MalformedRequest { message: message.into(), field: field.map(str::to_string) }
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
            AppError::NotFound { .. } => "not_found",
            AppError::Internal => "internal",
            AppError::MalformedRequest { .. } => "malformed_request",
            AppError::Transport { .. } => "transport",
        }
    }

    /// The input field to blame, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Invalid { field, .. } => Some(field),
            AppError::Conflict { field, .. } | AppError::MalformedRequest { field, .. } => field.as_deref(),
            _ => None,
        }
    }

    /// The English text for the caller (the UI translates by `code` instead).
    pub fn message(&self) -> String {
        match self {
            AppError::Invalid { message, .. } | AppError::Conflict { message, .. } | AppError::NotFound { message } => message.clone(),
            other => other.to_string(),
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
            AppError::NotFound { .. } => 404,
            AppError::MalformedRequest { .. } => 400,
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

impl From<Invalid> for AppError {
    fn from(e: Invalid) -> Self {
        AppError::Invalid { field: e.field, code: e.code.into(), message: e.message }
    }
}

impl From<TextError> for AppError {
    fn from(e: TextError) -> Self {
        Invalid::from(e).into()
    }
}

impl server_fn::error::FromServerFnError for AppError {
    type Encoder = server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: server_fn::error::ServerFnErrorErr) -> Self {
        use server_fn::error::ServerFnErrorErr as E;
        match value {
            E::Args(m) | E::MissingArg(m) | E::Deserialization(m) => AppError::MalformedRequest { message: m, field: None },
            other => AppError::Transport { message: other.to_string() },
        }
    }
}
