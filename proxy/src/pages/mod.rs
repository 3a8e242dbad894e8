//! The headers that protect the widget's pages when the proxy serves them (`--static` /
//! `VS_STATIC_DIR`, and the demo's pages): a second line of defence should rendering ever slip,
//! under which injected script cannot run and data cannot leave.
//!
//! - `Content-Security-Policy`: `default-src 'none'`; scripts from this origin only (plus
//!   `'wasm-unsafe-eval'` for the widget's WebAssembly and the SHA-256 of any inline script the
//!   built pages hold, computed at start by [`html`]), never `'unsafe-inline'` or `'unsafe-eval'`;
//!   styles, images and fetches from this origin (plus the proxy's origin when the page's
//!   `proxy-url` names another); LivePerson's widget SDK by its exact origin only on
//!   `?console=liveperson` pages; LiveChat's accounts server as a frame when agents sign in with
//!   LiveChat; no plugins, no `<base>`, no form posts; and `frame-ancestors` from
//!   `VS_FRAME_ANCESTORS`: the page is made to be framed by agent consoles, and LiveChat's Agent
//!   App SDK, in its default ("trusted") mode, answers whichever window handshakes first, so only
//!   the consoles listed may frame it and a stranger's page cannot pose as the Agent App.
//! - `Referrer-Policy: no-referrer` (the iframe URL carries visitor and session IDs),
//!   `Cross-Origin-Opener-Policy: same-origin-allow-popups` (the sign-in popups still report back
//!   to their opener) and a `Permissions-Policy` denying every powerful feature the widget never
//!   uses.
//!
//! The README's deployment section gives the same policy for other hosts (nginx, a CDN).

pub mod html;

use std::path::Path;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use reqwest::Url;
use serde::Deserialize;

use crate::extract::query;

/// Who may frame the pages when `VS_FRAME_ANCESTORS` is unset: the proxy's own origin only.
/// Embedding the page in a console (LiveChat's Agent App, LivePerson's Agent Workspace) takes
/// listing that console's origin.
pub const DEFAULT_FRAME_ANCESTORS: &str = "'self'";

/// The checked sources of `VS_FRAME_ANCESTORS` (separated by spaces or commas; a TOML array is
/// joined with commas): `'self'`; `'none'` alone; or origins `https://host[:port]` (`http://` too,
/// for development), whose host may start with `*.` and whose port may be `*`. Anything else
/// (paths, bare schemes, `*`, other quoted keywords, `;` or quotes that would smuggle in another
/// directive) is refused with a sentence saying why.
pub fn check_frame_ancestors(value: &str) -> Result<Vec<String>, String> {
    let sources: Vec<&str> = value
        .split(|c: char| c == ',' || c.is_ascii_whitespace())
        .filter(|s| !s.is_empty())
        .collect();
    if sources.is_empty() {
        return Err("lists no source; use 'self' or the consoles' origins".into());
    }
    let checked = sources
        .iter()
        .map(|s| check_source(s))
        .collect::<Result<Vec<_>, _>>()?;
    if checked.len() > 1 && checked.iter().any(|s| s == "'none'") {
        return Err("'none' cannot be combined with other sources".into());
    }
    Ok(checked)
}

fn check_source(source: &str) -> Result<String, String> {
    let lower = source.to_ascii_lowercase();
    match lower.as_str() {
        "'self'" | "'none'" => return Ok(lower),
        "*" => {
            return Err(
                "'*' would let any site frame the widget and pose as the console; list the consoles' origins".into(),
            )
        }
        _ => {}
    }
    if !source.bytes().all(|b| b.is_ascii_graphic()) || source.contains(['\'', '"', ';', '\\']) {
        return Err(format!(
            "'{}' is not a source: use 'self', 'none' or origins such as https://my.livechatinc.com",
            source.escape_default()
        ));
    }
    let Some((scheme, rest)) = lower.split_once("://") else {
        return Err(format!(
            "'{source}' is not an origin: write it with its scheme, such as https://my.livechatinc.com"
        ));
    };
    if scheme != "https" && scheme != "http" {
        return Err(format!(
            "'{source}': only https:// (or http://) origins can be listed"
        ));
    }
    // A pasted address's trailing slash is harmless; any other path is not an origin.
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.contains(['/', '?', '#', '@']) {
        return Err(format!(
            "'{source}' has a path, query or user: list origins only, such as https://my.livechatinc.com"
        ));
    }
    let (host, port) = match rest.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (rest, None),
    };
    if let Some(port) = port {
        if port != "*" && !port.parse::<u16>().is_ok_and(|p| p > 0) {
            return Err(format!("'{source}' has a bad port"));
        }
    }
    let name = host.strip_prefix("*.").unwrap_or(host);
    let label_ok = |l: &str| {
        !l.is_empty()
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if name.is_empty() || !name.split('.').all(label_ok) {
        return Err(format!("'{source}' has no valid host name"));
    }
    Ok(format!("{scheme}://{rest}"))
}

