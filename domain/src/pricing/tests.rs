//! docs/SPEC.md §2.3.1, rule by rule (`rN_…`), the anchors' most reported bugs
//! (`anchor_…`), and properties over random carts and promotion sets.

use super::*;
use crate::promotion::{Conditions, HoursWindow, Limits, ProductSet, PromotionKind, PromotionStatus, Reward};
use crate::trace::{CapApplied, Language};
use crate::CurrencyFormat;
use chrono::{Duration, NaiveTime, TimeZone, Weekday};
use proptest::prelude::*;

/// Wednesday 25 November 2026, 14:00 in Jakarta (07:00 UTC).
fn now() -> DateTime<FixedOffset> {
    FixedOffset::east_opt(7 * 3600).unwrap().with_ymd_and_hms(2026, 11, 25, 14, 0, 0).unwrap()
}

fn line(sku: &str, price: i64, qty: i64) -> CartLine {
    CartLine { sku: sku.into(), category: None, unit_price: Money(price), quantity: qty }
}

fn in_category(sku: &str, category: &str, price: i64, qty: i64) -> CartLine {
    CartLine { category: Some(category.into()), ..line(sku, price, qty) }
}

fn pct(s: &str) -> Percent {
    Percent::parse(s).unwrap()
}

fn skus(list: &[&str]) -> ProductSet {
    ProductSet { skus: list.iter().map(|s| s.to_string()).collect(), categories: vec![] }
}

fn gold(percent: Option<&str>) -> TierSnapshot {
    TierSnapshot { id: 2, name: "Gold".into(), earn_rate_points: 1, earn_rate_per: 10_000, discount: percent.map(pct) }
}

/// An active, automatic, combinable promotion with no conditions, created `id`
/// minutes after a fixed moment.
fn promo(id: i64, reward: Reward) -> Promotion {
    Promotion {
        id,
        name: format!("Promo {id}"),
        kind: PromotionKind::Automatic,
        code: None,
        status: PromotionStatus::Active,
        starts_at: None,
        ends_at: None,
        priority: 0,
        stacking: Stacking::Combinable,
        conditions: Conditions::default(),
        reward,
        max_discount: None,
        limits: Limits::default(),
        created_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + Duration::minutes(id),
    }
}

fn percent_order(id: i64, p: &str) -> Promotion {
    promo(id, Reward::PercentOrder { percent: pct(p) })
}

fn percent_items(id: i64, p: &str, target: ProductSet) -> Promotion {
    promo(id, Reward::PercentItems { percent: pct(p), target })
}

fn bxgy(id: i64, buy: i64, get: i64, target: ProductSet) -> Promotion {
    promo(id, Reward::BuyXGetY { buy, get, percent: Percent::HUNDRED, target })
}

fn exclusive(mut p: Promotion) -> Promotion {
    p.stacking = Stacking::Exclusive;
    p
}

fn price(lines: &[CartLine], promotions: &[Promotion]) -> PricedCart {
    let refs: Vec<&Promotion> = promotions.iter().collect();
    price_cart(&PricingInput { promotions: &refs, ..PricingInput::new(lines, now()) }).unwrap()
}

fn reason_of(p: &PricedCart, id: i64) -> Option<&RejectReason> {
    p.rejected.iter().find(|r| r.promotion_id == id).map(|r| &r.reason)
}

fn rejected_with(lines: &[CartLine], p: Promotion) -> Option<RejectReason> {
    let id = p.id;
    reason_of(&price(lines, &[p]), id).cloned()
}

fn discounts(p: &PricedCart) -> Vec<i64> {
    p.lines.iter().map(|l| l.discount.0).collect()
}

/// Checks what every priced cart must satisfy (rule 6, rule 3's floor at zero).
fn assert_consistent(p: &PricedCart) {
    let line_sum: i64 = p.lines.iter().map(|l| l.discount.0).sum();
    assert_eq!(line_sum, p.discount_total.0);
    assert_eq!(p.adjustments.iter().map(|a| a.amount.0).sum::<i64>(), p.discount_total.0);
    for a in &p.adjustments {
        assert_eq!(a.per_line.iter().map(|m| m.0).sum::<i64>(), a.amount.0);
        assert!(a.amount.0 > 0);
    }
    for l in &p.lines {
        assert!(l.final_amount.0 >= 0 && l.discount.0 >= 0);
    }
}

// ---- The tier discount (issue 4) ----

#[test]
fn without_a_tier_the_cart_is_its_base_prices() {
    let lines = [line("KOPI", 25_000, 2), line("ROTI", 15_500, 1)];
    let p = price_cart(&PricingInput { shipping: Money(10_000), ..PricingInput::new(&lines, now()) }).unwrap();
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
    let p = price_cart(&PricingInput { tier: Some(&tier), ..PricingInput::new(&lines, now()) }).unwrap();
    // 5 % of 65.500 = 3.275, split 50.000 : 15.500 -> 2.500,38… : 775,19… -> 2.500 + 775
    assert_eq!(p.discount_total, Money(3_275));
    assert_eq!(discounts(&p), vec![2_500, 775]);
    assert_eq!(p.adjustments.len(), 1);
    assert_eq!(p.adjustments[0].source, AdjustmentSource::Tier);
    assert_eq!(p.adjustments[0].line, None);
    assert_eq!(p.total, Money(62_225));
    assert_eq!(p.points_to_earn, 6, "floor(62.225 × 1 / 10.000)");
}

