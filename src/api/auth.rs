//! Bearer-token authorization for the REST API. Handlers call [`require_scope`]
//! on their first line.

use super::ApiError;
use crate::limits::ClientIp;
use axum::http::{header, HeaderMap};
use setia_backend::api_tokens::{self, ApiToken, Scope};
use setia_backend::audit::Actor;
use setia_backend::AppState;

/// The token behind `Authorization: Bearer …` if it grants `scope`:
/// 401 when missing, unknown or revoked; 403 when its scope is too small.
pub async fn require_scope(state: &AppState, headers: &HeaderMap, scope: Scope) -> Result<ApiToken, ApiError> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .ok_or_else(ApiError::unauthenticated)?;
    let token = api_tokens::authenticate(&state.db, bearer).await?.ok_or_else(ApiError::unauthenticated)?;
    if !token.scope().grants(scope) {
        return Err(ApiError::forbidden(scope.as_str()));
    }
    Ok(token)
}

/// Who made an API change, for its audit row: the token, from the caller's address.
pub fn token_actor(token: &ApiToken, client: ClientIp) -> Actor {
    Actor::system(&format!("api_token:{}", token.id)).from_ip(client.0.map(|ip| ip.to_string()))
}
