//! Staff accounts (docs/SPEC.md §2.7): email, name, role, active flag, argon2id hash.

use crate::audit::{self, Actor, AuditEntry};
use crate::db::{is_unique_violation, Db};
use crate::dispatch;
use crate::password::{hash_password, PasswordHash};
use anyhow::Context;
use chrono::{DateTime, Utc};
use serde_json::json;
use setia_domain::text::{self, TextError};
use setia_domain::{Email, NewPassword, Role};

/// A staff user as the rest of the server sees it: no password hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffUser {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct StaffRow {
    id: i64,
    email: String,
    name: String,
    role: String,
    active: bool,
    created_at: DateTime<Utc>,
}

impl TryFrom<StaffRow> for StaffUser {
    type Error = anyhow::Error;
    fn try_from(r: StaffRow) -> anyhow::Result<StaffUser> {
        Ok(StaffUser {
            id: r.id,
            email: r.email,
            name: r.name,
            role: Role::parse(&r.role).with_context(|| format!("staff user {} has a bad role", r.id))?,
            active: r.active,
            created_at: r.created_at,
        })
    }
}

const STAFF_COLUMNS: &str = "id, email, name, role, active, created_at";

/// The fields of a new staff account, already parsed.
#[derive(Debug, Clone)]
pub struct NewStaff {
    pub email: Email,
    pub name: String,
    pub role: Role,
    pub password: NewPassword,
}

#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    #[error("a staff user with this email already exists")]
    EmailTaken,
    #[error("name is required")]
    NameRequired,
    #[error(transparent)]
    Text(TextError),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// Creates a staff account and its audit row in one transaction.
#[tracing::instrument(skip_all)]
pub async fn create_staff(db: &Db, new: NewStaff, actor: &Actor, ip: Option<String>) -> Result<StaffUser, StaffError> {
    let name =
        text::NAME.parse("name", &new.name).map_err(|e| if e.is_missing() { StaffError::NameRequired } else { StaffError::Text(e) })?;
    let hash = hash_password(&new.password).await?;
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let inserted = dispatch!(tx &mut tx, |c| sqlx::query_as::<_, StaffRow>(&format!(
        "INSERT INTO staff_users (email, name, role, active, password_hash, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING {STAFF_COLUMNS}"
    ))
    .bind(new.email.as_str())
    .bind(&name)
    .bind(new.role.as_str())
    .bind(true)
    .bind(hash.as_phc())
    .bind(now)
    .fetch_one(c)
    .await);
    let user: StaffUser = match inserted {
        Ok(row) => row.try_into()?,
        Err(e) if is_unique_violation(&e) => return Err(StaffError::EmailTaken),
        Err(e) => return Err(anyhow::Error::new(e).context("insert staff user").into()),
    };
    audit::record(
        &mut tx,
        AuditEntry {
            actor: actor.clone(),
            action: "staff.create",
            entity_type: "staff_user",
            entity_id: Some(user.id.to_string()),
            before: None,
            after: Some(json!({"email": user.email, "name": user.name, "role": user.role, "active": user.active})),
            ip,
            at: now,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

/// Changes a staff user's role or active flag (never their own), with audit.
#[tracing::instrument(skip_all)]
pub async fn update_staff_access(
    db: &Db,
    id: i64,
    role: Role,
    active: bool,
    actor: &Actor,
    ip: Option<String>,
) -> Result<Option<StaffUser>, StaffError> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let before = dispatch!(tx &mut tx, |c| sqlx::query_as::<_, StaffRow>(&format!(
        "SELECT {STAFF_COLUMNS} FROM staff_users WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(c)
    .await)
    .context("load staff user")?;
    let Some(before) = before else { return Ok(None) };
    let before: StaffUser = before.try_into()?;
    let after = dispatch!(tx &mut tx, |c| sqlx::query_as::<_, StaffRow>(&format!(
        "UPDATE staff_users SET role = $1, active = $2, updated_at = $3 WHERE id = $4 RETURNING {STAFF_COLUMNS}"
    ))
    .bind(role.as_str())
    .bind(active)
    .bind(now)
    .bind(id)
    .fetch_one(c)
    .await)
    .context("update staff user")?;
    let after: StaffUser = after.try_into()?;
    audit::record(
        &mut tx,
        AuditEntry {
            actor: actor.clone(),
            action: "staff.update_access",
            entity_type: "staff_user",
            entity_id: Some(id.to_string()),
            before: Some(json!({"role": before.role, "active": before.active})),
            after: Some(json!({"role": after.role, "active": after.active})),
            ip,
            at: now,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Some(after))
}

#[tracing::instrument(skip_all)]
pub async fn find_by_id(db: &Db, id: i64) -> anyhow::Result<Option<StaffUser>> {
    let row = dispatch!(db, |c| sqlx::query_as::<_, StaffRow>(&format!("SELECT {STAFF_COLUMNS} FROM staff_users WHERE id = $1"))
        .bind(id)
        .fetch_optional(c)
        .await)
    .context("load staff user by id")?;
    row.map(TryInto::try_into).transpose()
}

/// The account and its stored hash, for login only.
#[tracing::instrument(skip_all)]
pub async fn find_credentials(db: &Db, email: &Email) -> anyhow::Result<Option<(StaffUser, PasswordHash)>> {
    #[derive(sqlx::FromRow)]
    struct Creds {
        #[sqlx(flatten)]
        user: StaffRow,
        password_hash: String,
    }
    let row =
        dispatch!(db, |c| sqlx::query_as::<_, Creds>(&format!("SELECT {STAFF_COLUMNS}, password_hash FROM staff_users WHERE email = $1"))
            .bind(email.as_str())
            .fetch_optional(c)
            .await)
        .context("load staff credentials")?;
    row.map(|r| Ok((r.user.try_into()?, PasswordHash::from_stored(r.password_hash)))).transpose()
}

#[tracing::instrument(skip_all)]
pub async fn list_staff(db: &Db) -> anyhow::Result<Vec<StaffUser>> {
    let rows =
        dispatch!(db, |c| sqlx::query_as::<_, StaffRow>(&format!("SELECT {STAFF_COLUMNS} FROM staff_users ORDER BY lower(name), id"))
            .fetch_all(c)
            .await)
        .context("list staff users")?;
    rows.into_iter().map(TryInto::try_into).collect()
}

#[tracing::instrument(skip_all)]
pub async fn count_admins(db: &Db) -> anyhow::Result<i64> {
    dispatch!(db, |c| sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM staff_users WHERE role = 'admin' AND active = $1")
        .bind(true)
        .fetch_one(c)
        .await)
    .context("count admins")
}
