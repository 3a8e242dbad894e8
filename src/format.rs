//! Dates, times, durations and amounts for the agent: in the agent's locale and time zone
//! through the browser's `Intl`, so the bundle carries no locale data. Also how the known parts
//! of a fact are joined ([`join`]).

use js_sys::{Array, Function, Object, Reflect};
use std::cell::RefCell;
use wasm_bindgen::{JsCast, JsValue};

/// One `Intl` formatter (`Intl.DateTimeFormat`, `Intl.NumberFormat`), built once and used for
/// any number of values.
struct Formatter {
    object: JsValue,
    format: Function,
}

impl Formatter {
    /// `new Intl.<ctor>(locale, options)`, in the browser's own locale when it refuses the
    /// agent's; `None` when it refuses the options too (an unknown time zone): bad input must not
    /// stop a render.
    fn new(ctor: &str, locale: Option<&str>, options: &[(&str, JsValue)]) -> Option<Formatter> {
        let intl = Reflect::get(&js_sys::global(), &JsValue::from_str("Intl")).ok()?;
        let ctor: Function = Reflect::get(&intl, &JsValue::from_str(ctor))
            .ok()?
            .dyn_into()
            .ok()?;
        let opts = Object::new();
        for (key, value) in options {
            let _ = Reflect::set(&opts, &JsValue::from_str(key), value);
        }
        let locales = Array::new();
        if let Some(locale) = locale {
            locales.push(&JsValue::from_str(locale));
        }
        let object = Reflect::construct(&ctor, &Array::of2(&locales, &opts))
            // An unknown locale tag: fall back to the browser's own.
            .or_else(|_| Reflect::construct(&ctor, &Array::of2(&Array::new(), &opts)))
            .ok()?;
        let format = Reflect::get(&object, &JsValue::from_str("format"))
            .ok()?
            .dyn_into()
            .ok()?;
        Some(Formatter { object, format })
    }

    fn format(&self, value: &JsValue) -> Option<String> {
        self.format.call1(&self.object, value).ok()?.as_string()
    }
}

/// The agent's two clock formatters for one locale, built once: building a formatter is the
/// slow part of formatting (some 0.1 ms each, half a second for a 5,000-page journey).
struct Clock {
    locale: Option<String>,
    time: Option<Formatter>,
    date_time: Option<Formatter>,
}

thread_local! {
    static CLOCK: RefCell<Option<Clock>> = const { RefCell::new(None) };
}

/// `ms` through one of the agent's clock formatters.
fn on_clock(
    ms: f64,
    locale: Option<&str>,
    pick: fn(&Clock) -> Option<&Formatter>,
) -> Option<String> {
    let date = date(ms)?;
    CLOCK.with(|clock| {
        let mut clock = clock.borrow_mut();
        if clock.as_ref().is_none_or(|c| c.locale.as_deref() != locale) {
            let formatter =
                |options: &[(&str, JsValue)]| Formatter::new("DateTimeFormat", locale, options);
            *clock = Some(Clock {
                locale: locale.map(str::to_owned),
                time: formatter(&[("hour", "2-digit".into()), ("minute", "2-digit".into())]),
                date_time: formatter(&[
                    ("dateStyle", "medium".into()),
                    ("timeStyle", "short".into()),
                ]),
            });
        }
        pick(clock.as_ref()?)?.format(&date)
    })
}

fn date(ms: f64) -> Option<JsValue> {
    ms.is_finite()
        .then(|| js_sys::Date::new(&JsValue::from_f64(ms)).into())
}

/// "14:05" (or "2:05 PM") in the agent's time zone.
pub fn time(ms: f64, locale: Option<&str>) -> Option<String> {
    on_clock(ms, locale, |c| c.time.as_ref())
}

/// "5 Oct 2016, 14:05" in the agent's time zone.
pub fn date_time(ms: f64, locale: Option<&str>) -> Option<String> {
    on_clock(ms, locale, |c| c.date_time.as_ref())
}

/// A moment for the agent, in their time zone: the [`time`] alone when it is today, the
/// [`date_time`] otherwise.
pub fn when(ms: f64, locale: Option<&str>) -> Option<String> {
    let today = date(ms).is_some_and(|date| {
        js_sys::Date::new_0().to_date_string() == js_sys::Date::from(date).to_date_string()
    });
    if today {
        time(ms, locale)
    } else {
        date_time(ms, locale)
    }
}

/// A calendar date given as parts ("15 Oct 2014"); out-of-range parts give `None`.
pub fn calendar_date(year: f64, month: f64, day: f64, locale: Option<&str>) -> Option<String> {
    if !(1.0..=12.0).contains(&month)
        || !(1.0..=31.0).contains(&day)
        || !(1.0..=9999.0).contains(&year)
    {
        return None;
    }
    let ms = js_sys::Date::utc(year, month - 1.0) + (day - 1.0) * 86_400_000.0;
    let options = [("dateStyle", "medium".into()), ("timeZone", "UTC".into())];
    Formatter::new("DateTimeFormat", locale, &options)?.format(&date(ms)?)
}

/// The wall-clock time now in another time zone (the visitor's, e.g. `America/New_York`);
/// `None` for a zone the browser does not know.
pub fn time_in_zone(ms: f64, zone: &str, locale: Option<&str>) -> Option<String> {
    let options = [
        ("hour", "2-digit".into()),
        ("minute", "2-digit".into()),
        ("timeZone", zone.into()),
        ("timeZoneName", "short".into()),
    ];
    // An unknown zone makes the browser throw, so this gives `None` rather than a wrong time.
    Formatter::new("DateTimeFormat", locale, &options)?.format(&date(ms)?)
}

