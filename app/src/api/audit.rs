//! The audit log (admin only).

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub const AUDIT_PAGE_SIZE: i64 = 50;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditDto {
    pub id: i64,
    pub actor_label: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub at_local: chrono::NaiveDateTime,
    pub ip: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub rows: Vec<AuditDto>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
    pub time_zone: String,
}

/// `POST /api/list_audit` — one page of the audit log, newest first.
#[server(endpoint = "list_audit")]
pub async fn list_audit(page: i64, action: Option<String>, actor: Option<String>) -> Result<AuditPage, AppError> {
    crate::guard::require(setia_domain::Role::Admin).await?;
    use setia_backend::audit::{self, AuditFilter};

    let state = crate::guard::app_state()?;
    let at = setia_domain::paging::Page::new(page, AUDIT_PAGE_SIZE);
    let page = at.number;
    let search = |field: &str, v: Option<String>| setia_domain::text::SEARCH.parse_optional(field, v.as_deref()).map_err(AppError::from);
    let filter = AuditFilter { action: search("action", action)?, actor: search("actor", actor)? };
    let (rows, total) = audit::list(&state.db, &filter, at.size, at.offset()).await?;
    let settings = setia_backend::settings::load(&state.db).await?;
    let tz = settings.tz();
    Ok(AuditPage {
        rows: rows
            .into_iter()
            .map(|r| AuditDto {
                id: r.id,
                actor_label: r.actor_label,
                action: r.action,
                entity_type: r.entity_type,
                entity_id: r.entity_id,
                before: r.before_json.map(|j| j.0.to_string()),
                after: r.after_json.map(|j| j.0.to_string()),
                at_local: r.at.with_timezone(&tz).naive_local(),
                ip: r.ip,
            })
            .collect(),
        total,
        page,
        page_size: AUDIT_PAGE_SIZE,
        time_zone: settings.time_zone,
    })
}
