//! Tolerant decoding for upstream data: a wrong-typed, malformed or missing value becomes `None`
//! (or is dropped from its list) instead of failing the whole visit or visitor list.
//!
//! Bodies are parsed by the browser (`Response.json()`) and decoded with serde-wasm-bindgen.
//! Scalars (`text`, `num`, `flag`) are read by visitors that accept every kind of value and
//! never fail. Objects and list elements, the places where a wrong shape must be skipped
//! without losing the rest, first take their raw `JsValue` (serde-wasm-bindgen's `preserve`)
//! and are then decoded on their own.
//!
//! Measured in headless Chromium (release, decode only; 5,000-visitor list / 2,000-page,
//! 10,000-event visit; wasm gzip):
//! - `preserve` on every field:                      236 ms / 151 ms, 176 KB
//! - serde_json from text, generic visitors:          42 ms /  21 ms, 205 KB
//! - serde-wasm-bindgen, generic visitors:            105 ms /  76 ms, 205 KB
//! - this: `preserve` at objects, visitors for scalars: 75 ms /  41 ms, 178 KB
//!
//! serde_json is faster still but costs 27 KB more, so the design's choice stands.
//!
//! ```ignore
//! #[derive(Deserialize)]
//! struct Page {
//!     #[serde(default, deserialize_with = "lenient::text")]
//!     title: Option<String>,
//!     #[serde(default, deserialize_with = "lenient::list")]
//!     events: Vec<Event>,
//! }
//! ```

use serde::de::{self, DeserializeOwned, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;
use wasm_bindgen::JsCast;

/// Decodes a value the browser parsed (`Response.json()`, or an object the host page passed),
/// naming the problem when it is not the expected kind of value at the top.
pub fn decode<T: DeserializeOwned>(value: wasm_bindgen::JsValue) -> Result<T, String> {
    serde_wasm_bindgen::from_value(value).map_err(|e| e.to_string())
}

/// Skips whatever value is left in a map or sequence (a value of the wrong kind).
fn skip_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

fn skip_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

/// Implements the visitor methods for the JSON kinds a lenient reader does not take: they give
/// its empty value after skipping the input. `$empty` is that value.
macro_rules! refuse_kinds {
    ($empty:expr; $($kind:ident),*) => {
        $(refuse_kinds!(@one $kind $empty);)*
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($empty)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($empty)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
    };
    (@one map $empty:expr) => {
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            skip_map(map)?;
            Ok($empty)
        }
    };
    (@one seq $empty:expr) => {
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            skip_seq(seq)?;
            Ok($empty)
        }
    };
}

/// Decodes an object as `T` (a struct, or an enum written `{"kind": {...}}`), or gives `None`
/// when it is null, missing, not an object or not a `T`.
pub fn opt<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    Ok(from_raw(serde_wasm_bindgen::preserve::deserialize(d)?))
}

/// `T` from a JS value that decodes as one. Arrays are refused: serde would read them into a
/// struct field by field, by position, which is never what the API meant.
fn from_raw<T: DeserializeOwned>(value: wasm_bindgen::JsValue) -> Option<T> {
    if !value.is_null() && !value.is_undefined() && !js_sys::Array::is_array(&value) {
        serde_wasm_bindgen::from_value(value).ok()
    } else {
        None
    }
}

/// Decodes an array element by element, dropping the elements that are not a `T`. Anything
/// that is not an array gives an empty list.
pub fn list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value: wasm_bindgen::JsValue = serde_wasm_bindgen::preserve::deserialize(d)?;
    Ok(match value.dyn_into::<js_sys::Array>() {
        Ok(array) => array.iter().filter_map(from_raw).collect(),
        Err(_) => Vec::new(),
    })
}

/// A number that may arrive as a JSON number or as a numeric string (`"22.22"`), for lists
/// and wrappers; fields use [`num`].
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct Num(pub f64);

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        num(d)?
            .map(Num)
            .ok_or_else(|| de::Error::custom("not a number"))
    }
}

/// Text that may arrive as a string, a number or a boolean, for lists; fields use [`text`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(AnyText)?
            .map(Text)
            .ok_or_else(|| de::Error::custom("not text"))
    }
}

struct AnyNumber;

