//! Browser, version and operating system from a user-agent string: a few ordered rules that
//! cover the browsers agents meet, instead of a UA database crate that would weigh more than the
//! whole widget.

/// What an agent wants to know about the visitor's software.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Software {
    /// "Chrome 53", "Safari 17", "Firefox 120"...
    pub browser: Option<String>,
    /// "macOS 10.9.5", "Windows 10/11", "iOS 17.1", "Android 14"...
    pub os: Option<String>,
}

impl Software {
    /// "Chrome 53 on macOS 10.9.5", or whichever half is known.
    pub fn summary(&self) -> Option<String> {
        crate::format::join(&[self.browser.as_deref(), self.os.as_deref()], " on ")
    }
}

/// The version number after `token` (`Chrome/53.0.2785` → `53`), major part only.
fn major_after<'a>(ua: &'a str, token: &str) -> Option<&'a str> {
    let start = ua.find(token)? + token.len();
    let rest = &ua[start..];
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

/// The dotted version after `token` with `_` read as `.` (`Mac OS X 10_9_5` → `10.9.5`).
fn version_after(ua: &str, token: &str) -> Option<String> {
    let start = ua.find(token)? + token.len();
    let rest = &ua[start..];
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '_' || c == '.'))
        .unwrap_or(rest.len());
    let version = rest[..end].replace('_', ".");
    let version = version.trim_matches('.');
    (!version.is_empty()).then(|| version.to_owned())
}

fn browser(ua: &str) -> Option<String> {
    // Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari".
    const RULES: &[(&str, &str)] = &[
        ("Edg/", "Edge"),
        ("EdgA/", "Edge"),
        ("EdgiOS/", "Edge"),
        ("Edge/", "Edge"),
        ("OPR/", "Opera"),
        ("SamsungBrowser/", "Samsung Internet"),
        ("YaBrowser/", "Yandex Browser"),
        ("Vivaldi/", "Vivaldi"),
        ("FxiOS/", "Firefox"),
        ("Firefox/", "Firefox"),
        ("CriOS/", "Chrome"),
        ("Chromium/", "Chromium"),
        ("Chrome/", "Chrome"),
        ("MSIE ", "Internet Explorer"),
    ];
    for (token, name) in RULES {
        if ua.contains(token) {
            return Some(match major_after(ua, token) {
                Some(v) => format!("{name} {v}"),
                None => (*name).to_owned(),
            });
        }
    }
    if ua.contains("Trident/") {
        return Some(match major_after(ua, "rv:") {
            Some(v) => format!("Internet Explorer {v}"),
            None => "Internet Explorer".into(),
        });
    }
    if ua.contains("Safari/") {
        return Some(match major_after(ua, "Version/") {
            Some(v) => format!("Safari {v}"),
            None => "Safari".into(),
        });
    }
    None
}

fn os(ua: &str) -> Option<String> {
    if let Some(v) = version_after(ua, "Windows NT ") {
        let name = match v.as_str() {
            "10.0" => "10/11",
            "6.3" => "8.1",
            "6.2" => "8",
            "6.1" => "7",
            "6.0" => "Vista",
            "5.1" | "5.2" => "XP",
            other => other,
        };
        return Some(format!("Windows {name}"));
    }
    if ua.contains("Windows") {
        return Some("Windows".into());
    }
    for token in ["iPhone OS ", "CPU OS "] {
        if let Some(v) = version_after(ua, token) {
            let device = if ua.contains("iPad") { "iPadOS" } else { "iOS" };
            return Some(format!("{device} {v}"));
        }
    }
    if let Some(v) = version_after(ua, "Android ") {
        return Some(format!("Android {v}"));
    }
    if ua.contains("Android") {
        return Some("Android".into());
    }
    if let Some(v) = version_after(ua, "Mac OS X ") {
        return Some(format!("macOS {v}"));
    }
    if ua.contains("Macintosh") {
        return Some("macOS".into());
    }
    if ua.contains("CrOS") {
        return Some("ChromeOS".into());
    }
    if ua.contains("Linux") {
        return Some("Linux".into());
    }
    None
}

/// Reads a user agent. Unknown pieces stay `None`; nothing here can fail.
pub fn parse(ua: &str) -> Software {
    Software {
        browser: browser(ua),
        os: os(ua),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn summary(ua: &str) -> String {
        parse(ua).summary().unwrap_or_default()
    }

    #[wasm_bindgen_test]
    fn reads_the_seed_user_agents() {
        assert_eq!(
            summary("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/53.0.2785.143 Safari/537.36"),
            "Chrome 53 on macOS 10.9.5"
        );
        assert_eq!(
            summary("Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/56.0.2924.87 Safari/537.36"),
            "Chrome 56 on Windows 10/11"
        );
    }

    #[wasm_bindgen_test]
    fn tells_apart_browsers_that_claim_to_be_others() {
        assert_eq!(
            summary("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91"),
            "Edge 120 on Windows 10/11"
        );
        assert_eq!(
            summary("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"),
            "Safari 17 on iOS 17.1"
        );
        assert_eq!(
            summary("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36"),
            "Chrome 120 on Android 14"
        );
        assert_eq!(
            summary("Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"),
            "Firefox 121 on Linux"
        );
        assert_eq!(
            summary("Mozilla/5.0 (Windows NT 6.1; Trident/7.0; rv:11.0) like Gecko"),
            "Internet Explorer 11 on Windows 7"
        );
    }

    #[wasm_bindgen_test]
    fn unknown_or_hostile_text_gives_nothing_or_the_known_half() {
        assert_eq!(parse(""), Software::default());
        assert_eq!(parse("<script>alert(1)</script>"), Software::default());
        assert_eq!(parse("curl/8.0").summary(), None);
        assert_eq!(summary("Chrome/"), "Chrome");
    }
}
