//! Promotion codes (docs/SPEC.md §2.3): how a bulk-generated code is shaped, and
//! when an entered code may be used. A code is `prefix` followed by `pattern`,
//! where each `#` of the pattern is one character of an alphabet without the
//! characters people misread (0/O, 1/I/L). Codes compare case-insensitively.

use crate::promotion::normalize_code;
use crate::Invalid;

/// The characters a generated code is drawn from: digits and capitals without 0, O, 1, I, L.
pub const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// The pattern when none is given: eight characters.
pub const DEFAULT_PATTERN: &str = "########";

/// The most codes one request may generate.
pub const MAX_GENERATE: i64 = 1_000_000;

/// Up to this many codes are generated while the request waits; more run as a task.
pub const INLINE_GENERATE: i64 = 10_000;

/// How sparse generated codes must stay: at most one in this many possible codes
/// of a pattern is ever asked for, so a random draw rarely collides and nobody
/// guesses a valid code by trying neighbours.
const SPARSENESS: f64 = 1_000.0;

/// What marketing asks for: `count` codes shaped `prefix` + `pattern`, each usable `max_uses` times.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CodeBatch {
    pub count: i64,
    pub prefix: String,
    pub pattern: String,
    pub max_uses: Option<i64>,
}

impl CodeBatch {
    /// Checks a request, naming the field: count in 1..=1,000,000, prefix and
    /// pattern of letters, digits, `-`, `_` (pattern: `#` for a drawn character),
    /// at most 64 characters together, room in the pattern for the count, max
    /// uses at least 1.
    pub fn parse(count: i64, prefix: Option<&str>, pattern: Option<&str>, max_uses: Option<i64>) -> Result<CodeBatch, Invalid> {
        if !(1..=MAX_GENERATE).contains(&count) {
            return Err(Invalid::new("count", "invalid_count", format!("count must be from 1 to {MAX_GENERATE}")));
        }
        let prefix = prefix.unwrap_or("").trim().to_string();
        let pattern = pattern.map(str::trim).filter(|p| !p.is_empty()).unwrap_or(DEFAULT_PATTERN).to_string();
        let plain = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        if !prefix.chars().all(plain) {
            return Err(Invalid::new("prefix", "invalid_code", "a prefix is letters, digits, - or _"));
        }
        if !pattern.chars().all(|c| plain(c) || c == '#') {
            return Err(Invalid::new("pattern", "invalid_pattern", "a pattern is # (a drawn character), letters, digits, - or _"));
        }
        if prefix.len() + pattern.len() > 64 {
            return Err(Invalid::new("pattern", "invalid_pattern", "prefix and pattern together are at most 64 characters"));
        }
        let drawn = pattern.chars().filter(|&c| c == '#').count() as i32;
        let possible = (ALPHABET.len() as f64).powi(drawn);
        if possible < count as f64 * SPARSENESS {
            let needed = minimum_drawn(count);
            return Err(Invalid::new(
                "pattern",
                "pattern_too_small",
                format!("{count} codes need at least {needed} # in the pattern (one code in {SPARSENESS} possible ones at most)"),
            ));
        }
        if max_uses.is_some_and(|m| m < 1) {
            return Err(Invalid::new("max_uses", "invalid_max_uses", "max_uses must be at least 1"));
        }
        Ok(CodeBatch { count, prefix, pattern, max_uses })
    }

    /// Whether the request waits for the codes (up to [`INLINE_GENERATE`]) or gets a task.
    pub fn runs_inline(&self) -> bool {
        self.count <= INLINE_GENERATE
    }

    /// One code: the prefix, then the pattern with each `#` replaced by
    /// `ALPHABET[draw() % len]`. `draw` is the caller's random source (this crate has no IO).
    pub fn make_code(&self, mut draw: impl FnMut() -> u32) -> String {
        let mut code = String::with_capacity(self.prefix.len() + self.pattern.len());
        code.push_str(&self.prefix);
        for c in self.pattern.chars() {
            if c == '#' {
                code.push(ALPHABET[draw() as usize % ALPHABET.len()] as char);
            } else {
                code.push(c);
            }
        }
        normalize_code(&code)
    }
}

