//! How dates and times are shown (UI.md): `25 Nov 2026 14:05` in English,
//! `25 Nov 2026 14.05` in Bahasa Indonesia, in the store's time zone (the caller
//! converts with [`local_to_utc`]; the rest of this module only formats).

use chrono::{DateTime, Datelike, NaiveDateTime, TimeZone, Timelike, Utc};

/// A wall-clock time in the store's time zone as the instant it names. A time
/// that occurs twice (clocks set back) is the earlier one; one that never occurs
/// (clocks set forward) is read as UTC rather than refused.
pub fn local_to_utc<Tz: TimeZone>(tz: &Tz, local: NaiveDateTime) -> DateTime<Utc> {
    tz.from_local_datetime(&local).earliest().map(|t| t.with_timezone(&Utc)).unwrap_or_else(|| local.and_utc())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisplayLanguage {
    En,
    Id,
}

const MONTHS_EN: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const MONTHS_ID: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"];

pub fn format_local_datetime(t: NaiveDateTime, lang: DisplayLanguage) -> String {
    let (months, sep) = match lang {
        DisplayLanguage::En => (&MONTHS_EN, ':'),
        DisplayLanguage::Id => (&MONTHS_ID, '.'),
    };
    format!("{} {} {} {:02}{}{:02}", t.day(), months[t.month0() as usize], t.year(), t.hour(), sep, t.minute())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn formats_per_language() {
        let t = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap().and_hms_opt(14, 5, 9).unwrap();
        assert_eq!(format_local_datetime(t, DisplayLanguage::En), "25 Nov 2026 14:05");
        assert_eq!(format_local_datetime(t, DisplayLanguage::Id), "25 Nov 2026 14.05");
        let may = NaiveDate::from_ymd_opt(2026, 5, 1).unwrap().and_hms_opt(9, 0, 0).unwrap();
        assert_eq!(format_local_datetime(may, DisplayLanguage::Id), "1 Mei 2026 09.00");
    }
}
