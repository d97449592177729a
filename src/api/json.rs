//! A JSON body extractor whose errors name the field (`lines[0].quantity`) and
//! answer 400 in the API's error format, instead of axum's plain-text rejection.

use super::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|e| ApiError::malformed(None, e.body_text()))?;
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(de).map(ApiJson).map_err(|err| {
            let path = err.path().to_string();
            let inner = err.into_inner();
            if inner.is_syntax() || inner.is_eof() {
                return ApiError::malformed(None, format!("the body is not valid JSON: {inner}"));
            }
            // "missing field `name`" is reported at the parent; name the field itself.
            let text = inner.to_string();
            let missing = text.strip_prefix("missing field `").and_then(|r| r.split('`').next());
            let field = match (missing, path.as_str()) {
                (Some(m), ".") => m.to_string(),
                (Some(m), p) => format!("{p}.{m}"),
                (None, p) => p.to_string(),
            };
            let message = text.split(" at line ").next().unwrap_or(&text).to_string();
            ApiError::malformed(Some(field.as_str()).filter(|f| *f != "."), message)
        })
    }
}
