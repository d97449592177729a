//! List pages (UI.md: lists). One rule for every list: pages count from 1, a page
//! number outside 1..=[`MAX_PAGE`] is brought inside it, so `(page − 1) × size`
//! can never overflow whatever a URL says.

/// The last page a list serves; with 50 rows a page that is 5 million rows deep.
pub const MAX_PAGE: i64 = 100_000;

/// A page of a list, its number within 1..=[`MAX_PAGE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub number: i64,
    pub size: i64,
}

impl Page {
    /// `size` is the list's own constant (1..=1,000); `number` comes from the request.
    pub fn new(number: i64, size: i64) -> Page {
        Page { number: number.clamp(1, MAX_PAGE), size: size.clamp(1, 1_000) }
    }

    /// Rows to skip: at most 99,999 × 1,000, far inside i64.
    pub fn offset(self) -> i64 {
        (self.number - 1) * self.size
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_page_number_gives_an_offset_without_overflow() {
        assert_eq!(Page::new(i64::MAX, 50).offset(), (MAX_PAGE - 1) * 50);
        assert_eq!(Page::new(i64::MIN, 50).offset(), 0);
        assert_eq!(Page::new(0, 50).number, 1);
        assert_eq!(Page::new(3, 50).offset(), 100);
    }
}
