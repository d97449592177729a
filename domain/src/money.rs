//! Money: an integer number of the store currency's smallest unit in use
//! (docs/SPEC.md §2). IDR in whole rupiah by default, shown as `Rp 1.250.000`.

use serde::{Deserialize, Serialize};
use std::fmt::Write;

/// An amount in minor units of the store currency. Never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Money(pub i64);

impl Money {
    pub const ZERO: Money = Money(0);

    pub fn minor_units(self) -> i64 {
        self.0
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.0.checked_sub(other.0).map(Money)
    }

    /// The sum of `amounts`, or `None` when it leaves `i64`. `Money` has no
    /// `Sum` impl on purpose: a plain `.sum()` wraps silently in a release build
    /// (a cart of 18,447 lines of Rp 10^15 once summed to a small positive total).
    pub fn checked_sum(amounts: impl IntoIterator<Item = Money>) -> Option<Money> {
        amounts.into_iter().try_fold(Money::ZERO, Money::checked_add)
    }

    /// Formats with the store's currency settings, e.g. `Rp 1.250.000`.
    pub fn format(self, currency: &CurrencyFormat) -> String {
        currency.format(self)
    }
}

/// How the store shows money: symbol, decimals in use, separators.
/// Indonesian conventions by default: `.` groups thousands, `,` marks decimals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrencyFormat {
    pub symbol: String,
    pub decimals: u8,
    pub thousands_separator: char,
    pub decimal_separator: char,
}

impl Default for CurrencyFormat {
    fn default() -> Self {
        CurrencyFormat::idr()
    }
}

impl CurrencyFormat {
    pub fn idr() -> Self {
        CurrencyFormat { symbol: "Rp".into(), decimals: 0, thousands_separator: '.', decimal_separator: ',' }
    }

    pub fn format(&self, amount: Money) -> String {
        let negative = amount.0 < 0;
        let abs = amount.0.unsigned_abs();
        let scale = 10u64.pow(u32::from(self.decimals));
        let (whole, frac) = (abs / scale, abs % scale);
        let digits = whole.to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(self.thousands_separator);
            }
            grouped.push(c);
        }
        let mut out = String::new();
        if negative {
            out.push('-');
        }
        out.push_str(&self.symbol);
        out.push(' ');
        out.push_str(&grouped);
        if self.decimals > 0 {
            out.push(self.decimal_separator);
            let _ = write!(out, "{:0width$}", frac, width = usize::from(self.decimals));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sum_that_leaves_i64_is_none_not_a_wrapped_amount() {
        let lines = vec![Money(1_000_000_000_000_000); 18_447];
        assert_eq!(Money::checked_sum(lines), None);
        assert_eq!(Money::checked_sum([Money(i64::MAX), Money(1)]), None);
        assert_eq!(Money::checked_sum([Money(5), Money(-2), Money(7)]), Some(Money(10)));
        assert_eq!(Money::checked_sum(std::iter::empty()), Some(Money::ZERO));
    }

    #[test]
    fn formats_idr_with_dots() {
        let idr = CurrencyFormat::idr();
        assert_eq!(Money(1_250_000).format(&idr), "Rp 1.250.000");
        assert_eq!(Money(0).format(&idr), "Rp 0");
        assert_eq!(Money(999).format(&idr), "Rp 999");
        assert_eq!(Money(1000).format(&idr), "Rp 1.000");
        assert_eq!(Money(-25_000).format(&idr), "-Rp 25.000");
    }

    #[test]
    fn formats_decimals_when_the_currency_has_them() {
        let usd = CurrencyFormat { symbol: "$".into(), decimals: 2, thousands_separator: ',', decimal_separator: '.' };
        assert_eq!(Money(123_456_789).format(&usd), "$ 1,234,567.89");
        assert_eq!(Money(5).format(&usd), "$ 0.05");
    }
}
