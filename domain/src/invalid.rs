//! Input that is well-formed but refused by a rule: the field to blame, a stable
//! snake_case code (the API's `error.code`, translated by the UI) and English text.
//! Every rule in this crate that checks input returns this, so every surface (page,
//! server function, REST) reports the same refusal the same way.

use crate::text::TextError;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// `name`, `lines[0].quantity`, `reward.value`.
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

impl Invalid {
    pub fn new(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Invalid { field: field.into(), code, message: message.into() }
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Invalid {}

impl From<TextError> for Invalid {
    fn from(e: TextError) -> Self {
        Invalid { code: e.code(), message: e.to_string(), field: e.field }
    }
}
