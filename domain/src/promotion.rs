//! A promotion as the pricing engine sees it (docs/SPEC.md §2.3): kind, status, dates,
//! stacking, conditions, reward, cap and limits — already parsed, so every value
//! here is valid (percentages in (0, 100], buy/get ≥ 1, hours as times). The
//! REST and admin forms parse into these types and name the field that failed.

use crate::money::Money;
use crate::percent::Percent;
use crate::text::{self, TextError, TextRule};
use chrono::{DateTime, NaiveTime, Utc, Weekday};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PromotionKind {
    /// Applies to every cart that meets its conditions.
    Automatic,
    /// Applies only when the cart carries its code.
    Code,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PromotionStatus {
    Draft,
    Active,
    Paused,
    Ended,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stacking {
    /// Competes alone against everything else (rule 2b).
    Exclusive,
    /// Joins the combinable set with the tier and personal discounts (rule 2a).
    Combinable,
}

macro_rules! str_enum {
    ($t:ty { $($v:ident => $s:literal),+ $(,)? }) => {
        impl $t {
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$v => $s),+ }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($s => Some(Self::$v),)+ _ => None }
            }
        }
    };
}
str_enum!(PromotionKind { Automatic => "automatic", Code => "code" });
str_enum!(PromotionStatus { Draft => "draft", Active => "active", Paused => "paused", Ended => "ended" });
impl PromotionStatus {
    /// The legal next statuses: a draft may go live, pause or end; a live one may
    /// pause or end; a paused one may resume or end; an ended one stays ended.
    /// (The same status again is not a change.)
    pub fn can_become(self, next: PromotionStatus) -> bool {
        use PromotionStatus::*;
        matches!((self, next), (Draft, Active | Paused | Ended) | (Active, Paused | Ended) | (Paused, Active | Ended))
    }
}

str_enum!(Stacking { Exclusive => "exclusive", Combinable => "combinable" });

/// An hours window in the store time zone: includes `from`, excludes `to`, and
/// wraps past midnight when `to` ≤ `from` (22:00–02:00). Rule 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoursWindow {
    pub from: NaiveTime,
    pub to: NaiveTime,
}

impl HoursWindow {
    pub fn contains(&self, t: NaiveTime) -> bool {
        if self.from < self.to {
            self.from <= t && t < self.to
        } else {
            // Wraps past midnight; from == to is the whole day.
            t >= self.from || t < self.to
        }
    }
}

/// Products named by SKU or category. A line matches when it has one of the SKUs
/// or one of the categories (rule 1). Empty = names nothing.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ProductSet {
    pub skus: Vec<String>,
    pub categories: Vec<String>,
}

impl ProductSet {
    pub fn is_empty(&self) -> bool {
        self.skus.is_empty() && self.categories.is_empty()
    }

    pub fn matches(&self, sku: &str, category: Option<&str>) -> bool {
        self.skus.iter().any(|s| s == sku) || category.is_some_and(|c| self.categories.iter().any(|k| k == c))
    }

    /// The SKUs and categories as stored, each by its kind's text rule, a refusal
    /// naming the item (`conditions.skus[1]` when `at` is `conditions`).
    pub fn parsed(self, at: &str) -> Result<ProductSet, TextError> {
        let each = |rule: TextRule, what: &str, items: Vec<String>| -> Result<Vec<String>, TextError> {
            items.iter().enumerate().map(|(i, v)| rule.parse(&format!("{at}.{what}[{i}]"), v)).collect()
        };
        Ok(ProductSet { skus: each(text::SKU, "skus", self.skus)?, categories: each(text::CATEGORY, "categories", self.categories)? })
    }
}

/// All must hold (rule 1); checked on base amounts, before any discount.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Conditions {
    pub min_subtotal: Option<Money>,
    pub min_quantity: Option<i64>,
    pub products: ProductSet,
    pub tier_ids: Vec<i64>,
    pub first_order_only: bool,
    /// Days of the week the promotion runs on (empty = every day).
    pub weekdays: Vec<Weekday>,
    pub hours: Option<HoursWindow>,
}