#[test]
fn a_single_line_reward_names_its_line() {
    let lines = [line("KOPI", 10_000, 1)];
    let tier = gold(Some("10"));
    let p = price_cart(&PricingInput { tier: Some(&tier), ..PricingInput::new(&lines, now()) }).unwrap();
    assert_eq!(p.adjustments[0].line, Some(0));
    assert_eq!(p.total, Money(9_000));
}

#[test]
fn refuses_bad_lines_naming_them() {
    fn input(lines: &[CartLine]) -> Result<PricedCart, PricingError> {
        price_cart(&PricingInput::new(lines, now()))
    }
    assert_eq!(input(&[line("A", 1_000, 1), line("B", 1_000, 0)]), Err(PricingError::BadQuantity { line: 1 }));
    assert_eq!(input(&[line("A", -1, 1)]), Err(PricingError::NegativePrice { line: 0 }));
    assert_eq!(input(&[line("A", i64::MAX / 2, 3)]), Err(PricingError::AmountTooLarge { line: 0 }));
    assert_eq!(input(&[]), Err(PricingError::NoLines));
}

// ---- Rule 1: eligibility ----

#[test]
fn r1_dates_start_inclusive_end_exclusive() {
    let lines = [line("A", 10_000, 1)];
    let at = now().with_timezone(&Utc);
    let mut p = percent_order(1, "10");
    p.starts_at = Some(at);
    assert_eq!(rejected_with(&lines, p.clone()), None, "starts_at is inclusive");
    p.starts_at = Some(at + Duration::seconds(1));
    assert_eq!(rejected_with(&lines, p.clone()), Some(RejectReason::NotStarted { starts_at: at + Duration::seconds(1) }));
    p.starts_at = None;
    p.ends_at = Some(at);
    assert_eq!(rejected_with(&lines, p.clone()), Some(RejectReason::Ended { ends_at: at }), "ends_at is exclusive");
    p.ends_at = Some(at + Duration::seconds(1));
    assert_eq!(rejected_with(&lines, p), None);
}

#[test]
fn r1_weekdays_and_hours_on_the_store_clock() {
    let lines = [line("A", 10_000, 1)];
    let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
    let mut p = percent_order(1, "10");
    p.conditions.weekdays = vec![Weekday::Wed];
    assert_eq!(rejected_with(&lines, p.clone()), None, "Wednesday in Jakarta");
    p.conditions.weekdays = vec![Weekday::Tue, Weekday::Thu];
    assert_eq!(rejected_with(&lines, p.clone()), Some(RejectReason::WrongWeekday));
    p.conditions.weekdays = vec![];
    // 14:00 store time (07:00 UTC): a window in UTC terms would be wrong.
    p.conditions.hours = Some(HoursWindow { from: t(14, 0), to: t(15, 0) });
    assert_eq!(rejected_with(&lines, p.clone()), None, "from is inclusive");
    p.conditions.hours = Some(HoursWindow { from: t(6, 0), to: t(8, 0) });
    assert_eq!(rejected_with(&lines, p.clone()), Some(RejectReason::OutsideHours { from: t(6, 0), to: t(8, 0) }));
    p.conditions.hours = Some(HoursWindow { from: t(13, 0), to: t(14, 0) });
    assert!(rejected_with(&lines, p.clone()).is_some(), "to is exclusive");
    p.conditions.hours = Some(HoursWindow { from: t(22, 0), to: t(14, 30) });
    assert_eq!(rejected_with(&lines, p), None, "a window past midnight");
}

#[test]
fn r1_thresholds_are_inclusive_and_count_only_matching_lines() {
    let lines = [line("KOPI", 20_000, 2), line("ROTI", 50_000, 1)];
    let mut p = percent_order(1, "10");
    p.conditions.products = skus(&["KOPI"]);
    p.conditions.min_subtotal = Some(Money(40_000));
    assert_eq!(rejected_with(&lines, p.clone()), None, "exactly the minimum of the matching lines");
    p.conditions.min_subtotal = Some(Money(40_001));
    assert_eq!(rejected_with(&lines, p.clone()), Some(RejectReason::BelowMinSubtotal { min: Money(40_001), have: Money(40_000) }));
    p.conditions.min_subtotal = None;
    p.conditions.min_quantity = Some(2);
    assert_eq!(rejected_with(&lines, p.clone()), None);
    p.conditions.min_quantity = Some(3);
    assert_eq!(rejected_with(&lines, p.clone()), Some(RejectReason::BelowMinQuantity { min: 3, have: 2 }), "ROTI does not count");
    // Without products named, the whole cart counts.
    p.conditions.products = ProductSet::default();
    assert_eq!(rejected_with(&lines, p), None);
}

#[test]
fn r1_conditions_are_checked_on_base_amounts_before_any_discount() {
    let lines = [line("A", 100_000, 1)];
    let big = percent_order(1, "50");
    let mut needs_100k = percent_order(2, "10");
    needs_100k.conditions.min_subtotal = Some(Money(100_000));
    let p = price(&lines, &[big, needs_100k]);
    assert_eq!(p.applied_promotions(), vec![1, 2], "the 50 % does not push the cart below the 10 %'s minimum");
}

#[test]
fn r1_a_line_matches_by_one_of_the_skus_or_categories() {
    let lines = [in_category("KOPI-1", "minuman", 10_000, 1), in_category("ROTI-1", "roti", 10_000, 1)];
    let mut p = percent_items(1, "10", ProductSet::default());
    p.conditions.products = ProductSet { skus: vec!["X".into()], categories: vec!["roti".into()] };
    let priced = price(&lines, &[p.clone()]);
    assert_eq!(discounts(&priced), vec![0, 1_000], "the condition's products are the reward's target");
    p.conditions.products = ProductSet { skus: vec!["X".into()], categories: vec!["susu".into()] };
    assert_eq!(rejected_with(&lines, p), Some(RejectReason::NoMatchingProduct));
}

