//! The one pricing function (docs/SPEC.md §1.3, §2.3.1): from a cart at base prices, the
//! customer's facts, the promotions that could apply, their use counts, the
//! store's settings and the time, to the priced cart and its trace. Quote, order
//! creation, recalculation and the simulator all call [`price_cart`]; nothing
//! else computes a discount. No IO, no clock: the caller passes `now`.
//!
//! Where each rule of §2.3.1 lives:
//! - rule 1, eligibility: [`eligibility`];
//! - rule 2, the two candidates and the winner: [`price_cart`] below;
//! - rules 3–5, order of application, rewards and caps: [`application`];
//! - rule 6, allocation: [`crate::allocation`];
//! - rule 7, the trace's words: [`crate::trace`].
//!
//! The promotions passed in are the ones the cart could trigger
//! ([`crate::promotion_index`]); a promotion the cart cannot trigger (none of its
//! products in the cart, a code not entered) is not listed as rejected.

mod application;
mod eligibility;

use crate::money::Money;
use crate::percent::Percent;
use crate::promotion::{Promotion, PromotionUsage, Stacking};
use crate::trace::{Explanation, RejectReason};
use application::{price_candidate, Step};
use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The most units one line may hold, and the largest amount a line or a cart may
/// come to (10^15 minor units). The cart's subtotal is summed with checked
/// arithmetic and then held to `MAX_AMOUNT`; every amount pricing computes after
/// that is a part of the subtotal, so no later sum can leave `i64`.
pub const MAX_QUANTITY: i64 = 1_000_000;
pub const MAX_AMOUNT: i64 = 1_000_000_000_000_000;
/// The most one customer's spending (paid orders net of refunds) may come to
/// (10^18 minor units): payment refuses an order that would pass it, so every SQL
/// sum of a customer's spending stays inside i64 (past it, PostgreSQL's cast and SQLite's SUM fail,
/// and with them every list that includes the customer). Far beyond any store.
pub const MAX_CUSTOMER_SPENDING: i64 = 1_000_000_000_000_000_000;
/// The most lines one cart may have (API.md: 422 `too_many_lines`). Far above any
/// till receipt, and it keeps a priced cart's work and its request body small.
pub const MAX_LINES: usize = 500;

/// A cart line at its base price (catalogue or given unit price).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLine {
    pub sku: String,
    pub category: Option<String>,
    pub unit_price: Money,
    pub quantity: i64,
}

/// The customer's tier when the order was created (docs/SPEC.md §2.2): a fact stored on
/// the order, used for its discount and points even if the tier changes later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierSnapshot {
    pub id: i64,
    pub name: String,
    pub earn_rate_points: i64,
    pub earn_rate_per: i64,
    pub discount: Option<Percent>,
}

impl TierSnapshot {
    /// Points earned on `amount` spent: floor(amount × points / per) (docs/SPEC.md §2.5).
    pub fn points_for(&self, amount: Money) -> i64 {
        if self.earn_rate_per <= 0 || amount.0 <= 0 {
            return 0;
        }
        let p = i128::from(amount.0) * i128::from(self.earn_rate_points) / i128::from(self.earn_rate_per);
        i64::try_from(p).unwrap_or(i64::MAX)
    }
}

/// A customer's personal discount (docs/SPEC.md §2.4), on one product or the whole order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalDiscount {
    pub id: i64,
    pub sku: Option<String>,
    pub percent: Percent,
    pub created_at: DateTime<Utc>,
    /// Exclusive; none = until used or cancelled.
    pub ends_at: Option<DateTime<Utc>>,
}

/// What pricing needs to know about the customer the cart belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomerFacts<'a> {
    /// No earlier order of theirs counts (for `first_order_only`).
    pub first_order: bool,
    /// Their discounts with status `active`; ended ones are skipped here.
    pub personal_discounts: &'a [PersonalDiscount],
}

/// Store settings that pricing reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PricingSettings {
    /// The most of the subtotal all discounts together may take (rule 5).
    pub max_discount_share: Percent,
}

impl Default for PricingSettings {
    fn default() -> Self {
        PricingSettings { max_discount_share: Percent::HUNDRED }
    }
}

