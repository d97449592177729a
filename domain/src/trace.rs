//! The discount trace's words (docs/SPEC.md §2.3.1 rule 7): why each reward was applied,
//! kept as structured facts so the trace can be read in English or Bahasa
//! Indonesia long after the order was priced. Stored as JSON in
//! `order_adjustments.explanation`; rendered for the reader's language.

use crate::money::{CurrencyFormat, Money};
use crate::percent::Percent;
use chrono::{DateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

/// The languages explanations are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Language {
    #[default]
    En,
    Id,
}

impl Language {
    /// The first language of an `Accept-Language` header Setia speaks; English otherwise.
    pub fn from_accept_language(header: &str) -> Language {
        for part in header.split(',') {
            let tag = part.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
            if tag == "id" || tag.starts_with("id-") || tag == "in" {
                return Language::Id;
            }
            if tag == "en" || tag.starts_with("en-") {
                return Language::En;
            }
        }
        Language::En
    }
}

/// Why a reward came out smaller than it would have by itself (rule 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum CapApplied {
    /// The promotion's `max_discount`.
    MaxDiscount { cap: Money },
    /// What was left of the promotion's budget.
    Budget { left: Money },
    /// The store's maximum discount share of the order; this reward gave back.
    MaxShare { percent: Percent },
}

/// What a promotion's reward is, in words (rule 4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RewardWords {
    PercentOrder { percent: Percent },
    FixedOrder { amount: Money },
    PercentItems { percent: Percent },
    FixedItems { amount: Money },
    BuyXGetY { buy: i64, get: i64, percent: Percent },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Explanation {
    /// The tier discount of the order's tier snapshot, as percent off the order.
    TierDiscount { tier: String, percent: Percent, base: Money },
    /// A promotion's reward; `base` is what was left of the lines it worked on.
    Promotion {
        name: String,
        reward: RewardWords,
        base: Money,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        capped: Option<CapApplied>,
    },
    /// A customer's personal discount, on one product (`sku`) or the whole order.
    PersonalDiscount {
        percent: Percent,
        sku: Option<String>,
        base: Money,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        capped: Option<CapApplied>,
    },
}

impl RewardWords {
    fn render(&self, lang: Language, c: &CurrencyFormat) -> String {
        match (self, lang) {
            (RewardWords::PercentOrder { percent }, Language::En) => format!("{percent}% off the order"),
            (RewardWords::PercentOrder { percent }, Language::Id) => format!("diskon {percent}% untuk pesanan"),
            (RewardWords::FixedOrder { amount }, Language::En) => format!("{} off the order", c.format(*amount)),
            (RewardWords::FixedOrder { amount }, Language::Id) => format!("potongan {} untuk pesanan", c.format(*amount)),
            (RewardWords::PercentItems { percent }, Language::En) => format!("{percent}% off items"),
            (RewardWords::PercentItems { percent }, Language::Id) => format!("diskon {percent}% untuk produk"),
            (RewardWords::FixedItems { amount }, Language::En) => format!("{} off each item", c.format(*amount)),
            (RewardWords::FixedItems { amount }, Language::Id) => format!("potongan {} per produk", c.format(*amount)),
            (RewardWords::BuyXGetY { buy, get, percent }, Language::En) if percent.basis_points() == 10_000 => {
                format!("buy {buy} get {get} free")
            }
            (RewardWords::BuyXGetY { buy, get, percent }, Language::Id) if percent.basis_points() == 10_000 => {
                format!("beli {buy} gratis {get}")
            }
            (RewardWords::BuyXGetY { buy, get, percent }, Language::En) => format!("buy {buy} get {get} at {percent}% off"),
            (RewardWords::BuyXGetY { buy, get, percent }, Language::Id) => format!("beli {buy} dapat {get} diskon {percent}%"),
        }
    }
}

impl CapApplied {
    fn render(&self, lang: Language, c: &CurrencyFormat) -> String {
        match (self, lang) {
            (CapApplied::MaxDiscount { cap }, Language::En) => format!(" (capped at {})", c.format(*cap)),
            (CapApplied::MaxDiscount { cap }, Language::Id) => format!(" (maksimal {})", c.format(*cap)),
            (CapApplied::Budget { left }, Language::En) => format!(" (limited to the {} left of its budget)", c.format(*left)),
            (CapApplied::Budget { left }, Language::Id) => format!(" (dibatasi sisa anggaran {})", c.format(*left)),
            (CapApplied::MaxShare { percent }, Language::En) => format!(" (reduced: discounts may not exceed {percent}% of the order)"),
            (CapApplied::MaxShare { percent }, Language::Id) => format!(" (dikurangi: total diskon maksimal {percent}% dari pesanan)"),
        }
    }
}

fn capped_words(capped: &Option<CapApplied>, lang: Language, c: &CurrencyFormat) -> String {
    capped.as_ref().map(|k| k.render(lang, c)).unwrap_or_default()
}

