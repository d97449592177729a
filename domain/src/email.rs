//! A staff or customer email address, parsed once at the edge.

use serde::{Deserialize, Serialize};

/// A trimmed, lower-cased address with one `@`, a local part and a dotted domain.
/// Lower-casing makes `Ani@Toko.id` and `ani@toko.id` the same account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("email is required")]
    Empty,
    #[error("email is too long (at most 254 characters)")]
    TooLong,
    #[error("email must look like name@example.com")]
    Malformed,
}

/// The longest address (RFC 5321), in bytes.
pub const MAX_EMAIL_BYTES: usize = 254;

impl Email {
    pub fn parse(raw: &str) -> Result<Email, EmailError> {
        let s = raw.trim().to_lowercase();
        if s.is_empty() {
            return Err(EmailError::Empty);
        }
        if s.len() > MAX_EMAIL_BYTES {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = s.split_once('@').ok_or(EmailError::Malformed)?;
        let domain_ok = domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.') && !domain.contains("..");
        if local.is_empty() || !domain_ok || domain.contains('@') || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(EmailError::Malformed);
        }
        Ok(Email(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_space() {
        assert_eq!(Email::parse("  Ani@Toko.ID ").unwrap().as_str(), "ani@toko.id");
    }

    #[test]
    fn rejects_malformed() {
        for bad in ["", "ani", "ani@", "@toko.id", "ani@toko", "a b@toko.id", "a@b@c.id", "a@.id", "a@toko..id"] {
            assert!(Email::parse(bad).is_err(), "{bad} should be rejected");
        }
    }
}
