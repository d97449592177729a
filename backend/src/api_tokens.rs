//! API tokens for POS terminals and integrations (docs/SPEC.md §2.7, API.md): named,
//! scoped, stored only as a SHA-256 hash, revocable, with a last-used time.
//!
//! A token is 32 random bytes (base64url) behind the prefix `setia_`; with that
//! much entropy a fast hash is enough (unlike passwords), and lookups stay O(1).

use crate::audit::{self, Actor, AuditEntry};
use crate::db::Db;
use crate::dispatch;
use crate::store_cache::{StoreCache, StoreSnapshot};
use anyhow::Context;
use base64::Engine;
use chrono::{DateTime, Utc};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::fmt;

pub const TOKEN_PREFIX: &str = "setia_";

/// What a token may do. `admin` includes everything `pos` may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Pos,
    Admin,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Pos => "pos",
            Scope::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        match s.trim() {
            "pos" => Some(Scope::Pos),
            "admin" => Some(Scope::Admin),
            _ => None,
        }
    }

    pub fn grants(self, required: Scope) -> bool {
        self == Scope::Admin || self == required
    }
}

/// A token in clear text: shown once at creation, never stored. Debug hides it.
pub struct PlainToken(String);

impl PlainToken {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PlainToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PlainToken(<redacted>)")
    }
}

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub scope: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl ApiToken {
    pub fn scope(&self) -> Scope {
        Scope::parse(&self.scope).unwrap_or(Scope::Pos)
    }
}

const COLUMNS: &str = "id, name, scope, created_at, last_used_at, revoked_at";

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("token name is required")]
    NameRequired,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// Creates a token; the clear text is returned once and only its hash is kept.
#[tracing::instrument(skip_all)]
pub async fn create_token(db: &Db, name: &str, scope: Scope, actor: &Actor) -> Result<(ApiToken, PlainToken), TokenError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(TokenError::NameRequired);
    }
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let plain = format!("{TOKEN_PREFIX}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes));
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let token = dispatch!(tx &mut tx, |c| sqlx::query_as::<_, ApiToken>(&format!(
        "INSERT INTO api_tokens (name, token_hash, scope, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING {COLUMNS}"
    ))
    .bind(name)
    .bind(hash(&plain))
    .bind(scope.as_str())
    .bind(actor.staff_id)
    .bind(now)
    .fetch_one(c)
    .await)
    .context("insert api token")?;
    audit::record(
        &mut tx,
        AuditEntry {
            actor: actor.clone(),
            action: "api_token.create",
            entity_type: "api_token",
            entity_id: Some(token.id.to_string()),
            before: None,
            after: Some(json!({"name": token.name, "scope": token.scope})),
            ip: None,
            at: now,
        },
    )
    .await?;
    tx.commit().await?;
    Ok((token, PlainToken(plain)))
}

#[tracing::instrument(skip_all)]
pub async fn list_tokens(db: &Db) -> anyhow::Result<Vec<ApiToken>> {
    dispatch!(db, |c| sqlx::query_as::<_, ApiToken>(&format!("SELECT {COLUMNS} FROM api_tokens ORDER BY id")).fetch_all(c).await)
        .context("list api tokens")
}

/// Revokes a token (idempotent). Returns false when no such token exists.
#[tracing::instrument(skip_all)]
pub async fn revoke_token(db: &Db, id: i64, actor: &Actor) -> anyhow::Result<bool> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let changed = dispatch!(tx &mut tx, |c| sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL"
    )
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .context("revoke api token")?;
    let exists: i64 = dispatch!(tx &mut tx, |c| sqlx::query_scalar("SELECT COUNT(*) FROM api_tokens WHERE id = $1")
        .bind(id)
        .fetch_one(c)
        .await)
    .context("find api token")?;
    if changed > 0 {
        audit::record(
            &mut tx,
            AuditEntry {
                actor: actor.clone(),
                action: "api_token.revoke",
                entity_type: "api_token",
                entity_id: Some(id.to_string()),
                before: Some(json!({"revoked": false})),
                after: Some(json!({"revoked": true})),
                ip: None,
                at: now,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(exists > 0)
}

/// Every live (not revoked) token with the hash of its value, for [`crate::store_cache`].
#[tracing::instrument(skip_all)]
pub async fn live_tokens(db: &Db) -> anyhow::Result<Vec<(String, ApiToken)>> {
    #[derive(sqlx::FromRow)]
    struct Live {
        token_hash: String,
        #[sqlx(flatten)]
        token: ApiToken,
    }
    let rows =
        dispatch!(db, |c| sqlx::query_as::<_, Live>(&format!("SELECT token_hash, {COLUMNS} FROM api_tokens WHERE revoked_at IS NULL"))
            .fetch_all(c)
            .await)
        .context("load live api tokens")?;
    Ok(rows.into_iter().map(|r| (r.token_hash, r.token)).collect())
}

/// The live token behind a bearer value, if any, from the cached tokens (exact:
/// see [`crate::store_cache`]). Records the use at most once a minute per token.
#[tracing::instrument(skip_all)]
pub async fn authenticate(db: &Db, cache: &StoreCache, store: &StoreSnapshot, bearer: &str) -> anyhow::Result<Option<ApiToken>> {
    if !bearer.starts_with(TOKEN_PREFIX) {
        return Ok(None);
    }
    let Some(token) = store.token(&hash(bearer)) else { return Ok(None) };
    let now = Utc::now();
    if cache.token_use_due(token, now) {
        dispatch!(db, |c| sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(now)
            .bind(token.id)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))
        .context("record api token use")?;
    }
    Ok(Some(token.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_scope_includes_pos() {
        assert!(Scope::Admin.grants(Scope::Pos));
        assert!(Scope::Admin.grants(Scope::Admin));
        assert!(Scope::Pos.grants(Scope::Pos));
        assert!(!Scope::Pos.grants(Scope::Admin));
    }

    #[test]
    fn hash_is_stable_and_not_the_token() {
        let h = hash("setia_abc");
        assert_eq!(h, hash("setia_abc"));
        assert_eq!(h.len(), 64);
        assert!(!h.contains("abc"));
        assert!(!format!("{:?}", PlainToken("setia_secret".into())).contains("secret"));
    }
}
