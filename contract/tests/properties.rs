//! Property tests of the input rules the proxy and the widget share: `check_id` and the
//! custom-details request's `normalized()` / `validate()`. Arbitrary input never panics, whatever
//! passes keeps to the documented characters and lengths, and normalizing is idempotent.

use proptest::prelude::*;
use visitor_sidebar_contract::details::{
    MAX_FIELDS, MAX_NAME_LEN, MAX_SET_ID_LEN, MAX_URL_LEN, MAX_VALUE_LEN,
};
use visitor_sidebar_contract::{check_id, DetailsField, DetailsRequest, IdError, MAX_ID_LEN};

fn id_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'~')
}

/// Text that often looks like what it is checked for: ID characters, dots, separators, control
/// and Unicode characters, scheme names.
fn tricky_text(max: usize) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[A-Za-z0-9._~-]{1,12}",
        Just(".".to_owned()),
        Just("..".to_owned()),
        Just("/".to_owned()),
        Just("%2F".to_owned()),
        Just("\r\n".to_owned()),
        Just("\t".to_owned()),
        Just(" ".to_owned()),
        Just("\u{0}".to_owned()),
        Just("\u{202e}".to_owned()),
        Just("é".to_owned()),
        Just("https://".to_owned()),
        Just("HTTP://".to_owned()),
        Just("javascript:".to_owned()),
        Just("data:".to_owned()),
        Just("//".to_owned()),
        Just(":".to_owned()),
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..max).prop_map(|p| p.concat())
}

fn details_request() -> impl Strategy<Value = DetailsRequest> {
    let field = || {
        (
            tricky_text(5),
            tricky_text(5),
            prop::option::of(tricky_text(4)),
        )
            .prop_map(|(name, value, url)| DetailsField { name, value, url })
    };
    // Mostly a few fields; sometimes around the 50-field limit.
    let fields = prop_oneof![
        4 => prop::collection::vec(field(), 0..6),
        1 => prop::collection::vec(field(), (MAX_FIELDS - 1)..(MAX_FIELDS + 2)),
    ];
    (tricky_text(5), fields, prop::option::of(tricky_text(4)))
        .prop_map(|(id, fields, icon)| DetailsRequest { id, fields, icon })
}

/// Some long strings too: around each length limit.
fn long_details_request() -> impl Strategy<Value = DetailsRequest> {
    (
        MAX_SET_ID_LEN - 2..MAX_SET_ID_LEN + 3,
        MAX_NAME_LEN - 2..MAX_NAME_LEN + 3,
        MAX_VALUE_LEN - 2..MAX_VALUE_LEN + 3,
        MAX_URL_LEN - 20..MAX_URL_LEN + 3,
        prop::sample::select(vec!['a', 'é', '€', '😀']),
    )
        .prop_map(|(id, name, value, url, c)| DetailsRequest {
            id: "i".repeat(id),
            fields: vec![DetailsField {
                name: c.to_string().repeat(name),
                value: c.to_string().repeat(value),
                url: Some(format!("https://{}", "u".repeat(url - 8))),
            }],
            icon: Some(format!("x.example/{}", "i".repeat(url - 10))),
        })
}

/// What a request that passed validation must look like.
fn assert_valid_shape(r: &DetailsRequest) {
    let chars = |s: &str| s.chars().count();
    assert!((1..=MAX_SET_ID_LEN).contains(&chars(&r.id)), "{r:?}");
    assert!(r.id.bytes().all(|b| b.is_ascii_graphic()));
    assert!((1..=MAX_FIELDS).contains(&r.fields.len()));
    for f in &r.fields {
        assert!((1..=MAX_NAME_LEN).contains(&chars(&f.name)));
        assert!((1..=MAX_VALUE_LEN).contains(&chars(&f.value)));
        for text in [&f.name, &f.value] {
            assert!(!text.chars().any(|c| c.is_control() && c != '\t'));
            assert_eq!(text.trim(), text.as_str());
        }
        if let Some(url) = &f.url {
            let lower = url.to_ascii_lowercase();
            assert!(lower.starts_with("http://") || lower.starts_with("https://"));
            assert!(chars(url) <= MAX_URL_LEN);
            assert!(!url.chars().any(|c| c.is_whitespace() || c.is_control()));
        }
    }
    if let Some(icon) = &r.icon {
        assert!(!icon.contains("://") && !icon.starts_with("//"));
        assert!(chars(icon) <= MAX_URL_LEN);
        assert!(!icon.chars().any(|c| c.is_whitespace() || c.is_control()));
        let lower = icon.to_ascii_lowercase();
        for scheme in ["javascript:", "data:", "vbscript:", "http:", "https:"] {
            assert!(!lower.starts_with(scheme), "{icon}");
        }
    }
}

fn check_details(request: &DetailsRequest) {
    let normalized = request.normalized();
    let problems = normalized.validate();
    // Idempotent: normalizing twice changes nothing, and validation agrees.
    assert_eq!(normalized.normalized(), normalized);
    assert_eq!(normalized.normalized().validate(), problems);
    if problems.is_empty() {
        assert_valid_shape(&normalized);
        // What passes survives the wire unchanged.
        let json = serde_json::to_string(&normalized).unwrap();
        assert_eq!(
            serde_json::from_str::<DetailsRequest>(&json).unwrap(),
            normalized
        );
    } else {
        for p in &problems {
            let ok = ["id", "fields", "icon"].contains(&p.field.as_str())
                || (p.field.starts_with("fields[")
                    && [".name", ".value", ".url"]
                        .iter()
                        .any(|s| p.field.ends_with(s)));
            assert!(ok, "field {:?}", p.field);
            assert!(!p.message.is_empty());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn check_id_accepts_only_the_documented_ids(id in tricky_text(12)) {
        match check_id(&id) {
            Ok(()) => {
                prop_assert!(!id.is_empty() && id.len() <= MAX_ID_LEN);
                prop_assert!(id.bytes().all(id_char));
                prop_assert!(!id.bytes().all(|b| b == b'.'));
            }
            Err(why) => prop_assert!(!why.to_string().is_empty()),
        }
    }

    #[test]
    fn check_id_accepts_every_documented_id(id in "[A-Za-z0-9._~-]{1,128}") {
        let dots_only = id.bytes().all(|b| b == b'.');
        prop_assert_eq!(check_id(&id).is_ok(), !dots_only);
        if dots_only {
            prop_assert_eq!(check_id(&id), Err(IdError::DotsOnly));
        }
    }

    #[test]
    fn check_id_refuses_long_ids(id in "[a-z]{129,300}") {
        prop_assert_eq!(check_id(&id), Err(IdError::TooLong));
    }

    #[test]
    fn details_validation_never_panics_and_what_passes_is_safe(request in details_request()) {
        check_details(&request);
    }

    #[test]
    fn details_limits_hold_at_their_edges(request in long_details_request()) {
        check_details(&request);
    }

    #[test]
    fn valid_looking_requests_pass(
        id in "[a-z][a-z0-9-]{0,63}",
        fields in prop::collection::vec(("[A-Za-z][A-Za-z ]{0,40}[a-z]", "[ -~]{0,200}[a-z]", prop::option::of("https://[a-z]{1,20}\\.example/[a-z0-9/]{0,40}")), 1..=MAX_FIELDS),
        icon in prop::option::of("[a-z]{1,10}\\.example/[a-z]{1,10}\\.png"),
    ) {
        let request = DetailsRequest {
            id,
            fields: fields.into_iter().map(|(name, value, url)| DetailsField { name, value, url }).collect(),
            icon,
        }
        .normalized();
        prop_assert_eq!(request.validate(), vec![]);
    }
}
