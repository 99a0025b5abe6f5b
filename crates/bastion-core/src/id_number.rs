//! 居民身份证号码 (GB 11643-1999): 6-digit region, 8-digit birth date, 3-digit sequence, MOD 11-2
//! check digit. Legacy 15-digit numbers (GB 11643-1989) are upgraded to 18 digits.

use crate::error::FieldError;
use jiff::civil::Date;

const FIELD: &str = "身份证号";
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";
const PROVINCES: &[u32] = &[
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63,
    64, 65, 71, 81, 82, 83,
];

/// A valid 18-character resident identity number, upper-case `X`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdNumber(String);

/// The check character for the first 17 digits.
pub fn check_char(first17: &[u8]) -> char {
    let sum: u32 = first17.iter().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    CHECK[(sum % 11) as usize] as char
}

impl IdNumber {
    /// Parse and normalise (spaces removed, `x` upper-cased, 15 digits upgraded). `today` bounds the birth date.
    pub fn parse(raw: &str, today: Date) -> Result<Self, FieldError> {
        // NFKC first: full-width digits and letters typed on a phone become ASCII.
        let s: String =
            crate::text::nfkc(raw).chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
        if s.is_empty() {
            return Err(FieldError::required(FIELD));
        }
        // Counted in characters, so a message never reports bytes.
        let s = match s.chars().count() {
            18 => s,
            15 if s.bytes().all(|b| b.is_ascii_digit()) => {
                let mut up = format!("{}19{}", &s[..6], &s[6..]);
                let c = check_char(up.as_bytes());
                up.push(c);
                up
            }
            n => return Err(FieldError::new(FIELD, format!("身份证号应为18位（或旧版15位），实为{n}位"))),
        };
        let b = s.as_bytes();
        if !b[..17].iter().all(u8::is_ascii_digit) || !(b[17].is_ascii_digit() || b[17] == b'X') {
            return Err(FieldError::new(FIELD, "身份证号只能由数字和末位X组成"));
        }
        let province = u32::from(b[0] - b'0') * 10 + u32::from(b[1] - b'0');
        if !PROVINCES.contains(&province) {
            return Err(FieldError::new(FIELD, "身份证号前两位不是有效的省级行政区代码"));
        }
        let birth = birth_of(&s).ok_or_else(|| FieldError::new(FIELD, "身份证号中的出生日期不是有效日期"))?;
        if birth < jiff::civil::date(1900, 1, 1) || birth > today {
            return Err(FieldError::new(FIELD, "身份证号中的出生日期超出合理范围"));
        }
        if check_char(&b[..17]) != b[17] as char {
            return Err(FieldError::new(FIELD, "身份证号校验位错误，请核对"));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn birth_date(&self) -> Date {
        // parse() has proven the date valid; fall back to the epoch only to stay total.
        birth_of(&self.0).unwrap_or(jiff::civil::date(1900, 1, 1))
    }

    /// 男 when the sequence number is odd.
    pub fn is_male(&self) -> bool {
        (self.0.as_bytes()[16] - b'0') % 2 == 1
    }

    /// First 3 and last 4 characters kept: `110***********1234`.
    pub fn masked(&self) -> String {
        crate::mask::keep_ends(&self.0, 3, 4)
    }
}

fn birth_of(s: &str) -> Option<Date> {
    let y: i16 = s.get(6..10)?.parse().ok()?;
    let m: i8 = s.get(10..12)?.parse().ok()?;
    let d: i8 = s.get(12..14)?.parse().ok()?;
    Date::new(y, m, d).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> Date {
        jiff::civil::date(2026, 11, 29)
    }

    #[test]
    fn accepts_the_published_vectors() {
        // 440524188001010014 checks out but is born before 1900, which the birth-date rule refuses.
        assert_eq!(check_char(b"44052418800101001"), '4');
        assert!(IdNumber::parse("440524188001010014", today()).unwrap_err().message.contains("出生日期"));
        for v in ["11010519491231002X", "370101190102039973", "34052419800101001X"] {
            let id = IdNumber::parse(v, today()).unwrap_or_else(|e| panic!("{v}: {e}"));
            assert_eq!(id.as_str(), v);
        }
        assert!(!IdNumber::parse("11010519491231002X", today()).unwrap().is_male());
        assert_eq!(IdNumber::parse("11010519491231002x", today()).unwrap().masked(), "110***********002X");
    }

    #[test]
    fn names_the_rule_that_failed() {
        let e = IdNumber::parse("110105194912310021", today()).unwrap_err();
        assert_eq!(e.field, "身份证号");
        assert!(e.message.contains("校验位"), "{e}");
        assert!(IdNumber::parse("11010519491331002X", today()).unwrap_err().message.contains("出生日期"));
        assert!(IdNumber::parse("1101051949", today()).unwrap_err().message.contains("18位"));
        assert!(IdNumber::parse("99010519491231002X", today()).unwrap_err().message.contains("省级"));
    }

    #[test]
    fn full_width_is_normalised_and_length_counts_characters() {
        let id = IdNumber::parse("１１０１０５１９４９１２３１００２ｘ", today()).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        let e = IdNumber::parse("身份证号码", today()).unwrap_err();
        assert!(e.message.contains("实为5位"), "{e}");
    }

    #[test]
    fn upgrades_legacy_fifteen_digit_numbers() {
        let id = IdNumber::parse("110105491231002", today()).unwrap();
        assert_eq!(id.as_str().len(), 18);
        assert_eq!(&id.as_str()[6..10], "1949");
        assert_eq!(id.birth_date(), jiff::civil::date(1949, 12, 31));
    }

    proptest! {
        #[test]
        fn never_panics_on_any_input(s in "\\PC{0,24}") {
            let _ = IdNumber::parse(&s, today());
        }

        #[test]
        fn every_valid_body_gets_its_check_digit(region in 110000u32..659999, days in 0i32..36000, seq in 0u32..999) {
            let birth = jiff::civil::date(1925, 1, 1).checked_add(jiff::Span::new().days(days)).unwrap();
            let body = format!("{region:06}{}{seq:03}", birth.strftime("%Y%m%d"));
            let full = format!("{body}{}", check_char(body.as_bytes()));
            let province = region / 10000;
            let parsed = IdNumber::parse(&full, today());
            prop_assert_eq!(parsed.is_ok(), PROVINCES.contains(&province));
        }
    }
}
