//! A promotion's rule in one plain sentence, in English or Bahasa Indonesia, as it
//! will act (docs/SPEC.md §2.3): "10% off shoes for Gold members on Sat, Sun
//! 18:00–21:00, at most Rp 50.000 per order, 500 uses, exclusive". The editor shows
//! it live while marketing types; the promotion page shows it as saved. The words
//! follow pricing's reading of the rule (an item reward works on its own products,
//! else the condition's, else every line: `Promotion::item_target`).

use crate::money::{CurrencyFormat, Money};
use crate::promotion::{Conditions, Limits, ProductSet, Promotion, PromotionKind, Reward, Stacking};
use crate::promotion_definition::PromotionDefinition;
use crate::trace::Language;
use chrono::Weekday;

/// The parts of a promotion the sentence speaks of.
#[derive(Debug, Clone, Copy)]
pub struct RuleParts<'a> {
    pub kind: PromotionKind,
    pub code: Option<&'a str>,
    pub conditions: &'a Conditions,
    pub reward: &'a Reward,
    pub max_discount: Option<Money>,
    pub limits: Limits,
    pub stacking: Stacking,
}

impl<'a> From<&'a Promotion> for RuleParts<'a> {
    fn from(p: &'a Promotion) -> Self {
        RuleParts {
            kind: p.kind,
            code: p.code.as_deref(),
            conditions: &p.conditions,
            reward: &p.reward,
            max_discount: p.max_discount,
            limits: p.limits,
            stacking: p.stacking,
        }
    }
}

impl<'a> From<&'a PromotionDefinition> for RuleParts<'a> {
    fn from(p: &'a PromotionDefinition) -> Self {
        RuleParts {
            kind: p.kind,
            code: p.code.as_deref(),
            conditions: &p.conditions,
            reward: &p.reward,
            max_discount: p.max_discount,
            limits: p.limits,
            stacking: p.stacking,
        }
    }
}