/// An amount with two decimals, grouped for the locale ("-400.99", "1,234.50").
pub fn amount(value: f64, locale: Option<&str>) -> String {
    let options = [
        ("minimumFractionDigits", 2.into()),
        ("maximumFractionDigits", 2.into()),
    ];
    Formatter::new("NumberFormat", locale, &options)
        .and_then(|f| f.format(&JsValue::from_f64(value)))
        .unwrap_or_else(|| format!("{value:.2}"))
}

/// An amount of money in its currency as the locale writes it ("€349.90", "349,90 €"), through
/// `Intl.NumberFormat`; with an unknown or missing currency code, the [`amount`] followed by
/// the code the visitor's site sent, if any.
pub fn money(value: f64, currency: Option<&str>, locale: Option<&str>) -> String {
    let code = currency.map(str::trim).filter(|c| !c.is_empty());
    let formatted = code.and_then(|code| {
        let options = [("style", "currency".into()), ("currency", code.into())];
        Formatter::new("NumberFormat", locale, &options)?.format(&JsValue::from_f64(value))
    });
    formatted.unwrap_or_else(|| match code {
        Some(code) => format!("{} {code}", amount(value, locale)),
        None => amount(value, locale),
    })
}

/// A count as the locale writes it, without decimals when it has none.
pub fn count(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

/// The known parts joined with `sep` ("Desktop · macOS", "Tel Aviv, Israel"), blank ones left
/// out; `None` when no part is known.
pub fn join(parts: &[Option<&str>], sep: &str) -> Option<String> {
    let parts: Vec<&str> = parts
        .iter()
        .flatten()
        .copied()
        .filter(|p| !p.trim().is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(sep))
}

/// A duration for people: "45 s", "3 min 20 s", "1 h 5 min", "2 d 3 h".
pub fn duration(ms: f64) -> String {
    if !ms.is_finite() || ms < 0.0 {
        return "–".into();
    }
    let s = (ms / 1000.0).floor() as u64;
    let (d, h, m, s) = (s / 86_400, s / 3_600 % 24, s / 60 % 60, s % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s} s"),
        (0, 0, _) if s == 0 => format!("{m} min"),
        (0, 0, _) => format!("{m} min {s} s"),
        (0, _, 0) => format!("{h} h"),
        (0, _, _) => format!("{h} h {m} min"),
        (_, 0, _) => format!("{d} d"),
        _ => format!("{d} d {h} h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn durations_read_like_speech() {
        assert_eq!(duration(21_482.0), "21 s");
        assert_eq!(duration(200_000.0), "3 min 20 s");
        assert_eq!(duration(180_000.0), "3 min");
        assert_eq!(duration(3_900_000.0), "1 h 5 min");
        assert_eq!(duration(7_200_000.0), "2 h");
        assert_eq!(duration(183_600_000.0), "2 d 3 h");
        assert_eq!(duration(-5.0), "–");
        assert_eq!(duration(f64::NAN), "–");
    }

    #[wasm_bindgen_test]
    fn only_the_known_parts_are_joined() {
        assert_eq!(
            join(&[Some("Desktop"), None, Some(" "), Some("macOS")], " · ").as_deref(),
            Some("Desktop · macOS")
        );
        assert_eq!(join(&[None, Some("")], ", "), None);
    }

    #[wasm_bindgen_test]
    fn amounts_have_two_decimals_in_the_given_locale() {
        assert_eq!(amount(-400.99, Some("en-US")), "-400.99");
        assert_eq!(amount(11.7, Some("en-US")), "11.70");
        assert_eq!(amount(1234.5, Some("de-DE")), "1.234,50");
    }

    #[wasm_bindgen_test]
    fn money_is_written_in_its_currency_for_the_locale() {
        assert_eq!(money(349.9, Some("EUR"), Some("en-GB")), "€349.90");
        assert_eq!(money(349.9, Some("EUR"), Some("de-DE")), "349,90\u{a0}€");
        assert_eq!(money(1234.5, Some("USD"), Some("en-US")), "$1,234.50");
        // No currency, or one Intl does not know: the plain amount (and the code as sent).
        assert_eq!(money(11.7, None, Some("en-US")), "11.70");
        assert_eq!(
            money(11.7, Some("not a code"), Some("en-US")),
            "11.70 not a code"
        );
    }

    #[wasm_bindgen_test]
    fn times_use_the_locale_and_bad_zones_give_nothing() {
        // 2016-10-05T13:48:36Z
        let ms = 1_475_675_316_327.0;
        assert_eq!(
            time_in_zone(ms, "UTC", Some("en-GB")).as_deref(),
            Some("13:48 UTC")
        );
        assert_eq!(time_in_zone(ms, "Not/AZone", Some("en-GB")), None);
        assert_eq!(
            calendar_date(2014.0, 10.0, 15.0, Some("en-GB")).as_deref(),
            Some("15 Oct 2014")
        );
        assert_eq!(calendar_date(2014.0, 13.0, 15.0, Some("en-GB")), None);
        assert!(time(ms, Some("xx-not-a-locale-!!")).is_some());
    }
}
