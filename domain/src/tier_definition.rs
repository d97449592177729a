//! What a tier is made of, and the one rule that checks a tier as typed in the
//! editor or sent over the API (docs/SPEC.md §2.2). What needs the other tiers
//! (minimums strictly increasing, names unique) is the ladder's rule,
//! [`crate::tier::validate_ladder`].

use crate::text;
use crate::{Invalid, Money, Percent, TierWindow};

/// The longest rolling window a tier may count spending over: ten years. A store
/// keeps orders for about that long (tax records), a longer window would count
/// spending it no longer has, and "lifetime" (no window) covers the rest.
pub const MAX_WINDOW_DAYS: i64 = 3_650;

/// The colour of a tier that names none (a neutral grey).
pub const DEFAULT_COLOUR: &str = "#9ca3af";

/// A tier as received, numbers already read, nothing checked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TierDraft {
    pub name: String,
    pub min_spending: i64,
    /// `None`: lifetime spending.
    pub window_days: Option<i64>,
    pub earn_rate_points: i64,
    pub earn_rate_per: i64,
    /// A percent in (0, 100] with at most two decimals, as text (`12.5`).
    pub discount_percent: Option<String>,
    /// `#rrggbb`; the default when `None` or empty.
    pub colour: Option<String>,
}

/// A checked tier: name trimmed, minimum at least 0, window 1 to
/// [`MAX_WINDOW_DAYS`] days or lifetime, earning `earn_rate_points` per
/// `earn_rate_per` spent (points ≥ 0, per > 0), colour `#rrggbb` in lower case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierDefinition {
    pub name: String,
    pub min_spending: Money,
    pub window: TierWindow,
    pub earn_rate_points: i64,
    pub earn_rate_per: i64,
    pub discount: Option<Percent>,
    pub colour: String,
}

impl TierDefinition {
    pub fn parse(draft: TierDraft) -> Result<TierDefinition, Invalid> {
        let name = text::parse_name(&draft.name)?;
        if draft.min_spending < 0 {
            return Err(Invalid::new("min_spending", "invalid_amount", "min_spending cannot be negative"));
        }
        let window = match draft.window_days {
            None => TierWindow::Lifetime,
            Some(d) if (1..=MAX_WINDOW_DAYS).contains(&d) => TierWindow::RollingDays(d as u32),
            Some(_) => {
                return Err(Invalid::new(
                    "window_days",
                    "invalid_window",
                    format!("window_days must be 1 to {MAX_WINDOW_DAYS}, or empty for lifetime"),
                ))
            }
        };
        if draft.earn_rate_points < 0 {
            return Err(Invalid::new("earn_rate_points", "invalid_earn_rate", "earn_rate_points must be 0 or more"));
        }
        if draft.earn_rate_per <= 0 {
            return Err(Invalid::new("earn_rate_per", "invalid_earn_rate", "earn_rate_per must be above 0"));
        }
        let discount = match draft.discount_percent.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(p) => Some(Percent::parse(p).map_err(|e| Invalid::new("discount_percent", "invalid_percent", e.to_string()))?),
        };
        let colour = match draft.colour.as_deref().map(str::trim) {
            None | Some("") => DEFAULT_COLOUR.to_string(),
            Some(c) => c.to_ascii_lowercase(),
        };
        if !is_colour(&colour) {
            return Err(Invalid::new("colour", "invalid_colour", "colour must look like #1a2b3c"));
        }
        Ok(TierDefinition {
            name,
            min_spending: Money(draft.min_spending),
            window,
            earn_rate_points: draft.earn_rate_points,
            earn_rate_per: draft.earn_rate_per,
            discount,
            colour,
        })
    }
}

fn is_colour(c: &str) -> bool {
    c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|ch| ch.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> TierDraft {
        TierDraft {
            name: " Gold ".into(),
            min_spending: 1_000,
            window_days: Some(365),
            earn_rate_points: 1,
            earn_rate_per: 1_000,
            ..Default::default()
        }
    }

    fn refused(d: TierDraft) -> (String, &'static str) {
        let e = TierDefinition::parse(d).unwrap_err();
        (e.field, e.code)
    }

    #[test]
    fn a_good_tier_is_trimmed_and_gets_the_default_colour() {
        let t = TierDefinition::parse(draft()).unwrap();
        assert_eq!(t.name, "Gold");
        assert_eq!(t.colour, DEFAULT_COLOUR);
        assert_eq!(t.window, TierWindow::RollingDays(365));
    }

    #[test]
    fn the_window_is_one_day_to_ten_years_or_lifetime() {
        assert!(TierDefinition::parse(TierDraft { window_days: Some(1), ..draft() }).is_ok());
        assert!(TierDefinition::parse(TierDraft { window_days: Some(3_650), ..draft() }).is_ok());
        assert_eq!(TierDefinition::parse(TierDraft { window_days: None, ..draft() }).unwrap().window, TierWindow::Lifetime);
        for bad in [0, 3_651, 36_500, -1] {
            assert_eq!(refused(TierDraft { window_days: Some(bad), ..draft() }), ("window_days".into(), "invalid_window"));
        }
    }

    #[test]
    fn each_bad_field_is_named() {
        assert_eq!(refused(TierDraft { name: "  ".into(), ..draft() }), ("name".into(), "name_required"));
        assert_eq!(refused(TierDraft { min_spending: -1, ..draft() }), ("min_spending".into(), "invalid_amount"));
        assert_eq!(refused(TierDraft { earn_rate_points: -1, ..draft() }), ("earn_rate_points".into(), "invalid_earn_rate"));
        assert_eq!(refused(TierDraft { earn_rate_per: 0, ..draft() }), ("earn_rate_per".into(), "invalid_earn_rate"));
        assert_eq!(
            refused(TierDraft { discount_percent: Some("100.5".into()), ..draft() }),
            ("discount_percent".into(), "invalid_percent")
        );
        assert_eq!(refused(TierDraft { colour: Some("red".into()), ..draft() }), ("colour".into(), "invalid_colour"));
    }
}
