//! A promotion as marketing defines it, and the rules that check a definition
//! before it is stored (docs/SPEC.md §2.3): the text rule for its names and codes,
//! what needs more than one field, how a reward is read, ISO weekday numbers.
//! Whether its SKUs, categories and tiers exist is the store's to say (backend).

use crate::promotion::{Conditions, Limits, ProductSet, PromotionKind, Reward, Stacking};
use crate::text;
use crate::{Invalid, Money, Percent};
use chrono::{DateTime, NaiveTime, Utc, Weekday};

/// A promotion as marketing defines it (everything but id, status and times).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromotionDefinition {
    pub name: String,
    pub description: String,
    pub kind: PromotionKind,
    pub code: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub priority: i32,
    pub stacking: Stacking,
    pub conditions: Conditions,
    pub reward: Reward,
    pub max_discount: Option<Money>,
    pub limits: Limits,
}

impl PromotionDefinition {
    /// The definition as stored: text by the one text rule, then every check that
    /// needs no database; the first failure names its field.
    pub fn parse(self) -> Result<PromotionDefinition, Invalid> {
        let parsed = parse_text(self)?;
        validate(&parsed)?;
        Ok(parsed)
    }
}

/// The largest amount a promotion may name (as a line's, see `pricing::MAX_AMOUNT`).
const MAX_AMOUNT: i64 = crate::pricing::MAX_AMOUNT;

/// The text fields as stored, by the one text rule (`setia_domain::text`).
fn parse_text(mut input: PromotionDefinition) -> Result<PromotionDefinition, Invalid> {
    input.name = text::parse_name(&input.name)?;
    input.description = text::DESCRIPTION.parse("description", &input.description).map_err(Invalid::from)?;
    input.code = text::CODE.parse_optional("code", input.code.as_deref()).map_err(Invalid::from)?;
    input.conditions.products = std::mem::take(&mut input.conditions.products).parsed("conditions").map_err(Invalid::from)?;
    if let Some(target) = input.reward.own_target_mut() {
        *target = std::mem::take(target).parsed("reward").map_err(Invalid::from)?;
    }
    Ok(input)
}

/// Checks what needs more than one field; the database checks come in `save`.
fn validate(input: &PromotionDefinition) -> Result<(), Invalid> {
    match (input.kind, input.code.as_deref()) {
        (PromotionKind::Code, Some(code))
            if code.len() > 64 || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') =>
        {
            return Err(Invalid::new("code", "invalid_code", "a code is up to 64 letters, digits, - or _"))
        }
        (PromotionKind::Automatic, Some(_)) => {
            return Err(Invalid::new("code", "code_not_allowed", "only a promotion of kind code has a code"))
        }
        _ => {}
    }
    if let (Some(s), Some(e)) = (input.starts_at, input.ends_at) {
        if e <= s {
            return Err(Invalid::new("ends_at", "ends_before_start", "ends_at must be after starts_at"));
        }
    }
    let c = &input.conditions;
    if c.min_subtotal.is_some_and(|m| m.0 < 0 || m.0 > MAX_AMOUNT) {
        return Err(Invalid::new("conditions.min_subtotal", "invalid_amount", "min_subtotal must be from 0"));
    }
    if c.min_quantity.is_some_and(|q| q < 1) {
        return Err(Invalid::new("conditions.min_quantity", "invalid_quantity", "min_quantity must be at least 1"));
    }
    let positive = |field: &str, m: Option<Money>| match m {
        Some(m) if m.0 < 1 || m.0 > MAX_AMOUNT => Err(Invalid::new(field, "invalid_amount", format!("{field} must be a positive amount"))),
        _ => Ok(()),
    };
    match &input.reward {
        Reward::FixedOrder { amount } | Reward::FixedItems { amount, .. } => positive("reward.value", Some(*amount))?,
        Reward::BuyXGetY { buy, get, .. } => {
            if *buy < 1 || *buy > 1_000 {
                return Err(Invalid::new("reward.buy", "invalid_quantity", "buy must be from 1 to 1000"));
            }
            if *get < 1 || *get > 1_000 {
                return Err(Invalid::new("reward.get", "invalid_quantity", "get must be from 1 to 1000"));
            }
        }
        Reward::PercentOrder { .. } | Reward::PercentItems { .. } => {}
    }
    positive("max_discount", input.max_discount)?;
    positive("limits.budget", input.limits.budget)?;
    for (field, n) in [("limits.total_uses", input.limits.total_uses), ("limits.uses_per_customer", input.limits.uses_per_customer)] {
        if n.is_some_and(|n| n < 1) {
            return Err(Invalid::new(field, "invalid_limit", format!("{field} must be at least 1")));
        }
    }
    Ok(())
}

