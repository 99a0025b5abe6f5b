//! Time-based one-time passwords (RFC 6238, HMAC-SHA1, 30-second steps, 6 digits): what
//! authenticator apps (Google Authenticator, Microsoft Authenticator, 腾讯身份验证器…) produce.

use hmac::{Hmac, Mac};
use sha1::Sha1;

pub const STEP_SECONDS: u64 = 30;
pub const DIGITS: u32 = 6;
const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding (the form authenticator apps take).
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    let (mut buf, mut bits) = (0u32, 0u32);
    for b in bytes {
        buf = (buf << 8) | u32::from(*b);
        bits += 8;
        while bits >= 5 {
            out.push(B32[((buf >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(B32[((buf << (5 - bits)) & 31) as usize] as char);
    }
    out
}

pub fn base32_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buf, mut bits) = (0u32, 0u32);
    for c in s.chars().filter(|c| !c.is_whitespace() && *c != '=' && *c != '-') {
        let v = B32.iter().position(|x| *x as char == c.to_ascii_uppercase())? as u32;
        buf = (buf << 5) | v;
        bits += 5;
        if bits >= 8 {
            out.push(((buf >> (bits - 8)) & 0xFF) as u8);
            bits -= 8;
        }
    }
    Some(out)
}

/// RFC 4226 HOTP with `digits` digits.
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> u32 {
    let Ok(mut mac) = <Hmac<Sha1> as Mac>::new_from_slice(secret) else { return 0 };
    mac.update(&counter.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let off = (h[19] & 0x0F) as usize;
    let bin = (u32::from(h[off] & 0x7F) << 24)
        | (u32::from(h[off + 1]) << 16)
        | (u32::from(h[off + 2]) << 8)
        | u32::from(h[off + 3]);
    bin % 10u32.pow(digits)
}

/// The six-digit code for a Unix time.
pub fn code_at(secret: &[u8], unix_seconds: u64) -> String {
    format!("{:06}", hotp(secret, unix_seconds / STEP_SECONDS, DIGITS))
}

/// Accept the code of the current step or one step either side (clock drift), but only for a
/// step later than `last_step` (a code is usable once). Returns the matched step.
pub fn verify(secret: &[u8], code: &str, unix_seconds: u64, last_step: u64) -> Option<u64> {
    let code = code.trim();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = unix_seconds / STEP_SECONDS;
    [now.saturating_sub(1), now, now + 1]
        .into_iter()
        .filter(|s| *s > last_step)
        .find(|s| format!("{:06}", hotp(secret, *s, DIGITS)) == code)
}

/// `otpauth://totp/ISSUER:ACCOUNT?secret=…&issuer=…` for the QR code.
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits=6&period=30",
        enc(issuer),
        enc(account),
        base32_encode(secret),
        enc(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_sha1_vectors() {
        let secret = b"12345678901234567890";
        for (t, want) in [
            (59u64, 94287082u32),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
            (20000000000, 65353130),
        ] {
            assert_eq!(hotp(secret, t / 30, 8), want, "T={t}");
        }
        assert_eq!(code_at(secret, 59), "287082");
    }

    #[test]
    fn base32_round_trip_and_rfc4648_vector() {
        assert_eq!(base32_encode(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32_decode("MZXW6YTBOI").unwrap(), b"foobar");
        assert_eq!(base32_decode("mzxw 6ytb oi").unwrap(), b"foobar");
        assert!(base32_decode("MZ1").is_none());
    }

    #[test]
    fn codes_are_single_use_and_drift_tolerant() {
        let s = b"12345678901234567890";
        let code = code_at(s, 1_000_000_000);
        let step = verify(s, &code, 1_000_000_010, 0).unwrap();
        assert_eq!(verify(s, &code, 1_000_000_010, step), None, "replay refused");
        assert!(verify(s, &code, 1_000_000_000 + 30, 0).is_some(), "one step late is fine");
        assert!(verify(s, &code, 1_000_000_000 + 95, 0).is_none(), "three steps late is not");
        assert!(verify(s, "12345", 1_000_000_000, 0).is_none());
        assert!(otpauth_uri("Bastion 战疫", "sysadmin", s).starts_with("otpauth://totp/Bastion%20%E6"));
    }
}
