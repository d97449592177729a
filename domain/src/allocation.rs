//! Rounding and allocation (docs/SPEC.md §2 and §2.3.1 rule 6), the one place where
//! money is divided.
//!
//! - A rate applied to an amount is rounded once, half away from zero, to the
//!   minor unit ([`percent_of`]).
//! - An amount covering several lines is split in proportion to the lines'
//!   remaining amounts, each share rounded down, the missing minor units going one
//!   each to the lines with the largest fractional parts; ties: larger remaining
//!   amount, then SKU, then unit price, then larger quantity ([`allocate`]).
//!   Shares always add up exactly to the amount, and the result does not depend
//!   on the order of the lines.

use crate::money::Money;
use crate::percent::Percent;
use std::cmp::Ordering;

/// `percent` of `amount`, rounded once, half away from zero.
pub fn percent_of(amount: Money, percent: Percent) -> Money {
    let num = i128::from(amount.0) * i128::from(percent.basis_points());
    let half = 5_000i128;
    let rounded = if num >= 0 { (num + half) / 10_000 } else { (num - half) / 10_000 };
    Money(i64::try_from(rounded).unwrap_or(i64::MAX))
}

/// What allocation needs to know about a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllocLine<'a> {
    /// What is left of the line to discount (never below zero).
    pub remaining: Money,
    pub sku: &'a str,
    pub unit_price: Money,
    pub quantity: i64,
}

