//! What the policy needs to know about the built pages (`index.html` and the other `.html`
//! files of `--static`), read once at start: the inline scripts a page runs (their SHA-256 goes
//! into `script-src`, so a rebuild that changes them needs no hand edit), the widget's settings
//! (`<meta name="visitor-sidebar:…">`) that name other origins, and what a strict policy will
//! block (inline styles and event-handler attributes), so the log says so at start.
//!
//! A small scanner rather than an HTML parser crate: it reads only our own build output, for
//! three things, and any mistake fails closed (a script it missed is blocked, and the
//! end-to-end tests see the violation).

use base64::Engine;
use sha2::{Digest, Sha256};

/// What one page holds that its policy must know.
#[derive(Debug, Default, PartialEq)]
pub struct PageFacts {
    /// `'sha256-…'` of each inline script a browser would run.
    pub script_hashes: Vec<String>,
    /// `<meta name="…" content="…">` pairs, in order, content entity-decoded.
    pub metas: Vec<(String, String)>,
    /// What a policy without `'unsafe-inline'` blocks: inline `<style>`, `style=` and `on…=`
    /// attributes, described for a warning.
    pub blocked_inline: Vec<String>,
}

impl PageFacts {
    pub fn meta(&self, name: &str) -> Option<&str> {
        self.metas
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, c)| c.as_str())
    }
}

/// The CSP source of `text` as an inline script: `'sha256-BASE64'`.
pub fn script_hash(text: &str) -> String {
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes()))
    )
}

/// Reads one page.
pub fn scan(html: &str) -> PageFacts {
    let mut facts = PageFacts::default();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        rest = &rest[lt..];
        if let Some(comment) = rest.strip_prefix("<!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        let Some((name, attributes, after)) = tag(rest) else {
            rest = &rest[1..];
            continue;
        };
        rest = after;
        for (attribute, _) in &attributes {
            if attribute.starts_with("on") || attribute == "style" {
                facts
                    .blocked_inline
                    .push(format!("a {attribute}= attribute on <{name}>"));
            }
        }
        let value = |key: &str| {
            attributes
                .iter()
                .find(|(a, _)| a == key)
                .map(|(_, v)| v.as_str())
        };
        match name.as_str() {
            "meta" => {
                if let (Some(name), Some(content)) = (value("name"), value("content")) {
                    facts.metas.push((name.to_owned(), content.to_owned()));
                }
            }
            "script" | "style" => {
                // Raw text up to the closing tag, as the browser hashes it.
                let close = format!("</{name}");
                let end = find_ignoring_case(rest, &close).unwrap_or(rest.len());
                let text = &rest[..end];
                rest = &rest[end..];
                if name == "style" {
                    facts.blocked_inline.push("an inline <style>".into());
                } else if value("src").is_none() && runs(value("type")) {
                    facts.script_hashes.push(script_hash(text));
                }
            }
            _ => {}
        }
    }
    facts
}

/// Whether a `<script type=…>` is one the browser executes (data blocks such as
/// `application/json` are not, and need no hash).
fn runs(kind: Option<&str>) -> bool {
    match kind.map(|k| k.trim().to_ascii_lowercase()) {
        None => true,
        Some(kind) => matches!(
            kind.as_str(),
            "" | "module" | "text/javascript" | "application/javascript" | "text/ecmascript"
        ),
    }
}

fn find_ignoring_case(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// A tag's attributes: lowercase names, entity-decoded values.
type Attributes = Vec<(String, String)>;

/// An opening tag at the start of `text`: its lowercase name, its attributes and what follows
/// its `>`.
fn tag(text: &str) -> Option<(String, Attributes, &str)> {
    let body = text.strip_prefix('<')?;
    let name_len = body
        .find(|c: char| !c.is_ascii_alphanumeric() && c != '-')
        .unwrap_or(body.len());
    if name_len == 0 || !body.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let name = body[..name_len].to_ascii_lowercase();
    let mut rest = &body[name_len..];
    let mut attributes = Vec::new();
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
        if let Some(after) = rest.strip_prefix('>') {
            return Some((name, attributes, after));
        }
        if rest.is_empty() {
            return None;
        }
        let key_len = rest
            .find(|c: char| c.is_ascii_whitespace() || matches!(c, '=' | '>' | '/'))
            .unwrap_or(rest.len());
        let key = rest[..key_len].to_ascii_lowercase();
        rest = rest[key_len..].trim_start();
        let mut value = String::new();
        if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            let (raw, next) = match after.chars().next() {
                Some(quote @ ('"' | '\'')) => {
                    let inner = &after[1..];
                    let end = inner.find(quote)?;
                    (&inner[..end], &inner[end + 1..])
                }
                _ => {
                    let end = after
                        .find(|c: char| c.is_ascii_whitespace() || c == '>')
                        .unwrap_or(after.len());
                    (&after[..end], &after[end..])
                }
            };
            value = decode_entities(raw);
            rest = next;
        }
        if !key.is_empty() {
            attributes.push((key, value));
        }
    }
}

/// The entities our pages' attribute values use.
fn decode_entities(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_hashed_exactly_and_data_blocks_and_external_scripts_are_not() {
        let page = r#"<!DOCTYPE html><html><head>
<meta charset="utf-8">
<meta name="visitor-sidebar:proxy-url" content="https://proxy.example.com/api?a=1&amp;b=2">
<script type="module" src="/loader.js"></script>
<SCRIPT type="module">import init from '/x.js';
await init();</SCRIPT>
<script type="application/json">{"a": 1}</script>
<!-- <script>commented()</script> -->
<script nonce="abc">window.started = true</script >
</head><body><div data-x='a>b'></div></body></html>"#;
        let facts = scan(page);
        assert_eq!(
            facts.script_hashes,
            [
                script_hash("import init from '/x.js';\nawait init();"),
                script_hash("window.started = true"),
            ]
        );
        assert_eq!(
            facts.meta("visitor-sidebar:proxy-url"),
            Some("https://proxy.example.com/api?a=1&b=2")
        );
        assert!(
            facts.blocked_inline.is_empty(),
            "{:?}",
            facts.blocked_inline
        );
    }

    #[test]
    fn the_hash_is_the_one_browsers_compute() {
        // Chromium's own report for `window.x=1` names this hash.
        assert_eq!(
            script_hash("window.x=1"),
            "'sha256-hUmDl3yY/7GaaX+Zuy8aEy8IzxgpBs7xccqYHs2/7kQ='"
        );
    }

    #[test]
    fn what_a_strict_policy_blocks_is_named() {
        let facts = scan(
            r#"<style>body{}</style><img src=x onerror="alert(1)"><p style="color:red">x</p>"#,
        );
        assert_eq!(
            facts.blocked_inline,
            [
                "an inline <style>",
                "a onerror= attribute on <img>",
                "a style= attribute on <p>"
            ]
        );
        assert!(facts.script_hashes.is_empty());
    }
}
