//! The custom-details request (`POST /api/livechat/visitors/{id}/details`) and its validation.
//! LiveChat shows these fields to the agent, so the rules keep them readable and their links safe.

use serde::{Deserialize, Serialize};

/// Most fields one request may carry.
pub const MAX_FIELDS: usize = 50;
/// Longest data-set `id`, in characters.
pub const MAX_SET_ID_LEN: usize = 64;
/// Longest field name, in characters.
pub const MAX_NAME_LEN: usize = 100;
/// Longest field value, in characters.
pub const MAX_VALUE_LEN: usize = 1000;
/// Longest link or icon address, in characters.
pub const MAX_URL_LEN: usize = 2048;

/// What the widget sends; the proxy adds the `license_id` and `token` it holds for the visitor.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetailsRequest {
    /// The data-set ID that groups these fields in LiveChat, such as `my-app`.
    pub id: String,
    pub fields: Vec<DetailsField>,
    /// An icon address without a scheme (LiveChat fetches it over https).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
}

/// One name/value row; with `url` the value is shown as that link's text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetailsField {
    pub name: String,
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// One validation failure: which input (`id`, `fields`, `fields[2].url`, `icon`) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl DetailsRequest {
    /// The request as it should be sent: text trimmed, blank optional addresses dropped.
    pub fn normalized(&self) -> DetailsRequest {
        let blank_to_none = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        DetailsRequest {
            id: self.id.trim().to_owned(),
            fields: self
                .fields
                .iter()
                .map(|f| DetailsField {
                    name: f.name.trim().to_owned(),
                    value: f.value.trim().to_owned(),
                    url: blank_to_none(&f.url),
                })
                .collect(),
            icon: blank_to_none(&self.icon),
        }
    }

    /// Every rule the request breaks, in form order; empty when it may be sent. Call it on
    /// [`normalized`](Self::normalized) output.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let mut fail = |field: String, message: &str| {
            errors.push(FieldError {
                field,
                message: message.to_owned(),
            })
        };
        if self.id.is_empty() {
            fail("id".into(), "Enter a data-set ID, for example my-app.");
        } else if self.id.chars().count() > MAX_SET_ID_LEN {
            fail("id".into(), "The data-set ID is longer than 64 characters.");
        } else if !self.id.bytes().all(|b| b.is_ascii_graphic()) {
            fail(
                "id".into(),
                "The data-set ID may contain only letters, digits and punctuation, without spaces.",
            );
        }
        if self.fields.is_empty() {
            fail("fields".into(), "Add at least one field.");
        } else if self.fields.len() > MAX_FIELDS {
            fail("fields".into(), "At most 50 fields can be sent at once.");
        }
        for (i, field) in self.fields.iter().enumerate().take(MAX_FIELDS) {
            if let Some(message) = check_text(&field.name, "name", MAX_NAME_LEN) {
                fail(format!("fields[{i}].name"), &message);
            }
            if let Some(message) = check_text(&field.value, "value", MAX_VALUE_LEN) {
                fail(format!("fields[{i}].value"), &message);
            }
            if let Some(message) = field.url.as_deref().and_then(check_link) {
                fail(format!("fields[{i}].url"), message);
            }
        }
        if let Some(message) = self.icon.as_deref().and_then(check_icon) {
            fail("icon".into(), message);
        }
        errors
    }
}

fn check_text(text: &str, what: &str, max: usize) -> Option<String> {
    if text.is_empty() {
        Some(format!("Enter a {what}."))
    } else if text.chars().count() > max {
        Some(format!("The {what} is longer than {max} characters."))
    } else if text.chars().any(|c| c.is_control() && c != '\t') {
        Some(format!("The {what} contains control characters."))
    } else {
        None
    }
}

fn has_bad_url_chars(url: &str) -> bool {
    url.chars().count() > MAX_URL_LEN || url.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn check_link(url: &str) -> Option<&'static str> {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return Some("Links must start with http:// or https://.");
    };
    if rest.is_empty() || rest.starts_with('/') {
        Some("The link has no host.")
    } else if has_bad_url_chars(url) {
        Some("The link is too long or contains spaces or control characters.")
    } else {
        None
    }
}

