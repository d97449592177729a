//! Membership tiers (docs/SPEC.md §2.2): which tier a customer is in, why, and what is
//! missing for the next one. A customer's tier is never stored; it is this
//! function of their spending.

use crate::money::Money;
use serde::{Deserialize, Serialize};

/// Over which period spending is counted for a tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum TierWindow {
    /// Everything ever spent.
    Lifetime,
    /// The last N days, up to now.
    RollingDays(u32),
}

impl TierWindow {
    pub fn from_days(days: Option<i64>) -> TierWindow {
        match days {
            Some(d) if d > 0 => TierWindow::RollingDays(u32::try_from(d).unwrap_or(u32::MAX)),
            _ => TierWindow::Lifetime,
        }
    }

    pub fn days(self) -> Option<u32> {
        match self {
            TierWindow::Lifetime => None,
            TierWindow::RollingDays(d) => Some(d),
        }
    }
}

/// What the tier rule needs to know about a tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierRule {
    pub id: i64,
    pub name: String,
    pub min_spending: Money,
    pub window: TierWindow,
}

/// A customer's spending in each window the tiers use.
pub trait SpendingByWindow {
    fn spending_in(&self, window: TierWindow) -> Money;
}

impl<F: Fn(TierWindow) -> Money> SpendingByWindow for F {
    fn spending_in(&self, window: TierWindow) -> Money {
        self(window)
    }
}

/// Why a customer is where they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierStanding {
    /// The current tier and the spending that earned it (within its window).
    pub current: Option<(TierRule, Money)>,
    /// The next tier up, the spending counted for it, and what is missing.
    pub next: Option<NextTier>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextTier {
    pub tier: TierRule,
    pub spending: Money,
    pub missing: Money,
}

/// The tiers in the order the rule tries them: highest minimum first. SQL that
/// places many customers at once (lists, census, previews) is generated from this
/// order, so the rule has one definition.
pub fn highest_first(tiers: &[TierRule]) -> Vec<&TierRule> {
    let mut ladder: Vec<&TierRule> = tiers.iter().collect();
    ladder.sort_by_key(|t| std::cmp::Reverse((t.min_spending, t.id)));
    ladder
}

/// The tiers from the lowest minimum up: the order in which a customer climbs
/// (the next tier is the first one above the current).
pub fn lowest_first(tiers: &[TierRule]) -> Vec<&TierRule> {
    let mut ladder: Vec<&TierRule> = tiers.iter().collect();
    ladder.sort_by_key(|t| (t.min_spending, t.id));
    ladder
}

