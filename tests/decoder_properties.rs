//! Property tests of the decoders: arbitrary JSON never panics either decoder, and a random
//! corruption of one part of the seed samples leaves every other part decoded as before.

#![cfg(all(target_arch = "wasm32", feature = "livechat", feature = "liveperson"))]

mod common;

use common::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::Value;
use visitor_sidebar::lenient::decode;
use visitor_sidebar::livechat::model::{ListedVisitor, Visitor, VisitorList};
use visitor_sidebar::liveperson::model::Visit;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn runner(cases: u32) -> TestRunner {
    TestRunner::new_with_rng(
        Config {
            cases,
            ..Config::default()
        },
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    )
}

/// Any JSON value: scalars of every kind (numeric strings, huge numbers, markup), nested up to
/// four levels in arrays and objects whose keys include the models' own field names.
/// Strings of 0..`max` characters drawn from `chars` (regex strategies need proptest's `std`).
fn string_of(chars: &'static str, max: usize) -> impl Strategy<Value = String> + Clone {
    let chars: Vec<char> = chars.chars().collect();
    prop::collection::vec(prop::sample::select(chars), 0..max).prop_map(|c| c.into_iter().collect())
}

fn any_json() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("pages".to_owned()),
        Just("events".to_owned()),
        Just("appSessions".to_owned()),
        Just("name".to_owned()),
        Just("pageTitle".to_owned()),
        Just("lead".to_owned()),
        Just("cartStatus".to_owned()),
        Just("visit_path".to_owned()),
        Just("state".to_owned()),
        string_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_", 12),
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON numbers are finite", |f| f.is_finite())
            .prop_map(Value::from),
        string_of("0123456789.eE+- ", 12).prop_map(Value::from),
        prop::collection::vec(any::<char>(), 0..24)
            .prop_map(|c| Value::from(c.into_iter().collect::<String>())),
        Just(Value::from("<img src=x onerror=alert(1)>")),
    ];
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..8)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

#[wasm_bindgen_test]
fn arbitrary_json_never_panics_either_decoder() {
    runner(256)
        .run(&any_json(), |value| {
            let text = value.to_string();
            let _ = decode::<Visit>(js(&text));
            let _ = decode::<VisitorList>(js(&text));
            let _ = decode::<VisitorList<ListedVisitor>>(js(&text));
            let _ = decode::<Visitor>(js(&text));
            Ok(())
        })
        .unwrap();
}

/// Every JSON pointer to an object member or array element in `value`.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let p = format!("{at}/{k}");
                out.push(p.clone());
                pointers(v, p, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let p = format!("{at}/{i}");
                out.push(p.clone());
                pointers(v, p, out);
            }
        }
        _ => {}
    }
}

/// Each section of the visit's first session, in its debug form, named as in the JSON.
fn sections_of(visit: &Visit) -> Vec<(&'static str, String)> {
    let Some(s) = visit.app_sessions.first() else {
        return Vec::new();
    };
    vec![
        ("pages", format!("{:?}", s.pages)),
        ("events", format!("{:?}", s.events)),
        ("engagements", format!("{:?}", s.engagements)),
        ("personalInfo", format!("{:?}", s.personal_info)),
        ("customerInfo", format!("{:?}", s.customer_info)),
        ("cart", format!("{:?}", s.cart)),
        ("purchases", format!("{:?}", s.purchases)),
        ("leads", format!("{:?}", s.leads)),
        ("serviceActivity", format!("{:?}", s.service_activity)),
        ("viewedProduct", format!("{:?}", s.viewed_product)),
        ("visitorError", format!("{:?}", s.visitor_error)),
        ("geo", format!("{:?}", s.geo)),
        ("userAgent", format!("{:?}", s.user_agent)),
    ]
}

#[wasm_bindgen_test]
fn corrupting_one_part_of_the_liveperson_seed_keeps_every_other_section() {
    let seed: Value = serde_json::from_str(LIVEPERSON_VISIT).unwrap();
    let original: Visit = decode(js(LIVEPERSON_VISIT)).unwrap();
    let before = sections_of(&original);
    let mut all = Vec::new();
    pointers(&seed["appSessions"][0], "/appSessions/0".into(), &mut all);
    let strategy = (prop::sample::select(all), any_json());
    runner(256)
        .run(&strategy, |(pointer, garbage)| {
            let mut json = seed.clone();
            *json.pointer_mut(&pointer).unwrap() = garbage;
            let visit: Visit = decode(js(&json.to_string())).expect("the visit still decodes");
            let touched = pointer.split('/').nth(3).unwrap_or_default().to_owned();
            for ((name, was), (_, now)) in before.iter().zip(sections_of(&visit)) {
                if *name != touched {
                    prop_assert_eq!(was, &now, "{} changed when {} was corrupted", name, pointer);
                }
            }
            Ok(())
        })
        .unwrap();
}

#[wasm_bindgen_test]
fn corrupting_one_visitor_keeps_the_others() {
    let seed: Value = serde_json::from_str(LIVECHAT_VISITORS).unwrap();
    let one = seed[0].clone();
    let mut second = one.clone();
    second["id"] = "S2.second".into();
    second["name"] = "Second".into();
    let list = Value::Array(vec![one.clone(), second.clone()]);
    let mut all = Vec::new();
    pointers(&list[0], "/0".into(), &mut all);
    all.push("/0".into());
    let strategy = (prop::sample::select(all), any_json());
    runner(256)
        .run(&strategy, |(pointer, garbage)| {
            let mut json = list.clone();
            *json.pointer_mut(&pointer).unwrap() = garbage;
            let decoded: VisitorList =
                decode(js(&json.to_string())).expect("the list still decodes");
            let second_back = decoded.0.last().expect("the untouched visitor is kept");
            prop_assert_eq!(second_back.name.as_deref(), Some("Second"));
            prop_assert_eq!(second_back.city.as_deref(), Some("Greenville"));
            prop_assert_eq!(second_back.visit_path.len(), 2);
            // The list's own reading of the same answer keeps the untouched visitor too.
            let listed: VisitorList<ListedVisitor> =
                decode(js(&json.to_string())).expect("the list still decodes");
            let second_listed = listed.0.last().expect("the untouched visitor is listed");
            prop_assert_eq!(second_listed.name.as_deref(), Some("Second"));
            prop_assert_eq!(
                second_listed.search_text(),
                "second\ngreenville\nunited states\nlivechat – chat window api (js)\n\
                 https://developers.livechatinc.com/beta-docs/js-api/#on-chat-window-minimized"
            );
            prop_assert!(second_listed.visit_started_ms().is_some());
            Ok(())
        })
        .unwrap();
}
