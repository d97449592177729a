//! Bearer-token authorization for the REST API, as extractors that run first.
//!
//! A handler names the scope it needs as its first argument (`auth: Scoped<Pos>`,
//! `Scoped<Admin>`): axum runs it before the path and the body are read, so a
//! caller without a valid token gets 401 (JSON) whatever else is wrong with the
//! request, and one whose token's scope is too small 403. Path ids go through
//! [`ApiId`]: a malformed id is 404 `not_found` in the JSON error format.

use super::ApiError;
use crate::limits::ClientIp;
use crate::server::ServerState;
use axum::extract::{FromRequestParts, Path};
use axum::http::header;
use axum::http::request::Parts;
use setia_backend::api_tokens::{self, ApiToken, Scope};
use setia_backend::audit::Actor;
use setia_backend::store_cache::StoreSnapshot;
use std::marker::PhantomData;
use std::sync::Arc;

/// A scope a route needs, as a type.
pub trait RequiredScope: Send + Sync + 'static {
    const SCOPE: Scope;
}

/// POS terminals and web shops: customers, orders, reading tiers.
pub struct Pos;
/// Administrators' scripts: catalogue, tiers, promotions (also grants `pos`).
pub struct Admin;

impl RequiredScope for Pos {
    const SCOPE: Scope = Scope::Pos;
}
impl RequiredScope for Admin {
    const SCOPE: Scope = Scope::Admin;
}

/// The caller's token, known to grant `S`, the caller's address, and the store's
/// cached settings, tiers and promotions as of this request (read once with the token).
pub struct Scoped<S> {
    pub token: ApiToken,
    pub store: Arc<StoreSnapshot>,
    client: ClientIp,
    scope: PhantomData<S>,
}

impl<S> Scoped<S> {
    /// Who made an API change, for its audit row: the token, from the caller's address.
    pub fn actor(&self) -> Actor {
        Actor::system(&format!("api_token:{}", self.token.id)).from_ip(self.client.0.map(|ip| ip.to_string()))
    }
}

impl<S: RequiredScope> FromRequestParts<ServerState> for Scoped<S> {
    type Rejection = ApiError;

    /// The token behind `Authorization: Bearer …` if it grants `S`: 401 when
    /// missing, unknown or revoked; 403 when its scope is too small.
    async fn from_request_parts(parts: &mut Parts, state: &ServerState) -> Result<Self, ApiError> {
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim)
            .ok_or_else(ApiError::unauthenticated)?;
        let store = state.app.store.snapshot(&state.app.db).await?;
        let token =
            api_tokens::authenticate(&state.app.db, &state.app.store, &store, bearer).await?.ok_or_else(ApiError::unauthenticated)?;
        if !token.scope().grants(S::SCOPE) {
            return Err(ApiError::forbidden(S::SCOPE.as_str()));
        }
        let client = parts.extensions.get::<ClientIp>().cloned().unwrap_or(ClientIp(None));
        Ok(Scoped { token, store, client, scope: PhantomData })
    }
}

/// The `{id}` of a path: a whole number, else 404 — an id that cannot exist
/// names nothing, the same answer as an id that does not exist.
pub struct ApiId(pub i64);

impl<St: Send + Sync> FromRequestParts<St> for ApiId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &St) -> Result<Self, ApiError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state).await.map_err(|_| ApiError::not_found("no such resource"))?;
        raw.parse::<i64>().map(ApiId).map_err(|_| ApiError::not_found("no such resource"))
    }
}
