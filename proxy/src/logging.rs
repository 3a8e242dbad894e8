//! Where log lines go and in what shape: human-readable text by default, or with
//! `VS_LOG_FORMAT=json` one JSON object per line for log shippers. Both carry the request's span,
//! so every line written while answering a request names its `request_id` (text:
//! `request{method=… path=… request_id=…}:`; JSON: `"span": {"request_id": …}`).

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

use crate::settings::{err, ConfigError, RawConfig};

/// The filter when `RUST_LOG` is unset.
pub const DEFAULT_FILTER: &str = "visitor_sidebar_proxy=info,tower_http=info";

/// `VS_LOG_FORMAT`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogFormat {
    /// `text` (the default): tracing's human-readable lines.
    #[default]
    Text,
    /// `json`: one object per line (`timestamp`, `level`, `target`, the event's fields
    /// flattened, and `span` with the request's fields).
    Json,
}

impl LogFormat {
    pub fn from_raw(raw: &RawConfig) -> Result<LogFormat, ConfigError> {
        match raw.value("VS_LOG_FORMAT") {
            None => Ok(LogFormat::Text),
            Some(v) if v.eq_ignore_ascii_case("text") => Ok(LogFormat::Text),
            Some(v) if v.eq_ignore_ascii_case("json") => Ok(LogFormat::Json),
            Some(v) => Err(err(
                "VS_LOG_FORMAT",
                format!("'{v}' is not a log format: text or json"),
            )),
        }
    }
}

/// A subscriber writing `format` lines to `writer`, filtered by `filter` (`RUST_LOG` syntax).
/// What [`init_tracing_with`] installs; tests install it with a writer of their own.
pub fn subscriber<W>(
    format: LogFormat,
    filter: EnvFilter,
    writer: W,
) -> Box<dyn tracing::Subscriber + Send + Sync>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    match format {
        LogFormat::Text => Box::new(builder.finish()),
        LogFormat::Json => Box::new(
            builder
                .json()
                .flatten_event(true)
                .with_current_span(true)
                .with_span_list(false)
                .finish(),
        ),
    }
}

/// Logs to stderr in `format`; `RUST_LOG` overrides the default filter. `quiet` (demo mode,
/// which shares a terminal with `trunk serve`) logs only warnings and errors by default.
pub fn init_tracing_with(quiet: bool, format: LogFormat) {
    let default = if quiet { "warn" } else { DEFAULT_FILTER };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| default.into());
    // `try_init` also forwards the `log` crate's records, as `fmt().try_init()` did.
    let _ = subscriber(format, filter, std::io::stderr).try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_is_text_or_json() {
        let parse = |v: &str| {
            let mut raw = RawConfig::default();
            raw.set("VS_LOG_FORMAT", v);
            LogFormat::from_raw(&raw)
        };
        assert_eq!(parse("json").unwrap(), LogFormat::Json);
        assert_eq!(parse("TEXT").unwrap(), LogFormat::Text);
        assert_eq!(parse("xml").unwrap_err().key, "VS_LOG_FORMAT");
        assert_eq!(
            LogFormat::from_raw(&RawConfig::default()).unwrap(),
            LogFormat::Text
        );
    }
}
