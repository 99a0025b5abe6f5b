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

/// The millisecond at which the Beijing day holding `ms` begins: the day key of the daily
/// counters (migrations that fill them compute `(ms + 28800000) / 86400000 * 86400000 - 28800000`).
pub fn day_start_of(ms: i64) -> i64 {
    const DAY: i64 = 86_400_000;
    const UTC8: i64 = 8 * 3_600_000;
    (ms + UTC8).div_euclid(DAY) * DAY - UTC8
}

/// The Beijing day holding `ms`, counted in days from 1970-01-01: day arithmetic in whole numbers.
pub fn day_number(ms: i64) -> i64 {
    (ms + 8 * 3_600_000).div_euclid(86_400_000)
}

/// The date of a [`day_number`].
pub fn date_of_day_number(n: i64) -> Date {
    Date::constant(1970, 1, 1).checked_add(jiff::Span::new().days(n)).unwrap_or(Date::MAX)
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

/// `2026-12-06` (the end of that day) or `2026-12-06 18:00`, Beijing time, as epoch ms.
pub fn parse_when(field: &str, raw: &str, end_of_day: bool) -> Result<i64, crate::FieldError> {
    let t = raw.trim().replace('T', " ");
    let (date, time) =
        t.split_once(' ').map(|(d, h)| (d.to_string(), Some(h.trim().to_string()))).unwrap_or((t.clone(), None));
    let day = parse_date(field, &date)?;
    let minutes = match time {
        None => {
            if end_of_day {
                24 * 60 - 1
            } else {
                0
            }
        }
        Some(h) => {
            let bad = || crate::FieldError::new(field, format!("{field}的时间格式须为 HH:MM"));
            let (hh, mm) = h.split_once(':').ok_or_else(bad)?;
            let (hh, mm): (i64, i64) =
                (hh.parse().map_err(|_| bad())?, mm.get(..2).unwrap_or(mm).parse().map_err(|_| bad())?);
            if !(0..24).contains(&hh) || !(0..60).contains(&mm) {
                return Err(bad());
            }
            hh * 60 + mm
        }
    };
    let midnight = day.to_zoned(beijing()).map(|z| z.timestamp().as_millisecond()).unwrap_or_default();
    Ok(midnight + minutes * 60_000)
}

/// What a deadline's clock asks for at `now`: a reminder once it is within `remind_before` of the
/// deadline, an escalation once it has passed; each once (a first look after the deadline
/// escalates without reminding).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineStep {
    Remind,
    Escalate,
}

pub fn deadline_step(
    deadline_at: i64,
    remind_before: i64,
    reminded: bool,
    escalated: bool,
    now: i64,
) -> Option<DeadlineStep> {
    if now >= deadline_at {
        return (!escalated).then_some(DeadlineStep::Escalate);
    }
    (now >= deadline_at - remind_before && !reminded).then_some(DeadlineStep::Remind)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_beijing_day_starts_at_16_00_utc_the_evening_before() {
        // 2026-12-06 00:00 Beijing = 2026-12-05 16:00 UTC.
        let start = 1_796_486_400_000;
        assert_eq!(super::day_start_of(start), start);
        assert_eq!(super::day_start_of(start + 86_399_999), start);
        assert_eq!(super::day_start_of(start - 1), start - 86_400_000);
        let midnight = jiff::civil::date(2026, 12, 6).to_zoned(super::beijing()).unwrap().timestamp().as_millisecond();
        assert_eq!(midnight, start);
        // The same day as a number, and back to its date.
        let n = super::day_number(start);
        assert_eq!((super::day_number(start + 86_399_999), super::day_number(start - 1)), (n, n - 1));
        assert_eq!(super::date_of_day_number(n), jiff::civil::date(2026, 12, 6));
    }

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
