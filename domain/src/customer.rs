//! Customer rules (docs/SPEC.md §2.1): what a customer's typed facts must be, and
//! "loyal", derived from spending (never stored).

use crate::{Invalid, Money, Phone};
use chrono::NaiveDate;

/// A customer is loyal when their total spending (paid orders net of refunds,
/// lifetime) reaches the store's loyalty threshold. The customer list's filter
/// applies the same comparison in SQL (`customer_directory`: `x.spending >= threshold`).
pub fn is_loyal(total_spending: Money, threshold: Money) -> bool {
    total_spending >= threshold
}

/// A birth date as written (`1990-05-17`), not after `today` (the store's date).
pub fn parse_birth_date(raw: &str, today: NaiveDate) -> Result<NaiveDate, Invalid> {
    let date = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| Invalid::new("birth_date", "invalid_date", "birth_date must be a date like 1990-05-17"))?;
    if date > today {
        return Err(Invalid::new("birth_date", "invalid_date", "birth_date cannot be in the future"));
    }
    Ok(date)
}

/// How staff name a customer in a search box: a phone number, or `#id` / `id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomerRef {
    Phone(Phone),
    Id(i64),
}

impl CustomerRef {
    /// `None` for an empty or unreadable reference.
    pub fn parse(raw: &str) -> Option<CustomerRef> {
        let raw = raw.trim();
        if raw.is_empty() {
            return None;
        }
        if let Ok(phone) = Phone::parse(raw) {
            return Some(CustomerRef::Phone(phone));
        }
        raw.trim_start_matches('#').parse::<i64>().ok().map(CustomerRef::Id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_customer_is_named_by_phone_or_id() {
        assert!(matches!(CustomerRef::parse("0812-3456-7890"), Some(CustomerRef::Phone(_))));
        assert_eq!(CustomerRef::parse("#42"), Some(CustomerRef::Id(42)));
        assert_eq!(CustomerRef::parse(" "), None);
        assert_eq!(CustomerRef::parse("budi"), None);
    }

    #[test]
    fn loyal_from_the_threshold_on() {
        assert!(is_loyal(Money(1_000), Money(1_000)));
        assert!(!is_loyal(Money(999), Money(1_000)));
    }

    #[test]
    fn a_birth_date_today_is_fine_tomorrow_is_not() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        assert_eq!(parse_birth_date("2026-12-04", today), Ok(today));
        assert_eq!(parse_birth_date("2026-12-05", today).unwrap_err().code, "invalid_date");
        assert_eq!(parse_birth_date("04/12/2026", today).unwrap_err().field, "birth_date");
    }
}
