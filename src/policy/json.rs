//! The policy file as a JSON tree that borrows its strings from the text: what the validator
//! walks. Against a `serde_json::Value` it allocates no string that has no escape in it and
//! keeps each object as one sorted vector instead of a `BTreeMap` of owned keys (the policy
//! is read at every app start). Objects behave as `serde_json::Map` does: keys in sorted
//! order, a repeated key's last value counts. Whether a key was repeated is noted while
//! reading, so a valid file needs no second pass over its text to know it has none.

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;

use serde::de::{Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};

pub(crate) enum Json<'s> {
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'s, str>),
    Array(Vec<Json<'s>>),
    Object(Object<'s>),
}

/// Key-value pairs sorted by key, each key once.
pub(crate) struct Object<'s>(Vec<(Cow<'s, str>, Json<'s>)>);

impl<'s> Object<'s> {
    pub(crate) fn get(&self, key: &str) -> Option<&Json<'s>> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_ref())
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &Json<'s>)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
    }
}

impl Json<'_> {
    pub(crate) fn as_u64(&self) -> Option<u64> {
        match self {
            Json::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    /// An owned copy, for the few messages that quote a value.
    fn to_value(&self) -> Value {
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => Value::Number(n.clone()),
            Json::String(s) => Value::String(s.to_string()),
            Json::Array(items) => Value::Array(items.iter().map(Json::to_value).collect()),
            Json::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.to_string(), v.to_value())).collect()),
        }
    }
}

/// The value as serde_json writes it (compact).
impl fmt::Display for Json<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.to_value(), f)
    }
}

/// Parses a JSON text (the same errors as `serde_json::from_str`); the flag says whether some
/// object holds a key twice, keys compared with their escapes resolved (as `JsonIndex` does).
pub(crate) fn parse(source: &str) -> Result<(Json<'_>, bool), serde_json::Error> {
    let repeated = Cell::new(false);
    let mut de = serde_json::Deserializer::from_str(source);
    let json = Seed(&repeated).deserialize(&mut de)?;
    de.end()?;
    Ok((json, repeated.get()))
}

/// Reads one value, noting a repeated key in the cell.
#[derive(Clone, Copy)]
struct Seed<'f>(&'f Cell<bool>);

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Json<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json<'de>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Json<'de>, E> {
        Ok(Json::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Json<'de>, E> {
        Ok(Json::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Json<'de>, E> {
        Ok(Json::Number(n.into()))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Json<'de>, E> {
        // As serde_json's Value: a float JSON cannot hold becomes null (cannot come from text).
        Ok(Number::from_f64(n).map_or(Json::Null, Json::Number))
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Borrowed(s)))
    }

    fn visit_str<E>(self, s: &str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(s.to_owned())))
    }

    fn visit_string<E>(self, s: String) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(s)))
    }

    fn visit_unit<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }

    fn visit_none<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json<'de>, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json<'de>, A::Error> {
        // No allocation for an empty array (recipients, often).
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json<'de>, A::Error> {
        // A policy's objects have at most 8 keys or so.
        let mut pairs: Vec<(Cow<'de, str>, Json<'de>)> = Vec::with_capacity(8);
        while let Some(Key(key)) = map.next_key()? {
            pairs.push((key, map.next_value_seed(self)?));
        }
        // Stable: a repeated key's values stay in text order, and the last one is kept.
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        pairs.dedup_by(|later, kept| {
            let repeated = later.0 == kept.0;
            if repeated {
                std::mem::swap(later, kept);
                self.0.set(true);
            }
            repeated
        });
        Ok(Json::Object(Object(pairs)))
    }
}

/// An object key, borrowed from the text when it has no escape.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Borrowed(s)))
    }

    fn visit_str<E>(self, s: &str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(s.to_owned())))
    }

    fn visit_string<E>(self, s: String) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(s)))
    }
}