/// The fewest `#` that leave room for `count` codes.
fn minimum_drawn(count: i64) -> u32 {
    let mut drawn = 1;
    while (ALPHABET.len() as f64).powi(drawn as i32) < count as f64 * SPARSENESS {
        drawn += 1;
    }
    drawn
}

/// Whether one more use of a code fits: refused when the code is disabled, or
/// when its uses (reserved and confirmed, counted without the order at hand)
/// reached its max uses. The promotion's own limits are checked by pricing.
pub fn admit_code_use(disabled: bool, max_uses: Option<i64>, uses: i64) -> Result<(), CodeRefusal> {
    if disabled {
        return Err(CodeRefusal::Disabled);
    }
    match max_uses {
        Some(limit) if uses >= limit => Err(CodeRefusal::UsedUp { limit }),
        _ => Ok(()),
    }
}

/// Why an entered code cannot be used (the API's `code_disabled` / `code_used_up`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodeRefusal {
    #[error("this code is disabled")]
    Disabled,
    #[error("this code's {limit} uses are taken")]
    UsedUp { limit: i64 },
}

impl CodeRefusal {
    pub fn code(self) -> &'static str {
        match self {
            CodeRefusal::Disabled => "code_disabled",
            CodeRefusal::UsedUp { .. } => "code_used_up",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_alphabet_has_no_ambiguous_characters() {
        for c in b"0O1IL" {
            assert!(!ALPHABET.contains(c), "{}", *c as char);
        }
        assert_eq!(ALPHABET.len(), 31);
    }

    #[test]
    fn a_code_is_the_prefix_and_the_filled_pattern() {
        let batch = CodeBatch::parse(10, Some("setia-"), Some("####-##"), None).unwrap();
        let mut n = 0;
        let code = batch.make_code(|| {
            n += 1;
            n
        });
        assert_eq!(code, "SETIA-3456-78");
    }

    #[test]
    fn requests_are_checked_field_by_field() {
        assert_eq!(CodeBatch::parse(0, None, None, None).unwrap_err().field, "count");
        assert_eq!(CodeBatch::parse(1_000_001, None, None, None).unwrap_err().field, "count");
        assert_eq!(CodeBatch::parse(5, Some("a b"), None, None).unwrap_err().field, "prefix");
        assert_eq!(CodeBatch::parse(5, None, Some("##*#"), None).unwrap_err().code, "invalid_pattern");
        assert_eq!(CodeBatch::parse(5, None, None, Some(0)).unwrap_err().field, "max_uses");
        let small = CodeBatch::parse(1_000_000, None, Some("###"), None).unwrap_err();
        assert_eq!(small.code, "pattern_too_small");
        assert!(small.message.contains("at least 7 #"), "{}", small.message);
        assert!(CodeBatch::parse(1_000_000, None, Some("SETIA-####-####"), None).is_ok());
        assert_eq!(CodeBatch::parse(3, None, None, None).unwrap().pattern, DEFAULT_PATTERN);
    }

    #[test]
    fn inline_up_to_ten_thousand() {
        assert!(CodeBatch::parse(10_000, None, None, None).unwrap().runs_inline());
        assert!(!CodeBatch::parse(10_001, None, None, None).unwrap().runs_inline());
    }

    #[test]
    fn a_code_is_refused_when_disabled_or_used_up() {
        assert_eq!(admit_code_use(true, None, 0), Err(CodeRefusal::Disabled));
        assert_eq!(admit_code_use(false, Some(2), 2), Err(CodeRefusal::UsedUp { limit: 2 }));
        assert_eq!(admit_code_use(false, Some(2), 1), Ok(()));
        assert_eq!(admit_code_use(false, None, 1_000), Ok(()));
        assert_eq!(CodeRefusal::UsedUp { limit: 1 }.code(), "code_used_up");
    }
}
