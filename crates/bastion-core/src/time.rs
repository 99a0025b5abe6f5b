//! Times are stored as UTC epoch milliseconds and shown in Beijing time (UTC+8, no DST since 1991).

use jiff::{civil::Date, tz::TimeZone, Timestamp};

pub fn beijing() -> TimeZone {
    TimeZone::fixed(jiff::tz::offset(8))
}

pub fn now_ms() -> i64 {
    Timestamp::now().as_millisecond()
}

/// `2026-11-29 08:30` in Beijing time.
pub fn fmt_ms(ms: i64) -> String {
    match Timestamp::from_millisecond(ms) {
        Ok(ts) => ts.to_zoned(beijing()).strftime("%Y-%m-%d %H:%M").to_string(),
        Err(_) => String::new(),
    }
}

pub fn today() -> Date {
    Timestamp::now().to_zoned(beijing()).date()
}

/// Accepts `2020-01-25`, `2020/1/25`, `2020.01.25` and `20200125`.
pub fn parse_date(field: &str, raw: &str) -> Result<Date, crate::FieldError> {
    let t = raw.trim();
    let bad = || crate::FieldError::new(field, format!("{field}不是有效日期（格式 YYYY-MM-DD）"));
    let parts: Vec<&str> = if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        vec![&t[..4], &t[4..6], &t[6..]]
    } else {
        t.split(['-', '/', '.']).collect()
    };
    if parts.len() != 3 {
        return Err(bad());
    }
    let y: i16 = parts[0].parse().map_err(|_| bad())?;
    let m: i8 = parts[1].parse().map_err(|_| bad())?;
    let d: i8 = parts[2].parse().map_err(|_| bad())?;
    if !(1900..=2100).contains(&y) {
        return Err(bad());
    }
    Date::new(y, m, d).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_in_the_forms_people_type() {
        for s in ["2020-01-25", "2020/1/25", "2020.01.25", "20200125"] {
            assert_eq!(super::parse_date("入职日期", s).unwrap(), jiff::civil::date(2020, 1, 25), "{s}");
        }
        let e = super::parse_date("入职日期", "2020-02-30").unwrap_err();
        assert_eq!(e.message, "入职日期不是有效日期（格式 YYYY-MM-DD）");
        assert_eq!(super::fmt_ms(0), "1970-01-01 08:00");
    }
}
