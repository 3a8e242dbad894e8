//! The headers that protect the widget's pages when the proxy serves them (`--static` /
//! `VS_STATIC_DIR`; the files themselves are `static_files`'s).
//!
//! Today that is `Content-Security-Policy: frame-ancestors …` from `VS_FRAME_ANCESTORS`. The
//! page is made to be framed by agent consoles, and LiveChat's Agent App SDK, in its default
//! ("trusted") mode, answers whichever window handshakes first: only the consoles listed here may
//! frame it, so a stranger's page cannot pose as the Agent App. The policy is built in one
//! function ([`page_policy`]) so that a fuller policy can grow there.

use axum::http::HeaderValue;

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

/// The `Content-Security-Policy` of the pages.
pub fn page_policy(frame_ancestors: &[String]) -> HeaderValue {
    let policy = format!("frame-ancestors {}", frame_ancestors.join(" "));
    // The sources were checked to be visible ASCII without quotes or `;` (bar the keywords).
    HeaderValue::from_str(&policy)
        .unwrap_or_else(|_| HeaderValue::from_static("frame-ancestors 'self'"))
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
    fn the_policy_names_every_source() {
        let sources = check_frame_ancestors("'self' https://my.livechatinc.com").unwrap();
        assert_eq!(
            page_policy(&sources),
            "frame-ancestors 'self' https://my.livechatinc.com"
        );
    }
}
