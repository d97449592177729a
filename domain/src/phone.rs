//! Customer phone numbers, normalised to E.164 (docs/SPEC.md §2.1), with Indonesian
//! conventions for numbers written without a country code.

use serde::{Deserialize, Serialize};

/// A phone number in E.164 form: `+` then 8 to 15 digits, e.g. `+6281234567890`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Phone(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("phone is required")]
    Empty,
    #[error("phone may contain only digits, spaces, dashes, dots, parentheses and a leading +")]
    BadCharacters,
    #[error("phone must have 8 to 15 digits with its country code, like +62 812-3456-7890")]
    BadLength,
}

impl Phone {
    /// Accepts `+62 812-3456-7890`, `62812…`, `0812…` and `812…` (Indonesian
    /// numbers without a country code get +62), and `+<country><number>` elsewhere.
    pub fn parse(raw: &str) -> Result<Phone, PhoneError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(PhoneError::Empty);
        }
        let e164_digits = e164_digits(trimmed).ok_or(PhoneError::BadCharacters)?;
        if !(8..=15).contains(&e164_digits.len()) || e164_digits.starts_with('0') {
            return Err(PhoneError::BadLength);
        }
        Ok(Phone(format!("+{e164_digits}")))
    }

    /// The stored-number prefix that a search for a phone number typed the way
    /// staff type them (`0812-40`, `+62 812`, `62812…`) stands for: `+62812…`, or
    /// `None` when `typed` is not a phone number or has fewer than 3 digits.
    /// Stored numbers are E.164, so the search is a range on the unique index.
    pub fn search_prefix(typed: &str) -> Option<String> {
        let digits = e164_digits(typed.trim())?;
        (digits.len() >= 3).then(|| format!("+{digits}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `+62 812-3456-7890` for Indonesian mobiles; other numbers as stored.
    pub fn display(&self) -> String {
        match self.0.strip_prefix("+62") {
            Some(n) if n.len() >= 9 && n.starts_with('8') => {
                let (a, rest) = n.split_at(3);
                let (b, c) = rest.split_at(4);
                format!("+62 {a}-{b}-{c}")
            }
            _ => self.0.clone(),
        }
    }
}

/// The E.164 digits (no `+`) of a number written with an optional `+`, digits
/// and `space - . ( )`; `None` on any other character.
fn e164_digits(written: &str) -> Option<String> {
    let (plus, rest) = match written.strip_prefix('+') {
        Some(r) => (true, r),
        None => (false, written),
    };
    let mut digits = String::with_capacity(rest.len());
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => return None,
        }
    }
    Some(if plus {
        digits
    } else if let Some(national) = digits.strip_prefix('0') {
        format!("62{national}")
    } else if digits.starts_with("62") {
        digits
    } else if digits.starts_with('8') {
        format!("62{digits}")
    } else {
        digits
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indonesian_forms_normalise_to_one_number() {
        for raw in ["+62 812-3456-7890", "6281234567890", "081234567890", "0812 3456 7890", "81234567890", "(0812) 3456.7890"] {
            assert_eq!(Phone::parse(raw).unwrap().as_str(), "+6281234567890", "{raw}");
        }
    }

    #[test]
    fn other_countries_keep_their_code() {
        assert_eq!(Phone::parse("+65 6123 4567").unwrap().as_str(), "+6561234567");
    }

    #[test]
    fn rejects_malformed() {
        assert_eq!(Phone::parse("  "), Err(PhoneError::Empty));
        assert_eq!(Phone::parse("0812-ABC"), Err(PhoneError::BadCharacters));
        assert_eq!(Phone::parse("12345"), Err(PhoneError::BadLength));
        assert_eq!(Phone::parse("+62 812 3456 7890 1234"), Err(PhoneError::BadLength));
    }

    #[test]
    fn a_typed_number_searches_by_its_stored_prefix() {
        for typed in ["0812-40", "+62 812 40", "6281240", "81240"] {
            assert_eq!(Phone::search_prefix(typed).as_deref(), Some("+6281240"), "{typed}");
        }
        assert_eq!(Phone::search_prefix("Budi"), None);
        assert_eq!(Phone::search_prefix("0"), None, "too short to mean anything");
    }

    #[test]
    fn displays_indonesian_mobiles_grouped() {
        assert_eq!(Phone::parse("081234567890").unwrap().display(), "+62 812-3456-7890");
    }
}
