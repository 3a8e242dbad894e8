//! Tolerant decoding for upstream data: a wrong-typed, malformed or missing value becomes `None`
//! (or is dropped from its list) instead of failing the whole visit or visitor list.
//!
//! Bodies come from `Response.json()` as a `JsValue` and are decoded with serde-wasm-bindgen, so
//! each lenient field first takes its raw `JsValue` (serde-wasm-bindgen's `preserve`) and then
//! tries to decode it on its own. Use these only under `serde_wasm_bindgen::from_value`.
//!
//! ```ignore
//! #[derive(Deserialize)]
//! struct Page {
//!     #[serde(default, deserialize_with = "lenient::opt")]
//!     title: Option<String>,
//!     #[serde(default, deserialize_with = "lenient::list")]
//!     events: Vec<Event>,
//! }
//! ```

use serde::de::{DeserializeOwned, Deserializer, Visitor};
use serde::Deserialize;
use std::fmt;
use wasm_bindgen::{JsCast, JsValue};

fn raw<'de, D: Deserializer<'de>>(d: D) -> Result<JsValue, D::Error> {
    serde_wasm_bindgen::preserve::deserialize(d)
}

/// Decodes the value as `T`, or gives `None` when it is null, missing or not a `T`.
pub fn opt<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = raw(d)?;
    if value.is_null() || value.is_undefined() {
        return Ok(None);
    }
    Ok(serde_wasm_bindgen::from_value(value).ok())
}

/// Decodes an array element by element, dropping the elements that are not a `T`. Anything
/// that is not an array gives an empty list.
pub fn list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = raw(d)?;
    Ok(decode_list(value))
}

/// [`list`] for a `JsValue` already in hand, such as a whole response body.
pub fn decode_list<T: DeserializeOwned>(value: JsValue) -> Vec<T> {
    match value.dyn_into::<js_sys::Array>() {
        Ok(array) => array
            .iter()
            .filter_map(|item| serde_wasm_bindgen::from_value(item).ok())
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// A number that may arrive as a JSON number or as a numeric string (`"22.22"`).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct Num(pub f64);

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct NumVisitor;
        impl Visitor<'_> for NumVisitor {
            type Value = Num;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number or a numeric string")
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Num, E> {
                if v.is_finite() {
                    Ok(Num(v))
                } else {
                    Err(E::custom("not a finite number"))
                }
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Num, E> {
                Ok(Num(v as f64))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Num, E> {
                Ok(Num(v as f64))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Num, E> {
                v.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|n| n.is_finite())
                    .map(Num)
                    .ok_or_else(|| E::custom("not a numeric string"))
            }
        }
        d.deserialize_any(NumVisitor)
    }
}

/// Text that may arrive as a string, a number or a boolean (LiveChat's detail values and
/// LivePerson's IDs are not consistent about it). Objects and arrays are refused.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl Visitor<'_> for TextVisitor {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string, number or boolean")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_owned()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Text, E> {
                Ok(Text(v))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
        }
        d.deserialize_any(TextVisitor)
    }
}

/// [`opt`] for numbers: `Option<f64>` from a number or numeric string.
pub fn num<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(opt::<D, Num>(d)?.map(|n| n.0))
}

/// [`opt`] for text: `Option<String>` from a string, number or boolean; blank text is `None`.
pub fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(opt::<D, Text>(d)?
        .map(|t| t.0)
        .filter(|t| !t.trim().is_empty()))
}

/// [`opt`] for booleans that may arrive as `true`, `"true"`, `1` or `"1"`.
pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(opt::<D, Text>(d)?.and_then(|t| match t.0.trim() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }))
}

/// Decodes a whole response body as `T`, naming the problem when it is not one.
pub fn decode<T: DeserializeOwned>(value: JsValue) -> Result<T, String> {
    serde_wasm_bindgen::from_value(value).map_err(|e| e.to_string())
}
