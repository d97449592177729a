//! A new password chosen for a staff account.

use std::fmt;

/// A password that meets the length policy. Debug never prints it.
#[derive(Clone)]
pub struct NewPassword(String);

pub const MIN_PASSWORD_CHARS: usize = 10;
pub const MAX_PASSWORD_CHARS: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("password must have at least {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    #[error("password must have at most {MAX_PASSWORD_CHARS} characters")]
    TooLong,
}

impl NewPassword {
    pub fn parse(raw: &str) -> Result<NewPassword, PasswordError> {
        let n = raw.chars().count();
        if n < MIN_PASSWORD_CHARS {
            return Err(PasswordError::TooShort);
        }
        if n > MAX_PASSWORD_CHARS {
            return Err(PasswordError::TooLong);
        }
        Ok(NewPassword(raw.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_policy() {
        assert_eq!(NewPassword::parse("short").unwrap_err(), PasswordError::TooShort);
        assert!(NewPassword::parse("long enough pw").is_ok());
        assert_eq!(NewPassword::parse(&"x".repeat(257)).unwrap_err(), PasswordError::TooLong);
    }

    #[test]
    fn debug_is_redacted() {
        let p = NewPassword::parse("super secret 123").unwrap();
        assert!(!format!("{p:?}").contains("secret"));
    }
}
