//! docs/SPEC.md §2.3.1 rule 1 — eligibility. A promotion is applicable when it is
//! active, within its dates, its weekday/hour window (store time zone), its
//! limits and budget not exhausted, and all its conditions hold on base amounts.

use super::PricingInput;
use crate::money::Money;
use crate::promotion::{normalize_code, Promotion, PromotionKind, PromotionStatus, PromotionUsage};
use crate::trace::RejectReason;
use chrono::{Datelike, Utc};

/// Checks rule 1 for one promotion; the first condition that fails is the reason.
pub(super) fn check(p: &Promotion, input: &PricingInput<'_>, base: &[Money], usage: PromotionUsage) -> Result<(), RejectReason> {
    if p.status != PromotionStatus::Active {
        return Err(RejectReason::NotActive);
    }
    if p.kind == PromotionKind::Code {
        let entered = input.coupon_code.map(normalize_code);
        let own = p.code.as_deref().map(normalize_code);
        let shared = entered.is_some() && entered == own;
        if !shared && input.coupon_promotion_id != Some(p.id) {
            return Err(RejectReason::CodeNotEntered);
        }
    }
    // Dates: `starts_at` inclusive, `ends_at` exclusive.
    let now = input.now.with_timezone(&Utc);
    if let Some(starts_at) = p.starts_at {
        if now < starts_at {
            return Err(RejectReason::NotStarted { starts_at });
        }
    }
    if let Some(ends_at) = p.ends_at {
        if now >= ends_at {
            return Err(RejectReason::Ended { ends_at });
        }
    }
    // Weekdays and hours on the store's wall clock (`now` carries its offset).
    let local = input.now.naive_local();
    if !p.conditions.weekdays.is_empty() && !p.conditions.weekdays.contains(&local.weekday()) {
        return Err(RejectReason::WrongWeekday);
    }
    if let Some(hours) = p.conditions.hours {
        if !hours.contains(local.time()) {
            return Err(RejectReason::OutsideHours { from: hours.from, to: hours.to });
        }
    }
    // Limits, from the use rows the caller counted.
    if let Some(limit) = p.limits.total_uses {
        if usage.uses >= limit {
            return Err(RejectReason::UsesExhausted { limit });
        }
    }
    if let Some(limit) = p.limits.uses_per_customer {
        // An anonymous cart could take a per-customer promotion again and again.
        if input.customer.is_none() {
            return Err(RejectReason::NeedsCustomer);
        }
        if usage.customer_uses >= limit {
            return Err(RejectReason::CustomerUsesExhausted { limit });
        }
    }
    if let Some(budget) = p.limits.budget {
        if usage.budget_used >= budget {
            return Err(RejectReason::BudgetExhausted { budget });
        }
    }
    // Conditions.
    let c = &p.conditions;
    if !c.tier_ids.is_empty() && !input.tier.is_some_and(|t| c.tier_ids.contains(&t.id)) {
        return Err(RejectReason::TierNotEligible);
    }
    if c.first_order_only {
        match &input.customer {
            None => return Err(RejectReason::NeedsCustomer),
            Some(customer) if !customer.first_order => return Err(RejectReason::NotFirstOrder),
            Some(_) => {}
        }
    }
    // When conditions name products, the thresholds count only the matching lines.
    let (mut lines, mut subtotal, mut quantity) = (0usize, 0i64, 0i64);
    for (l, b) in input.lines.iter().zip(base) {
        if c.products.is_empty() || c.products.matches(&l.sku, l.category.as_deref()) {
            lines += 1;
            subtotal += b.0;
            quantity += l.quantity;
        }
    }
    if lines == 0 {
        return Err(RejectReason::NoMatchingProduct);
    }
    if let Some(min) = c.min_subtotal {
        if subtotal < min.0 {
            return Err(RejectReason::BelowMinSubtotal { min, have: Money(subtotal) });
        }
    }
    if let Some(min) = c.min_quantity {
        if quantity < min {
            return Err(RejectReason::BelowMinQuantity { min, have: quantity });
        }
    }
    Ok(())
}
