//! Authorization for server functions. Every server function's first line is
//! `require(Role::…)` or `require_staff()`: it returns the signed-in staff user
//! or an error (and sets the HTTP status), never a redirect-and-continue.
//! Route guards in the UI are only for looks; this is the check that counts.

use crate::error::AppError;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use setia_backend::sessions::STAFF_ID_KEY;
use setia_backend::staff::{self, StaffUser};
use setia_backend::AppState;
use setia_domain::Role;
use tower_sessions::Session;

pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| AppError::internal("AppState missing from context"))
}

pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(AppError::internal)
}

/// Sets the response status for a refused call and hands the error back. Needed
/// for pages rendered on the server (their status comes from here); calls over
/// HTTP get their status from the error kind in `src/error_status.rs` as well.
pub fn refuse(err: AppError) -> AppError {
    if let Some(res) = use_context::<ResponseOptions>() {
        res.set_status(http::StatusCode::from_u16(err.status()).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR));
    }
    err
}

/// The signed-in, active staff user, if any. The account is read from the
/// database on every call, so deactivating a user ends their access at once.
pub async fn current_staff() -> Result<Option<StaffUser>, AppError> {
    let state = app_state()?;
    let session = session().await?;
    let Some(id) = session.get::<i64>(STAFF_ID_KEY).await.map_err(AppError::internal)? else {
        return Ok(None);
    };
    Ok(staff::find_by_id(&state.db, id).await?.filter(|u| u.active))
}

/// Any signed-in staff user.
pub async fn require_staff() -> Result<StaffUser, AppError> {
    current_staff().await?.ok_or_else(|| refuse(AppError::Unauthenticated))
}

/// A signed-in staff user whose role grants `role` (admins are granted everything).
pub async fn require(role: Role) -> Result<StaffUser, AppError> {
    require_any(&[role]).await
}

/// A signed-in staff user whose role grants one of `roles`.
pub async fn require_any(roles: &[Role]) -> Result<StaffUser, AppError> {
    let user = require_staff().await?;
    if user.role.grants_any(roles) {
        Ok(user)
    } else {
        Err(refuse(AppError::Forbidden))
    }
}

/// The caller's IP address, for the audit log and sign-in throttling: the peer,
/// or the configured proxy header ([`setia_backend::limits::ServerLimits::client_ip`]).
pub async fn client_ip() -> Option<String> {
    use axum::extract::ConnectInfo;
    use std::net::SocketAddr;
    let peer = leptos_axum::extract::<ConnectInfo<SocketAddr>>().await.ok().map(|ConnectInfo(a)| a.ip());
    let state = app_state().ok()?;
    let parts = use_context::<http::request::Parts>()?;
    state.config.limits.client_ip(&parts.headers, peer).map(|ip| ip.to_string())
}

/// True when the call is a plain HTML form post (no JavaScript yet): the
/// answer is then a redirect to a page, not data.
pub fn is_plain_form_post() -> bool {
    use_context::<http::request::Parts>()
        .and_then(|p| p.headers.get(http::header::ACCEPT).and_then(|v| v.to_str().ok()).map(|v| v.contains("text/html")))
        .unwrap_or(false)
}
