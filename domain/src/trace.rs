//! The discount trace's words (SPEC §2.3.1 rule 7): why each reward was applied,
//! kept as structured facts so the trace can be read in English or Bahasa
//! Indonesia long after the order was priced. Stored as JSON in
//! `order_adjustments.explanation`; rendered for the reader's language.

use crate::money::{CurrencyFormat, Money};
use crate::percent::Percent;
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Explanation {
    /// The tier discount of the order's tier snapshot, as percent off the order.
    TierDiscount { tier: String, percent: Percent, base: Money },
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