/// What a promotion gives (rule 4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Reward {
    PercentOrder {
        percent: Percent,
    },
    FixedOrder {
        amount: Money,
    },
    PercentItems {
        percent: Percent,
        target: ProductSet,
    },
    FixedItems {
        amount: Money,
        target: ProductSet,
    },
    /// Every full group of `buy + get` targeted units makes `get` units
    /// `percent` off (100 = free).
    BuyXGetY {
        buy: i64,
        get: i64,
        percent: Percent,
        target: ProductSet,
    },
}

/// The kinds of reward in the order rule 3 applies them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RewardStage {
    BuyXGetY,
    PercentItems,
    FixedItems,
    PercentOrder,
    FixedOrder,
}

impl Reward {
    pub fn stage(&self) -> RewardStage {
        match self {
            Reward::BuyXGetY { .. } => RewardStage::BuyXGetY,
            Reward::PercentItems { .. } => RewardStage::PercentItems,
            Reward::FixedItems { .. } => RewardStage::FixedItems,
            Reward::PercentOrder { .. } => RewardStage::PercentOrder,
            Reward::FixedOrder { .. } => RewardStage::FixedOrder,
        }
    }

    /// The reward's own product set (item rewards only).
    pub fn own_target(&self) -> Option<&ProductSet> {
        match self {
            Reward::PercentItems { target, .. } | Reward::FixedItems { target, .. } | Reward::BuyXGetY { target, .. } => Some(target),
            Reward::PercentOrder { .. } | Reward::FixedOrder { .. } => None,
        }
    }

