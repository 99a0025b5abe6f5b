//! The wire protocols of the channels: chat-bot group webhooks (WeCom, DingTalk, Feishu), which get
//! group messages with no personal data, their signatures and answers, and the spacing each bot
//! allows. Protocols and signatures follow the chat-bot conventions (DingTalk 加签, Feishu
//! signature, the bots' documented rate limits); the published test vectors are checked below.

use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use super::{DINGTALK, FEISHU, WECOM};

/// DingTalk 加签: `urlEncode(base64(HmacSHA256(key = secret, msg = timestamp_ms + "\n" + secret)))`.
pub fn dingtalk_sign(secret: &str, timestamp_ms: i64) -> String {
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()) else { return String::new() };
    mac.update(format!("{timestamp_ms}\n{secret}").as_bytes());
    let b64 = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    url_encode(&b64)
}

/// Feishu signature: `base64(HmacSHA256(key = timestamp_s + "\n" + secret, msg = ""))`, not URL-encoded.
pub fn feishu_sign(secret: &str, timestamp_s: i64) -> String {
    let key = format!("{timestamp_s}\n{secret}");
    let Ok(mac) = <Hmac<Sha256> as Mac>::new_from_slice(key.as_bytes()) else { return String::new() };
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The request for one digest to one bot: (url, JSON body).
pub fn bot_request(kind: &str, url: &str, secret: Option<&str>, text: &str, now_ms: i64) -> (String, Value) {
    match kind {
        DINGTALK => {
            let body = json!({"msgtype": "text", "text": {"content": text}, "at": {"isAtAll": false}});
            let url = match secret {
                Some(s) => {
                    let sep = if url.contains('?') { '&' } else { '?' };
                    format!("{url}{sep}timestamp={now_ms}&sign={}", dingtalk_sign(s, now_ms))
                }
                None => url.to_string(),
            };
            (url, body)
        }
        FEISHU => {
            let mut body = json!({"msg_type": "text", "content": {"text": text}});
            if let Some(s) = secret {
                let ts = now_ms / 1000;
                body["timestamp"] = json!(ts.to_string());
                body["sign"] = json!(feishu_sign(s, ts));
            }
            (url.to_string(), body)
        }
        // WeCom: the key in the URL is the only credential.
        _ => (url.to_string(), json!({"msgtype": "text", "text": {"content": text}})),
    }
}

/// Whether a bot accepted the message, from its JSON answer; `Err` carries the bot's code and
/// message, and whether the refusal was a rate limit (then the queue waits longer).
pub fn bot_answer(kind: &str, body: &str) -> Result<(), (String, bool)> {
    let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let (code, msg) = match kind {
        FEISHU => (
            v.get("code").or_else(|| v.get("StatusCode")).and_then(Value::as_i64),
            v.get("msg").or_else(|| v.get("StatusMessage")).and_then(Value::as_str).unwrap_or(""),
        ),
        _ => (v.get("errcode").and_then(Value::as_i64), v.get("errmsg").and_then(Value::as_str).unwrap_or("")),
    };
    match code {
        Some(0) => Ok(()),
        Some(c) => Err((format!("错误码 {c}：{msg}"), matches!(c, 130101 | 45009 | 11232 | 9499))),
        None => Err(("应答不是预期的 JSON".into(), false)),
    }
}

/// The default spacing between two messages to one bot (shared/conventions-cn.md §5: WeCom and
/// DingTalk 20 per minute, Feishu 100 per minute and 5 per second).
pub fn default_interval_ms(kind: &str) -> i64 {
    match kind {
        WECOM | DINGTALK => 3_000,
        FEISHU => 600,
        _ => 50,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signing_test_vectors() {
        // shared/conventions-cn.md §5.2 and §5.3 (checked vectors).
        assert_eq!(
            dingtalk_sign("SECtestsecret0123456789", 1_577_836_800_000),
            "H4pIvWvfw6XYU5PAs%2Bo3thxn2njQWey%2Fq3KjAGlM8hE%3D"
        );
        assert_eq!(feishu_sign("testsecret0123456789", 1_577_836_800), "z3C5PM+wCqPuFfIO0klPP9OjVl5dsiLD+04HfIbsBEw=");
    }

    #[test]
    fn requests_and_answers() {
        let (url, body) = bot_request(DINGTALK, "http://h/robot/send?access_token=x", Some("s"), "hi", 5);
        assert!(url.starts_with("http://h/robot/send?access_token=x&timestamp=5&sign="));
        assert_eq!(body["text"]["content"], "hi");
        let (_, body) = bot_request(FEISHU, "http://h/hook/x", Some("s"), "hi", 5_000);
        assert_eq!(body["timestamp"], "5");
        assert_eq!(body["content"]["text"], "hi");
        assert_eq!(bot_answer(WECOM, r#"{"errcode":0,"errmsg":"ok"}"#), Ok(()));
        assert!(bot_answer(DINGTALK, r#"{"errcode":130101,"errmsg":"send too fast"}"#).unwrap_err().1);
        assert_eq!(bot_answer(FEISHU, r#"{"code":0,"msg":"success"}"#), Ok(()));
        assert!(bot_answer(FEISHU, "<html>").is_err());
    }
}