#[test]
fn r1_limits_and_budget() {
    let lines = [line("A", 10_000, 1)];
    let customer = CustomerFacts { first_order: false, personal_discounts: &[] };
    let check = |p: &Promotion, usage: PromotionUsage, customer: Option<CustomerFacts<'_>>| {
        let refs = [p];
        let map = BTreeMap::from([(p.id, usage)]);
        let priced = price_cart(&PricingInput { promotions: &refs, usage: &map, customer, ..PricingInput::new(&lines, now()) }).unwrap();
        reason_of(&priced, p.id).cloned()
    };
    let mut p = percent_order(1, "10");
    p.limits.total_uses = Some(50);
    assert_eq!(check(&p, PromotionUsage { uses: 49, ..Default::default() }, None), None);
    assert_eq!(check(&p, PromotionUsage { uses: 50, ..Default::default() }, None), Some(RejectReason::UsesExhausted { limit: 50 }));
    let mut p = percent_order(1, "10");
    p.limits.uses_per_customer = Some(1);
    assert_eq!(check(&p, PromotionUsage::default(), None), Some(RejectReason::NeedsCustomer));
    assert_eq!(check(&p, PromotionUsage { uses: 7, customer_uses: 0, ..Default::default() }, Some(customer)), None);
    assert_eq!(
        check(&p, PromotionUsage { uses: 7, customer_uses: 1, ..Default::default() }, Some(customer)),
        Some(RejectReason::CustomerUsesExhausted { limit: 1 })
    );
    let mut p = percent_order(1, "10");
    p.limits.budget = Some(Money(100_000));
    assert_eq!(check(&p, PromotionUsage { budget_used: Money(99_999), ..Default::default() }, None), None);
    assert_eq!(
        check(&p, PromotionUsage { budget_used: Money(100_000), ..Default::default() }, None),
        Some(RejectReason::BudgetExhausted { budget: Money(100_000) })
    );
}

#[test]
fn r1_tiers_first_order_and_status_and_code() {
    let lines = [line("A", 10_000, 1)];
    let tier = gold(None);
    let first = CustomerFacts { first_order: true, personal_discounts: &[] };
    let returning = CustomerFacts { first_order: false, personal_discounts: &[] };
    let run = |p: &Promotion, tier: Option<&TierSnapshot>, customer: Option<CustomerFacts<'_>>, code: Option<&str>| {
        let refs = [p];
        let priced =
            price_cart(&PricingInput { promotions: &refs, tier, customer, coupon_code: code, ..PricingInput::new(&lines, now()) }).unwrap();
        reason_of(&priced, p.id).cloned()
    };
    let mut p = percent_order(1, "10");
    p.conditions.tier_ids = vec![2];
    assert_eq!(run(&p, Some(&tier), None, None), None);
    assert_eq!(run(&p, None, None, None), Some(RejectReason::TierNotEligible));
    let mut p = percent_order(1, "10");
    p.conditions.first_order_only = true;
    assert_eq!(run(&p, None, Some(first), None), None);
    assert_eq!(run(&p, None, Some(returning), None), Some(RejectReason::NotFirstOrder));
    assert_eq!(run(&p, None, None, None), Some(RejectReason::NeedsCustomer));
    let mut p = percent_order(1, "10");
    p.status = PromotionStatus::Paused;
    assert_eq!(run(&p, None, None, None), Some(RejectReason::NotActive));
    let mut p = percent_order(1, "10");
    p.kind = PromotionKind::Code;
    p.code = Some("HEMAT10".into());
    assert_eq!(run(&p, None, None, None), Some(RejectReason::CodeNotEntered));
    assert_eq!(run(&p, None, None, Some("HEMAT11")), Some(RejectReason::CodeNotEntered));
    assert_eq!(run(&p, None, None, Some(" hemat10 ")), None, "codes compare case-insensitively");
}

#[test]
fn r1_every_promotion_not_applied_is_listed_with_its_reason() {
    let lines = [line("A", 10_000, 1)];
    let mut draft = percent_order(3, "10");
    draft.status = PromotionStatus::Draft;
    let mut too_big = percent_order(1, "10");
    too_big.conditions.min_subtotal = Some(Money(1_000_000));
    let fine = percent_order(2, "10");
    let p = price(&lines, &[draft, too_big, fine]);
    assert_eq!(p.applied_promotions(), vec![2]);
    let ids: Vec<(i64, &str)> = p.rejected.iter().map(|r| (r.promotion_id, r.reason.code())).collect();
    assert_eq!(ids, vec![(1, "below_min_subtotal"), (3, "not_active")]);
}

// ---- Rule 2: two candidates ----

#[test]
fn r2_the_best_exclusive_beats_the_combinable_set_and_replaces_the_tier() {
    let lines = [line("A", 100_000, 1)];
    let tier = gold(Some("5"));
    let ten = percent_order(1, "10");
    let twenty = exclusive(percent_order(2, "20"));
    let refs = [&ten, &twenty];
    let p = price_cart(&PricingInput { promotions: &refs, tier: Some(&tier), ..PricingInput::new(&lines, now()) }).unwrap();
    // Combinable: 10 % then the tier's 5 % of what is left = 10.000 + 4.500 = 14.500 < 20.000.
    assert_eq!(p.discount_total, Money(20_000));
    assert_eq!(p.adjustments.len(), 1, "the exclusive replaces the tier discount too");
    assert_eq!(p.adjustments[0].promotion_id, Some(2));
    assert_eq!(
        reason_of(&p, 1),
        Some(&RejectReason::ReplacedByExclusive { winner_promotion_id: 2, discount: Money(14_500), winner_discount: Money(20_000) })
    );
    assert_eq!(
        p.candidates,
        vec![
            CandidateOutcome { candidate: Candidate::Combinable, discount: Money(14_500), chosen: false },
            CandidateOutcome { candidate: Candidate::Exclusive { promotion_id: 2 }, discount: Money(20_000), chosen: true },
        ]
    );
}

