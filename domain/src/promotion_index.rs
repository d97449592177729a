//! Active promotions indexed by what can trigger them (docs/SPEC.md §2.3: thousands of
//! active promotions must not slow pricing down). A cart looks up the
//! promotions keyed by its lines' SKUs and categories, the order-level ones,
//! and the one its entered code belongs to; pricing never walks the whole list.
//!
//! A promotion's trigger: a `code` promotion, its code (looked up in the store's
//! code table, which holds generated codes too, so the caller hands the index the
//! promotion id it resolved to); otherwise the products
//! its conditions name; if none, the products its reward targets; if none, the
//! whole order. A promotion keyed by products cannot apply to a cart without one
//! of them (rule 1 needs a matching line, or its reward finds nothing), so
//! leaving it out changes no price.

use crate::pricing::CartLine;
use crate::promotion::{Promotion, PromotionKind, PromotionStatus};
use std::collections::HashMap;

#[derive(Debug, Clone, Default)]
pub struct PromotionIndex {
    promotions: Vec<Promotion>,
    by_sku: HashMap<String, Vec<usize>>,
    by_category: HashMap<String, Vec<usize>>,
    order_level: Vec<usize>,
    by_id: HashMap<i64, usize>,
}

impl PromotionIndex {
    /// Indexes the `active` promotions among `promotions`.
    pub fn build(promotions: impl IntoIterator<Item = Promotion>) -> PromotionIndex {
        let mut index = PromotionIndex::default();
        for p in promotions.into_iter().filter(|p| p.status == PromotionStatus::Active) {
            let at = index.promotions.len();
            if p.kind != PromotionKind::Code {
                let trigger = if !p.conditions.products.is_empty() {
                    Some(&p.conditions.products)
                } else {
                    p.reward.own_target().filter(|t| !t.is_empty())
                };
                match trigger {
                    Some(set) => {
                        for sku in &set.skus {
                            index.by_sku.entry(sku.clone()).or_default().push(at);
                        }
                        for category in &set.categories {
                            index.by_category.entry(category.clone()).or_default().push(at);
                        }
                    }
                    None => index.order_level.push(at),
                }
            }
            index.by_id.insert(p.id, at);
            index.promotions.push(p);
        }
        index
    }

    /// How many active promotions are indexed.
    pub fn len(&self) -> usize {
        self.promotions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.promotions.is_empty()
    }

    /// The promotions this cart could trigger, each once, by id: `code_promotion`
    /// is the promotion the entered code belongs to.
    pub fn candidates(&self, lines: &[CartLine], code_promotion: Option<i64>) -> Vec<&Promotion> {
        let mut at: Vec<usize> = self.order_level.clone();
        for l in lines {
            if let Some(v) = self.by_sku.get(&l.sku) {
                at.extend_from_slice(v);
            }
            if let Some(v) = l.category.as_ref().and_then(|c| self.by_category.get(c)) {
                at.extend_from_slice(v);
            }
        }
        if let Some(&i) = code_promotion.and_then(|id| self.by_id.get(&id)) {
            at.push(i);
        }
        at.sort_unstable();
        at.dedup();
        let mut found: Vec<&Promotion> = at.into_iter().map(|i| &self.promotions[i]).collect();
        found.sort_by_key(|p| p.id);
        found
    }

    /// The active promotion with this id, if any.
    pub fn get(&self, id: i64) -> Option<&Promotion> {
        self.by_id.get(&id).map(|&i| &self.promotions[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Money;
    use crate::percent::Percent;
    use crate::promotion::{Conditions, Limits, ProductSet, Reward, Stacking};
    use chrono::{TimeZone, Utc};

    fn promo(id: i64, kind: PromotionKind, code: Option<&str>, conditions: &[&str], target: &[&str]) -> Promotion {
        let set = |v: &[&str]| ProductSet {
            skus: v.iter().filter(|s| !s.starts_with("cat:")).map(|s| s.to_string()).collect(),
            categories: v.iter().filter_map(|s| s.strip_prefix("cat:")).map(str::to_string).collect(),
        };
        Promotion {
            id,
            name: format!("P{id}"),
            kind,
            code: code.map(str::to_string),
            status: PromotionStatus::Active,
            starts_at: None,
            ends_at: None,
            priority: 0,
            stacking: Stacking::Combinable,
            conditions: Conditions { products: set(conditions), ..Conditions::default() },
            reward: Reward::PercentItems { percent: Percent::parse("10").unwrap(), target: set(target) },
            max_discount: None,
            limits: Limits::default(),
            created_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        }
    }

    fn line(sku: &str, category: Option<&str>) -> CartLine {
        CartLine { sku: sku.into(), category: category.map(str::to_string), unit_price: Money(1_000), quantity: 1 }
    }

    #[test]
    fn a_cart_finds_the_promotions_its_lines_code_or_order_can_trigger() {
        let auto = PromotionKind::Automatic;
        let mut paused = promo(9, auto, None, &[], &[]);
        paused.status = PromotionStatus::Paused;
        let index = PromotionIndex::build([
            promo(1, auto, None, &["KOPI"], &[]),
            promo(2, auto, None, &["cat:roti"], &["KOPI"]),
            promo(3, auto, None, &[], &["TEH"]),
            promo(4, auto, None, &[], &[]),
            promo(5, PromotionKind::Code, Some("Hemat10"), &["SUSU"], &[]),
            paused,
        ]);
        assert_eq!(index.len(), 5, "only active promotions");
        let ids = |lines: &[CartLine], code: Option<i64>| index.candidates(lines, code).iter().map(|p| p.id).collect::<Vec<_>>();
        assert_eq!(ids(&[line("KOPI", None)], None), vec![1, 4], "2 is triggered by its condition's category, not its target");
        assert_eq!(ids(&[line("X", Some("roti")), line("TEH", None)], None), vec![2, 3, 4]);
        assert_eq!(ids(&[line("X", None)], Some(5)), vec![4, 5], "the promotion the entered code belongs to");
        assert_eq!(ids(&[line("SUSU", None)], None), vec![4], "a code promotion only with its code");
        assert_eq!(ids(&[line("KOPI", None), line("KOPI", Some("roti"))], None), vec![1, 2, 4], "each once");
        assert_eq!(index.get(3).map(|p| p.name.as_str()), Some("P3"));
        assert!(index.get(9).is_none(), "a paused promotion is not indexed");
    }
}