impl Explanation {
    pub fn render(&self, lang: Language, currency: &CurrencyFormat) -> String {
        match (self, lang) {
            (Explanation::TierDiscount { tier, percent, base }, Language::En) => {
                format!("{tier} tier discount: {percent}% off {}", currency.format(*base))
            }
            (Explanation::TierDiscount { tier, percent, base }, Language::Id) => {
                format!("Diskon tier {tier}: {percent}% dari {}", currency.format(*base))
            }
            (Explanation::Promotion { name, reward, base, capped }, lang) => {
                let of = match lang {
                    Language::En => "of",
                    Language::Id => "dari",
                };
                format!("{name}: {} {of} {}{}", reward.render(lang, currency), currency.format(*base), capped_words(capped, lang, currency))
            }
            (Explanation::PersonalDiscount { percent, sku, base, capped }, Language::En) => {
                let what = sku.as_deref().map_or("the order".to_string(), |s| s.to_string());
                format!("Personal discount: {percent}% off {what} ({}){}", currency.format(*base), capped_words(capped, lang, currency))
            }
            (Explanation::PersonalDiscount { percent, sku, base, capped }, Language::Id) => {
                let what = sku.as_deref().map_or("pesanan".to_string(), |s| s.to_string());
                format!("Diskon pribadi: {percent}% untuk {what} ({}){}", currency.format(*base), capped_words(capped, lang, currency))
            }
        }
    }

    /// Marks the reward as reduced by a cap (rule 5). The tier discount has no cap
    /// of its own; only the store's maximum share can reduce it.
    pub fn set_capped(&mut self, cap: CapApplied) {
        match self {
            Explanation::Promotion { capped, .. } | Explanation::PersonalDiscount { capped, .. } => *capped = Some(cap),
            Explanation::TierDiscount { .. } => {}
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a stored explanation; text that is not one (hand-written rows) is kept as is.
    pub fn parse_stored(text: &str) -> Result<Explanation, String> {
        serde_json::from_str(text).map_err(|_| text.to_string())
    }
}

/// Why a promotion is not in the priced cart (rules 1, 2, 7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum RejectReason {
    NotActive,
    CodeNotEntered,
    NotStarted {
        starts_at: DateTime<Utc>,
    },
    Ended {
        ends_at: DateTime<Utc>,
    },
    WrongWeekday,
    OutsideHours {
        from: NaiveTime,
        to: NaiveTime,
    },
    UsesExhausted {
        limit: i64,
    },
    CustomerUsesExhausted {
        limit: i64,
    },
    BudgetExhausted {
        budget: Money,
    },
    NeedsCustomer,
    TierNotEligible,
    NotFirstOrder,
    NoMatchingProduct,
    BelowMinSubtotal {
        min: Money,
        have: Money,
    },
    BelowMinQuantity {
        min: i64,
        have: i64,
    },
    /// Applicable, but its reward found nothing left to discount.
    NothingToDiscount,
    /// Its whole reward went back under the store's maximum discount share (rule 5).
    MaxShareReached {
        percent: Percent,
    },
    /// An exclusive promotion whose candidate gave less than the winner (rule 2).
    LostToBetterCandidate {
        discount: Money,
        winner_discount: Money,
    },
    /// A combinable promotion set aside because an exclusive one won (rule 2).
    ReplacedByExclusive {
        winner_promotion_id: i64,
        discount: Money,
        winner_discount: Money,
    },
}

impl RejectReason {
    /// The snake_case code (`"below_min_subtotal"`), as in the API's `reason_code`.
    pub fn code(&self) -> &'static str {
        match self {
            RejectReason::NotActive => "not_active",
            RejectReason::CodeNotEntered => "code_not_entered",
            RejectReason::NotStarted { .. } => "not_started",
            RejectReason::Ended { .. } => "ended",
            RejectReason::WrongWeekday => "wrong_weekday",
            RejectReason::OutsideHours { .. } => "outside_hours",
            RejectReason::UsesExhausted { .. } => "uses_exhausted",
            RejectReason::CustomerUsesExhausted { .. } => "customer_uses_exhausted",
            RejectReason::BudgetExhausted { .. } => "budget_exhausted",
            RejectReason::NeedsCustomer => "needs_customer",
            RejectReason::TierNotEligible => "tier_not_eligible",
            RejectReason::NotFirstOrder => "not_first_order",
            RejectReason::NoMatchingProduct => "no_matching_product",
            RejectReason::BelowMinSubtotal { .. } => "below_min_subtotal",
            RejectReason::BelowMinQuantity { .. } => "below_min_quantity",
            RejectReason::NothingToDiscount => "nothing_to_discount",
            RejectReason::MaxShareReached { .. } => "max_share_reached",
            RejectReason::LostToBetterCandidate { .. } => "lost_to_better_candidate",
            RejectReason::ReplacedByExclusive { .. } => "replaced_by_exclusive",
        }
    }

