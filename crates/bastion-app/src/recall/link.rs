//! The personal one-tap link: `/r/{order}.{person}.{expires}.{nonce}.{sig}`. The signature is a
//! MAC under a key derived for this one purpose (see `Crypto::mac`), so the link cannot be
//! forged, changed to another person or order, or used for anything but answering this recall.
//! The nonce is stored with the person's recall row: a link only works for the row it was made for.

use bastion_store::org::PersonId;
use bastion_store::recall::OrderId;
use bastion_store::Crypto;

const PURPOSE: &str = "recall-link-v1";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    pub order: OrderId,
    pub person: PersonId,
    /// Unix seconds.
    pub expires: i64,
    pub nonce: String,
}

/// Why a link was refused (each shows its own page).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkError {
    /// Malformed or the signature does not match.
    Forged,
    Expired,
}

fn sig(crypto: &Crypto, body: &str) -> String {
    hex::encode(&crypto.mac(PURPOSE, body.as_bytes())[..16])
}

pub fn make(crypto: &Crypto, c: &Claims) -> String {
    let body = format!("{}.{}.{}.{}", c.order.0, c.person.0, c.expires, c.nonce);
    let s = sig(crypto, &body);
    format!("{body}.{s}")
}

/// Check the signature and the expiry at `now_s` (unix seconds).
pub fn verify(crypto: &Crypto, token: &str, now_s: i64) -> Result<Claims, LinkError> {
    if token.len() > 200 {
        return Err(LinkError::Forged);
    }
    let parts: Vec<&str> = token.split('.').collect();
    let [order, person, expires, nonce, given] = parts.as_slice() else {
        return Err(LinkError::Forged);
    };
    let body = format!("{order}.{person}.{expires}.{nonce}");
    let want = sig(crypto, &body);
    // Constant-time comparison: the difference of every byte is OR-ed together.
    let same = want.len() == given.len() && want.bytes().zip(given.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
    if !same {
        return Err(LinkError::Forged);
    }
    let claims = Claims {
        order: OrderId(order.parse().map_err(|_| LinkError::Forged)?),
        person: PersonId(person.parse().map_err(|_| LinkError::Forged)?),
        expires: expires.parse().map_err(|_| LinkError::Forged)?,
        nonce: nonce.to_string(),
    };
    if now_s > claims.expires {
        return Err(LinkError::Expired);
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forged_changed_and_expired_links_are_refused() {
        let c = Crypto::generate();
        let claims =
            Claims { order: OrderId(7), person: PersonId(42), expires: 1_000, nonce: "00ff00ff00ff00ff".into() };
        let t = make(&c, &claims);
        assert_eq!(verify(&c, &t, 999), Ok(claims.clone()));
        assert_eq!(verify(&c, &t, 1_001), Err(LinkError::Expired));
        // Another person, another order, a longer life: the signature no longer matches.
        assert_eq!(verify(&c, &t.replacen("7.42", "7.43", 1), 0), Err(LinkError::Forged));
        assert_eq!(verify(&c, &t.replacen("7.42.1000", "7.42.9999", 1), 0), Err(LinkError::Forged));
        assert_eq!(verify(&Crypto::generate(), &t, 0), Err(LinkError::Forged), "another deployment's key");
        assert_eq!(verify(&c, "garbage", 0), Err(LinkError::Forged));
        assert_eq!(verify(&c, "", 0), Err(LinkError::Forged));
    }
}
