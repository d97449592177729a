//! A priced cart or a stored order as every surface shows it — the order page, the
//! simulator and the REST order read these two values, built in one place each
//! (from the engine's result here, from stored rows in `backend::orders::types`).

use crate::money::CurrencyFormat;
use crate::pricing::{Adjustment, PricedLine};
use crate::trace::{Explanation, Language};
use serde::{Deserialize, Serialize};

/// One priced line, in minor units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = LineView))]
pub struct LineAmounts {
    pub sku: String,
    pub quantity: i64,
    pub unit_price: i64,
    pub base_amount: i64,
    pub discount: i64,
    pub final_amount: i64,
}

impl From<&PricedLine> for LineAmounts {
    fn from(l: &PricedLine) -> Self {
        LineAmounts {
            sku: l.sku.clone(),
            quantity: l.quantity,
            unit_price: l.unit_price.0,
            base_amount: l.base_amount.0,
            discount: l.discount.0,
            final_amount: l.final_amount.0,
        }
    }
}

/// One step of the discount trace (docs/SPEC.md §2.3.1 rule 7): which reward took how much, from
/// which line, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedReward {
    /// `promotion`, `customer_discount`, `tier` or `points`.
    pub source: String,
    pub promotion_id: Option<i64>,
    pub customer_discount_id: Option<i64>,
    pub code: Option<String>,
    /// 0-based; `None` = the reward was spread over several lines.
    pub line: Option<usize>,
    pub amount: i64,
    /// Structured when Setia wrote it; the stored text otherwise (kept as written).
    pub explanation: Result<Explanation, String>,
}

impl AppliedReward {
    /// The explanation in the reader's language.
    pub fn explained(&self, lang: Language, currency: &CurrencyFormat) -> String {
        match &self.explanation {
            Ok(e) => e.render(lang, currency),
            Err(text) => text.clone(),
        }
    }
}

impl From<&Adjustment> for AppliedReward {
    fn from(a: &Adjustment) -> Self {
        AppliedReward {
            source: a.source.as_str().to_string(),
            promotion_id: a.promotion_id,
            customer_discount_id: a.customer_discount_id,
            code: a.code.clone(),
            line: a.line,
            amount: a.amount.0,
            explanation: Ok(a.explanation.clone()),
        }
    }
}
