//! docs/SPEC.md §2.3.1 rules 3–5 inside one candidate: the rewards in their fixed order,
//! each on what the rewards before it left (rule 3), computed as rule 4 says,
//! capped by rule 5, and split over lines by rule 6 ([`crate::allocation`]).
//!
//! A line's units are kept as groups of equal units (`Group`): buy X get Y
//! splits a line into the units it left alone, the units it counted as bought
//! and the units it made free, so a later fixed-per-unit reward takes at most
//! each unit's own remaining amount, and a unit serves one buy-X-get-Y only.

use super::{Adjustment, AdjustmentSource, CartLine, PersonalDiscount, TierSnapshot};
use crate::allocation::{allocate, percent_of, AllocLine};
use crate::money::Money;
use crate::percent::Percent;
use crate::promotion::{ProductSet, Promotion, PromotionKind, PromotionUsage, Reward, RewardStage};
use crate::trace::{CapApplied, Explanation, RewardWords};
use chrono::{DateTime, Utc};
use std::cmp::Reverse;

/// Where a reward comes from.
#[derive(Debug, Clone, Copy)]
pub(super) enum Source<'a> {
    Promotion(&'a Promotion),
    Personal(&'a PersonalDiscount),
    Tier(&'a TierSnapshot, Percent),
}

/// One reward to apply, with the kind that places it in rule 3's order.
#[derive(Debug, Clone, Copy)]
pub(super) struct Step<'a> {
    stage: RewardStage,
    source: Source<'a>,
}

impl<'a> Step<'a> {
    pub(super) fn promotion(p: &'a Promotion) -> Step<'a> {
        Step { stage: p.reward.stage(), source: Source::Promotion(p) }
    }

    /// A personal discount on a product counts as percent off items; on the
    /// whole order, as percent off order (rule 3).
    pub(super) fn personal(d: &'a PersonalDiscount) -> Step<'a> {
        let stage = if d.sku.is_some() { RewardStage::PercentItems } else { RewardStage::PercentOrder };
        Step { stage, source: Source::Personal(d) }
    }

    /// The tier discount counts as percent off order, applied last of its kind.
    pub(super) fn tier(t: &'a TierSnapshot, percent: Percent) -> Step<'a> {
        Step { stage: RewardStage::PercentOrder, source: Source::Tier(t, percent) }
    }

    /// Rule 3: by kind; within a kind promotions by priority (larger first), then
    /// created earlier, then id; personal discounts after them; the tier last.
    fn order_key(&self) -> (RewardStage, u8, Reverse<i32>, DateTime<Utc>, i64) {
        match self.source {
            Source::Promotion(p) => (self.stage, 0, Reverse(p.priority), p.created_at, p.id),
            Source::Personal(d) => (self.stage, 1, Reverse(0), d.created_at, d.id),
            Source::Tier(t, _) => (self.stage, 2, Reverse(0), DateTime::<Utc>::MIN_UTC, t.id),
        }
    }

    pub(super) fn promotion_id(&self) -> Option<i64> {
        match self.source {
            Source::Promotion(p) => Some(p.id),
            _ => None,
        }
    }
}

/// Units of one line that have been treated alike so far.
#[derive(Debug, Clone, Copy)]
struct Group {
    count: i64,
    /// What is left of these units together.
    remaining: i64,
    /// Taken by a buy-X-get-Y reward, as a bought or a free unit.
    in_bxgy: bool,
}

struct CartState<'a> {
    lines: &'a [CartLine],
    groups: Vec<Vec<Group>>,
}

/// A reward's amount per line and group, before it is taken off.
type Shares = Vec<Vec<i64>>;

impl<'a> CartState<'a> {
    fn new(lines: &'a [CartLine], base: &[Money]) -> Self {
        let groups = lines.iter().zip(base).map(|(l, b)| vec![Group { count: l.quantity, remaining: b.0, in_bxgy: false }]).collect();
        CartState { lines, groups }
    }

    fn line_remaining(&self, i: usize) -> i64 {
        self.groups[i].iter().map(|g| g.remaining).sum()
    }

    fn zero_shares(&self) -> Shares {
        self.groups.iter().map(|g| vec![0; g.len()]).collect()
    }

    fn alloc_line(&self, i: usize, weight: i64) -> AllocLine<'a> {
        let l = &self.lines[i];
        AllocLine { remaining: Money(weight), sku: &l.sku, unit_price: l.unit_price, quantity: l.quantity }
    }

    /// Splits `amount` over lines by `line_weight` (rule 6), then each line's
    /// share over its groups by `group_weight`, the same way.
    fn spread(&self, amount: i64, line_weight: impl Fn(usize) -> i64, group_weight: impl Fn(usize, usize) -> i64) -> Shares {
        let lines: Vec<AllocLine<'_>> = (0..self.lines.len()).map(|i| self.alloc_line(i, line_weight(i))).collect();
        let per_line = allocate(Money(amount), &lines);
        per_line
            .iter()
            .enumerate()
            .map(|(i, share)| {
                if self.groups[i].len() == 1 {
                    // Most lines are one group: the line's share is the group's.
                    return vec![share.0];
                }
                let l = &self.lines[i];
                let groups: Vec<AllocLine<'_>> = (0..self.groups[i].len())
                    .map(|g| AllocLine {
                        remaining: Money(group_weight(i, g)),
                        sku: &l.sku,
                        unit_price: l.unit_price,
                        quantity: self.groups[i][g].count,
                    })
                    .collect();
                allocate(*share, &groups).into_iter().map(|m| m.0).collect()
            })
            .collect()
    }

    /// Percent off the remaining amount of the targeted lines, rounded once (rule 4).
    fn percent_off(&self, targeted: &[bool], percent: Percent) -> (Shares, Money) {
        let base: i64 = (0..self.lines.len()).filter(|&i| targeted[i]).map(|i| self.line_remaining(i)).sum();
        let amount = percent_of(Money(base), percent).0;
        let shares = self.spread(amount, |i| if targeted[i] { self.line_remaining(i) } else { 0 }, |i, g| self.groups[i][g].remaining);
        (shares, Money(base))
    }

    /// `value` off each targeted unit, at most the unit's remaining amount (rule 4).
    fn fixed_off_each_unit(&self, targeted: &[bool], value: Money) -> (Shares, Money) {
        let mut shares = self.zero_shares();
        let mut base = 0;
        for (i, groups) in self.groups.iter().enumerate().filter(|(i, _)| targeted[*i]) {
            for (g, group) in groups.iter().enumerate() {
                let most = i128::from(value.0) * i128::from(group.count);
                shares[i][g] = i64::try_from(most.min(i128::from(group.remaining))).unwrap_or(group.remaining);
                base += group.remaining;
            }
        }
        (shares, Money(base))
    }

    /// `value` once, at most what is left of the order, split by rule 6.
    fn fixed_off_order(&self, value: Money) -> (Shares, Money) {
        let left: i64 = (0..self.lines.len()).map(|i| self.line_remaining(i)).sum();
        let shares = self.spread(value.0.min(left), |i| self.line_remaining(i), |i, g| self.groups[i][g].remaining);
        (shares, Money(left))
    }

    /// Buy X get Y (rule 4): among the targeted units no other buy-X-get-Y has
    /// taken, every full group of X + Y units makes Y units `percent` off; the
    /// free units are the cheapest, the bought ones the most expensive (ties by
    /// SKU, then the larger line). Units of lines with the same SKU are pooled.
    fn buy_x_get_y(&mut self, targeted: &[bool], buy: i64, get: i64, percent: Percent) -> (Shares, Money) {
        let mut available: Vec<(usize, usize)> = Vec::new();
        for (i, groups) in self.groups.iter().enumerate().filter(|(i, _)| targeted[*i]) {
            for (g, group) in groups.iter().enumerate() {
                if !group.in_bxgy && group.count > 0 {
                    available.push((i, g));
                }
            }
        }
        let lines = self.lines;
        available.sort_by(|a, b| {
            let (la, lb) = (&lines[a.0], &lines[b.0]);
            lb.unit_price.cmp(&la.unit_price).then(la.sku.cmp(&lb.sku)).then(lb.quantity.cmp(&la.quantity)).then(a.cmp(b))
        });
        let units: i64 = available.iter().map(|&(i, g)| self.groups[i][g].count).sum();
        let sets = units / (buy + get);
        if sets == 0 {
            return (self.zero_shares(), Money::ZERO);
        }
        // (line, group, bought, free)
        let mut taken: Vec<(usize, usize, i64, i64)> = available.iter().map(|&(i, g)| (i, g, 0, 0)).collect();
        let mut to_buy = sets * buy;
        for t in taken.iter_mut() {
            let n = self.groups[t.0][t.1].count.min(to_buy);
            t.2 = n;
            to_buy -= n;
        }
        let mut to_free = sets * get;
        for t in taken.iter_mut().rev() {
            let n = (self.groups[t.0][t.1].count - t.2).min(to_free);
            t.3 = n;
            to_free -= n;
        }
        // Split each touched group into the units left alone, bought and free.
        let mut free_groups: Vec<(usize, usize)> = Vec::new();
        for &(i, g, bought, free) in taken.iter().filter(|t| t.2 > 0 || t.3 > 0) {
            let price = lines[i].unit_price.0;
            let group = &mut self.groups[i][g];
            debug_assert_eq!(group.remaining, group.count * price, "buy X get Y runs before any other reward");
            group.count -= bought + free;
            group.remaining = group.count * price;
            if bought > 0 {
                self.groups[i].push(Group { count: bought, remaining: bought * price, in_bxgy: true });
            }
            if free > 0 {
                self.groups[i].push(Group { count: free, remaining: free * price, in_bxgy: true });
                free_groups.push((i, self.groups[i].len() - 1));
            }
        }
        let is_free = |i: usize, g: usize| free_groups.contains(&(i, g));
        let free_value: i64 = free_groups.iter().map(|&(i, g)| self.groups[i][g].remaining).sum();
        let amount = percent_of(Money(free_value), percent).0;
        // The discount stays on the free units' lines.
        let line_free = |i: usize| free_groups.iter().filter(|f| f.0 == i).map(|&(i, g)| self.groups[i][g].remaining).sum::<i64>();
        let shares = self.spread(amount, line_free, |i, g| if is_free(i, g) { self.groups[i][g].remaining } else { 0 });
        (shares, Money(free_value))
    }

    fn take(&mut self, shares: &Shares) {
        for (groups, line) in self.groups.iter_mut().zip(shares) {
            for (group, s) in groups.iter_mut().zip(line) {
                group.remaining -= s;
                debug_assert!(group.remaining >= 0);
            }
        }
    }
}

/// Rule 5's cap on one reward: spread `cap` over lines in proportion to what
/// each would have got uncapped, and within a line over its groups likewise.
fn cap_shares(state: &CartState<'_>, shares: &Shares, cap: i64) -> Shares {
    state.spread(cap, |i| shares[i].iter().sum(), |i, g| shares[i][g])
}

/// Which lines a reward works on (rule 4).
fn targeted(lines: &[CartLine], set: Option<&ProductSet>) -> Vec<bool> {
    lines.iter().map(|l| set.is_none_or(|s| s.matches(&l.sku, l.category.as_deref()))).collect()
}

fn words(reward: &Reward) -> RewardWords {
    match reward {
        Reward::PercentOrder { percent } => RewardWords::PercentOrder { percent: *percent },
        Reward::FixedOrder { amount } => RewardWords::FixedOrder { amount: *amount },
        Reward::PercentItems { percent, .. } => RewardWords::PercentItems { percent: *percent },
        Reward::FixedItems { amount, .. } => RewardWords::FixedItems { amount: *amount },
        Reward::BuyXGetY { buy, get, percent, .. } => RewardWords::BuyXGetY { buy: *buy, get: *get, percent: *percent },
    }
}

/// A candidate priced: its adjustments in the order applied, and what happened
/// to each of its promotions.
#[derive(Debug, Clone)]
pub(super) struct CandidatePrice {
    pub adjustments: Vec<Adjustment>,
    pub discount: Money,
    /// Promotions whose reward found nothing to discount.
    pub empty: Vec<i64>,
    /// Promotions whose whole reward went back under the maximum share.
    pub given_back: Vec<i64>,
}

/// Prices one candidate (rules 3–6) from base amounts.
pub(super) fn price_candidate(
    lines: &[CartLine],
    base: &[Money],
    mut steps: Vec<Step<'_>>,
    usage: impl Fn(i64) -> PromotionUsage,
    max_share: Percent,
) -> CandidatePrice {
    steps.sort_by_key(Step::order_key);
    let mut state = CartState::new(lines, base);
    let mut adjustments = Vec::new();
    let mut empty = Vec::new();
    let every_line = vec![true; lines.len()];
    for step in &steps {
        let (shares, explanation, cap) = match step.source {
            Source::Promotion(p) => {
                let target = targeted(lines, p.item_target());
                let (shares, base) = match &p.reward {
                    Reward::BuyXGetY { buy, get, percent, .. } => state.buy_x_get_y(&target, *buy, *get, *percent),
                    Reward::PercentItems { percent, .. } => state.percent_off(&target, *percent),
                    Reward::FixedItems { amount, .. } => state.fixed_off_each_unit(&target, *amount),
                    Reward::PercentOrder { percent } => state.percent_off(&every_line, *percent),
                    Reward::FixedOrder { amount } => state.fixed_off_order(*amount),
                };
                // Rule 5: the smaller of max_discount and what is left of the budget.
                let budget_left = p.limits.budget.map(|b| Money((b.0 - usage(p.id).budget_used.0).max(0)));
                let cap = match (p.max_discount, budget_left) {
                    (Some(m), Some(b)) if b < m => Some(CapApplied::Budget { left: b }),
                    (Some(m), _) => Some(CapApplied::MaxDiscount { cap: m }),
                    (None, Some(b)) => Some(CapApplied::Budget { left: b }),
                    (None, None) => None,
                };
                (shares, Explanation::Promotion { name: p.name.clone(), reward: words(&p.reward), base, capped: None }, cap)
            }
            Source::Personal(d) => {
                let target: Vec<bool> = match &d.sku {
                    Some(sku) => lines.iter().map(|l| &l.sku == sku).collect(),
                    None => every_line.clone(),
                };
                let (shares, base) = state.percent_off(&target, d.percent);
                (shares, Explanation::PersonalDiscount { percent: d.percent, sku: d.sku.clone(), base, capped: None }, None)
            }
            Source::Tier(t, percent) => {
                let (shares, base) = state.percent_off(&every_line, percent);
                (shares, Explanation::TierDiscount { tier: t.name.clone(), percent, base }, None)
            }
        };
        let uncapped: i64 = shares.iter().flatten().sum();
        let (shares, explanation) = match cap {
            Some(c) => {
                let limit = match c {
                    CapApplied::MaxDiscount { cap } => cap.0,
                    CapApplied::Budget { left } => left.0,
                    CapApplied::MaxShare { .. } => i64::MAX,
                };
                if uncapped > limit {
                    let mut e = explanation;
                    e.set_capped(c);
                    (cap_shares(&state, &shares, limit), e)
                } else {
                    (shares, explanation)
                }
            }
            None => (shares, explanation),
        };
        let per_line: Vec<Money> = shares.iter().map(|l| Money(l.iter().sum())).collect();
        let amount: i64 = per_line.iter().map(|m| m.0).sum();
        if amount == 0 {
            if let Some(id) = step.promotion_id() {
                empty.push(id);
            }
            continue;
        }
        state.take(&shares);
        adjustments.push(adjustment(step, per_line, explanation));
    }
    let given_back = give_back_above_max_share(lines, base, &mut adjustments, max_share);
    let discount = Money(adjustments.iter().map(|a| a.amount.0).sum());
    CandidatePrice { adjustments, discount, empty, given_back }
}

fn adjustment(step: &Step<'_>, per_line: Vec<Money>, explanation: Explanation) -> Adjustment {
    let (source, promotion_id, customer_discount_id, code) = match step.source {
        Source::Promotion(p) => {
            let code = if p.kind == PromotionKind::Code { p.code.clone() } else { None };
            (AdjustmentSource::Promotion, Some(p.id), None, code)
        }
        Source::Personal(d) => (AdjustmentSource::CustomerDiscount, None, Some(d.id), None),
        Source::Tier(..) => (AdjustmentSource::Tier, None, None, None),
    };
    let amount = Money(per_line.iter().map(|m| m.0).sum());
    let line = only_line(&per_line);
    Adjustment { source, promotion_id, customer_discount_id, code, line, amount, per_line, explanation }
}

/// The line an adjustment touched, when it touched exactly one.
fn only_line(per_line: &[Money]) -> Option<usize> {
    let mut touched = per_line.iter().enumerate().filter(|(_, m)| m.0 > 0).map(|(i, _)| i);
    match (touched.next(), touched.next()) {
        (Some(i), None) => Some(i),
        _ => None,
    }
}

/// Rule 5, last part: the order's total discount may not exceed the store's
/// maximum share of the subtotal (rounded down); the rewards applied last give
/// back first, each keeping its split over lines in proportion. Returns the
/// promotions that gave back all of their reward.
fn give_back_above_max_share(lines: &[CartLine], base: &[Money], adjustments: &mut Vec<Adjustment>, max_share: Percent) -> Vec<i64> {
    let subtotal: i128 = base.iter().map(|m| i128::from(m.0)).sum();
    let cap = i64::try_from(subtotal * i128::from(max_share.basis_points()) / 10_000).unwrap_or(i64::MAX);
    let total: i64 = adjustments.iter().map(|a| a.amount.0).sum();
    let mut excess = total - cap;
    if excess <= 0 {
        return Vec::new();
    }
    for adj in adjustments.iter_mut().rev() {
        if excess == 0 {
            break;
        }
        let give = excess.min(adj.amount.0);
        let keep = adj.amount.0 - give;
        let weights: Vec<AllocLine<'_>> = lines
            .iter()
            .zip(&adj.per_line)
            .map(|(l, m)| AllocLine { remaining: *m, sku: &l.sku, unit_price: l.unit_price, quantity: l.quantity })
            .collect();
        adj.per_line = allocate(Money(keep), &weights);
        adj.amount = Money(keep);
        adj.line = only_line(&adj.per_line);
        adj.explanation.set_capped(CapApplied::MaxShare { percent: max_share });
        excess -= give;
    }
    let gone: Vec<i64> = adjustments.iter().filter(|a| a.amount.0 == 0).filter_map(|a| a.promotion_id).collect();
    adjustments.retain(|a| a.amount.0 > 0);
    gone
}
