//! Free text as it may enter the store: one rule for every text field, whether it
//! comes over the REST API or from a form.
//!
//! PostgreSQL refuses a NUL in `TEXT` (a 500 if it gets that far) and an index
//! entry above 2,704 bytes, and SQLite stores anything; so the limits live here,
//! before either sees the value. Each kind of field has one [`TextRule`]: its
//! length in characters (every indexed column stays under 1 KB even at four
//! bytes a character), whether surrounding spaces are dropped, and whether line
//! breaks belong in it. Control characters never do, except `\n` and `\t` in
//! multi-line fields.

use std::fmt;

/// How one kind of text field is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextRule {
    /// The most characters (not bytes) the value may have once trimmed.
    pub max_chars: usize,
    /// Surrounding whitespace is dropped, so ` A-1 ` and `A-1` are one value.
    pub trim: bool,
    /// Line breaks and tabs are allowed (an address, a description).
    pub multiline: bool,
    /// An empty value (after trimming) is refused.
    pub required: bool,
}

/// External references, payment and refund references, a customer's external id
/// (all unique-indexed).
pub const REFERENCE: TextRule = TextRule { max_chars: 128, trim: true, multiline: false, required: true };
/// A product's SKU, in the catalogue and wherever a SKU is named (unique-indexed;
/// the catalogue's own format allows 64 ASCII characters).
pub const SKU: TextRule = TextRule { max_chars: 64, trim: true, multiline: false, required: true };
/// A promotion's code, and a coupon code entered at checkout (unique-indexed; the
/// promotion's own format allows 64 ASCII characters).
pub const CODE: TextRule = TextRule { max_chars: 64, trim: true, multiline: false, required: true };
/// The name of a customer, product, tier, promotion or staff user (tier names are
/// unique-indexed).
pub const NAME: TextRule = TextRule { max_chars: 200, trim: true, multiline: false, required: true };
/// A product category, and a category a promotion names (indexed).
pub const CATEGORY: TextRule = TextRule { max_chars: 100, trim: true, multiline: false, required: false };
/// A customer's postal address (not indexed).
pub const ADDRESS: TextRule = TextRule { max_chars: 2_000, trim: true, multiline: true, required: false };
/// A promotion's description (not indexed).
pub const DESCRIPTION: TextRule = TextRule { max_chars: 2_000, trim: true, multiline: true, required: false };
/// The currency symbol shown before amounts (`Rp`).
pub const CURRENCY_SYMBOL: TextRule = TextRule { max_chars: 8, trim: true, multiline: false, required: true };
/// What staff type into a list's search or filter box: it is never stored, but a
/// NUL still breaks a PostgreSQL query and a page of text is no search.
pub const SEARCH: TextRule = TextRule { max_chars: 200, trim: true, multiline: false, required: false };

/// What is wrong with a text value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextProblem {
    Required,
    TooLong {
        max_chars: usize,
    },
    /// A NUL or another control character (a line break where one line is due).
    ControlCharacter,
}

/// A refused text value, naming its field (`name`, `lines[0].sku`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextError {
    pub field: String,
    pub problem: TextProblem,
}

impl TextError {
    /// The stable snake_case code the API and the forms show.
    pub fn code(&self) -> &'static str {
        match self.problem {
            TextProblem::Required => "required",
            TextProblem::TooLong { .. } => "text_too_long",
            TextProblem::ControlCharacter => "invalid_text",
        }
    }

    /// The value was empty where one is required; callers whose field had its own
    /// code for that before this rule (`name_required`) keep it.
    pub fn is_missing(&self) -> bool {
        self.problem == TextProblem::Required
    }
}

impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = &self.field;
        match self.problem {
            TextProblem::Required => write!(f, "{field} is required"),
            TextProblem::TooLong { max_chars } => write!(f, "{field} is too long (at most {max_chars} characters)"),
            TextProblem::ControlCharacter => write!(f, "{field} contains a control character or a line break, which it may not"),
        }
    }
}

impl std::error::Error for TextError {}

impl TextRule {
    /// The value as it is stored, or why it cannot be.
    pub fn parse(&self, field: &str, raw: &str) -> Result<String, TextError> {
        let refuse = |problem| Err(TextError { field: field.to_string(), problem });
        let value = if self.trim { raw.trim() } else { raw };
        // A browser sends a textarea's line breaks as CRLF; one stored form.
        let value =
            if self.multiline && value.contains('\r') { value.replace("\r\n", "\n").replace('\r', "\n") } else { value.to_string() };
        if value.is_empty() && self.required {
            return refuse(TextProblem::Required);
        }
        if value.chars().any(|c| c.is_control() && !(self.multiline && (c == '\n' || c == '\t'))) {
            return refuse(TextProblem::ControlCharacter);
        }
        if value.chars().count() > self.max_chars {
            return refuse(TextProblem::TooLong { max_chars: self.max_chars });
        }
        Ok(value)
    }