    pub fn render(&self, lang: Language, c: &CurrencyFormat) -> String {
        use RejectReason as R;
        let t = |t: &NaiveTime| t.format("%H:%M").to_string();
        let d = |d: &DateTime<Utc>| d.format("%Y-%m-%d %H:%M UTC").to_string();
        match lang {
            Language::En => match self {
                R::NotActive => "not active".into(),
                R::CodeNotEntered => "its code was not entered".into(),
                R::NotStarted { starts_at } => format!("starts {}", d(starts_at)),
                R::Ended { ends_at } => format!("ended {}", d(ends_at)),
                R::WrongWeekday => "not on this day of the week".into(),
                R::OutsideHours { from, to } => format!("only from {} to {}", t(from), t(to)),
                R::UsesExhausted { limit } => format!("used up ({limit} uses)"),
                R::CustomerUsesExhausted { limit } => format!("this customer has used it {limit} times already"),
                R::BudgetExhausted { budget } => format!("its budget of {} is spent", c.format(*budget)),
                R::NeedsCustomer => "needs a known customer".into(),
                R::TierNotEligible => "not for this customer's tier".into(),
                R::NotFirstOrder => "first orders only".into(),
                R::NoMatchingProduct => "no matching product in the cart".into(),
                R::BelowMinSubtotal { min, have } => {
                    format!("needs {} of matching products, the cart has {}", c.format(*min), c.format(*have))
                }
                R::BelowMinQuantity { min, have } => format!("needs {min} matching items, the cart has {have}"),
                R::NothingToDiscount => "nothing left to discount".into(),
                R::MaxShareReached { percent } => format!("discounts already reach the store's maximum of {percent}% of the order"),
                R::LostToBetterCandidate { discount, winner_discount } => {
                    format!("gives {}, less than the {} chosen", c.format(*discount), c.format(*winner_discount))
                }
                R::ReplacedByExclusive { winner_promotion_id, discount, winner_discount } => format!(
                    "the exclusive promotion #{winner_promotion_id} gives more ({} against {} with this one)",
                    c.format(*winner_discount),
                    c.format(*discount)
                ),
            },
            Language::Id => match self {
                R::NotActive => "tidak aktif".into(),
                R::CodeNotEntered => "kodenya tidak dimasukkan".into(),
                R::NotStarted { starts_at } => format!("mulai {}", d(starts_at)),
                R::Ended { ends_at } => format!("berakhir {}", d(ends_at)),
                R::WrongWeekday => "tidak berlaku di hari ini".into(),
                R::OutsideHours { from, to } => format!("hanya pukul {} sampai {}", t(from), t(to)),
                R::UsesExhausted { limit } => format!("kuota habis ({limit} kali)"),
                R::CustomerUsesExhausted { limit } => format!("pelanggan ini sudah memakainya {limit} kali"),
                R::BudgetExhausted { budget } => format!("anggaran {} sudah habis", c.format(*budget)),
                R::NeedsCustomer => "perlu pelanggan terdaftar".into(),
                R::TierNotEligible => "tidak untuk tier pelanggan ini".into(),
                R::NotFirstOrder => "khusus pesanan pertama".into(),
                R::NoMatchingProduct => "tidak ada produk yang cocok di keranjang".into(),
                R::BelowMinSubtotal { min, have } => {
                    format!("minimal {} untuk produk yang cocok, keranjang {}", c.format(*min), c.format(*have))
                }
                R::BelowMinQuantity { min, have } => format!("minimal {min} produk yang cocok, keranjang {have}"),
                R::NothingToDiscount => "tidak ada lagi yang bisa didiskon".into(),
                R::MaxShareReached { percent } => format!("total diskon sudah mencapai batas toko {percent}% dari pesanan"),
                R::LostToBetterCandidate { discount, winner_discount } => {
                    format!("memberi {}, lebih kecil dari {} yang dipilih", c.format(*discount), c.format(*winner_discount))
                }
                R::ReplacedByExclusive { winner_promotion_id, discount, winner_discount } => format!(
                    "promo eksklusif #{winner_promotion_id} memberi lebih besar ({} dibanding {} dengan promo ini)",
                    c.format(*winner_discount),
                    c.format(*discount)
                ),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_in_both_languages_and_round_trips() {
        let e = Explanation::TierDiscount { tier: "Gold".into(), percent: Percent::parse("5").unwrap(), base: Money(200_000) };
        let idr = CurrencyFormat::idr();
        assert_eq!(e.render(Language::En, &idr), "Gold tier discount: 5% off Rp 200.000");
        assert_eq!(e.render(Language::Id, &idr), "Diskon tier Gold: 5% dari Rp 200.000");
        assert_eq!(Explanation::parse_stored(&e.to_json()), Ok(e));
        assert_eq!(Explanation::parse_stored("free text"), Err("free text".to_string()));
    }

    #[test]
    fn picks_the_language_from_the_header() {
        assert_eq!(Language::from_accept_language("id-ID,id;q=0.9,en;q=0.8"), Language::Id);
        assert_eq!(Language::from_accept_language("en-US,id;q=0.5"), Language::En);
        assert_eq!(Language::from_accept_language("fr"), Language::En);
    }
}
