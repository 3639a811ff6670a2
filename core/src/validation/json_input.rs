//! [`Input`] over `serde_json` values, for tests and for Rust callers with parsed JSON.
//!
//! A JSON value behaves as the object `JSON.parse` would build: no prototype properties other than
//! `Object.prototype`'s (none enumerable, none named like a JSON key except `__proto__`, which JSON.parse
//! makes an own property), keys in JavaScript's order (integer-like keys first, ascending).

use serde_json::Value;

use super::compile::{array_index, js_key_order};
use super::input::{Class, Extra, Input, Key, LengthValue, Text, TypeName};

/// A JSON value, or `undefined` (a missing property).
#[derive(Debug, Clone, Copy)]
pub enum JsonInput<'a> {
    /// `undefined`
    Undefined,
    /// a JSON value
    Value(&'a Value),
}

/// What a JSON input cannot do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonInputError {
    /// `Date.parse` is JavaScript's; outside a JavaScript engine it is not available.
    #[error("Date.parse is only available through the JavaScript binding")]
    DateParseUnavailable,
}

/// `Object.prototype` members a JSON object inherits, for `key in object`.
const OBJECT_PROTOTYPE: &[&str] = &[
    "constructor",
    "__defineGetter__",
    "__defineSetter__",
    "hasOwnProperty",
    "__lookupGetter__",
    "__lookupSetter__",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "toString",
    "valueOf",
    "__proto__",
    "toLocaleString",
];

impl<'a> JsonInput<'a> {
    fn property(&self, key: &str) -> Self {
        match self {
            JsonInput::Value(Value::Object(map)) => map.get(key).map_or(JsonInput::Undefined, JsonInput::Value),
            JsonInput::Value(Value::Array(items)) => match array_index(key) {
                Some(i) => items.get(i as usize).map_or(JsonInput::Undefined, JsonInput::Value),
                None => JsonInput::Undefined,
            },
            _ => JsonInput::Undefined,
        }
    }
}

impl<'a> Input for JsonInput<'a> {
    type Error = JsonInputError;

    fn class(&self) -> Class {
        match self {
            JsonInput::Undefined => Class::Undefined,
            JsonInput::Value(Value::Null) => Class::Null,
            JsonInput::Value(Value::Bool(_)) => Class::Boolean,
            JsonInput::Value(Value::Number(_)) => Class::Number,
            JsonInput::Value(Value::String(_)) => Class::String,
            JsonInput::Value(Value::Array(_)) => Class::Array,
            JsonInput::Value(Value::Object(_)) => Class::Object,
        }
    }

    fn boolean(&self) -> bool {
        matches!(self, JsonInput::Value(Value::Bool(true)))
    }

    fn number(&self) -> f64 {
        match self {
            JsonInput::Value(Value::Number(n)) => n.as_f64().unwrap_or(f64::NAN),
            _ => f64::NAN,
        }
    }

    fn equals(&self, text: &str) -> Result<bool, Self::Error> {
        Ok(matches!(self, JsonInput::Value(Value::String(s)) if s == text))
    }

    fn endpoint<R>(&self, judge: impl FnOnce(Option<&str>) -> R) -> Result<R, Self::Error> {
        let endpoint = match self {
            JsonInput::Value(Value::String(s)) => url::Url::parse(s)
                .ok()
                .map(|url| format!("{}:{}", url.scheme(), url.host_str().unwrap_or_default())),
            _ => None,
        };
        Ok(judge(endpoint.as_deref()))
    }

    fn get(&self, key: Key<'_>) -> Result<Self, Self::Error> {
        Ok(self.property(key.name))
    }

    fn has(&self, key: Key<'_>) -> Result<bool, Self::Error> {
        Ok(match self {
            JsonInput::Value(Value::Object(map)) => map.contains_key(key.name) || OBJECT_PROTOTYPE.contains(&key.name),
            _ => false,
        })
    }

    fn inherited(&self, key: Key<'_>) -> Result<bool, Self::Error> {
        Ok(OBJECT_PROTOTYPE.contains(&key.name))
    }

    fn extras(&self, declared: &dyn Fn(&str) -> bool) -> Result<Vec<Extra<Self>>, Self::Error> {
        let JsonInput::Value(Value::Object(map)) = self else {
            return Ok(Vec::new());
        };
        let mut ordered: Vec<&String> = map.keys().collect();
        js_key_order(&mut ordered, |k| k.as_str());
        Ok(ordered
            .into_iter()
            .filter(|key| !declared(key))
            .map(|key| Extra {
                key: Text::Owned(key.clone()),
                value: map.get(key).map(JsonInput::Value),
                has: Some(true),
            })
            .collect())
    }

    fn items(&self) -> Result<usize, Self::Error> {
        Ok(match self {
            JsonInput::Value(Value::Array(items)) => items.len(),
            _ => 0,
        })
    }

    fn item(&self, index: usize) -> Result<Self, Self::Error> {
        Ok(match self {
            JsonInput::Value(Value::Array(items)) => items.get(index).map_or(JsonInput::Undefined, JsonInput::Value),
            _ => JsonInput::Undefined,
        })
    }

    fn length(&self) -> Result<LengthValue, Self::Error> {
        Ok(match self {
            JsonInput::Value(Value::String(s)) => LengthValue::Number(s.encode_utf16().count() as f64),
            JsonInput::Value(Value::Array(items)) => LengthValue::Number(items.len() as f64),
            JsonInput::Value(Value::Object(_)) => match self.property("length") {
                JsonInput::Undefined => LengthValue::Undefined,
                JsonInput::Value(Value::Number(n)) => LengthValue::Number(n.as_f64().unwrap_or(f64::NAN)),
                JsonInput::Value(Value::Null) | JsonInput::Value(Value::Bool(false)) => LengthValue::Number(0.0),
                JsonInput::Value(Value::Bool(true)) => LengthValue::Number(1.0),
                JsonInput::Value(Value::String(s)) => LengthValue::Number(js_string_to_number(s)),
                JsonInput::Value(Value::Array(_)) | JsonInput::Value(Value::Object(_)) => LengthValue::Number(f64::NAN),
            },
            _ => LengthValue::Undefined,
        })
    }

    fn type_name(&self) -> Result<TypeName, Self::Error> {
        Ok(TypeName::Known("object".to_owned()))
    }

    fn truthy(&self) -> Result<bool, Self::Error> {
        Ok(match self {
            JsonInput::Undefined | JsonInput::Value(Value::Null) => false,
            JsonInput::Value(Value::Bool(b)) => *b,
            JsonInput::Value(Value::Number(n)) => n.as_f64().is_some_and(|n| n != 0.0 && !n.is_nan()),
            JsonInput::Value(Value::String(s)) => !s.is_empty(),
            JsonInput::Value(Value::Array(_)) | JsonInput::Value(Value::Object(_)) => true,
        })
    }

    fn date_parses(&self) -> Result<bool, Self::Error> {
        Err(JsonInputError::DateParseUnavailable)
    }
}

/// A simplified `ToNumber` for strings (decimal only), enough for a JSON `length` property.
fn js_string_to_number(s: &str) -> f64 {
    let trimmed = s.trim();
    if trimmed.is_empty() {
        0.0
    } else {
        trimmed.parse().unwrap_or(f64::NAN)
    }
}