/// Splits `amount` over `lines` in proportion to their remaining amounts (rule 6).
/// `amount` is capped at the lines' total remaining, so no line goes below zero.
/// Returns one share per line, in the order given.
pub fn allocate(amount: Money, lines: &[AllocLine<'_>]) -> Vec<Money> {
    let total: i128 = lines.iter().map(|l| i128::from(l.remaining.0.max(0))).sum();
    let amount = i128::from(amount.0.max(0)).min(total);
    if lines.is_empty() || total == 0 || amount == 0 {
        return vec![Money::ZERO; lines.len()];
    }
    // share_i = amount * remaining_i / total = floor + fraction (fraction as numerator over `total`).
    let mut shares: Vec<(usize, i128, i128)> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let exact = amount * i128::from(l.remaining.0.max(0));
            (i, exact / total, exact % total)
        })
        .collect();
    let given: i128 = shares.iter().map(|s| s.1).sum();
    let mut missing = amount - given;
    // Only lines with a fractional part can take a missing unit: the fractions
    // add up to exactly `missing` whole units, each under one, so at least
    // `missing` lines have one. Leaving the others out spares sorting the lines a
    // reward does not touch (their remaining share is 0).
    let mut order: Vec<usize> = (0..lines.len()).filter(|&i| shares[i].2 > 0).collect();
    order.sort_by(|&a, &b| {
        let (la, lb) = (&lines[a], &lines[b]);
        shares[b]
            .2
            .cmp(&shares[a].2)
            .then(lb.remaining.cmp(&la.remaining))
            .then(la.sku.cmp(lb.sku))
            .then(la.unit_price.cmp(&lb.unit_price))
            .then(lb.quantity.cmp(&la.quantity))
            .then(Ordering::Equal)
    });
    for i in order {
        if missing == 0 {
            break;
        }
        // A line with no fractional part can still take a unit when every
        // fraction is zero but units are missing (cannot happen: floors then sum
        // exactly); guard anyway against a share above the line's remaining.
        if shares[i].1 < i128::from(lines[i].remaining.0) {
            shares[i].1 += 1;
            missing -= 1;
        }
    }
    debug_assert_eq!(missing, 0, "the fractions add up to the missing units");
    // `shares` is still in the lines' order (only `order` was sorted).
    shares.into_iter().map(|s| Money(i64::try_from(s.1).unwrap_or(i64::MAX))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn line(remaining: i64, sku: &str) -> AllocLine<'_> {
        AllocLine { remaining: Money(remaining), sku, unit_price: Money(remaining), quantity: 1 }
    }

    #[test]
    fn rounds_half_away_from_zero_once() {
        let p = |s: &str| Percent::parse(s).unwrap();
        assert_eq!(percent_of(Money(10_005), p("10")), Money(1_001)); // 1000.5 -> 1001
        assert_eq!(percent_of(Money(10_004), p("10")), Money(1_000)); // 1000.4 -> 1000
        assert_eq!(percent_of(Money(-10_005), p("10")), Money(-1_001));
        assert_eq!(percent_of(Money(99_999), p("100")), Money(99_999));
        assert_eq!(percent_of(Money(33_333), p("12.5")), Money(4_167)); // 4166.625
    }

    #[test]
    fn largest_remainder_gets_the_missing_units() {
        // 100 over 3 equal lines: 33.33 each, one unit missing, tie on fraction and
        // remaining -> the SKU decides.
        let lines = [line(1000, "C"), line(1000, "A"), line(1000, "B")];
        assert_eq!(allocate(Money(100), &lines), vec![Money(33), Money(34), Money(33)]);
        // Fractions decide first: 10 over 2/3 and 1/3 of 30 -> 6.67 and 3.33.
        let lines = [line(20, "A"), line(10, "B")];
        assert_eq!(allocate(Money(10), &lines), vec![Money(7), Money(3)]);
    }

    #[test]
    fn never_more_than_what_is_left() {
        let lines = [line(50, "A"), line(0, "B"), line(25, "C")];
        assert_eq!(allocate(Money(1_000), &lines), vec![Money(50), Money(0), Money(25)]);
        assert_eq!(allocate(Money(0), &lines), vec![Money(0); 3]);
        assert!(allocate(Money(5), &[]).is_empty());
    }

    fn arb_lines() -> impl Strategy<Value = Vec<(i64, u8, i64, i64)>> {
        proptest::collection::vec((0i64..5_000_000, 0u8..6, 0i64..1_000_000, 1i64..50), 1..12)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn shares_add_up_and_stay_within_each_line(spec in arb_lines(), amount in 0i64..50_000_000) {
            let skus: Vec<String> = spec.iter().map(|(_, s, _, _)| format!("SKU-{s}")).collect();
            let lines: Vec<AllocLine> = spec.iter().zip(&skus).map(|((r, _, p, q), sku)| AllocLine {
                remaining: Money(*r), sku, unit_price: Money(*p), quantity: *q,
            }).collect();
            let shares = allocate(Money(amount), &lines);
            let total: i64 = lines.iter().map(|l| l.remaining.0).sum();
            prop_assert_eq!(shares.iter().map(|s| s.0).sum::<i64>(), amount.min(total));
            for (s, l) in shares.iter().zip(&lines) {
                prop_assert!(s.0 >= 0 && s.0 <= l.remaining.0);
            }
        }

        #[test]
        fn result_does_not_depend_on_line_order(spec in arb_lines(), amount in 0i64..50_000_000, seed in any::<u64>()) {
            let skus: Vec<String> = spec.iter().map(|(_, s, _, _)| format!("SKU-{s}")).collect();
            let lines: Vec<AllocLine> = spec.iter().zip(&skus).map(|((r, _, p, q), sku)| AllocLine {
                remaining: Money(*r), sku, unit_price: Money(*p), quantity: *q,
            }).collect();
            let shares = allocate(Money(amount), &lines);
            // A deterministic shuffle.
            let mut idx: Vec<usize> = (0..lines.len()).collect();
            let mut s = seed;
            for i in (1..idx.len()).rev() {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                idx.swap(i, (s >> 33) as usize % (i + 1));
            }
            let shuffled: Vec<AllocLine> = idx.iter().map(|&i| lines[i].clone()).collect();
            let reshares = allocate(Money(amount), &shuffled);
            // Lines equal in every key are interchangeable: compare per distinct line.
            let mut a: Vec<(i64, String, i64, i64, i64)> = lines.iter().zip(&shares).map(|(l, s)| (l.remaining.0, l.sku.to_string(), l.unit_price.0, l.quantity, s.0)).collect();
            let mut b: Vec<(i64, String, i64, i64, i64)> = shuffled.iter().zip(&reshares).map(|(l, s)| (l.remaining.0, l.sku.to_string(), l.unit_price.0, l.quantity, s.0)).collect();
            a.sort();
            b.sort();
            prop_assert_eq!(a, b);
        }
    }
}
