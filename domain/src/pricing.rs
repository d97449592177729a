//! The one pricing function (SPEC §1.3, §2.3.1): from a cart at base prices and
//! the customer's facts to the priced cart and its discount trace. Quote,
//! order creation and recalculation all call [`price_cart`]; nothing else
//! computes a discount.
//!
//! Today it applies the order's tier snapshot discount (rule 3: an order reward,
//! percent off order, applied last). The promotions engine (issue 6) extends this
//! same function with the other candidates and rewards.

use crate::allocation::{allocate, percent_of, AllocLine};
use crate::money::Money;
use crate::percent::Percent;
use crate::trace::Explanation;
use serde::{Deserialize, Serialize};

/// The most units one line may hold, and the largest amount a line or a cart may
/// come to (10^15 minor units), so every sum stays far from overflow.
pub const MAX_QUANTITY: i64 = 1_000_000;
pub const MAX_AMOUNT: i64 = 1_000_000_000_000_000;

/// A cart line at its base price (catalogue or given unit price).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLine {
    pub sku: String,
    pub category: Option<String>,
    pub unit_price: Money,
    pub quantity: i64,
}

/// The customer's tier when the order was created (SPEC §2.2): a fact stored on
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
    /// Points earned on `amount` spent: floor(amount × points / per) (SPEC §2.5).
    pub fn points_for(&self, amount: Money) -> i64 {
        if self.earn_rate_per <= 0 || amount.0 <= 0 {
            return 0;
        }
        let p = i128::from(amount.0) * i128::from(self.earn_rate_points) / i128::from(self.earn_rate_per);
        i64::try_from(p).unwrap_or(i64::MAX)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricingInput<'a> {
    pub lines: &'a [CartLine],
    pub tier: Option<&'a TierSnapshot>,
    pub shipping: Money,
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
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PricingError {
    #[error("an order needs at least one line")]
    NoLines,
    #[error("quantity must be a whole number from 1 to {MAX_QUANTITY}")]
    BadQuantity { line: usize },
    #[error("unit price cannot be negative")]
    NegativePrice { line: usize },
    #[error("this line's amount is too large")]
    AmountTooLarge { line: usize },
    #[error("shipping must be from 0 to {MAX_AMOUNT}")]
    BadShipping,
}

/// Prices a cart from base prices (SPEC §1.3: never from an earlier result).
pub fn price_cart(input: &PricingInput<'_>) -> Result<PricedCart, PricingError> {
    if input.lines.is_empty() {
        return Err(PricingError::NoLines);
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
    let subtotal = Money(base.iter().map(|m| m.0).sum());
    if subtotal.0 > MAX_AMOUNT {
        return Err(PricingError::AmountTooLarge { line: input.lines.len() - 1 });
    }
    let mut remaining = base.clone();
    let mut adjustments = Vec::new();

    // Rule 3: order rewards after item rewards; the tier discount is the last of them.
    if let Some(tier) = input.tier {
        if let Some(percent) = tier.discount {
            let left = Money(remaining.iter().map(|m| m.0).sum());
            let amount = percent_of(left, percent);
            if let Some(adj) = apply_to_lines(input.lines, &mut remaining, amount, |per_line| Adjustment {
                source: AdjustmentSource::Tier,
                promotion_id: None,
                customer_discount_id: None,
                code: None,
                line: None,
                amount,
                per_line,
                explanation: Explanation::TierDiscount { tier: tier.name.clone(), percent, base: left },
            }) {
                adjustments.push(adj);
            }
        }
    }

    let lines: Vec<PricedLine> = input
        .lines
        .iter()
        .zip(base.iter().zip(&remaining))
        .map(|(l, (b, r))| PricedLine {
            sku: l.sku.clone(),
            quantity: l.quantity,
            unit_price: l.unit_price,
            base_amount: *b,
            discount: Money(b.0 - r.0),
            final_amount: *r,
        })
        .collect();
    let discount_total = Money(lines.iter().map(|l| l.discount.0).sum());
    let total = Money(subtotal.0 - discount_total.0 + input.shipping.0);
    let points_to_earn = input.tier.map_or(0, |t| t.points_for(total));
    Ok(PricedCart { lines, adjustments, subtotal, discount_total, shipping: input.shipping, total, points_to_earn })
}

/// Allocates `amount` over the lines' remaining amounts (rule 6), takes it off,
/// and builds the adjustment; `None` when nothing was taken.
fn apply_to_lines(
    lines: &[CartLine],
    remaining: &mut [Money],
    amount: Money,
    build: impl FnOnce(Vec<Money>) -> Adjustment,
) -> Option<Adjustment> {
    let alloc: Vec<AllocLine<'_>> = lines
        .iter()
        .zip(remaining.iter())
        .map(|(l, r)| AllocLine { remaining: *r, sku: &l.sku, unit_price: l.unit_price, quantity: l.quantity })
        .collect();
    let shares = allocate(amount, &alloc);
    let taken: i64 = shares.iter().map(|s| s.0).sum();
    if taken == 0 {
        return None;
    }
    for (r, s) in remaining.iter_mut().zip(&shares) {
        r.0 -= s.0;
    }
    let mut adj = build(shares.clone());
    adj.amount = Money(taken);
    let touched: Vec<usize> = shares.iter().enumerate().filter(|(_, s)| s.0 > 0).map(|(i, _)| i).collect();
    if touched.len() == 1 {
        adj.line = Some(touched[0]);
    }
    Some(adj)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn line(sku: &str, price: i64, qty: i64) -> CartLine {
        CartLine { sku: sku.into(), category: None, unit_price: Money(price), quantity: qty }
    }

    fn gold(percent: Option<&str>) -> TierSnapshot {
        TierSnapshot {
            id: 2,
            name: "Gold".into(),
            earn_rate_points: 1,
            earn_rate_per: 10_000,
            discount: percent.map(|p| Percent::parse(p).unwrap()),
        }
    }

    #[test]
    fn without_a_tier_the_cart_is_its_base_prices() {
        let lines = [line("KOPI", 25_000, 2), line("ROTI", 15_500, 1)];
        let p = price_cart(&PricingInput { lines: &lines, tier: None, shipping: Money(10_000) }).unwrap();
        assert_eq!(p.subtotal, Money(65_500));
        assert_eq!(p.discount_total, Money::ZERO);
        assert_eq!(p.total, Money(75_500));
        assert!(p.adjustments.is_empty());
        assert_eq!(p.points_to_earn, 0);
    }

    #[test]
    fn tier_discount_is_a_percent_off_the_order_allocated_over_lines() {
        let lines = [line("KOPI", 25_000, 2), line("ROTI", 15_500, 1)];
        let tier = gold(Some("5"));
        let p = price_cart(&PricingInput { lines: &lines, tier: Some(&tier), shipping: Money::ZERO }).unwrap();
        // 5 % of 65.500 = 3.275, split 50.000 : 15.500 -> 2.500,38… : 775,19… -> 2.500 + 775
        assert_eq!(p.discount_total, Money(3_275));
        assert_eq!(p.lines[0].discount, Money(2_500));
        assert_eq!(p.lines[1].discount, Money(775));
        assert_eq!(p.adjustments.len(), 1);
        assert_eq!(p.adjustments[0].source, AdjustmentSource::Tier);
        assert_eq!(p.adjustments[0].amount, Money(3_275));
        assert_eq!(p.adjustments[0].line, None);
        assert_eq!(p.total, Money(62_225));
        assert_eq!(p.points_to_earn, 6, "floor(62.225 × 1 / 10.000)");
    }

    #[test]
    fn a_single_line_reward_names_its_line() {
        let lines = [line("KOPI", 10_000, 1)];
        let tier = gold(Some("10"));
        let p = price_cart(&PricingInput { lines: &lines, tier: Some(&tier), shipping: Money::ZERO }).unwrap();
        assert_eq!(p.adjustments[0].line, Some(0));
        assert_eq!(p.total, Money(9_000));
    }

    #[test]
    fn a_hundred_percent_tier_discount_leaves_nothing_not_one_rupiah() {
        let lines = [line("A", 3_333, 3), line("B", 1, 1)];
        let tier = gold(Some("100"));
        let p = price_cart(&PricingInput { lines: &lines, tier: Some(&tier), shipping: Money::ZERO }).unwrap();
        assert_eq!(p.total, Money::ZERO);
        assert!(p.lines.iter().all(|l| l.final_amount == Money::ZERO));
    }

    #[test]
    fn refuses_bad_lines_naming_them() {
        let bad_qty = [line("A", 1_000, 1), line("B", 1_000, 0)];
        assert_eq!(price_cart(&PricingInput { lines: &bad_qty, tier: None, shipping: Money::ZERO }), Err(PricingError::BadQuantity { line: 1 }));
        let negative = [line("A", -1, 1)];
        assert_eq!(price_cart(&PricingInput { lines: &negative, tier: None, shipping: Money::ZERO }), Err(PricingError::NegativePrice { line: 0 }));
        let huge = [line("A", i64::MAX / 2, 3)];
        assert_eq!(price_cart(&PricingInput { lines: &huge, tier: None, shipping: Money::ZERO }), Err(PricingError::AmountTooLarge { line: 0 }));
        assert_eq!(price_cart(&PricingInput { lines: &[], tier: None, shipping: Money::ZERO }), Err(PricingError::NoLines));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        /// Line discounts add up to the adjustment and the order discount; no line
        /// below zero; pricing the result's base again gives the same result.
        #[test]
        fn discounts_add_up_and_repricing_changes_nothing(
            spec in proptest::collection::vec((0i64..2_000_000, 1i64..20, 0u8..5), 1..15),
            bp in 1u32..=10_000,
            shipping in 0i64..100_000,
        ) {
            let lines: Vec<CartLine> = spec.iter().map(|(p, q, s)| line(&format!("SKU-{s}"), *p, *q)).collect();
            let tier = TierSnapshot { discount: Some(Percent::from_basis_points(bp).unwrap()), ..gold(None) };
            let input = PricingInput { lines: &lines, tier: Some(&tier), shipping: Money(shipping) };
            let p = price_cart(&input).unwrap();
            let line_sum: i64 = p.lines.iter().map(|l| l.discount.0).sum();
            let adj_sum: i64 = p.adjustments.iter().map(|a| a.amount.0).sum();
            prop_assert_eq!(line_sum, p.discount_total.0);
            prop_assert_eq!(adj_sum, p.discount_total.0);
            for a in &p.adjustments {
                prop_assert_eq!(a.per_line.iter().map(|m| m.0).sum::<i64>(), a.amount.0);
            }
            for l in &p.lines {
                prop_assert!(l.final_amount.0 >= 0);
                prop_assert_eq!(l.base_amount.0 - l.discount.0, l.final_amount.0);
            }
            prop_assert_eq!(p.total.0, p.subtotal.0 - p.discount_total.0 + shipping);
            prop_assert_eq!(price_cart(&input).unwrap(), p);
        }
    }
}