#[test]
fn r2_the_combinable_set_wins_when_it_gives_more() {
    let lines = [line("A", 100_000, 1)];
    let p = price(&lines, &[percent_order(1, "15"), percent_order(2, "10"), exclusive(percent_order(3, "20"))]);
    // 15 % + 10 % of 85.000 = 15.000 + 8.500 = 23.500 > 20.000.
    assert_eq!(p.discount_total, Money(23_500));
    assert_eq!(reason_of(&p, 3), Some(&RejectReason::LostToBetterCandidate { discount: Money(20_000), winner_discount: Money(23_500) }));
}

#[test]
fn r2_ties_go_to_the_combinable_set_then_priority_then_the_earlier() {
    let lines = [line("A", 100_000, 1)];
    let p = price(&lines, &[percent_order(1, "10"), exclusive(percent_order(2, "10"))]);
    assert_eq!(p.applied_promotions(), vec![1], "a tie: the combinable set");
    let mut low = exclusive(percent_order(1, "20"));
    low.priority = 1;
    let mut high = exclusive(percent_order(2, "20"));
    high.priority = 5;
    assert_eq!(price(&lines, &[low.clone(), high.clone()]).applied_promotions(), vec![2], "higher priority");
    high.priority = 1;
    assert_eq!(price(&lines, &[high, low]).applied_promotions(), vec![1], "same priority: created earlier");
}

// ---- Rule 3: order of application ----

#[test]
fn anchor_a_70_percent_voucher_on_a_40_percent_promotion_does_not_make_the_order_free() {
    let lines = [line("SEPATU", 500_000, 1)];
    let mut voucher = percent_order(1, "70");
    voucher.kind = PromotionKind::Code;
    voucher.code = Some("GILA70".into());
    let promotion = percent_order(2, "40");
    let refs = [&voucher, &promotion];
    let p = price_cart(&PricingInput { promotions: &refs, coupon_code: Some("GILA70"), ..PricingInput::new(&lines, now()) }).unwrap();
    // 40 % and 70 % compound: 1 − 0.6 × 0.3 = 82 %, never 110 %.
    assert_eq!(p.discount_total, Money(410_000));
    assert_eq!(p.total, Money(90_000));
    assert_eq!(p.adjustments.iter().find(|a| a.promotion_id == Some(1)).unwrap().code.as_deref(), Some("GILA70"));
}

#[test]
fn r3_item_rewards_first_then_order_rewards_each_by_priority() {
    let lines = [line("A", 100_000, 1)];
    let fixed_order = promo(1, Reward::FixedOrder { amount: Money(10_000) });
    let percent_order_10 = percent_order(2, "10");
    let mut items_high = percent_items(3, "20", ProductSet::default());
    items_high.priority = 9;
    let items_low = percent_items(4, "50", ProductSet::default());
    let p = price(&lines, &[fixed_order, percent_order_10, items_high, items_low]);
    let order: Vec<(Option<i64>, i64)> = p.adjustments.iter().map(|a| (a.promotion_id, a.amount.0)).collect();
    // 20 % of 100.000, 50 % of 80.000, 10 % of 40.000, then 10.000 fixed.
    assert_eq!(order, vec![(Some(3), 20_000), (Some(4), 40_000), (Some(2), 4_000), (Some(1), 10_000)]);
}

#[test]
fn r3_personal_discounts_after_promotions_of_their_kind_and_the_tier_last() {
    let lines = [line("KOPI", 100_000, 1)];
    let created = Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap();
    let personal = [
        PersonalDiscount { id: 7, sku: None, percent: pct("10"), created_at: created, ends_at: None },
        PersonalDiscount { id: 8, sku: Some("KOPI".into()), percent: pct("10"), created_at: created, ends_at: None },
        PersonalDiscount { id: 9, sku: None, percent: pct("50"), created_at: created, ends_at: Some(now().with_timezone(&Utc)) },
    ];
    let tier = gold(Some("10"));
    let order10 = percent_order(1, "10");
    let items10 = percent_items(2, "10", ProductSet::default());
    let refs = [&order10, &items10];
    let customer = CustomerFacts { first_order: false, personal_discounts: &personal };
    let p =
        price_cart(&PricingInput { promotions: &refs, tier: Some(&tier), customer: Some(customer), ..PricingInput::new(&lines, now()) })
            .unwrap();
    let order: Vec<(AdjustmentSource, i64)> = p.adjustments.iter().map(|a| (a.source, a.amount.0)).collect();
    assert_eq!(
        order,
        vec![
            (AdjustmentSource::Promotion, 10_000),       // items 10 % of 100.000
            (AdjustmentSource::CustomerDiscount, 9_000), // personal on KOPI, 10 % of 90.000
            (AdjustmentSource::Promotion, 8_100),        // order 10 % of 81.000
            (AdjustmentSource::CustomerDiscount, 7_290), // personal whole order
            (AdjustmentSource::Tier, 6_561),             // the tier last
        ],
        "the ended personal discount (id 9) is not applied"
    );
}

