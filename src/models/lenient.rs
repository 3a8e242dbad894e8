//! Tolerant decoding for upstream data: a wrong-typed, malformed or missing value becomes `None`
//! (or is dropped from its list) instead of failing the whole visit or visitor list.
//!
//! Bodies are decoded from their text with serde_json. Every lenient field is read with a
//! visitor that accepts any JSON value and never fails: scalars of the wrong kind and objects
//! where text was expected become `None`, and a nested object is handed to its own `Deserialize`
//! with whatever keys it has (all of which are lenient too). Nothing is parsed twice.
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

use serde::de::value::MapAccessDeserializer;
use serde::de::{self, DeserializeOwned, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;
use std::marker::PhantomData;

/// Decodes a whole response body, naming the problem when it is not JSON at all (or not the
/// expected kind of JSON at the top).
pub fn decode<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}

/// Decodes a JavaScript value handed over by the host page (options, messages) through its JSON
/// form; functions and `undefined` members are left out as `JSON.stringify` does.
pub fn decode_js<T: DeserializeOwned>(value: &wasm_bindgen::JsValue) -> Result<T, String> {
    let text = js_sys::JSON::stringify(value)
        .ok()
        .and_then(|t| t.as_string())
        .ok_or("not a JSON-compatible object")?;
    decode(&text)
}

/// A map whose entries can be drained after a failed decode: it remembers whether a key was
/// read without its value, so the rest of the object can still be skipped cleanly.
struct Tracked<A> {
    inner: A,
    value_pending: bool,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Tracked<A> {
    type Error = A::Error;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        match self.inner.next_key_seed(seed) {
            Ok(key) => {
                self.value_pending = key.is_some();
                Ok(key)
            }
            Err(e) => {
                // A key that was read but refused (an unknown enum variant): its value is next.
                self.value_pending = true;
                Err(e)
            }
        }
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, A::Error> {
        self.value_pending = false;
        self.inner.next_value_seed(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

impl<'de, A: MapAccess<'de>> Tracked<A> {
    fn drain(&mut self) -> Result<(), A::Error> {
        if self.value_pending {
            self.next_value::<IgnoredAny>()?;
        }
        while self.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(())
    }
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
    (@one scalars $empty:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($empty)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($empty)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($empty)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($empty)
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok($empty)
        }
    };
}

/// Reads an object into `T`; anything else is skipped and gives `None`.
struct ObjectOf<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectOf<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }

    refuse_kinds!(None; seq, scalars);

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Option<T>, A::Error> {
        let mut map = Tracked {
            inner: map,
            value_pending: false,
        };
        // `T`'s fields are all lenient, so this fails only on odd input such as a duplicate key.
        let value = T::deserialize(MapAccessDeserializer::new(&mut map)).ok();
        map.drain()?;
        Ok(value)
    }
}

/// Decodes an object as `T` (a struct, or an enum written `{"kind": {...}}`), or gives `None`
/// when it is null, missing, not an object or not a `T`.
pub fn opt<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    d.deserialize_any(ObjectOf(PhantomData))
}

struct ListVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element_seed(LenientSeed::<T>(PhantomData))? {
            items.extend(item);
        }
        Ok(items)
    }

    refuse_kinds!(Vec::new(); map, scalars);
}

struct LenientSeed<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> de::DeserializeSeed<'de> for LenientSeed<T> {
    type Value = Option<T>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
        d.deserialize_any(ObjectOf(PhantomData))
    }
}

/// Decodes an array element by element, dropping the elements that are not a `T`. Anything
/// that is not an array gives an empty list.
pub fn list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    d.deserialize_any(ListVisitor(PhantomData))
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
        decode(json).unwrap()
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
            [
                Kind::Lead(Inner {
                    name: Some("l1".into()),
                    price: None
                }),
                Kind::Lead(Inner {
                    name: Some("l2".into()),
                    price: None
                }),
            ]
        );
    }

    #[wasm_bindgen_test]
    fn a_duplicate_key_drops_that_object_only() {
        let o = outer(
            r#"{"items": [{"name": "a", "name": "b", "price": 1}, {"name": "c"}], "title": "t"}"#,
        );
        assert_eq!(o.items.len(), 1);
        assert_eq!(o.items[0].name.as_deref(), Some("c"));
        assert_eq!(o.title.as_deref(), Some("t"));
    }

    #[wasm_bindgen_test]
    fn broken_json_is_an_error_not_a_partial_answer() {
        assert!(decode::<Outer>(r#"{"title": "t", "items": [{"name": "#).is_err());
        assert!(decode::<Outer>("<html>502 Bad Gateway</html>").is_err());
        assert!(decode::<Outer>("").is_err());
    }
}