    /// An optional field: absent or empty is `None`, whatever `required` says.
    pub fn parse_optional(&self, field: &str, raw: Option<&str>) -> Result<Option<String>, TextError> {
        let Some(raw) = raw else { return Ok(None) };
        let value = TextRule { required: false, ..*self }.parse(field, raw)?;
        Ok(Some(value).filter(|v| !v.is_empty()))
    }
}

/// A name (of a customer, staff member, tier, product, promotion): required
/// (`name_required`), one line, at most [`NAME`]'s length.
pub fn parse_name(raw: &str) -> Result<String, crate::Invalid> {
    NAME.parse("name", raw).map_err(|e| {
        if e.is_missing() {
            crate::Invalid::new("name", "name_required", "name is required")
        } else {
            e.into()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(rule: TextRule, raw: &str) -> Option<TextProblem> {
        rule.parse("f", raw).err().map(|e| e.problem)
    }

    #[test]
    fn trims_where_the_field_says_so() {
        assert_eq!(REFERENCE.parse("external_ref", "  POS-1 \t").unwrap(), "POS-1");
        let kept = TextRule { trim: false, ..REFERENCE };
        assert_eq!(kept.parse("password", " x ").unwrap(), " x ");
    }

    #[test]
    fn refuses_nul_and_other_control_characters_naming_the_field() {
        for raw in ["a\u{0}b", "\u{0}", "a\u{1b}b", "a\u{7f}", "a\u{85}b", "one\ntwo", "a\tb"] {
            let e = NAME.parse("name", raw).unwrap_err();
            assert_eq!((e.field.as_str(), e.problem, e.code()), ("name", TextProblem::ControlCharacter, "invalid_text"), "{raw:?}");
        }
    }

    #[test]
    fn multi_line_fields_keep_line_breaks_and_tabs_but_no_other_control() {
        assert_eq!(ADDRESS.parse("address", "Jl. Ganjil 1\n\tBandung").unwrap(), "Jl. Ganjil 1\n\tBandung");
        assert_eq!(DESCRIPTION.parse("description", "a\r\nb\rc").unwrap(), "a\nb\nc");
        assert_eq!(problem(ADDRESS, "Jl.\u{0} 1"), Some(TextProblem::ControlCharacter));
        assert_eq!(problem(ADDRESS, "Jl.\u{8} 1"), Some(TextProblem::ControlCharacter));
    }

    #[test]
    fn counts_characters_not_bytes() {
        assert_eq!(NAME.parse("name", &"é".repeat(200)).unwrap().chars().count(), 200);
        assert_eq!(problem(NAME, &"é".repeat(201)), Some(TextProblem::TooLong { max_chars: 200 }));
        assert_eq!(problem(REFERENCE, &"x".repeat(129)), Some(TextProblem::TooLong { max_chars: 128 }));
        // Surrounding spaces do not count against the limit of a trimmed field.
        assert!(REFERENCE.parse("r", &format!("  {}  ", "x".repeat(128))).is_ok());
        let e = SKU.parse("lines[0].sku", &"x".repeat(10_000)).unwrap_err();
        assert_eq!((e.code(), e.to_string().as_str()), ("text_too_long", "lines[0].sku is too long (at most 64 characters)"));
    }

    #[test]
    fn required_fields_refuse_empty_and_blank() {
        for raw in ["", "   ", "\n"] {
            let e = NAME.parse("name", raw).unwrap_err();
            assert!(e.is_missing(), "{raw:?}");
            assert_eq!(e.code(), "required");
        }
        assert_eq!(CATEGORY.parse("category", "  ").unwrap(), "");
    }

    #[test]
    fn an_optional_field_is_none_when_absent_or_blank() {
        assert_eq!(REFERENCE.parse_optional("external_id", None).unwrap(), None);
        assert_eq!(REFERENCE.parse_optional("external_id", Some("  ")).unwrap(), None);
        assert_eq!(REFERENCE.parse_optional("external_id", Some(" EXT-1 ")).unwrap().as_deref(), Some("EXT-1"));
        assert!(REFERENCE.parse_optional("external_id", Some("E\u{0}")).is_err());
    }

    /// Every indexed kind stays well under PostgreSQL's 2,704-byte index entry,
    /// even with four bytes a character (and a SKU with a category in one entry).
    #[test]
    fn indexed_kinds_fit_a_btree_entry() {
        for rule in [REFERENCE, SKU, CODE, NAME, CATEGORY, SEARCH] {
            assert!(rule.max_chars * 4 <= 1_024, "{rule:?}");
        }
        const { assert!((SKU.max_chars + CATEGORY.max_chars) * 4 < 2_704) };
    }

    #[test]
    fn letters_of_every_script_are_text() {
        assert_eq!(NAME.parse("name", "Budi Święty 山田 🙂").unwrap(), "Budi Święty 山田 🙂");
    }
}
