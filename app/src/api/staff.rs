//! Staff accounts (admin only).

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use setia_domain::Role;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffDto {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub active: bool,
    pub created_at_local: chrono::NaiveDateTime,
}

#[cfg(feature = "ssr")]
fn to_dto(u: setia_backend::staff::StaffUser, tz: chrono_tz::Tz) -> StaffDto {
    StaffDto {
        id: u.id,
        email: u.email,
        name: u.name,
        role: u.role,
        active: u.active,
        created_at_local: u.created_at.with_timezone(&tz).naive_local(),
    }
}

/// `POST /api/list_staff` — every staff account.
#[server(endpoint = "list_staff")]
pub async fn list_staff() -> Result<Vec<StaffDto>, AppError> {
    crate::guard::require(Role::Admin).await?;
    let state = crate::guard::app_state()?;
    let tz = setia_backend::settings::load(&state.db).await?.tz();
    Ok(setia_backend::staff::list_staff(&state.db).await?.into_iter().map(|u| to_dto(u, tz)).collect())
}

/// `POST /api/create_staff` — a new staff account with a first password.
#[server(endpoint = "create_staff")]
pub async fn create_staff(email: String, name: String, role: String, password: String) -> Result<StaffDto, AppError> {
    let admin = crate::guard::require(Role::Admin).await?;
    use setia_backend::audit::Actor;
    use setia_backend::staff::NewStaff;
    use setia_domain::{Email, NewPassword};

    let state = crate::guard::app_state()?;
    let email = Email::parse(&email).map_err(|e| AppError::invalid("email", "email_malformed", e.to_string()))?;
    let role = Role::parse(&role).map_err(|e| AppError::invalid("role", "role_unknown", e.to_string()))?;
    let password = NewPassword::parse(&password).map_err(|e| AppError::invalid("password", "password_too_short", e.to_string()))?;
    let new = NewStaff { email, name, role, password };
    let actor = Actor::staff(admin.id, &admin.email);
    let created = setia_backend::staff::create_staff(&state.db, new, &actor, crate::guard::client_ip().await).await?;
    let tz = setia_backend::settings::load(&state.db).await?.tz();
    Ok(to_dto(created, tz))
}

/// `POST /api/update_staff_access` — changes a role or the active flag. An admin
/// cannot change their own access, so a store never locks out its last admin by accident.
#[server(endpoint = "update_staff_access")]
pub async fn update_staff_access(id: i64, role: String, active: bool) -> Result<StaffDto, AppError> {
    let admin = crate::guard::require(Role::Admin).await?;
    use setia_backend::audit::Actor;

    if id == admin.id {
        return Err(AppError::invalid("id", "cannot_change_self", "you cannot change your own access"));
    }
    let role = Role::parse(&role).map_err(|e| AppError::invalid("role", "role_unknown", e.to_string()))?;
    let state = crate::guard::app_state()?;
    let actor = Actor::staff(admin.id, &admin.email);
    let updated = setia_backend::staff::update_staff_access(&state.db, id, role, active, &actor, crate::guard::client_ip().await)
        .await?
        .ok_or_else(|| AppError::not_found("no staff member with this id"))?;
    let tz = setia_backend::settings::load(&state.db).await?.tz();
    Ok(to_dto(updated, tz))
}
