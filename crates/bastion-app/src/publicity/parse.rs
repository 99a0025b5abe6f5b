//! What the publicity forms type as text: a publishing time in Beijing time, and lists in one field.

use bastion_core::FieldError;

/// Parse `2020-02-01 08:30` (Beijing time) into UTC ms.
pub fn parse_publish_at(raw: &str) -> Result<i64, FieldError> {
    let bad = || FieldError::new("发布时间", "发布时间格式应为 YYYY-MM-DD HH:MM");
    let t = raw.trim().replace('T', " ");
    let (d, hm) = t.split_once(' ').unwrap_or((t.as_str(), "00:00"));
    let date = bastion_core::time::parse_date("发布时间", d).map_err(|_| bad())?;
    let (h, m) = hm.trim().split_once(':').ok_or_else(bad)?;
    let h: i8 = h.parse().map_err(|_| bad())?;
    let m: i8 = m.get(..2).unwrap_or(m).parse().map_err(|_| bad())?;
    let time = jiff::civil::Time::new(h, m, 0, 0).map_err(|_| bad())?;
    let zoned = date.to_datetime(time).to_zoned(bastion_core::time::beijing()).map_err(|_| bad())?;
    Ok(zoned.timestamp().as_millisecond())
}

/// `2020-02-01 08:30` for a form field.
pub fn fmt_publish_at(ms: i64) -> String {
    bastion_core::time::fmt_ms(ms)
}

/// A list typed in one field: separated by commas, spaces, 、 or semicolons, blanks dropped.
pub(super) fn split_list(raw: &str) -> Vec<String> {
    raw.split([',', '，', '、', ' ', '\n', ';', '；'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn publish_time_is_beijing() {
        let ms = super::parse_publish_at("2020-02-01 08:30").unwrap();
        assert_eq!(super::fmt_publish_at(ms), "2020-02-01 08:30");
        assert_eq!(ms, 1_580_517_000_000);
        assert!(super::parse_publish_at("2020-02-01 25:00").is_err());
    }
}
