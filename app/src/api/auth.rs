//! Login, logout and "who am I".

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use setia_domain::Role;

/// The signed-in staff user as the client sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
}

/// `POST /api/current_user` — the signed-in user, or `None` for a visitor.
/// Open to anyone: it reveals nothing but the caller's own account.
#[server(endpoint = "current_user")]
pub async fn current_user() -> Result<Option<SessionUser>, AppError> {
    let user = crate::guard::current_staff().await?;
    Ok(user.map(|u| SessionUser { id: u.id, name: u.name, email: u.email, role: u.role }))
}

/// `POST /api/login` — checks the password (throttled), rotates the session id and
/// signs the user in. A plain form post is answered with a redirect: to `/` on
/// success, back to `/login?error=<code>` on failure, so the form works before
/// hydration. The cross-site check runs before this, in the server-function route.
#[server(endpoint = "login")]
pub async fn login(email: String, password: String) -> Result<(), AppError> {
    use crate::guard::{app_state, client_ip, is_plain_form_post, session};
    use setia_backend::login;
    use setia_backend::sessions::STAFF_ID_KEY;

    let state = app_state()?;
    let outcome = login::login(&state.db, &state.password_checks, &email, password, client_ip().await).await;
    let result = match outcome {
        Ok(user) => {
            let session = session().await?;
            // A new id at login: a session id planted before login is worthless after it.
            session.cycle_id().await.map_err(AppError::internal)?;
            session.insert(STAFF_ID_KEY, user.id).await.map_err(AppError::internal)?;
            Ok(())
        }
        Err(e) => Err(e.into()),
    };
    if is_plain_form_post() {
        match &result {
            Ok(()) => leptos_axum::redirect("/"),
            Err(AppError::TooManyAttempts { retry_after_minutes }) => {
                leptos_axum::redirect(&format!("/login?error=too_many_attempts&minutes={retry_after_minutes}"))
            }
            Err(e) => leptos_axum::redirect(&format!("/login?error={}", e.code())),
        }
    }
    result
}

/// `POST /api/logout` — ends the session: the record is deleted from the store.
#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let user = crate::guard::require_staff().await?;
    let state = crate::guard::app_state()?;
    setia_backend::login::record_logout(&state.db, &user, crate::guard::client_ip().await).await?;
    crate::guard::session().await?.flush().await.map_err(AppError::internal)?;
    if crate::guard::is_plain_form_post() {
        leptos_axum::redirect("/login");
    }
    Ok(())
}