impl<'de> Visitor<'de> for AnyNumber {
    type Value = Option<f64>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }

    refuse_kinds!(None; map, seq);

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Option<f64>, E> {
        Ok(v.is_finite().then_some(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<f64>, E> {
        Ok(Some(v as f64))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<f64>, E> {
        Ok(Some(v as f64))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<f64>, E> {
        Ok(v.trim().parse::<f64>().ok().filter(|n| n.is_finite()))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Option<f64>, E> {
        Ok(None)
    }
}

struct AnyText;

impl<'de> Visitor<'de> for AnyText {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }

    refuse_kinds!(None; map, seq);

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<String>, E> {
        Ok(Some(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Option<String>, E> {
        Ok(Some(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Option<String>, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<String>, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<String>, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Option<String>, E> {
        Ok(Some(v.to_string()))
    }
}

/// `Option<f64>` from a number or a numeric string; anything else is `None`.
pub fn num<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    d.deserialize_any(AnyNumber)
}

/// `Option<String>` from a string, number or boolean; anything else, and blank text, is `None`.
pub fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(d.deserialize_any(AnyText)?.filter(|t| !t.trim().is_empty()))
}

/// [`text`] turned into a type that reads itself from text (an enum of known values).
pub fn from_text<'de, D: Deserializer<'de>, T: From<String>>(d: D) -> Result<Option<T>, D::Error> {
    Ok(text(d)?.map(T::from))
}

/// Booleans that may arrive as `true`, `"true"`, `1` or `"1"`.
pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(d.deserialize_any(AnyText)?.and_then(|t| match t.trim() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "camelCase")]
    enum Kind {
        Lead(Inner),
    }

    #[derive(Debug, Default, Deserialize, PartialEq)]
    struct Inner {
        #[serde(default, deserialize_with = "text")]
        name: Option<String>,
        #[serde(default, deserialize_with = "num")]
        price: Option<f64>,
    }

    #[derive(Debug, Default, Deserialize, PartialEq)]
    struct Outer {
        #[serde(default, deserialize_with = "text")]
        title: Option<String>,
        #[serde(default, deserialize_with = "flag")]
        loaded: Option<bool>,
        #[serde(default, deserialize_with = "opt")]
        inner: Option<Inner>,
        #[serde(default, deserialize_with = "list")]
        items: Vec<Inner>,
        #[serde(default, deserialize_with = "list")]
        events: Vec<Kind>,
    }

    fn outer(json: &str) -> Outer {
        decode(js_sys::JSON::parse(json).unwrap()).unwrap()
    }

    #[wasm_bindgen_test]
    fn wrong_kinds_become_none_and_the_rest_survives() {
        let o = outer(
            r#"{"title": {"x": [1, 2]}, "loaded": "1", "inner": "oops", "items": "none", "extra": {"deep": [{}]}}"#,
        );
        assert_eq!(
            o,
            Outer {
                loaded: Some(true),
                ..Outer::default()
            }
        );
        let o =
            outer(r#"{"title": 42, "inner": [1, {"a": 2}], "items": {"a": 1}, "loaded": null}"#);
        assert_eq!(o.title.as_deref(), Some("42"));
        assert_eq!(o.inner, None);
        assert!(o.items.is_empty());
    }

    #[wasm_bindgen_test]
    fn numbers_may_be_strings_and_blank_text_is_none() {
        let o = outer(r#"{"title": "   ", "inner": {"name": "x", "price": "22.22"}}"#);
        assert_eq!(o.title, None);
        assert_eq!(o.inner.unwrap().price, Some(22.22));
        let o = outer(r#"{"inner": {"price": "NaN"}}"#);
        assert_eq!(o.inner.unwrap().price, None);
    }

    #[wasm_bindgen_test]
    fn a_bad_list_element_or_unknown_kind_is_dropped_alone() {
        let o = outer(
            r#"{"items": [{"name": "a"}, 7, "x", null, [1], {"name": {"no": 1}, "price": 3}, {"name": "b"}],
                "events": [{"lead": {"name": "l1"}}, {"unknownKind": {"a": 1}}, {"lead": "bad"}, {"lead": {"name": "l2"}, "extra": 1}, 5]}"#,
        );
        let names: Vec<_> = o.items.iter().map(|i| i.name.clone()).collect();
        assert_eq!(names, [Some("a".into()), None, Some("b".into())]);
        assert_eq!(o.items[1].price, Some(3.0));
        assert_eq!(
            o.events,
            // An event object names exactly one kind; one with two keys is malformed.
            [Kind::Lead(Inner {
                name: Some("l1".into()),
                price: None
            })]
        );
    }

    #[wasm_bindgen_test]
    fn a_body_of_the_wrong_kind_is_an_error_not_a_partial_answer() {
        for value in ["\"<html>502 Bad Gateway</html>\"", "null", "7"] {
            assert!(
                decode::<Outer>(js_sys::JSON::parse(value).unwrap()).is_err(),
                "{value}"
            );
        }
    }
}