/// The policy of every API answer that sets none: JSON opened as a page runs and loads nothing.
pub const API_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";
/// `Referrer-Policy`: the iframe URL carries visitor and session IDs; no request tells anyone.
pub const REFERRER_POLICY: &str = "no-referrer";
/// `Cross-Origin-Opener-Policy`: a page opened by another site cannot reach this one, while the
/// sign-in popups this page opens (LiveChat's accounts server, the company sign-in through the
/// proxy's callback page, which sends no COOP) keep their opener and can post their answer.
pub const OPENER_POLICY: &str = "same-origin-allow-popups";
/// `Permissions-Policy`: every powerful feature the widget never uses, for it and its frames.
pub const PERMISSIONS_POLICY: &str = "accelerometer=(), autoplay=(), camera=(), \
display-capture=(), encrypted-media=(), fullscreen=(), geolocation=(), gyroscope=(), hid=(), \
idle-detection=(), magnetometer=(), microphone=(), midi=(), payment=(), picture-in-picture=(), \
publickey-credentials-get=(), screen-wake-lock=(), serial=(), usb=(), xr-spatial-tracking=()";

/// The setting of the iframe page that names LivePerson's widget SDK (`?console=liveperson`).
const LIVEPERSON_SDK_META: &str = "visitor-sidebar:liveperson-sdk-url";
/// The setting that names the proxy's API, when it is not on the page's own origin.
const PROXY_URL_META: &str = "visitor-sidebar:proxy-url";

/// Which console a page request is for, from its `?console=` (the iframe page's mode).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Console {
    /// No console SDK beyond this origin's files (LiveChat's SDKs are served from `dist/`).
    Other,
    /// LivePerson's Agent Workspace: its widget SDK comes from its own origin.
    LivePerson,
}

impl Console {
    /// The query's first `console` parameter, decoded, as the page's loader and the widget read
    /// it (`URLSearchParams.get`).
    pub fn of_query(raw: Option<&str>) -> Console {
        /// `?console=`, the one parameter the page's mode depends on.
        #[derive(Default, Deserialize)]
        #[serde(default)]
        struct PageQuery {
            console: String,
        }
        // Every value is text, so reading it cannot fail.
        let PageQuery { console } = query(raw).unwrap_or_default();
        if console.trim().eq_ignore_ascii_case("liveperson") {
            Console::LivePerson
        } else {
            Console::Other
        }
    }
}

/// The pages' policy, built once at start from the configuration and the built pages.
#[derive(Clone, Debug)]
pub struct PagePolicy {
    /// The full `Content-Security-Policy` for each console mode.
    other: HeaderValue,
    liveperson: HeaderValue,
}

/// What goes into a policy beyond its fixed directives.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sources {
    pub frame_ancestors: Vec<String>,
    /// `'sha256-…'` of the built pages' inline scripts.
    pub script_hashes: Vec<String>,
    /// Origins fetched beyond `'self'` (the proxy's, when the page names another).
    pub connect: Vec<String>,
    /// Origins framed (LiveChat's accounts server, for silent sign-in).
    pub frames: Vec<String>,
    /// LivePerson's widget SDK's origin, when not this one.
    pub liveperson_sdk: Option<String>,
}

impl Sources {
    /// From the settings (`VS_FRAME_ANCESTORS`; LiveChat's accounts server, framed for silent
    /// sign-in when agents sign in with LiveChat), and the built pages in `static_dir`
    /// (`VS_STATIC_DIR`) when set.
    pub fn gather(
        frame_ancestors: &[String],
        livechat_accounts_url: Option<&str>,
        static_dir: Option<&Path>,
    ) -> Sources {
        let mut sources = Sources {
            frame_ancestors: frame_ancestors.to_vec(),
            ..Sources::default()
        };
        if let Some(url) = livechat_accounts_url {
            push_origin(&mut sources.frames, url);
        }
        if let Some(dir) = static_dir {
            sources.read_pages(dir);
        }
        sources
    }

