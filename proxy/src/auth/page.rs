//! The sign-in popup's last page: it hands the result to the widget that opened it with
//! `window.opener.postMessage(message, origin)`, aimed at that one origin, then closes.
//!
//! It works under the strictest Content-Security-Policy: the page carries its own
//! (`default-src 'none'`, the one fixed inline script allowed by its SHA-256, no base, no forms,
//! no framing). The data travels in a `<script type="application/json">` block, which browsers
//! never execute, with `<`, `>` and `&` escaped so nothing in it can close the block. The page is
//! `no-store`, sends no referrer, and sets no cookie.

use std::sync::OnceLock;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The page's only script. Changing it changes its hash in the CSP automatically.
pub const SCRIPT: &str = r#"(function () {
  var data = JSON.parse(document.getElementById("vs-auth-data").textContent);
  if (data.origin && window.opener) {
    window.opener.postMessage(data.message, data.origin);
    window.close();
  }
})();"#;

/// `Content-Security-Policy` of the page: nothing but the script above.
pub fn content_security_policy() -> &'static str {
    static CSP: OnceLock<String> = OnceLock::new();
    CSP.get_or_init(|| {
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(SCRIPT));
        format!(
            "default-src 'none'; script-src 'sha256-{hash}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        )
    })
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// JSON that is safe inside `<script type="application/json">`: no `<`, `>` or `&` can end the
/// block or start markup (they become `\u003c`…, which `JSON.parse` reads back as they were).
fn script_safe_json(value: &Value) -> String {
    serde_json::to_string(value)
        .expect("a JSON value serializes")
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// The page: `text` for whoever looks at the popup, and, when `post` is given, the message for
/// the opener and the one origin it may be delivered to.
pub fn render(status: StatusCode, text: &str, post: Option<(&str, Value)>) -> Response {
    let data = match post {
        Some((origin, message)) => json!({"origin": origin, "message": message}),
        None => json!({"origin": null}),
    };
    let body = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Visitor sidebar sign-in</title>\n\
         <script type=\"application/json\" id=\"vs-auth-data\">{}</script>\n\
         <script>{SCRIPT}</script>\n</head><body><p>{}</p></body></html>\n",
        script_safe_json(&data),
        escape_html(text),
    );
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_TYPE, "text/html; charset=utf-8"),
        (header::CACHE_CONTROL, "no-store"),
        (header::PRAGMA, "no-cache"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(content_security_policy()),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_cannot_close_its_block() {
        let hostile = json!({"x": "</script><script>alert(1)</script>&amp;\u{2028}"});
        let safe = script_safe_json(&hostile);
        assert!(!safe.contains('<') && !safe.contains('>') && !safe.contains('&'));
        assert_eq!(serde_json::from_str::<Value>(&safe).unwrap(), hostile);
    }

    #[test]
    fn the_csp_allows_exactly_the_script() {
        let csp = content_security_policy();
        assert!(csp.starts_with("default-src 'none'; script-src 'sha256-"));
        let expected = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(SCRIPT));
        assert!(csp.contains(&expected));
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape_html("<b>&\"'"), "&lt;b&gt;&amp;&quot;&#39;");
    }
}