/// A reward as sent: its type, its value as decimal text (a percent or an amount
/// in minor units), buy/get counts and the products it works on.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RewardDraft {
    pub kind: String,
    pub value: Option<String>,
    pub buy: Option<i64>,
    pub get: Option<i64>,
    pub target: ProductSet,
}

/// Reads a reward. An order reward works on every line, so it cannot name products
/// (`not_for_order_reward`: name them in the conditions instead).
pub fn parse_reward(r: RewardDraft) -> Result<Reward, Invalid> {
    let value = |what: &str| {
        r.value.as_deref().ok_or_else(|| Invalid::new("reward.value", "value_required", format!("reward.value is the {what}")))
    };
    let percent = |v: &str| Percent::parse(v).map_err(|e| Invalid::new("reward.value", "invalid_percent", e.to_string()));
    let amount = |v: &str| match v.parse::<i64>() {
        Ok(a) if a > 0 => Ok(Money(a)),
        _ => Err(Invalid::new("reward.value", "invalid_amount", "reward.value must be a whole positive amount in minor units")),
    };
    let target = r.target.clone();
    Ok(match r.kind.as_str() {
        "percent_order" | "fixed_order" if !target.is_empty() => {
            let field = if target.skus.is_empty() { "reward.categories" } else { "reward.skus" };
            return Err(Invalid::new(field, "not_for_order_reward", "an order reward works on every line; name products in conditions"));
        }
        "percent_order" => Reward::PercentOrder { percent: percent(value("percent")?)? },
        "fixed_order" => Reward::FixedOrder { amount: amount(value("amount")?)? },
        "percent_items" => Reward::PercentItems { percent: percent(value("percent")?)?, target },
        "fixed_items" => Reward::FixedItems { amount: amount(value("amount")?)?, target },
        "buy_x_get_y" => Reward::BuyXGetY {
            buy: r.buy.ok_or_else(|| Invalid::new("reward.buy", "buy_required", "buy_x_get_y needs buy"))?,
            get: r.get.ok_or_else(|| Invalid::new("reward.get", "get_required", "buy_x_get_y needs get"))?,
            percent: match r.value.as_deref() {
                Some(v) => percent(v)?,
                None => Percent::HUNDRED,
            },
            target,
        },
        _ => {
            return Err(Invalid::new(
                "reward.type",
                "invalid_reward_type",
                "reward.type is percent_order, fixed_order, percent_items, fixed_items or buy_x_get_y",
            ))
        }
    })
}

/// ISO weekday number (Monday = 1) to a weekday.
pub fn weekday_from_number(n: u8) -> Option<Weekday> {
    match n {
        1 => Some(Weekday::Mon),
        2 => Some(Weekday::Tue),
        3 => Some(Weekday::Wed),
        4 => Some(Weekday::Thu),
        5 => Some(Weekday::Fri),
        6 => Some(Weekday::Sat),
        7 => Some(Weekday::Sun),
        _ => None,
    }
}

/// A weekday's ISO number (Monday = 1).
pub fn weekday_number(day: Weekday) -> u8 {
    day.number_from_monday() as u8
}

/// A time of day as `08:30` (two digits each).
pub fn parse_hhmm(field: &str, raw: &str) -> Result<NaiveTime, Invalid> {
    let ok = raw.len() == 5 && raw.as_bytes()[2] == b':';
    ok.then(|| NaiveTime::parse_from_str(raw, "%H:%M").ok())
        .flatten()
        .ok_or_else(|| Invalid::new(field, "invalid_time", format!("{field} must be a time like 08:30")))
}
