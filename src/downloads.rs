//! Files the back office downloads, streamed (docs/UI.md "CSV export"): the REST
//! API's and the pages' copies are one stream each; pages get a BOM so Excel reads
//! UTF-8 right, scripts do not.
//!
//! `GET /promotions/{id}/codes.csv` — a promotion's codes for a signed-in
//! marketing or admin user (unused codes are money); the session is checked here,
//! on the server, like every server function's role guard.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::TryStreamExt;
use setia_backend::promotions::codes;
use setia_backend::sessions::STAFF_ID_KEY;
use setia_backend::{csv_export, AppState, Db};
use setia_domain::Role;
use tower_sessions::Session;

/// Codes read per page of the stream.
const CSV_PAGE: i64 = 5_000;

/// A promotion's codes as a streamed CSV file: `code,max_uses,uses,status`.
pub fn codes_csv(db: &Db, promotion_id: i64, bom: bool) -> Response {
    let db = db.clone();
    let rows = csv_export::stream_pages(&["code", "max_uses", "uses", "status"], bom, move |after| {
        let db = db.clone();
        async move {
            let page = codes::codes_after(&db, promotion_id, after, CSV_PAGE).await?;
            Ok(page
                .into_iter()
                .map(|c| (c.id, vec![c.code, c.max_uses.map(|m| m.to_string()).unwrap_or_default(), c.uses.to_string(), c.status]))
                .collect())
        }
    });
    let body = Body::from_stream(rows.map_err(|e| {
        tracing::error!(error = ?e, "code export stopped");
        std::io::Error::other("export failed")
    }));
    let name = format!("attachment; filename=\"promotion-{promotion_id}-codes-{}.csv\"", chrono::Utc::now().format("%Y-%m-%d"));
    ([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, name)], body).into_response()
}

/// `GET /promotions/{id}/codes.csv` (marketing, admin; signed in).
pub async fn promotion_codes(session: Session, State(state): State<AppState>, Path(raw): Path<String>) -> Response {
    let staff = match session.get::<i64>(STAFF_ID_KEY).await {
        Ok(Some(id)) => setia_backend::staff::find_by_id(&state.db, id).await.ok().flatten().filter(|u| u.active),
        _ => None,
    };
    let Some(user) = staff else { return (StatusCode::UNAUTHORIZED, "sign in first").into_response() };
    if !user.role.grants_any(&[Role::Marketing]) {
        return (StatusCode::FORBIDDEN, "codes are for marketing and admins").into_response();
    }
    let Ok(id) = raw.parse::<i64>() else { return (StatusCode::NOT_FOUND, "no such promotion").into_response() };
    match setia_backend::promotions::get_promotion(&state.db, id).await {
        Ok(_) => codes_csv(&state.db, id, true),
        Err(setia_backend::promotions::PromotionError::NotFound) => (StatusCode::NOT_FOUND, "no such promotion").into_response(),
        Err(e) => {
            tracing::error!(error = ?e, "code export failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "something went wrong on the server; it has been logged").into_response()
        }
    }
}
