//! LiveChat's REST API v2 is deprecated; LiveChat marks deprecated versions' answers with
//! `Deprecation` (RFC 9745) and `Sunset` (RFC 8594) headers. The proxy notes the latest ones,
//! logs them at most once an hour, and `/api/health` shows them, so an operator learns of a
//! shutdown date before agents do.

use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::HeaderMap;
use serde_json::{json, Value};

/// How often the warning is logged while the headers keep coming.
const LOG_EVERY: Duration = Duration::from_secs(3600);
/// Header values longer than this are cut (they come from the upstream).
const MAX_VALUE: usize = 200;

#[derive(Default)]
pub struct DeprecationNotice(Mutex<Option<Seen>>);

struct Seen {
    deprecation: Option<String>,
    sunset: Option<String>,
    last_seen: SystemTime,
    logged: Instant,
}

/// A header's value as printable text, bounded.
fn value(headers: &HeaderMap, name: &str) -> Option<String> {
    let text = headers.get(name)?.to_str().ok()?.trim();
    let text: String = text
        .chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .take(MAX_VALUE)
        .collect();
    (!text.is_empty()).then_some(text)
}

impl DeprecationNotice {
    /// Notes a v2 answer's headers; logs a warning when they first appear, when they change,
    /// and otherwise at most once per [`LOG_EVERY`].
    pub fn note(&self, headers: &HeaderMap) {
        let (deprecation, sunset) = (value(headers, "deprecation"), value(headers, "sunset"));
        if deprecation.is_none() && sunset.is_none() {
            return;
        }
        let mut seen = self.0.lock().unwrap();
        let now = Instant::now();
        let log = match seen.as_ref() {
            None => true,
            Some(s) => {
                s.deprecation != deprecation
                    || s.sunset != sunset
                    || now.duration_since(s.logged) >= LOG_EVERY
            }
        };
        if log {
            tracing::warn!(
                deprecation = deprecation.as_deref().unwrap_or("-"),
                sunset = sunset.as_deref().unwrap_or("-"),
                "LiveChat marks its REST API v2 as deprecated; move to the Agent Chat API v3 (LIVECHAT_ACCOUNT_ID, LIVECHAT_PAT) before the sunset date"
            );
        }
        let logged = match (log, seen.as_ref()) {
            (false, Some(s)) => s.logged,
            _ => now,
        };
        *seen = Some(Seen {
            deprecation,
            sunset,
            last_seen: SystemTime::now(),
            logged,
        });
    }

    /// For `/api/health`: the latest headers and when they were last seen, or `null`.
    pub fn health(&self) -> Value {
        match self.0.lock().unwrap().as_ref() {
            None => Value::Null,
            Some(s) => json!({
                "deprecation": s.deprecation,
                "sunset": s.sunset,
                "last_seen_unix": s.last_seen.duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_noted_bounded_and_shown() {
        let notice = DeprecationNotice::default();
        assert_eq!(notice.health(), Value::Null);
        notice.note(&HeaderMap::new());
        assert_eq!(notice.health(), Value::Null);
        let mut headers = HeaderMap::new();
        headers.insert("deprecation", "@1688169599".parse().unwrap());
        headers.insert("sunset", "x".repeat(500).parse().unwrap());
        notice.note(&headers);
        let health = notice.health();
        assert_eq!(health["deprecation"], "@1688169599");
        assert_eq!(health["sunset"].as_str().unwrap().len(), MAX_VALUE);
    }
}