#[test]
fn r3_an_order_reward_never_discounts_a_unit_made_free() {
    let lines = [line("KOPI", 30_000, 2)];
    let p = price(&lines, &[bxgy(1, 1, 1, skus(&["KOPI"])), percent_order(2, "10")]);
    // One KOPI free (30.000), then 10 % of the 30.000 left.
    assert_eq!(p.discount_total, Money(33_000));
}

// ---- Rule 4: rewards ----

#[test]
fn r4_an_item_reward_targets_its_products_else_the_conditions_else_every_line() {
    let lines = [line("A", 10_000, 1), line("B", 20_000, 1)];
    assert_eq!(discounts(&price(&lines, &[percent_items(1, "10", skus(&["B"]))])), vec![0, 2_000]);
    let mut by_condition = percent_items(1, "10", ProductSet::default());
    by_condition.conditions.products = skus(&["A"]);
    assert_eq!(discounts(&price(&lines, &[by_condition])), vec![1_000, 0]);
    assert_eq!(discounts(&price(&lines, &[percent_items(1, "10", ProductSet::default())])), vec![1_000, 2_000]);
}

#[test]
fn r4_fixed_off_items_takes_at_most_each_units_remaining() {
    let lines = [line("A", 6_000, 3), line("B", 4_000, 1)];
    // Buy 2 get 1 at 50 % off on A: one A unit has 3.000 left, the others 6.000.
    let mut half = bxgy(1, 2, 1, skus(&["A"]));
    half.reward = Reward::BuyXGetY { buy: 2, get: 1, percent: pct("50"), target: skus(&["A"]) };
    let fixed = promo(2, Reward::FixedItems { amount: Money(5_000), target: ProductSet::default() });
    let p = price(&lines, &[half, fixed]);
    // A: 3.000 (bxgy) + 5.000 + 5.000 + 3.000 (that unit's rest); B: 4.000 (all of it).
    assert_eq!(discounts(&p), vec![16_000, 4_000]);
    assert_consistent(&p);
}

#[test]
fn r4_fixed_off_order_takes_at_most_what_is_left() {
    let lines = [line("A", 7_000, 1), line("B", 3_000, 1)];
    let p = price(&lines, &[promo(1, Reward::FixedOrder { amount: Money(50_000) })]);
    assert_eq!(p.total, Money::ZERO);
    assert_eq!(discounts(&p), vec![7_000, 3_000]);
}

#[test]
fn anchor_buy_x_get_y_applies_per_multiple_not_once() {
    // Buy 2 get 1 on seven units: two full groups of three, so two units free.
    let lines = [line("TEH", 8_000, 7)];
    let p = price(&lines, &[bxgy(1, 2, 1, skus(&["TEH"]))]);
    assert_eq!(p.discount_total, Money(16_000));
}

#[test]
fn r4_buy_x_get_y_frees_the_cheapest_units_and_counts_the_dearest_as_bought() {
    let lines = [line("A", 10_000, 1), line("B", 30_000, 1), line("C", 20_000, 1), line("D", 5_000, 1)];
    let p = price(&lines, &[bxgy(1, 1, 1, ProductSet::default())]);
    // Two groups of 1 + 1: bought B and C (dearest), free D and A (cheapest).
    assert_eq!(discounts(&p), vec![10_000, 0, 0, 5_000]);
}

#[test]
fn anchor_buy_x_get_y_does_not_depend_on_the_order_of_the_cart_lines() {
    let a = [line("KAOS-M", 90_000, 1), line("KAOS-L", 90_000, 1), line("KAOS-S", 60_000, 2)];
    let b = [line("KAOS-S", 60_000, 2), line("KAOS-L", 90_000, 1), line("KAOS-M", 90_000, 1)];
    let promo = bxgy(1, 3, 1, ProductSet::default());
    let pa = price(&a, std::slice::from_ref(&promo));
    let pb = price(&b, &[promo]);
    let by_sku = |p: &PricedCart| {
        let mut v: Vec<(String, i64)> = p.lines.iter().map(|l| (l.sku.clone(), l.discount.0)).collect();
        v.sort();
        v
    };
    assert_eq!(by_sku(&pa), by_sku(&pb));
    assert_eq!(pa.discount_total, Money(60_000));
}

#[test]
fn r4_buy_x_get_y_value_is_a_percent_off_the_free_units_rounded_once() {
    let lines = [line("A", 3_333, 3)];
    let mut p = bxgy(1, 1, 1, ProductSet::default());
    p.reward = Reward::BuyXGetY { buy: 1, get: 1, percent: pct("50"), target: ProductSet::default() };
    // One free unit at 50 %: 1.666,5 → 1.667.
    assert_eq!(price(&lines, &[p]).discount_total, Money(1_667));
}

#[test]
fn r4_buy_x_get_y_pools_lines_of_one_sku_and_a_unit_serves_one_reward() {
    let lines = [line("KOPI", 10_000, 1), line("KOPI", 10_000, 1)];
    let p = price(&lines, &[bxgy(1, 1, 1, skus(&["KOPI"])), bxgy(2, 1, 1, skus(&["KOPI"]))]);
    assert_eq!(p.discount_total, Money(10_000), "the two units made one group for the first reward, none is left for the second");
    assert_eq!(reason_of(&p, 2), Some(&RejectReason::NothingToDiscount));
}

// ---- Rule 5: caps ----

#[test]
fn r5_max_discount_caps_a_reward_split_as_it_would_have_been() {
    let lines = [line("A", 300_000, 1), line("B", 100_000, 1)];
    let mut p = percent_order(1, "50");
    p.max_discount = Some(Money(50_000));
    let priced = price(&lines, &[p]);
    assert_eq!(discounts(&priced), vec![37_500, 12_500]);
    assert!(matches!(priced.adjustments[0].explanation, Explanation::Promotion { capped: Some(CapApplied::MaxDiscount { .. }), .. }));
}