/// `tier_name` names a tier id (the store's ladder); an unknown id is shown as `#id`.
pub fn summarize(rule: RuleParts<'_>, lang: Language, money: &CurrencyFormat, tier_name: &dyn Fn(i64) -> Option<String>) -> String {
    let en = lang == Language::En;
    let c = rule.conditions;
    // The products an item reward works on, as pricing reads them.
    let target = match rule.reward.own_target() {
        Some(t) if !t.is_empty() => Some(t),
        Some(_) if !c.products.is_empty() => Some(&c.products),
        _ => None,
    };
    let items = |t: Option<&ProductSet>| match t {
        Some(t) => products(t, lang),
        None if en => "every item".to_string(),
        None => "semua produk".to_string(),
    };
    let head = match rule.reward {
        Reward::PercentOrder { percent } if en => format!("{percent}% off the order"),
        Reward::PercentOrder { percent } => format!("Diskon {percent}% untuk pesanan"),
        Reward::FixedOrder { amount } if en => format!("{} off the order", money.format(*amount)),
        Reward::FixedOrder { amount } => format!("Potongan {} untuk pesanan", money.format(*amount)),
        Reward::PercentItems { percent, .. } if en => format!("{percent}% off {}", items(target)),
        Reward::PercentItems { percent, .. } => format!("Diskon {percent}% untuk {}", items(target)),
        Reward::FixedItems { amount, .. } if en => format!("{} off each of {}", money.format(*amount), items(target)),
        Reward::FixedItems { amount, .. } => format!("Potongan {} per unit {}", money.format(*amount), items(target)),
        Reward::BuyXGetY { buy, get, percent, .. } if percent.basis_points() == 10_000 && en => {
            format!("Buy {buy} get {get} free on {}", items(target))
        }
        Reward::BuyXGetY { buy, get, percent, .. } if percent.basis_points() == 10_000 => {
            format!("Beli {buy} gratis {get} untuk {}", items(target))
        }
        Reward::BuyXGetY { buy, get, percent, .. } if en => format!("Buy {buy} get {get} at {percent}% off on {}", items(target)),
        Reward::BuyXGetY { buy, get, percent, .. } => format!("Beli {buy} dapat {get} diskon {percent}% untuk {}", items(target)),
    };
    let mut parts = vec![head];
    if !c.tier_ids.is_empty() {
        let names: Vec<String> = c.tier_ids.iter().map(|id| tier_name(*id).unwrap_or_else(|| format!("#{id}"))).collect();
        let names = join(&names, lang);
        parts[0].push_str(&if en { format!(" for {names} members") } else { format!(" bagi member {names}") });
    }
    // The products of the condition, when they are not already what the reward is on.
    if !c.products.is_empty() && target != Some(&c.products) {
        let list = products(&c.products, lang);
        parts[0].push_str(&if en { format!(" when the cart holds {list}") } else { format!(" jika keranjang berisi {list}") });
    }
    if !c.weekdays.is_empty() {
        let days: Vec<String> = c.weekdays.iter().map(|d| weekday(*d, lang).to_string()).collect();
        parts[0].push_str(&if en { format!(" on {}", days.join(", ")) } else { format!(" pada {}", days.join(", ")) });
    }
    if let Some(h) = c.hours {
        let sep = if en { ":" } else { "." };
        let t = |t: chrono::NaiveTime| t.format(&format!("%H{sep}%M")).to_string();
        parts[0].push_str(&format!(" {}–{}", t(h.from), t(h.to)));
    }
    if c.first_order_only {
        parts.push(if en { "first order only" } else { "hanya pesanan pertama" }.into());
    }
    if let Some(m) = c.min_subtotal {
        parts.push(if en { format!("from a subtotal of {}", money.format(m)) } else { format!("minimal belanja {}", money.format(m)) });
    }
    if let Some(q) = c.min_quantity {
        parts.push(if en { format!("from {q} items") } else { format!("minimal {q} barang") });
    }
    if rule.kind == PromotionKind::Code {
        parts.push(match (rule.code, en) {
            (Some(code), true) => format!("with the code {code}"),
            (Some(code), false) => format!("dengan kode {code}"),
            (None, true) => "with one of its codes".into(),
            (None, false) => "dengan salah satu kodenya".into(),
        });
    }
    if let Some(cap) = rule.max_discount {
        parts.push(if en {
            format!("at most {} per order", money.format(cap))
        } else {
            format!("maksimal {} per pesanan", money.format(cap))
        });
    }
    let l = rule.limits;
    if let Some(n) = l.total_uses {
        parts.push(if en { format!("{n} uses") } else { format!("{n} pemakaian") });
    }
    if let Some(n) = l.uses_per_customer {
        parts.push(if en { format!("{n} per customer") } else { format!("{n} per pelanggan") });
    }
    if let Some(b) = l.budget {
        parts.push(if en { format!("budget {}", money.format(b)) } else { format!("anggaran {}", money.format(b)) });
    }
    parts.push(
        match (rule.stacking, en) {
            (Stacking::Exclusive, true) => "exclusive",
            (Stacking::Exclusive, false) => "eksklusif",
            (Stacking::Combinable, true) => "combines with other discounts",
            (Stacking::Combinable, false) => "bisa digabung dengan diskon lain",
        }
        .into(),
    );
    parts.join(", ")
}

fn products(set: &ProductSet, lang: Language) -> String {
    let mut names: Vec<String> = set.skus.clone();
    names.extend(set.categories.iter().map(|c| match lang {
        Language::En => format!("category {c}"),
        Language::Id => format!("kategori {c}"),
    }));
    join(&names, lang)
}

/// "A", "A and B", "A, B and C" (ID: "dan").
fn join(items: &[String], lang: Language) -> String {
    let and = match lang {
        Language::En => " and ",
        Language::Id => " dan ",
    };
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{}{and}{last}", rest.join(", ")),
    }
}

