//! Percentages as exact basis points: at most two decimals, in (0, 100]
//! (docs/SPEC.md §2.3.1 rule 4). `12.5` % is 1250 basis points; no floats anywhere.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Percent(u32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PercentError {
    #[error("a percentage must be a number like 10 or 12.5")]
    NotANumber,
    #[error("a percentage has at most two decimals")]
    TooPrecise,
    #[error("a percentage must be above 0 and at most 100")]
    OutOfRange,
}

impl Percent {
    pub const HUNDRED: Percent = Percent(10_000);

    pub fn from_basis_points(bp: u32) -> Result<Percent, PercentError> {
        if bp == 0 || bp > 10_000 {
            return Err(PercentError::OutOfRange);
        }
        Ok(Percent(bp))
    }

    /// Parses the decimal text of a number (`"10"`, `"12.5"`, `"0.01"`).
    pub fn parse(text: &str) -> Result<Percent, PercentError> {
        let t = text.trim();
        let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
        if whole.is_empty() && frac.is_empty() {
            return Err(PercentError::NotANumber);
        }
        if !whole.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
            return Err(if t.starts_with('-') { PercentError::OutOfRange } else { PercentError::NotANumber });
        }
        let frac = frac.trim_end_matches('0');
        if frac.len() > 2 {
            return Err(PercentError::TooPrecise);
        }
        let whole: u64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| PercentError::OutOfRange)? };
        let frac_bp: u64 = format!("{frac:0<2}").parse().unwrap_or(0);
        let bp = whole.checked_mul(100).and_then(|w| w.checked_add(frac_bp)).ok_or(PercentError::OutOfRange)?;
        Percent::from_basis_points(u32::try_from(bp).map_err(|_| PercentError::OutOfRange)?)
    }

    pub fn basis_points(self) -> u32 {
        self.0
    }
}

impl std::fmt::Display for Percent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (w, d) = (self.0 / 100, self.0 % 100);
        if d == 0 {
            write!(f, "{w}")
        } else if d % 10 == 0 {
            write!(f, "{w}.{}", d / 10)
        } else {
            write!(f, "{w}.{d:02}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_exactly() {
        assert_eq!(Percent::parse("10").unwrap().basis_points(), 1000);
        assert_eq!(Percent::parse("12.5").unwrap().basis_points(), 1250);
        assert_eq!(Percent::parse("0.01").unwrap().basis_points(), 1);
        assert_eq!(Percent::parse("100").unwrap().basis_points(), 10_000);
        assert_eq!(Percent::parse("33.30").unwrap().basis_points(), 3330);
        assert_eq!(Percent::parse("12.5").unwrap().to_string(), "12.5");
        assert_eq!(Percent::parse("7.05").unwrap().to_string(), "7.05");
    }

    #[test]
    fn refuses_out_of_range_and_too_precise() {
        assert_eq!(Percent::parse("0"), Err(PercentError::OutOfRange));
        assert_eq!(Percent::parse("100.01"), Err(PercentError::OutOfRange));
        assert_eq!(Percent::parse("-5"), Err(PercentError::OutOfRange));
        assert_eq!(Percent::parse("12.345"), Err(PercentError::TooPrecise));
        assert_eq!(Percent::parse("abc"), Err(PercentError::NotANumber));
        assert_eq!(Percent::parse("1e2"), Err(PercentError::NotANumber));
    }
}
