//! Typed fields read by hand out of a parsed `serde_json::Value` object: what serde's
//! derived `Deserialize` did for the journal's lines and the snapshot state, without its
//! code. A derive is compiled once per field type and per input (bytes, a `Value`): for
//! two structs read only on rare paths (a line the fast decoder declines, a compacted
//! journal's first line), that was tens of KB of the Android library (BENCHMARKS.md, "Size").
//!
//! The rules are the derive's: a field of the wrong type is an error, an `Option` field
//! may be absent or `null`, unit enum variants are matched by their serde name (through
//! the derive's own variant matching, so the names cannot drift from the encoder's).

use serde::de::value::{BorrowedStrDeserializer, Error as ValueError};
use serde::Deserialize;
use serde_json::{Map, Value};

/// The fields of one JSON object; errors name the field.
pub(crate) struct Fields<'a>(pub(crate) &'a Map<String, Value>);

impl<'a> Fields<'a> {
    /// The object `value` is, or an error naming what it should have been.
    pub(crate) fn of(value: &'a Value, what: &str) -> Result<Fields<'a>, String> {
        value.as_object().map(Fields).ok_or_else(|| format!("invalid type: {}, expected {what}", kind(value)))
    }

    /// An error for a key not in `known` (the derive's `deny_unknown_fields`).
    pub(crate) fn only(&self, known: &[&str]) -> Result<(), String> {
        match self.0.keys().find(|k| !known.contains(&k.as_str())) {
            Some(key) => Err(format!("unknown field `{key}`")),
            None => Ok(()),
        }
    }

    fn required(&self, key: &str) -> Result<&'a Value, String> {
        self.0.get(key).ok_or_else(|| format!("missing field `{key}`"))
    }

    /// Absent and `null` are both `None`, as for serde's `Option`.
    fn optional(&self, key: &str) -> Option<&'a Value> {
        self.0.get(key).filter(|v| !v.is_null())
    }

    pub(crate) fn str(&self, key: &str) -> Result<&'a str, String> {
        as_str(self.required(key)?, key)
    }

    pub(crate) fn opt_str(&self, key: &str) -> Result<Option<&'a str>, String> {
        self.optional(key).map(|v| as_str(v, key)).transpose()
    }

    pub(crate) fn u64(&self, key: &str) -> Result<u64, String> {
        let value = self.required(key)?;
        value.as_u64().ok_or_else(|| expected(value, key, "u64"))
    }

    pub(crate) fn i64(&self, key: &str) -> Result<i64, String> {
        let value = self.required(key)?;
        value.as_i64().ok_or_else(|| expected(value, key, "i64"))
    }

    pub(crate) fn bool(&self, key: &str) -> Result<bool, String> {
        as_bool(self.required(key)?, key)
    }

    /// A boolean field that may be absent (`#[serde(default)]`); `null` is not a boolean.
    pub(crate) fn bool_or(&self, key: &str, default: bool) -> Result<bool, String> {
        self.0.get(key).map_or(Ok(default), |v| as_bool(v, key))
    }

    pub(crate) fn opt_bool(&self, key: &str) -> Result<Option<bool>, String> {
        self.optional(key).map(|v| as_bool(v, key)).transpose()
    }

    /// A unit enum variant written as its serde name.
    pub(crate) fn variant<T: Deserialize<'a>>(&self, key: &str) -> Result<T, String> {
        as_variant(self.required(key)?, key)
    }

    pub(crate) fn opt_variant<T: Deserialize<'a>>(&self, key: &str) -> Result<Option<T>, String> {
        self.optional(key).map(|v| as_variant(v, key)).transpose()
    }

    /// A field that must be an object, as `Fields`.
    pub(crate) fn object(&self, key: &str) -> Result<Fields<'a>, String> {
        Fields::of(self.required(key)?, key).map_err(|e| format!("{e} (field `{key}`)"))
    }

    /// An optional field that must be an object when present and not `null`.
    pub(crate) fn opt_object(&self, key: &str) -> Result<Option<Fields<'a>>, String> {
        self.optional(key).map(|v| Fields::of(v, key).map_err(|e| format!("{e} (field `{key}`)"))).transpose()
    }
}

/// A unit enum variant by its serde name: the derive's own matching (see the module note).
pub(crate) fn variant_named<'a, T: Deserialize<'a>>(name: &'a str) -> Option<T> {
    T::deserialize(BorrowedStrDeserializer::<ValueError>::new(name)).ok()
}

fn as_str<'a>(value: &'a Value, key: &str) -> Result<&'a str, String> {
    value.as_str().ok_or_else(|| expected(value, key, "a string"))
}

fn as_bool(value: &Value, key: &str) -> Result<bool, String> {
    value.as_bool().ok_or_else(|| expected(value, key, "a boolean"))
}

fn as_variant<'a, T: Deserialize<'a>>(value: &'a Value, key: &str) -> Result<T, String> {
    let name = as_str(value, key)?;
    variant_named(name).ok_or_else(|| format!("unknown variant `{name}` (field `{key}`)"))
}

fn expected(value: &Value, key: &str, what: &str) -> String {
    format!("invalid type: {}, expected {what} (field `{key}`)", kind(value))
}

/// What a value is, in serde's words (without the value: it may be anything).
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "floating point",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "sequence",
        Value::Object(_) => "map",
    }
}