#[test]
fn r5_what_is_left_of_the_budget_caps_a_reward() {
    let lines = [line("A", 100_000, 1)];
    let mut p = percent_order(1, "30");
    p.limits.budget = Some(Money(100_000));
    let refs = [&p];
    let usage = BTreeMap::from([(1, PromotionUsage { budget_used: Money(90_000), ..Default::default() })]);
    let priced = price_cart(&PricingInput { promotions: &refs, usage: &usage, ..PricingInput::new(&lines, now()) }).unwrap();
    assert_eq!(priced.discount_total, Money(10_000), "Rp 30.000 asked, Rp 10.000 left");
}

#[test]
fn r5_the_store_maximum_share_is_given_back_by_the_rewards_applied_last() {
    let lines = [line("A", 100_000, 1)];
    let fixed = promo(1, Reward::FixedOrder { amount: Money(30_000) });
    let percent = percent_order(2, "40");
    let refs = [&fixed, &percent];
    let settings = PricingSettings { max_discount_share: pct("50") };
    let p = price_cart(&PricingInput { promotions: &refs, settings, ..PricingInput::new(&lines, now()) }).unwrap();
    // 40 % = 40.000, then 30.000 fixed = 70.000 > 50.000: the fixed (last) gives back 20.000.
    let amounts: Vec<(Option<i64>, i64)> = p.adjustments.iter().map(|a| (a.promotion_id, a.amount.0)).collect();
    assert_eq!(amounts, vec![(Some(2), 40_000), (Some(1), 10_000)]);
    let settings = PricingSettings { max_discount_share: pct("40") };
    let p = price_cart(&PricingInput { promotions: &refs, settings, ..PricingInput::new(&lines, now()) }).unwrap();
    assert_eq!(p.applied_promotions(), vec![2]);
    assert_eq!(reason_of(&p, 1), Some(&RejectReason::MaxShareReached { percent: pct("40") }));
}

// ---- Rule 6: allocation ----

#[test]
fn anchor_line_discounts_add_up_to_the_order_discount() {
    let lines = [line("A", 3_333, 1), line("B", 3_333, 1), line("C", 3_334, 1)];
    let mut fixed = promo(1, Reward::FixedOrder { amount: Money(1_000) });
    fixed.priority = 1;
    let p = price(&lines, &[fixed, percent_order(2, "33.33")]);
    assert_consistent(&p);
    assert_eq!(discounts(&p).iter().sum::<i64>(), p.discount_total.0);
}

#[test]
fn anchor_a_100_percent_discount_leaves_nothing_not_one_rupiah() {
    let lines = [line("A", 3_333, 3), line("B", 1, 1), line("C", 7_777, 1)];
    let p = price(&lines, &[percent_items(1, "33.33", ProductSet::default()), percent_order(2, "100")]);
    assert_eq!(p.total, Money::ZERO);
    assert!(p.lines.iter().all(|l| l.final_amount == Money::ZERO));
}

#[test]
fn anchor_a_discount_is_never_lost_or_doubled_by_pricing_again() {
    let lines = [line("A", 12_345, 3), line("B", 999, 7)];
    let promotions = [percent_order(1, "12.5"), bxgy(2, 2, 1, skus(&["B"])), promo(3, Reward::FixedOrder { amount: Money(2_500) })];
    let first = price(&lines, &promotions);
    let again = price(&lines, &promotions);
    assert_eq!(first, again, "every run starts from base prices");
}

// ---- Rule 7: the trace ----

#[test]
fn r7_every_adjustment_is_explained_in_english_and_indonesian() {
    let lines = [line("KOPI", 25_000, 3)];
    let mut capped = percent_order(1, "50");
    capped.name = "Gajian".into();
    capped.max_discount = Some(Money(10_000));
    let free = bxgy(2, 2, 1, skus(&["KOPI"]));
    let p = price(&lines, &[capped, free]);
    let idr = CurrencyFormat::idr();
    let en: Vec<String> = p.adjustments.iter().map(|a| a.explanation.render(Language::En, &idr)).collect();
    let id: Vec<String> = p.adjustments.iter().map(|a| a.explanation.render(Language::Id, &idr)).collect();
    assert_eq!(en, vec!["Promo 2: buy 2 get 1 free of Rp 25.000", "Gajian: 50% off the order of Rp 50.000 (capped at Rp 10.000)"]);
    assert_eq!(id, vec!["Promo 2: beli 2 gratis 1 dari Rp 25.000", "Gajian: diskon 50% untuk pesanan dari Rp 50.000 (maksimal Rp 10.000)"]);
    let reason = RejectReason::BelowMinSubtotal { min: Money(100_000), have: Money(75_000) };
    assert_eq!(reason.render(Language::En, &idr), "needs Rp 100.000 of matching products, the cart has Rp 75.000");
    assert_eq!(reason.render(Language::Id, &idr), "minimal Rp 100.000 untuk produk yang cocok, keranjang Rp 75.000");
}

// ---- Properties ----

