//! Mainland mobile numbers: 11 digits `1[3-9]xxxxxxxxx`; `+86`/`0086`, spaces and dashes are stripped.

use crate::error::FieldError;

const FIELD: &str = "手机号";

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        // NFKC first: full-width digits, ＋ and － typed on a phone become ASCII.
        let mut s: String = crate::text::nfkc(raw).chars().filter(|c| !matches!(c, ' ' | '-' | '\u{3000}')).collect();
        if s.is_empty() {
            return Err(FieldError::required(FIELD));
        }
        for prefix in ["+86", "0086"] {
            if let Some(rest) = s.strip_prefix(prefix) {
                s = rest.to_string();
            }
        }
        let b = s.as_bytes();
        if b.len() != 11 || !b.iter().all(u8::is_ascii_digit) || b[0] != b'1' || !(b'3'..=b'9').contains(&b[1]) {
            return Err(FieldError::new(FIELD, "请输入正确的手机号码（11位，以13–19开头）"));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `138****1234`
    pub fn masked(&self) -> String {
        crate::mask::keep_ends(&self.0, 3, 4)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn normalises_and_masks() {
        assert_eq!(Phone::parse("+86 138-0000-1111").unwrap().as_str(), "13800001111");
        assert_eq!(Phone::parse("13800001111").unwrap().masked(), "138****1111");
        assert!(Phone::parse("12800001111").unwrap_err().message.contains("手机号"));
        assert!(Phone::parse("1380000111").is_err());
        assert_eq!(Phone::parse(" ").unwrap_err().message, "手机号不能为空");
        assert_eq!(Phone::parse("＋８６ １３８００００１１１１").unwrap().as_str(), "13800001111");
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,20}") { let _ = Phone::parse(&s); }
    }
}
