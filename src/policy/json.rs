//! The policy file as a JSON tree that borrows its strings from the text: what the validator
//! walks. Against a `serde_json::Value` it allocates no string that has no escape in it and
//! keeps each object as one sorted vector instead of a `BTreeMap` of owned keys (the policy
//! is read at every app start). Objects behave as `serde_json::Map` does: keys in sorted
//! order, a repeated key's last value counts. Whether a key was repeated is noted while
//! reading, so a valid file needs no second pass over its text to know it has none.

use std::cell::{Cell, RefCell};
use std::fmt;

use bumpalo::Bump;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};

/// A value of the tree. Strings borrow from the text, or (with an escape) from the arena
/// the whole tree lives in; arrays and objects are slices of that arena.
#[derive(Clone)]
pub(crate) enum Json<'a> {
    Null,
    Bool(bool),
    Number(Number),
    String(&'a str),
    Array(&'a [Json<'a>]),
    Object(Object<'a>),
}

/// Key-value pairs sorted by key, each key once.
#[derive(Clone, Copy)]
pub(crate) struct Object<'a>(&'a [(&'a str, Json<'a>)]);

// The arena never runs destructors: nothing in the tree may own heap memory.
const _: () = assert!(!std::mem::needs_drop::<Json<'static>>());

impl<'a> Object<'a> {
    pub(crate) fn get(&self, key: &str) -> Option<&'a Json<'a>> {
        self.0.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    pub(crate) fn keys(&self) -> impl Iterator<Item = &'a str> {
        self.0.iter().map(|(k, _)| *k)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&'a str, &'a Json<'a>)> {
        self.0.iter().map(|(k, v)| (*k, v))
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
            Json::String(s) => Value::String((*s).to_owned()),
            Json::Array(items) => Value::Array(items.iter().map(Json::to_value).collect()),
            Json::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.to_owned(), v.to_value())).collect()),
        }
    }
}

/// The value as serde_json writes it (compact).
impl fmt::Display for Json<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.to_value(), f)
    }
}

/// Parses a JSON text (the same errors as `serde_json::from_str`) into `arena`; the flag says
/// whether some object holds a key twice, keys compared with their escapes resolved (as
/// `JsonIndex` does). One arena instead of a vector per array and object: the tree of a
/// policy is a few allocations, and dropping it is one.
pub(crate) fn parse<'a>(source: &'a str, arena: &'a Bump) -> Result<(Json<'a>, bool), serde_json::Error> {
    let builder = Builder { arena, items: RefCell::default(), pairs: RefCell::default(), repeated: Cell::new(false) };
    let mut de = serde_json::Deserializer::from_str(source);
    let json = Seed(&builder).deserialize(&mut de)?;
    de.end()?;
    Ok((json, builder.repeated.get()))
}

/// The arena, and the children of the arrays and objects being read (a stack: a container's
/// children are moved into the arena when it ends).
struct Builder<'a> {
    arena: &'a Bump,
    items: RefCell<Vec<Json<'a>>>,
    pairs: RefCell<Vec<(&'a str, Json<'a>)>>,
    repeated: Cell<bool>,
}

/// Reads one value.
#[derive(Clone, Copy)]
struct Seed<'b, 'a>(&'b Builder<'a>);

impl<'de: 'a, 'a> DeserializeSeed<'de> for Seed<'_, 'a> {
    type Value = Json<'a>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json<'a>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de: 'a, 'a> Visitor<'de> for Seed<'_, 'a> {
    type Value = Json<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Json<'a>, E> {
        Ok(Json::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Json<'a>, E> {
        Ok(Json::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Json<'a>, E> {
        Ok(Json::Number(n.into()))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Json<'a>, E> {
        // As serde_json's Value: a float JSON cannot hold becomes null (cannot come from text).
        Ok(Number::from_f64(n).map_or(Json::Null, Json::Number))
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Json<'a>, E> {
        Ok(Json::String(s))
    }

    fn visit_str<E>(self, s: &str) -> Result<Json<'a>, E> {
        Ok(Json::String(self.0.arena.alloc_str(s)))
    }

    fn visit_unit<E>(self) -> Result<Json<'a>, E> {
        Ok(Json::Null)
    }

    fn visit_none<E>(self) -> Result<Json<'a>, E> {
        Ok(Json::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json<'a>, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json<'a>, A::Error> {
        let start = self.0.items.borrow().len();
        while let Some(item) = seq.next_element_seed(self)? {
            self.0.items.borrow_mut().push(item);
        }
        let mut items = self.0.items.borrow_mut();
        let array = self.0.arena.alloc_slice_fill_iter(items.drain(start..));
        Ok(Json::Array(array))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json<'a>, A::Error> {
        let start = self.0.pairs.borrow().len();
        while let Some(Key(key)) = map.next_key_seed(KeySeed(self.0.arena))? {
            let value = map.next_value_seed(self)?;
            self.0.pairs.borrow_mut().push((key, value));
        }
        let mut pairs = self.0.pairs.borrow_mut();
        let object = &mut pairs[start..];
        // Stable: a repeated key's values stay in text order, and the last one is kept.
        object.sort_by(|a, b| a.0.cmp(b.0));
        let mut kept = 0;
        for i in 0..object.len() {
            if object.get(i + 1).is_some_and(|next| next.0 == object[i].0) {
                self.0.repeated.set(true);
                continue;
            }
            object.swap(kept, i);
            kept += 1;
        }
        let object = self.0.arena.alloc_slice_fill_iter(pairs.drain(start..).take(kept));
        Ok(Json::Object(Object(object)))
    }
}

/// An object key, borrowed from the text when it has no escape.
struct Key<'a>(&'a str);

#[derive(Clone, Copy)]
struct KeySeed<'a>(&'a Bump);

impl<'de: 'a, 'a> DeserializeSeed<'de> for KeySeed<'a> {
    type Value = Key<'a>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key<'a>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de: 'a, 'a> Visitor<'de> for KeySeed<'a> {
    type Value = Key<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Key<'a>, E> {
        Ok(Key(s))
    }

    fn visit_str<E>(self, s: &str) -> Result<Key<'a>, E> {
        Ok(Key(self.0.alloc_str(s)))
    }
}