fn check_icon(icon: &str) -> Option<&'static str> {
    // `host:port/path` has a dot before its colon; `javascript:` or `https:` has none.
    let scheme_like = icon
        .split_once(':')
        .is_some_and(|(before, _)| !before.contains('.') && !before.contains('/'));
    if icon.contains("://") || icon.starts_with("//") || scheme_like {
        Some(
            "Give the icon address without http:// or any other scheme, e.g. example.com/icon.png.",
        )
    } else if has_bad_url_chars(icon) {
        Some("The icon address is too long or contains spaces or control characters.")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(
        id: &str,
        fields: &[(&str, &str, Option<&str>)],
        icon: Option<&str>,
    ) -> DetailsRequest {
        DetailsRequest {
            id: id.into(),
            fields: fields
                .iter()
                .map(|(name, value, url)| DetailsField {
                    name: (*name).into(),
                    value: (*value).into(),
                    url: url.map(Into::into),
                })
                .collect(),
            icon: icon.map(Into::into),
        }
        .normalized()
    }

    fn failed_fields(req: &DetailsRequest) -> Vec<String> {
        req.validate().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_good_request_passes() {
        let req = request(
            "my-app",
            &[
                ("Age", "36", None),
                ("CRM", "Open record", Some("https://crm.example.com/c/1")),
            ],
            Some("example.com/icon.png"),
        );
        assert!(req.validate().is_empty(), "{:?}", req.validate());
    }

    #[test]
    fn blank_optional_addresses_are_dropped_and_text_trimmed() {
        let req = request(" my-app ", &[(" Age ", " 36 ", Some("  "))], Some(""));
        assert_eq!(req.id, "my-app");
        assert_eq!(req.fields[0].name, "Age");
        assert_eq!(req.fields[0].url, None);
        assert_eq!(req.icon, None);
    }

    #[test]
    fn each_rule_names_its_field() {
        assert_eq!(
            failed_fields(&request("", &[("a", "b", None)], None)),
            ["id"]
        );
        assert_eq!(
            failed_fields(&request("my app", &[("a", "b", None)], None)),
            ["id"]
        );
        assert_eq!(
            failed_fields(&request(&"x".repeat(65), &[("a", "b", None)], None)),
            ["id"]
        );
        assert_eq!(
            failed_fields(&request("é", &[("a", "b", None)], None)),
            ["id"]
        );
        assert_eq!(failed_fields(&request("my-app", &[], None)), ["fields"]);
        let many: Vec<_> = (0..51).map(|_| ("a", "b", None)).collect();
        assert_eq!(failed_fields(&request("my-app", &many, None)), ["fields"]);
        assert_eq!(
            failed_fields(&request("my-app", &[("", "", None)], None)),
            ["fields[0].name", "fields[0].value"]
        );
        let long_name = "n".repeat(101);
        assert_eq!(
            failed_fields(&request(
                "my-app",
                &[("a", "b", None), (&long_name, "b", None)],
                None
            )),
            ["fields[1].name"]
        );
        let long_value = "v".repeat(1001);
        assert_eq!(
            failed_fields(&request("my-app", &[("a", &long_value, None)], None)),
            ["fields[0].value"]
        );
        assert_eq!(
            failed_fields(&request("my-app", &[("a", "b\u{0}", None)], None)),
            ["fields[0].value"]
        );
    }

    #[test]
    fn links_must_be_http_or_https() {
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,<b>",
            "ftp://example.com",
            "example.com",
            "https://",
            "https:///path",
            "https://exa mple.com",
        ] {
            assert_eq!(
                failed_fields(&request("my-app", &[("a", "b", Some(bad))], None)),
                ["fields[0].url"],
                "{bad}"
            );
        }
        for good in ["http://example.com", "HTTPS://Example.com/a?b=c#d"] {
            assert!(
                request("my-app", &[("a", "b", Some(good))], None)
                    .validate()
                    .is_empty(),
                "{good}"
            );
        }
    }

    #[test]
    fn icons_carry_no_scheme() {
        for bad in [
            "https://example.com/i.png",
            "http://example.com/i.png",
            "//example.com/i.png",
            "javascript:alert(1)",
            "data:image/png;base64,AAAA",
        ] {
            assert_eq!(
                failed_fields(&request("my-app", &[("a", "b", None)], Some(bad))),
                ["icon"],
                "{bad}"
            );
        }
        for good in ["example.com/i.png", "cdn.example.com:8443/i.png"] {
            assert!(
                request("my-app", &[("a", "b", None)], Some(good))
                    .validate()
                    .is_empty(),
                "{good}"
            );
        }
    }
}