    pub fn own_target_mut(&mut self) -> Option<&mut ProductSet> {
        match self {
            Reward::PercentItems { target, .. } | Reward::FixedItems { target, .. } | Reward::BuyXGetY { target, .. } => Some(target),
            Reward::PercentOrder { .. } | Reward::FixedOrder { .. } => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Limits {
    pub total_uses: Option<i64>,
    pub uses_per_customer: Option<i64>,
    pub budget: Option<Money>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Promotion {
    pub id: i64,
    pub name: String,
    pub kind: PromotionKind,
    /// The shared code of a `code` promotion, as entered (matched case-insensitively).
    pub code: Option<String>,
    pub status: PromotionStatus,
    /// Inclusive.
    pub starts_at: Option<DateTime<Utc>>,
    /// Exclusive.
    pub ends_at: Option<DateTime<Utc>>,
    /// Larger applies first (rule 3) and wins ties between exclusives (rule 2).
    pub priority: i32,
    pub stacking: Stacking,
    pub conditions: Conditions,
    pub reward: Reward,
    pub max_discount: Option<Money>,
    pub limits: Limits,
    pub created_at: DateTime<Utc>,
}

impl Promotion {
    /// The lines an item reward works on (rule 4): the reward's products; if it
    /// names none, the condition's; if neither, every line. `None` = every line.
    pub fn item_target(&self) -> Option<&ProductSet> {
        match self.reward.own_target() {
            Some(t) if !t.is_empty() => Some(t),
            Some(_) if !self.conditions.products.is_empty() => Some(&self.conditions.products),
            _ => None,
        }
    }

    /// Rule 3's order inside one kind: higher priority, then created earlier, then id.
    pub fn application_key(&self) -> (std::cmp::Reverse<i32>, DateTime<Utc>, i64) {
        (std::cmp::Reverse(self.priority), self.created_at, self.id)
    }
}

/// Codes compare case-insensitively and ignore surrounding spaces.
pub fn normalize_code(code: &str) -> String {
    code.trim().to_uppercase()
}

/// What the stored use rows say about a promotion (docs/SPEC.md §2.3: reserved and
/// confirmed uses count, released ones do not). Derived by the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PromotionUsage {
    pub uses: i64,
    /// Uses by the customer the cart belongs to.
    pub customer_uses: i64,
    pub budget_used: Money,
}

/// The limit a use would break.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LimitReached {
    #[error("the promotion's {limit} uses are taken")]
    TotalUses { limit: i64 },
    #[error("the customer already used the promotion {limit} times")]
    UsesPerCustomer { limit: i64 },
    #[error("the promotion's budget cannot cover this discount")]
    Budget { budget: Money },
}

impl Limits {
    /// Whether one more use granting `amount` fits, given the uses counted
    /// without it: fewer uses than each limit, and the budget left covers the
    /// amount. A reserved use passes this again when its order is paid, under the
    /// promotion's lock, so a use is never confirmed past a limit whatever
    /// happened between reservation and payment (clocks, overdue reservations).
    pub fn admit(&self, counted: PromotionUsage, amount: Money) -> Result<(), LimitReached> {
        if let Some(limit) = self.total_uses {
            if counted.uses >= limit {
                return Err(LimitReached::TotalUses { limit });
            }
        }
        if let Some(limit) = self.uses_per_customer {
            if counted.customer_uses >= limit {
                return Err(LimitReached::UsesPerCustomer { limit });
            }
        }
        if let Some(budget) = self.budget {
            if counted.budget_used.checked_add(amount).is_none_or(|spent| spent > budget) {
                return Err(LimitReached::Budget { budget });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn hours_include_from_exclude_to_and_wrap_past_midnight() {
        let day = HoursWindow { from: t(9, 0), to: t(17, 0) };
        assert!(day.contains(t(9, 0)));
        assert!(day.contains(t(16, 59)));
        assert!(!day.contains(t(17, 0)));
        assert!(!day.contains(t(8, 59)));
        let night = HoursWindow { from: t(22, 0), to: t(2, 0) };
        assert!(night.contains(t(22, 0)));
        assert!(night.contains(t(23, 59)));
        assert!(night.contains(t(0, 0)));
        assert!(night.contains(t(1, 59)));
        assert!(!night.contains(t(2, 0)));
        assert!(!night.contains(t(21, 59)));
    }

    #[test]
    fn a_use_is_admitted_only_within_every_limit() {
        let limits = Limits { total_uses: Some(2), uses_per_customer: Some(1), budget: Some(Money(100)) };
        let used = |uses, customer_uses, budget_used| PromotionUsage { uses, customer_uses, budget_used: Money(budget_used) };
        assert_eq!(limits.admit(used(1, 0, 60), Money(40)), Ok(()));
        assert_eq!(limits.admit(used(2, 0, 0), Money(1)), Err(LimitReached::TotalUses { limit: 2 }));
        assert_eq!(limits.admit(used(1, 1, 0), Money(1)), Err(LimitReached::UsesPerCustomer { limit: 1 }));
        assert_eq!(limits.admit(used(1, 0, 60), Money(41)), Err(LimitReached::Budget { budget: Money(100) }));
        assert_eq!(Limits::default().admit(used(i64::MAX, i64::MAX, i64::MAX), Money(1)), Ok(()));
    }

    #[test]
    fn a_product_set_is_stored_trimmed_and_refusals_name_the_item() {
        let set = ProductSet { skus: vec![" KOPI ".into()], categories: vec!["food".into(), "mi\u{0}num".into()] };
        assert_eq!(set.parsed("reward").unwrap_err().field, "reward.categories[1]");
        let set = ProductSet { skus: vec![" KOPI ".into()], categories: vec![" food ".into()] };
        assert_eq!(set.parsed("conditions").unwrap(), ProductSet { skus: vec!["KOPI".into()], categories: vec!["food".into()] });
        let long = ProductSet { skus: vec!["x".repeat(65)], categories: vec![] };
        assert_eq!(long.parsed("conditions").unwrap_err().code(), "text_too_long");
    }

    #[test]
    fn a_line_matches_by_sku_or_category() {
        let set = ProductSet { skus: vec!["KOPI-1".into()], categories: vec!["roti".into()] };
        assert!(set.matches("KOPI-1", None));
        assert!(set.matches("X", Some("roti")));
        assert!(!set.matches("X", Some("susu")));
        assert!(!set.matches("X", None));
        assert_eq!(normalize_code(" hemat10 "), "HEMAT10");
    }
}