fn weekday(d: Weekday, lang: Language) -> &'static str {
    const EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const ID: [&str; 7] = ["Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min"];
    let i = d.num_days_from_monday() as usize;
    match lang {
        Language::En => EN[i],
        Language::Id => ID[i],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::percent::Percent;
    use crate::promotion::HoursWindow;
    use chrono::NaiveTime;

    fn gold(id: i64) -> Option<String> {
        (id == 2).then(|| "Gold".to_string())
    }

    fn shoes_for_gold() -> (Conditions, Reward) {
        let conditions = Conditions {
            tier_ids: vec![2],
            weekdays: vec![Weekday::Sat, Weekday::Sun],
            hours: Some(HoursWindow { from: NaiveTime::from_hms_opt(18, 0, 0).unwrap(), to: NaiveTime::from_hms_opt(21, 0, 0).unwrap() }),
            ..Conditions::default()
        };
        let target = ProductSet { skus: vec![], categories: vec!["sepatu".into()] };
        (conditions, Reward::PercentItems { percent: Percent::parse("10").unwrap(), target })
    }

    #[test]
    fn the_example_of_the_issue_reads_in_english_and_indonesian() {
        let (conditions, reward) = shoes_for_gold();
        let rule = RuleParts {
            kind: PromotionKind::Automatic,
            code: None,
            conditions: &conditions,
            reward: &reward,
            max_discount: Some(Money(50_000)),
            limits: Limits { total_uses: Some(500), ..Limits::default() },
            stacking: Stacking::Exclusive,
        };
        let idr = CurrencyFormat::idr();
        assert_eq!(
            summarize(rule, Language::En, &idr, &gold),
            "10% off category sepatu for Gold members on Sat, Sun 18:00–21:00, at most Rp 50.000 per order, 500 uses, exclusive"
        );
        assert_eq!(
            summarize(rule, Language::Id, &idr, &gold),
            "Diskon 10% untuk kategori sepatu bagi member Gold pada Sab, Min 18.00–21.00, maksimal Rp 50.000 per pesanan, 500 pemakaian, eksklusif"
        );
    }

    #[test]
    fn codes_conditions_and_buy_x_get_y_are_named() {
        let conditions = Conditions {
            products: ProductSet { skus: vec!["KOPI".into(), "TEH".into()], categories: vec![] },
            min_quantity: Some(3),
            first_order_only: true,
            ..Conditions::default()
        };
        let reward = Reward::BuyXGetY { buy: 2, get: 1, percent: Percent::parse("100").unwrap(), target: ProductSet::default() };
        let rule = RuleParts {
            kind: PromotionKind::Code,
            code: None,
            conditions: &conditions,
            reward: &reward,
            max_discount: None,
            limits: Limits { uses_per_customer: Some(1), budget: Some(Money(1_000_000)), ..Limits::default() },
            stacking: Stacking::Combinable,
        };
        let idr = CurrencyFormat::idr();
        assert_eq!(
            summarize(rule, Language::En, &idr, &gold),
            "Buy 2 get 1 free on KOPI and TEH, first order only, from 3 items, with one of its codes, 1 per customer, \
             budget Rp 1.000.000, combines with other discounts"
        );
        let with_code = RuleParts { code: Some("HEMAT"), ..rule };
        assert!(summarize(with_code, Language::Id, &idr, &gold).contains("dengan kode HEMAT"));
        let order = Reward::FixedOrder { amount: Money(10_000) };
        let unknown_tier = Conditions { tier_ids: vec![9], products: conditions.products.clone(), ..Conditions::default() };
        let plain = RuleParts { reward: &order, conditions: &unknown_tier, kind: PromotionKind::Automatic, ..rule };
        assert_eq!(
            summarize(plain, Language::En, &idr, &gold),
            "Rp 10.000 off the order for #9 members when the cart holds KOPI and TEH, 1 per customer, budget Rp 1.000.000, \
             combines with other discounts"
        );
    }
}
