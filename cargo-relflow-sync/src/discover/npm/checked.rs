//! A package.json parsed once, noticing on the way whether a field relflow reads is given
//! twice: the exact place of such a key (for the error) is found by a second, exact scan only
//! then, so the common file costs one parse.

use std::fmt;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// A package.json's top-level value, as far as discovery cares.
pub(super) enum Parsed {
    /// An object, and whether a key is given twice where it matters (see [`parse`]).
    Object {
        object: Map<String, Value>,
        duplicate: bool,
    },
    /// Not an object.
    Other,
}

/// Parses `text` as `serde_json::from_str::<Value>` does (the last of two equal keys wins, at the
/// first one's place), noting whether one of `fields` is given twice at the top, or any key
/// twice inside the top-level value of one of `lists`.
pub(super) fn parse(text: &str, fields: &[&str], lists: &[&str]) -> serde_json::Result<Parsed> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let parsed = (&mut deserializer).deserialize_any(Top { fields, lists })?;
    deserializer.end()?;
    Ok(parsed)
}

/// The visitor of the top-level value.
struct Top<'a> {
    fields: &'a [&'a str],
    lists: &'a [&'a str],
}

impl<'de> Visitor<'de> for Top<'_> {
    type Value = Parsed;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Parsed, A::Error> {
        let mut object = Map::new();
        let mut duplicate = false;
        while let Some(key) = map.next_key::<String>()? {
            let value = if self.lists.contains(&key.as_str()) {
                let checked: Checked = map.next_value()?;
                duplicate |= checked.duplicate;
                checked.value
            } else {
                map.next_value::<Value>()?
            };
            let watched = self.fields.contains(&key.as_str());
            duplicate |= object.insert(key, value).is_some() && watched;
        }
        Ok(Parsed::Object { object, duplicate })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Parsed, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Parsed::Other)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Parsed, E> {
        Ok(Parsed::Other)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Parsed, E> {
        Ok(Parsed::Other)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Parsed, E> {
        Ok(Parsed::Other)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Parsed, E> {
        Ok(Parsed::Other)
    }

    fn visit_str<E>(self, _: &str) -> Result<Parsed, E> {
        Ok(Parsed::Other)
    }

    fn visit_unit<E>(self) -> Result<Parsed, E> {
        Ok(Parsed::Other)
    }
}

/// A value as [`Value`] reads it, and whether, when it is an object, a key is given twice in it.
struct Checked {
    value: Value,
    duplicate: bool,
}

impl Checked {
    fn plain(value: Value) -> Self {
        Checked {
            value,
            duplicate: false,
        }
    }
}

impl<'de> Deserialize<'de> for Checked {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(CheckedVisitor)
    }
}

struct CheckedVisitor;

impl<'de> Visitor<'de> for CheckedVisitor {
    type Value = Checked;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Checked, A::Error> {
        let mut object = Map::new();
        let mut duplicate = false;
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value::<Value>()?;
            duplicate |= object.insert(key, value).is_some();
        }
        Ok(Checked {
            value: Value::Object(object),
            duplicate,
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Checked, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Value>()? {
            items.push(item);
        }
        Ok(Checked::plain(Value::Array(items)))
    }

    fn visit_bool<E>(self, value: bool) -> Result<Checked, E> {
        Ok(Checked::plain(Value::Bool(value)))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Checked, E> {
        Ok(Checked::plain(Value::from(value)))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Checked, E> {
        Ok(Checked::plain(Value::from(value)))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Checked, E> {
        Ok(Checked::plain(Value::from(value)))
    }

    fn visit_str<E>(self, value: &str) -> Result<Checked, E> {
        Ok(Checked::plain(Value::String(value.to_owned())))
    }

    fn visit_string<E>(self, value: String) -> Result<Checked, E> {
        Ok(Checked::plain(Value::String(value)))
    }

    fn visit_unit<E>(self) -> Result<Checked, E> {
        Ok(Checked::plain(Value::Null))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: [&str; 3] = ["name", "version", "dependencies"];
    const LISTS: [&str; 1] = ["dependencies"];

    fn parsed(text: &str) -> (Map<String, Value>, bool) {
        match parse(text, &FIELDS, &LISTS).unwrap() {
            Parsed::Object { object, duplicate } => (object, duplicate),
            Parsed::Other => panic!("not an object: {text}"),
        }
    }

    #[test]
    fn reads_what_serde_json_reads_and_notices_watched_duplicates() {
        let cases = [
            (r#"{"name":"a","version":"1.0.0"}"#, false),
            (r#"{"name":"a","name":"b"}"#, true),
            (r#"{"main":"x","main":"y","name":"a"}"#, false),
            (r#"{"dependencies":{"a":"1","b":"2","a":"3"}}"#, true),
            (
                r#"{"dependencies":{"a":"1"},"dependencies":{"b":"2"}}"#,
                true,
            ),
            (
                r#"{"scripts":{"a":"1","a":"2"},"dependencies":"not an object"}"#,
                false,
            ),
            (
                r#"{"n":[1,-2,3.5,1e3,true,null,"s\u00e9",{"x":{"x":1,"x":2}}],"dependencies":[1,{"a":1,"a":2}]}"#,
                false,
            ),
            ("{\"name\" : \"x\" ,\n \"version\" : \"1\" }", false),
        ];
        for (text, duplicate) in cases {
            let (object, found) = parsed(text);
            assert_eq!(found, duplicate, "{text}");
            let expected: Value = serde_json::from_str(text).unwrap();
            assert_eq!(Value::Object(object.clone()), expected, "{text}");
            // The same order of keys, too.
            let keys: Vec<&String> = object.keys().collect();
            let expected_keys: Vec<&String> = expected.as_object().unwrap().keys().collect();
            assert_eq!(keys, expected_keys, "{text}");
        }
    }

    #[test]
    fn other_values_and_bad_json() {
        for text in ["[1,2]", "\"x\"", "1", "true", "null", "[]"] {
            assert!(
                matches!(parse(text, &FIELDS, &LISTS), Ok(Parsed::Other)),
                "{text}"
            );
        }
        for text in ["{", "{\"a\":1,}", "{} x", "", "{\"a\":}"] {
            let ours = parse(text, &FIELDS, &LISTS).err().map(|e| e.to_string());
            let theirs = serde_json::from_str::<Value>(text)
                .err()
                .map(|e| e.to_string());
            assert!(ours.is_some(), "{text}");
            assert_eq!(ours, theirs, "{text}");
        }
    }
}
