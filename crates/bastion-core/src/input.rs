//! Input as typed. Forms and phones send text, scripts send numbers, booleans and lists; the app
//! reads every field as the text a form would have sent and checks it field by field (each error
//! naming its field and rule). The deserializers here accept either shape, and the API document
//! describes such a field by its meaning (`#[schemars(with = "i64")]`, an enum, a list), not as the
//! text it is kept in.

use std::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};

struct Flex {
    list: bool,
}

impl<'de> Visitor<'de> for Flex {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(if self.list { "文本、数字或由它们组成的列表" } else { "文本或数字" })
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        Ok(String::new())
    }
    fn visit_none<E: de::Error>(self) -> Result<String, E> {
        Ok(String::new())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<String, A::Error> {
        if !self.list {
            return Err(de::Error::invalid_type(de::Unexpected::Seq, &self));
        }
        let mut parts = Vec::new();
        while let Some(v) = seq.next_element::<Item>()? {
            parts.push(v.0);
        }
        Ok(parts.join(","))
    }
}

/// One element of a list: text or a number.
struct Item(String);

impl<'de> serde::Deserialize<'de> for Item {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(Flex { list: false }).map(Item)
    }
}

/// A field as text: a string, a number, a boolean or null (empty).
pub fn flex<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    d.deserialize_any(Flex { list: false })
}

/// A list field as text: a string (`"1,2,3"`) or a list of strings and numbers, joined with `,`.
pub fn flex_list<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    d.deserialize_any(Flex { list: true })
}

/// Write a number kept as text as a JSON number (text that is not a number stays text), so an
/// input read back (a settings form) matches what the document says of it.
pub fn int_out<S: serde::Serializer>(v: &str, s: S) -> Result<S::Ok, S::Error> {
    match v.trim().parse::<i64>() {
        Ok(n) => s.serialize_i64(n),
        Err(_) => s.serialize_str(v),
    }
}

/// Write a switch kept as text (`1`/`0`, `true`/`false`) as a JSON boolean.
pub fn bool_out<S: serde::Serializer>(v: &str, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_bool(matches!(v.trim(), "1" | "true" | "on"))
}

/// Schema transform for an input kept as text: the empty-text defaults say nothing to a client,
/// so they are left out of the document.
pub fn as_typed(schema: &mut schemars::Schema) {
    if let Some(props) = schema.get_mut("properties").and_then(|p| p.as_object_mut()) {
        for p in props.values_mut() {
            if let Some(o) = p.as_object_mut() {
                o.remove("default");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[derive(serde::Deserialize)]
    struct T {
        #[serde(deserialize_with = "super::flex")]
        n: String,
        #[serde(deserialize_with = "super::flex_list")]
        l: String,
    }

    fn parse(json: &str) -> Result<(String, String), String> {
        serde_json::from_str::<T>(json).map(|t| (t.n, t.l)).map_err(|e| e.to_string())
    }

    #[test]
    fn text_numbers_and_lists() {
        assert_eq!(parse(r#"{"n": "30", "l": "1,2"}"#).unwrap(), ("30".into(), "1,2".into()));
        assert_eq!(parse(r#"{"n": 30, "l": [1, "2", 3]}"#).unwrap(), ("30".into(), "1,2,3".into()));
        assert_eq!(parse(r#"{"n": null, "l": []}"#).unwrap(), ("".into(), "".into()));
        assert_eq!(parse(r#"{"n": true, "l": 7}"#).unwrap(), ("true".into(), "7".into()));
        assert!(parse(r#"{"n": [1], "l": "x"}"#).is_err(), "a list where one value is expected");
        assert!(parse(r#"{"n": "x", "l": [[1]]}"#).is_err(), "a list of lists");
    }
}