    /// Adds what the `.html` files of `dir` (not its subfolders) need.
    pub fn read_pages(&mut self, dir: &Path) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut pages: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("html"))
            })
            .collect();
        pages.sort();
        for page in pages {
            let Ok(text) = std::fs::read_to_string(&page) else {
                continue;
            };
            let facts = html::scan(&text);
            for blocked in &facts.blocked_inline {
                tracing::warn!(
                    page = %page.display(),
                    "{blocked} will be blocked by the pages' Content-Security-Policy"
                );
            }
            for hash in &facts.script_hashes {
                if !self.script_hashes.contains(hash) {
                    self.script_hashes.push(hash.clone());
                }
            }
            if let Some(url) = facts.meta(PROXY_URL_META) {
                push_origin(&mut self.connect, url);
            }
            if self.liveperson_sdk.is_none() {
                self.liveperson_sdk = facts.meta(LIVEPERSON_SDK_META).and_then(origin_of);
            }
        }
    }
}

/// `url`'s origin when it is an absolute http(s) URL (a relative one is this origin).
fn origin_of(url: &str) -> Option<String> {
    let url = Url::parse(url.trim()).ok()?;
    (matches!(url.scheme(), "http" | "https") && url.host_str().is_some())
        .then(|| url.origin().ascii_serialization())
}

/// Adds `url`'s origin, if it has one (see [`origin_of`]) not listed yet.
fn push_origin(origins: &mut Vec<String>, url: &str) {
    if let Some(origin) = origin_of(url) {
        if !origins.contains(&origin) {
            origins.push(origin);
        }
    }
}

/// The `Content-Security-Policy` text for `sources` in `console` mode.
pub fn content_security_policy(sources: &Sources, console: Console) -> String {
    let list = |fixed: &[&str], more: &[String]| {
        fixed
            .iter()
            .map(|s| s.to_string())
            .chain(more.iter().cloned())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut scripts = sources.script_hashes.clone();
    if console == Console::LivePerson {
        scripts.extend(sources.liveperson_sdk.clone());
    }
    let mut directives = vec![
        "default-src 'none'".to_owned(),
        format!(
            "script-src {}",
            list(&["'self'", "'wasm-unsafe-eval'"], &scripts)
        ),
        "style-src 'self'".to_owned(),
        "img-src 'self'".to_owned(),
        format!("connect-src {}", list(&["'self'"], &sources.connect)),
    ];
    if !sources.frames.is_empty() {
        directives.push(format!("frame-src {}", sources.frames.join(" ")));
    }
    directives.extend([
        "object-src 'none'".to_owned(),
        "base-uri 'none'".to_owned(),
        "form-action 'none'".to_owned(),
        format!("frame-ancestors {}", sources.frame_ancestors.join(" ")),
    ]);
    directives.join("; ")
}

impl PagePolicy {
    pub fn new(sources: &Sources) -> PagePolicy {
        // Every source was checked (frame ancestors) or serialized by `Url` (origins, hashes):
        // visible ASCII without `;` or quotes beyond the keywords.
        let header = |console| {
            HeaderValue::from_str(&content_security_policy(sources, console))
                .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"))
        };
        PagePolicy {
            other: header(Console::Other),
            liveperson: header(Console::LivePerson),
        }
    }

    pub fn content_security_policy(&self, console: Console) -> &HeaderValue {
        match console {
            Console::Other => &self.other,
            Console::LivePerson => &self.liveperson,
        }
    }

    /// Sets the policy for a page of `console` and the other protective headers.
    pub fn protect(&self, console: Console, headers: &mut HeaderMap) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            self.content_security_policy(console).clone(),
        );
        protective_headers(headers);
    }
}

/// `Referrer-Policy`, `Cross-Origin-Opener-Policy` and `Permissions-Policy`.
pub fn protective_headers(headers: &mut HeaderMap) {
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static(REFERRER_POLICY),
    );
    headers.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static(OPENER_POLICY),
    );
    headers.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static(PERMISSIONS_POLICY),
    );
}