/// A random promotion: any reward, stacking, priority, an optional condition
/// on products and a minimum, an optional cap.
fn arb_promotion() -> impl Strategy<Value = Promotion> {
    let product_set = (proptest::collection::vec(0u8..5, 0..3), proptest::collection::vec(0u8..3, 0..2)).prop_map(|(s, c)| ProductSet {
        skus: s.iter().map(|i| format!("SKU-{i}")).collect(),
        categories: c.iter().map(|i| format!("cat-{i}")).collect(),
    });
    let percent = (1u32..=10_000).prop_map(|bp| Percent::from_basis_points(bp).unwrap());
    let reward = prop_oneof![
        percent.clone().prop_map(|percent| Reward::PercentOrder { percent }),
        (1i64..200_000).prop_map(|a| Reward::FixedOrder { amount: Money(a) }),
        (percent.clone(), product_set.clone()).prop_map(|(percent, target)| Reward::PercentItems { percent, target }),
        (1i64..50_000, product_set.clone()).prop_map(|(a, target)| Reward::FixedItems { amount: Money(a), target }),
        (1i64..4, 1i64..3, percent, product_set.clone()).prop_map(|(buy, get, percent, target)| Reward::BuyXGetY {
            buy,
            get,
            percent,
            target
        }),
    ];
    (reward, any::<bool>(), -3i32..3, product_set, proptest::option::of(0i64..300_000), proptest::option::of(1i64..100_000)).prop_map(
        |(reward, is_exclusive, priority, products, min_subtotal, max_discount)| {
            let mut p = promo(0, reward);
            p.stacking = if is_exclusive { Stacking::Exclusive } else { Stacking::Combinable };
            p.priority = priority;
            p.conditions.products = products;
            p.conditions.min_subtotal = min_subtotal.map(Money);
            p.max_discount = max_discount.map(Money);
            p
        },
    )
}

fn arb_cart() -> impl Strategy<Value = Vec<CartLine>> {
    // Prices often repeat, so ties (rule 4's "ties by SKU", rule 6's tie order) are exercised.
    let price = prop_oneof![Just(0i64), Just(999), Just(5_000), Just(10_000), Just(33_333), 0i64..150_000];
    // A SKU's category comes from the catalogue: one per SKU.
    proptest::collection::vec((0u8..5, price, 1i64..6), 1..8)
        .prop_map(|spec| spec.into_iter().map(|(s, p, q)| in_category(&format!("SKU-{s}"), &format!("cat-{}", s % 3), p, q)).collect())
}

fn with_ids(mut promotions: Vec<Promotion>) -> Vec<Promotion> {
    for (i, p) in promotions.iter_mut().enumerate() {
        let fresh = promo(i as i64 + 1, p.reward.clone());
        p.id = fresh.id;
        p.name = fresh.name;
        p.created_at = fresh.created_at;
    }
    promotions
}

fn shuffled<T: Clone>(items: &[T], seed: u64) -> Vec<T> {
    let mut v = items.to_vec();
    let mut s = seed;
    for i in (1..v.len()).rev() {
        s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        v.swap(i, (s >> 33) as usize % (i + 1));
    }
    v
}

fn price_all(lines: &[CartLine], promotions: &[Promotion], tier: Option<&TierSnapshot>, share: Percent) -> PricedCart {
    let refs: Vec<&Promotion> = promotions.iter().collect();
    let settings = PricingSettings { max_discount_share: share };
    price_cart(&PricingInput { promotions: &refs, tier, settings, ..PricingInput::new(lines, now()) }).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// No line below zero; line discounts add up exactly to each adjustment and
    /// to the order discount; never above the maximum share; deterministic.
    #[test]
    fn prop_discounts_add_up_never_below_zero_never_above_the_share(
        lines in arb_cart(),
        promotions in proptest::collection::vec(arb_promotion(), 0..7),
        tier_bp in proptest::option::of(1u32..=10_000),
        share_bp in 1u32..=10_000,
        shipping in 0i64..50_000,
    ) {
        let promotions = with_ids(promotions);
        let tier = TierSnapshot { discount: tier_bp.map(|bp| Percent::from_basis_points(bp).unwrap()), ..gold(None) };
        let share = Percent::from_basis_points(share_bp).unwrap();
        let refs: Vec<&Promotion> = promotions.iter().collect();
        let settings = PricingSettings { max_discount_share: share };
        let input = PricingInput { promotions: &refs, tier: Some(&tier), settings, shipping: Money(shipping), ..PricingInput::new(&lines, now()) };
        let p = price_cart(&input).unwrap();
        assert_consistent(&p);
        for l in &p.lines {
            prop_assert_eq!(l.base_amount.0 - l.discount.0, l.final_amount.0);
        }
        prop_assert_eq!(p.total.0, p.subtotal.0 - p.discount_total.0 + shipping);
        prop_assert!(i128::from(p.discount_total.0) * 10_000 <= i128::from(p.subtotal.0) * i128::from(share_bp));
        prop_assert_eq!(p.candidates.iter().filter(|c| c.chosen).count(), 1);
        prop_assert_eq!(p.candidates.iter().find(|c| c.chosen).unwrap().discount, p.discount_total);
        prop_assert_eq!(price_cart(&input).unwrap(), p);
    }

    /// The result does not depend on the order of the cart's lines nor of the
    /// promotion list (lines equal in every key are interchangeable).
    #[test]
    fn prop_independent_of_line_and_promotion_order(
        lines in arb_cart(),
        promotions in proptest::collection::vec(arb_promotion(), 0..7),
        seed in any::<u64>(),
    ) {
        let promotions = with_ids(promotions);
        let p = price_all(&lines, &promotions, None, Percent::HUNDRED);
        let reordered_promotions = price_all(&lines, &shuffled(&promotions, seed), None, Percent::HUNDRED);
        prop_assert_eq!(&reordered_promotions, &p);
        let order = shuffled(&(0..lines.len()).collect::<Vec<_>>(), seed ^ 0x9e37_79b9);
        let reordered_lines: Vec<CartLine> = order.iter().map(|&i| lines[i].clone()).collect();
        let q = price_all(&reordered_lines, &promotions, None, Percent::HUNDRED);
        let outcome = |cart: &[CartLine], priced: &PricedCart| {
            let mut v: Vec<(String, Option<String>, i64, i64, i64)> = cart.iter().zip(&priced.lines)
                .map(|(l, r)| (l.sku.clone(), l.category.clone(), l.unit_price.0, l.quantity, r.discount.0)).collect();
            v.sort();
            v
        };
        prop_assert_eq!(outcome(&lines, &p), outcome(&reordered_lines, &q));
        prop_assert_eq!(p.discount_total, q.discount_total);
        prop_assert_eq!(&p.rejected, &q.rejected);
    }

    /// Percentages compound: k percent-off-order rewards take subtotal × (1 − Π(1 − pᵢ)),
    /// within one minor unit per reward of rounding.
    #[test]
    fn prop_percentages_compound(
        lines in arb_cart(),
        bps in proptest::collection::vec(1u32..=10_000, 1..5),
    ) {
        let promotions: Vec<Promotion> = bps.iter().enumerate()
            .map(|(i, bp)| promo(i as i64 + 1, Reward::PercentOrder { percent: Percent::from_basis_points(*bp).unwrap() }))
            .collect();
        let p = price_all(&lines, &promotions, None, Percent::HUNDRED);
        let subtotal = p.subtotal.0 as f64;
        let kept: f64 = bps.iter().map(|bp| 1.0 - f64::from(*bp) / 10_000.0).product();
        let expected = subtotal * (1.0 - kept);
        prop_assert!((p.discount_total.0 as f64 - expected).abs() <= bps.len() as f64 + 1e-6 * subtotal,
            "{} vs {expected}", p.discount_total.0);
    }

    /// Adding a combinable promotion other than buy X get Y never lowers the
    /// combinable candidate's discount (rule 4: a buy-X-get-Y may take units
    /// another reward needed, so it is left out).
    #[test]
    fn prop_adding_a_combinable_promotion_never_lowers_the_combinable_discount(
        lines in arb_cart(),
        promotions in proptest::collection::vec(arb_promotion(), 0..6),
        extra in arb_promotion(),
        share_bp in 1u32..=10_000,
    ) {
        prop_assume!(!matches!(extra.reward, Reward::BuyXGetY { .. }));
        let mut extra = extra;
        extra.stacking = Stacking::Combinable;
        let before = with_ids(promotions);
        let mut after = before.clone();
        after.push(extra);
        let after = with_ids(after);
        let share = Percent::from_basis_points(share_bp).unwrap();
        let combinable = |p: &PricedCart| p.candidates[0].discount;
        prop_assert!(combinable(&price_all(&lines, &after, None, share)) >= combinable(&price_all(&lines, &before, None, share)));
    }
}