/// The rule: the current tier is the highest tier (by minimum) whose minimum is
/// met by the spending within that tier's own window (thresholds inclusive).
/// The next tier is the lowest tier above the current one.
pub fn tier_standing(tiers: &[TierRule], spending: &impl SpendingByWindow) -> TierStanding {
    let current = highest_first(tiers).into_iter().map(|t| (t, spending.spending_in(t.window))).find(|(t, spent)| *spent >= t.min_spending);
    let floor = current.as_ref().map(|(t, _)| t.min_spending);
    let next = lowest_first(tiers).into_iter().find(|t| floor.is_none_or(|f| t.min_spending > f)).map(|t| {
        let spent = spending.spending_in(t.window);
        NextTier { tier: t.clone(), spending: spent, missing: Money((t.min_spending.0 - spent.0).max(0)) }
    });
    TierStanding { current: current.map(|(t, s)| (t.clone(), s)), next }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LadderError {
    #[error("tier name is required")]
    NameRequired,
    #[error("two tiers are named `{0}`")]
    DuplicateName(String),
    #[error("minimum spending cannot be negative")]
    NegativeMinimum,
    #[error("tier minimums must be strictly increasing: `{0}` and `{1}` have the same minimum")]
    SameMinimum(String, String),
}

/// The field and code a ladder refusal is reported with, on every surface.
impl From<LadderError> for crate::Invalid {
    fn from(e: LadderError) -> Self {
        let message = e.to_string();
        match e {
            LadderError::NameRequired => crate::Invalid::new("name", "name_required", message),
            LadderError::DuplicateName(_) => crate::Invalid::new("name", "name_taken", message),
            LadderError::NegativeMinimum => crate::Invalid::new("min_spending", "invalid_amount", message),
            LadderError::SameMinimum(..) => crate::Invalid::new("min_spending", "minimums_not_increasing", message),
        }
    }
}

/// Checks a whole set of tiers: names present and unique, minimums non-negative
/// and all different (so the tiers form a strictly increasing ladder).
pub fn validate_ladder(tiers: &[TierRule]) -> Result<(), LadderError> {
    let mut sorted: Vec<&TierRule> = tiers.iter().collect();
    sorted.sort_by_key(|t| t.min_spending);
    for t in &sorted {
        if t.name.trim().is_empty() {
            return Err(LadderError::NameRequired);
        }
        if t.min_spending.0 < 0 {
            return Err(LadderError::NegativeMinimum);
        }
    }
    for w in sorted.windows(2) {
        if w[0].min_spending == w[1].min_spending {
            return Err(LadderError::SameMinimum(w[0].name.clone(), w[1].name.clone()));
        }
    }
    for (i, a) in tiers.iter().enumerate() {
        if tiers[i + 1..].iter().any(|b| b.name.trim().eq_ignore_ascii_case(a.name.trim())) {
            return Err(LadderError::DuplicateName(a.name.trim().to_string()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tier(id: i64, name: &str, min: i64, window: TierWindow) -> TierRule {
        TierRule { id, name: name.into(), min_spending: Money(min), window }
    }

    fn ladder() -> Vec<TierRule> {
        vec![
            tier(3, "Platinum", 20_000_000, TierWindow::RollingDays(365)),
            tier(1, "Silver", 0, TierWindow::Lifetime),
            tier(2, "Gold", 5_000_000, TierWindow::RollingDays(365)),
        ]
    }

    #[test]
    fn highest_tier_met_within_its_own_window() {
        // 6 M in the last year, 30 M lifetime: Gold (Platinum counts only the year).
        let spending = |w: TierWindow| match w {
            TierWindow::Lifetime => Money(30_000_000),
            TierWindow::RollingDays(_) => Money(6_000_000),
        };
        let s = tier_standing(&ladder(), &spending);
        let (current, spent) = s.current.unwrap();
        assert_eq!(current.name, "Gold");
        assert_eq!(spent, Money(6_000_000));
        let next = s.next.unwrap();
        assert_eq!(next.tier.name, "Platinum");
        assert_eq!(next.missing, Money(14_000_000));
    }

    #[test]
    fn thresholds_are_inclusive() {
        let exactly = |_: TierWindow| Money(5_000_000);
        assert_eq!(tier_standing(&ladder(), &exactly).current.unwrap().0.name, "Gold");
        let just_below = |_: TierWindow| Money(4_999_999);
        let s = tier_standing(&ladder(), &just_below);
        assert_eq!(s.current.unwrap().0.name, "Silver");
        assert_eq!(s.next.unwrap().missing, Money(1));
    }

    #[test]
    fn no_tier_and_top_tier() {
        let only_paid = vec![tier(1, "Gold", 1_000, TierWindow::Lifetime)];
        let s = tier_standing(&only_paid, &|_: TierWindow| Money(0));
        assert!(s.current.is_none());
        assert_eq!(s.next.unwrap().missing, Money(1_000));
        let s = tier_standing(&ladder(), &|_: TierWindow| Money(50_000_000));
        assert_eq!(s.current.unwrap().0.name, "Platinum");
        assert!(s.next.is_none());
        assert_eq!(tier_standing(&[], &|_: TierWindow| Money(5)), TierStanding { current: None, next: None });
    }

    #[test]
    fn ladder_validation() {
        assert!(validate_ladder(&ladder()).is_ok());
        let mut same = ladder();
        same[0].min_spending = Money(5_000_000);
        assert!(matches!(validate_ladder(&same), Err(LadderError::SameMinimum(..))));
        let mut dup = ladder();
        dup[0].name = "gold".into();
        assert_eq!(validate_ladder(&dup), Err(LadderError::DuplicateName("gold".into())));
        let mut neg = ladder();
        neg[1].min_spending = Money(-1);
        assert_eq!(validate_ladder(&neg), Err(LadderError::NegativeMinimum));
    }
}