/// Middleware: every answer of the router it wraps carries the pages' headers, the policy
/// chosen by the request's `?console=`.
pub async fn protect(
    State(policy): State<std::sync::Arc<PagePolicy>>,
    request: Request,
    next: Next,
) -> Response {
    let console = Console::of_query(request.uri().query());
    let mut response = next.run(request).await;
    policy.protect(console, response.headers_mut());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(value: &str) -> String {
        check_frame_ancestors(value).unwrap().join(" ")
    }

    #[test]
    fn origins_keywords_and_wildcards_are_accepted_and_normalised() {
        assert_eq!(
            ok("'self' https://my.livechatinc.com"),
            "'self' https://my.livechatinc.com"
        );
        assert_eq!(
            ok("https://*.livechatinc.com,HTTPS://My.LiveChatInc.com/ ,  'SELF'"),
            "https://*.livechatinc.com https://my.livechatinc.com 'self'"
        );
        assert_eq!(ok("http://localhost:*"), "http://localhost:*");
        assert_eq!(ok("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
        assert_eq!(ok("'none'"), "'none'");
    }

    #[test]
    fn anything_that_is_not_an_origin_is_refused() {
        for bad in [
            "",
            " , ",
            "*",
            "https:",
            "my.livechatinc.com",
            "ftp://my.livechatinc.com",
            "https://my.livechatinc.com/agent",
            "https://user@my.livechatinc.com",
            "https://my.livechatinc.com:99999",
            "https://my.livechatinc.com:x",
            "https://*",
            "https://*.",
            "https://-bad-.example",
            "'unsafe-inline'",
            "'self';script-src",
            "https://a.example;script-src *",
            "https://a.example\"",
            "'none' 'self'",
            "https://a.example 'none'",
        ] {
            assert!(check_frame_ancestors(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn the_policy_is_strict_and_names_every_source() {
        let sources = Sources {
            frame_ancestors: check_frame_ancestors("'self' https://my.livechatinc.com").unwrap(),
            script_hashes: vec!["'sha256-AAAA'".into()],
            connect: vec!["https://proxy.example.com".into()],
            frames: vec!["https://accounts.livechat.com".into()],
            liveperson_sdk: Some("https://lpcdn.lpsnmedia.net".into()),
        };
        assert_eq!(
            content_security_policy(&sources, Console::Other),
            "default-src 'none'; script-src 'self' 'wasm-unsafe-eval' 'sha256-AAAA'; \
             style-src 'self'; img-src 'self'; connect-src 'self' https://proxy.example.com; \
             frame-src https://accounts.livechat.com; object-src 'none'; base-uri 'none'; \
             form-action 'none'; frame-ancestors 'self' https://my.livechatinc.com"
        );
        // LivePerson's SDK only where it is loaded.
        assert!(
            content_security_policy(&sources, Console::LivePerson).contains(
                "script-src 'self' 'wasm-unsafe-eval' 'sha256-AAAA' https://lpcdn.lpsnmedia.net;"
            )
        );
        let bare = Sources {
            frame_ancestors: vec!["'self'".into()],
            ..Sources::default()
        };
        let policy = content_security_policy(&bare, Console::LivePerson);
        assert!(!policy.contains("'unsafe-inline'") && !policy.contains("'unsafe-eval'"));
        assert!(!policy.contains("frame-src"), "{policy}");
    }

    #[test]
    fn the_console_comes_from_the_query() {
        assert_eq!(
            Console::of_query(Some("console=liveperson")),
            Console::LivePerson
        );
        assert_eq!(
            Console::of_query(Some("a=1&console=LivePerson&b")),
            Console::LivePerson
        );
        assert_eq!(Console::of_query(Some("console=livechat")), Console::Other);
        assert_eq!(
            Console::of_query(Some("xconsole=liveperson")),
            Console::Other
        );
        assert_eq!(Console::of_query(None), Console::Other);
    }

    #[test]
    fn the_built_pages_give_their_hashes_and_other_origins() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("index.html"),
            r#"<meta name="visitor-sidebar:proxy-url" content="https://api.example.com/api">
<meta name="visitor-sidebar:liveperson-sdk-url" content="https://cdn.example.net/lp/client-SDK.min.js">
<script>start()</script>"#,
        )
        .unwrap();
        std::fs::write(
            dir.path().join("console.html"),
            r#"<meta name="visitor-sidebar:proxy-url" content="/api"><script src="x.js"></script>"#,
        )
        .unwrap();
        std::fs::write(dir.path().join("notes.txt"), "<script>no()</script>").unwrap();
        let mut sources = Sources::default();
        sources.read_pages(dir.path());
        assert_eq!(sources.script_hashes, [html::script_hash("start()")]);
        assert_eq!(sources.connect, ["https://api.example.com"]);
        assert_eq!(
            sources.liveperson_sdk.as_deref(),
            Some("https://cdn.example.net")
        );
    }
}