static NO_USAGE: BTreeMap<i64, PromotionUsage> = BTreeMap::new();

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricingInput<'a> {
    pub lines: &'a [CartLine],
    /// The order's tier snapshot (its discount is in the combinable set).
    pub tier: Option<&'a TierSnapshot>,
    /// `None` for a cart without a known customer.
    pub customer: Option<CustomerFacts<'a>>,
    /// The promotions the cart could trigger, in any order.
    pub promotions: &'a [&'a Promotion],
    /// Use counts and budget spent per promotion id (absent = none).
    pub usage: &'a BTreeMap<i64, PromotionUsage>,
    /// The code the customer entered, as entered.
    pub coupon_code: Option<&'a str>,
    /// The promotion the entered code belongs to, as the store's code table says
    /// (generated codes live only there). A promotion's shared code also matches
    /// without it.
    pub coupon_promotion_id: Option<i64>,
    pub settings: PricingSettings,
    /// Now, on the store's wall clock (weekdays and hours are read from it).
    pub now: DateTime<FixedOffset>,
    pub shipping: Money,
}

impl<'a> PricingInput<'a> {
    /// A cart with no customer, tier, promotions or shipping.
    pub fn new(lines: &'a [CartLine], now: DateTime<FixedOffset>) -> Self {
        PricingInput {
            lines,
            tier: None,
            customer: None,
            promotions: &[],
            usage: &NO_USAGE,
            coupon_code: None,
            coupon_promotion_id: None,
            settings: PricingSettings::default(),
            now,
            shipping: Money::ZERO,
        }
    }
}

/// A promotion that is not in the priced cart, and why (rules 1, 2, 7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    pub promotion_id: i64,
    pub reason: RejectReason,
}

/// One of rule 2's candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Candidate {
    /// Every applicable combinable promotion, the personal discounts and the tier discount.
    Combinable,
    /// One applicable exclusive promotion alone.
    Exclusive { promotion_id: i64 },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidateOutcome {
    pub candidate: Candidate,
    pub discount: Money,
    pub chosen: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdjustmentSource {
    Promotion,
    CustomerDiscount,
    Tier,
    Points,
}

impl AdjustmentSource {
    pub fn as_str(self) -> &'static str {
        match self {
            AdjustmentSource::Promotion => "promotion",
            AdjustmentSource::CustomerDiscount => "customer_discount",
            AdjustmentSource::Tier => "tier",
            AdjustmentSource::Points => "points",
        }
    }

    pub fn parse(s: &str) -> Option<AdjustmentSource> {
        [Self::Promotion, Self::CustomerDiscount, Self::Tier, Self::Points].into_iter().find(|a| a.as_str() == s)
    }
}