#[test]
fn a_cart_has_at_most_max_lines_lines() {
    let lines: Vec<CartLine> = (0..MAX_LINES).map(|i| line(&format!("S{i}"), 1_000, 1)).collect();
    assert!(price_cart(&PricingInput::new(&lines, now())).is_ok());
    let mut too_many = lines.clone();
    too_many.push(line("ONE-MORE", 1_000, 1));
    assert_eq!(price_cart(&PricingInput::new(&too_many, now())), Err(PricingError::TooManyLines));
}

#[test]
fn a_subtotal_past_the_largest_amount_is_refused_never_wrapped() {
    // Each line is allowed on its own; together they pass MAX_AMOUNT.
    let lines: Vec<CartLine> = (0..MAX_LINES).map(|i| line(&format!("S{i}"), MAX_AMOUNT, 1)).collect();
    assert_eq!(price_cart(&PricingInput::new(&lines, now())), Err(PricingError::AmountTooLarge { line: MAX_LINES - 1 }));
}

#[test]
fn figures_that_do_not_add_up_are_caught_before_they_are_stored() {
    let lines = [line("A", 10_000, 2), line("B", 5_000, 1)];
    let promotions = [percent_order(1, "10")];
    let refs: Vec<&Promotion> = promotions.iter().collect();
    let priced = price_cart(&PricingInput { promotions: &refs, ..PricingInput::new(&lines, now()) }).unwrap();
    assert_eq!(priced.check_totals(), Ok(()));
    let mut wrong_total = priced.clone();
    wrong_total.total = Money(1);
    assert!(wrong_total.check_totals().is_err());
    let mut wrong_line = priced.clone();
    wrong_line.lines[0].final_amount = Money(0);
    assert!(wrong_line.check_totals().is_err());
    let mut wrong_subtotal = priced;
    wrong_subtotal.subtotal = Money(wrong_subtotal.subtotal.0 - 1);
    assert!(wrong_subtotal.check_totals().is_err());
}

#[test]
fn a_generated_code_applies_its_promotion_which_has_no_shared_code() {
    let lines = [line("SEPATU", 100_000, 1)];
    let mut campaign = percent_order(7, "10");
    campaign.kind = PromotionKind::Code;
    campaign.code = None;
    let refs = [&campaign];
    let with = |owner: Option<i64>| {
        price_cart(&PricingInput {
            promotions: &refs,
            coupon_code: Some("SETIA-ABCD"),
            coupon_promotion_id: owner,
            ..PricingInput::new(&lines, now())
        })
        .unwrap()
    };
    let p = with(Some(7));
    assert_eq!(p.discount_total, Money(10_000));
    assert_eq!(p.adjustments[0].code.as_deref(), Some("SETIA-ABCD"), "the trace names the code entered");
    assert_eq!(with(Some(8)).discount_total, Money::ZERO, "a code of another promotion");
    assert_eq!(with(None).discount_total, Money::ZERO, "no code resolved");
}