/// One applied reward (rule 7). `line` is set when the reward touched one line
/// only; `per_line` says how its amount was split (rule 6) and adds up to `amount`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adjustment {
    pub source: AdjustmentSource,
    pub promotion_id: Option<i64>,
    pub customer_discount_id: Option<i64>,
    pub code: Option<String>,
    pub line: Option<usize>,
    pub amount: Money,
    pub per_line: Vec<Money>,
    pub explanation: Explanation,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricedLine {
    pub sku: String,
    pub quantity: i64,
    pub unit_price: Money,
    pub base_amount: Money,
    pub discount: Money,
    pub final_amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricedCart {
    pub lines: Vec<PricedLine>,
    pub adjustments: Vec<Adjustment>,
    pub subtotal: Money,
    pub discount_total: Money,
    pub shipping: Money,
    pub total: Money,
    pub points_to_earn: i64,
    /// Promotions considered and not applied, by id.
    pub rejected: Vec<Rejection>,
    /// Rule 2's candidates, the combinable set first, then the exclusives in the
    /// order they win ties.
    pub candidates: Vec<CandidateOutcome>,
}

impl PricedCart {
    /// The promotions the cart got a discount from, by id.
    pub fn applied_promotions(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self.adjustments.iter().filter_map(|a| a.promotion_id).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PricingError {
    #[error("an order needs at least one line")]
    NoLines,
    #[error("a cart has at most {MAX_LINES} lines")]
    TooManyLines,
    #[error("quantity must be a whole number from 1 to {MAX_QUANTITY}")]
    BadQuantity { line: usize },
    #[error("unit price cannot be negative")]
    NegativePrice { line: usize },
    #[error("this line's amount is too large")]
    AmountTooLarge { line: usize },
    #[error("shipping must be from 0 to {MAX_AMOUNT}")]
    BadShipping,
    /// A defect in pricing itself, caught before anything is stored.
    #[error("{0}")]
    Inconsistent(String),
}

/// Prices a cart from base prices (docs/SPEC.md §1.3: never from an earlier result).
pub fn price_cart(input: &PricingInput<'_>) -> Result<PricedCart, PricingError> {
    if input.lines.is_empty() {
        return Err(PricingError::NoLines);
    }
    if input.lines.len() > MAX_LINES {
        return Err(PricingError::TooManyLines);
    }
    if !(0..=MAX_AMOUNT).contains(&input.shipping.0) {
        return Err(PricingError::BadShipping);
    }
    let mut base = Vec::with_capacity(input.lines.len());
    for (i, l) in input.lines.iter().enumerate() {
        if l.quantity < 1 || l.quantity > MAX_QUANTITY {
            return Err(PricingError::BadQuantity { line: i });
        }
        if l.unit_price.0 < 0 {
            return Err(PricingError::NegativePrice { line: i });
        }
        // Keep every sum of lines far inside i64.
        let amount = l.unit_price.0.checked_mul(l.quantity).filter(|a| *a <= MAX_AMOUNT).ok_or(PricingError::AmountTooLarge { line: i })?;
        base.push(Money(amount));
    }
    let subtotal = Money::checked_sum(base.iter().copied())
        .filter(|s| s.0 <= MAX_AMOUNT)
        .ok_or(PricingError::AmountTooLarge { line: input.lines.len() - 1 })?;

    // Rule 1: every promotion considered once, in a fixed order (the result may
    // not depend on the order of the list).
    let mut promotions: Vec<&Promotion> = input.promotions.to_vec();
    promotions.sort_by_key(|p| p.id);
    promotions.dedup_by_key(|p| p.id);
    let usage = |id: i64| input.usage.get(&id).copied().unwrap_or_default();
    let mut rejected = Vec::new();
    let (mut combinable, mut exclusive) = (Vec::new(), Vec::new());
    for p in promotions {
        match eligibility::check(p, input, &base, usage(p.id)) {
            Ok(()) if p.stacking == Stacking::Combinable => combinable.push(p),
            Ok(()) => exclusive.push(p),
            Err(reason) => rejected.push(Rejection { promotion_id: p.id, reason }),
        }
    }

    // Rule 2 (a): the combinable set with the personal and tier discounts.
    let now_utc = input.now.with_timezone(&Utc);
    let mut steps: Vec<Step<'_>> = combinable.iter().map(|p| Step::promotion(p)).collect();
    if let Some(customer) = &input.customer {
        let active = customer.personal_discounts.iter().filter(|d| d.ends_at.is_none_or(|end| now_utc < end));
        steps.extend(active.map(Step::personal));
    }
    if let Some(tier) = input.tier {
        if let Some(percent) = tier.discount {
            steps.push(Step::tier(tier, percent));
        }
    }
    let max_share = input.settings.max_discount_share;
    let combined = price_candidate(input.lines, &base, steps, usage, max_share);
    // Rule 2 (b): each exclusive alone, in the order they win ties: higher
    // priority, then created earlier (then id).
    exclusive.sort_by_key(|p| p.application_key());
    let alone: Vec<_> = exclusive.iter().map(|p| price_candidate(input.lines, &base, vec![Step::promotion(p)], usage, max_share)).collect();
    // The largest final discount wins; on a tie the one listed first.
    let mut winner: Option<usize> = None;
    let mut best = combined.discount;
    for (i, c) in alone.iter().enumerate() {
        if c.discount > best {
            best = c.discount;
            winner = Some(i);
        }
    }

    let mut candidates = vec![CandidateOutcome { candidate: Candidate::Combinable, discount: combined.discount, chosen: winner.is_none() }];
    candidates.extend(exclusive.iter().zip(&alone).enumerate().map(|(i, (p, c))| CandidateOutcome {
        candidate: Candidate::Exclusive { promotion_id: p.id },
        discount: c.discount,
        chosen: winner == Some(i),
    }));
    let why_empty = |c: &application::CandidatePrice, id: i64| {
        if c.given_back.contains(&id) {
            RejectReason::MaxShareReached { percent: max_share }
        } else {
            RejectReason::NothingToDiscount
        }
    };
    for (i, (p, c)) in exclusive.iter().zip(&alone).enumerate() {
        if winner == Some(i) {
            continue;
        }
        let reason = if c.discount == Money::ZERO {
            why_empty(c, p.id)
        } else {
            RejectReason::LostToBetterCandidate { discount: c.discount, winner_discount: best }
        };
        rejected.push(Rejection { promotion_id: p.id, reason });
    }
    let mut adjustments = match winner {
        None => {
            for id in combined.empty.iter().chain(&combined.given_back) {
                rejected.push(Rejection { promotion_id: *id, reason: why_empty(&combined, *id) });
            }
            combined.adjustments
        }
        Some(i) => {
            let winner_promotion_id = exclusive[i].id;
            for p in &combinable {
                let reason = RejectReason::ReplacedByExclusive { winner_promotion_id, discount: combined.discount, winner_discount: best };
                rejected.push(Rejection { promotion_id: p.id, reason });
            }
            alone[i].adjustments.clone()
        }
    };
    rejected.sort_by_key(|r| r.promotion_id);
    // A code promotion applied through one of its generated codes: the trace
    // names that code, not the promotion's shared one.
    let entered = input.coupon_code.map(crate::promotion::normalize_code);
    for a in adjustments.iter_mut().filter(|a| a.promotion_id.is_some() && a.promotion_id == input.coupon_promotion_id) {
        if a.code.as_deref().map(crate::promotion::normalize_code) != entered {
            a.code = entered.clone();
        }
    }

    let mut line_discount = vec![0i64; input.lines.len()];
    for a in &adjustments {
        for (d, m) in line_discount.iter_mut().zip(&a.per_line) {
            // Parts of the subtotal (see MAX_AMOUNT): cannot overflow.
            *d += m.0;
        }
    }
    let lines: Vec<PricedLine> = input
        .lines
        .iter()
        .zip(base.iter().zip(&line_discount))
        .map(|(l, (b, d))| PricedLine {
            sku: l.sku.clone(),
            quantity: l.quantity,
            unit_price: l.unit_price,
            base_amount: *b,
            discount: Money(*d),
            final_amount: Money(b.0 - d),
        })
        .collect();
    let discount_total = Money(line_discount.iter().sum());
    let total = Money(subtotal.0 - discount_total.0 + input.shipping.0);
    let points_to_earn = input.tier.map_or(0, |t| t.points_for(total));
    let priced =
        PricedCart { lines, adjustments, subtotal, discount_total, shipping: input.shipping, total, points_to_earn, rejected, candidates };
    priced.check_totals().map_err(|e| PricingError::Inconsistent(e.to_string()))?;
    Ok(priced)
}

/// A priced cart whose figures do not add up; never stored (docs/SPEC.md §2.8: order
/// total = lines − discounts − points + shipping; points join with the ledger).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("order figures do not add up: {0}")]
pub struct TotalsMismatch(pub String);

impl PricedCart {
    /// Checks, in 128-bit arithmetic so nothing can wrap, that every line's final
    /// amount is its base less its discount (within 0..=base), that the subtotal
    /// and discount total are the sums of the lines, that each adjustment's split
    /// adds up to it, and that total = subtotal − discounts + shipping, within
    /// 0..=[`MAX_AMOUNT`] + shipping. Checked once more before an order is stored.
    pub fn check_totals(&self) -> Result<(), TotalsMismatch> {
        let wide = |m: Money| i128::from(m.0);
        let fail = |what: String| Err(TotalsMismatch(what));
        for (i, l) in self.lines.iter().enumerate() {
            let base = i128::from(l.unit_price.0) * i128::from(l.quantity);
            if wide(l.base_amount) != base || !(0..=base).contains(&wide(l.discount)) || wide(l.final_amount) != base - wide(l.discount) {
                return fail(format!("line {i}"));
            }
        }
        let subtotal: i128 = self.lines.iter().map(|l| wide(l.base_amount)).sum();
        let discount: i128 = self.lines.iter().map(|l| wide(l.discount)).sum();
        if wide(self.subtotal) != subtotal || subtotal > i128::from(MAX_AMOUNT) {
            return fail(format!("subtotal {} is not the sum of the lines {subtotal}", self.subtotal.0));
        }
        if wide(self.discount_total) != discount {
            return fail(format!("discount total {} is not the sum of the line discounts {discount}", self.discount_total.0));
        }
        for a in &self.adjustments {
            if a.per_line.iter().map(|m| wide(*m)).sum::<i128>() != wide(a.amount) {
                return fail("an adjustment's split does not add up to it".into());
            }
        }
        if wide(self.total) != subtotal - discount + wide(self.shipping) || self.total.0 < 0 {
            return fail(format!("total {} is not subtotal − discounts + shipping", self.total.0));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
