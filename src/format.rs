//! Dates, times, durations and amounts for the agent: in the agent's locale and time zone
//! through the browser's `Intl`, so the bundle carries no locale data.

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

fn locales(locale: Option<&str>) -> Array {
    let array = Array::new();
    if let Some(locale) = locale {
        array.push(&JsValue::from_str(locale));
    }
    array
}

fn options(pairs: &[(&str, JsValue)]) -> Object {
    let object = Object::new();
    for (key, value) in pairs {
        let _ = Reflect::set(&object, &JsValue::from_str(key), value);
    }
    object
}

/// `new Intl.<ctor>(locales, options).format(value)`, or `None` when the browser refuses the
/// locale, the time zone or the value (bad input must not stop a render).
fn intl_format(ctor: &str, locale: Option<&str>, opts: Object, value: &JsValue) -> Option<String> {
    let intl = Reflect::get(&js_sys::global(), &JsValue::from_str("Intl")).ok()?;
    let ctor: Function = Reflect::get(&intl, &JsValue::from_str(ctor))
        .ok()?
        .dyn_into()
        .ok()?;
    let args = Array::of2(&locales(locale), &opts);
    let formatter = Reflect::construct(&ctor, &args).or_else(|_| {
        // An unknown locale tag: fall back to the browser's own.
        Reflect::construct(&ctor, &Array::of2(&Array::new(), &opts))
    });
    let formatter = formatter.ok()?;
    let format: Function = Reflect::get(&formatter, &JsValue::from_str("format"))
        .ok()?
        .dyn_into()
        .ok()?;
    format.call1(&formatter, value).ok()?.as_string()
}

fn date(ms: f64) -> Option<JsValue> {
    ms.is_finite()
        .then(|| js_sys::Date::new(&JsValue::from_f64(ms)).into())
}

/// "14:05" (or "2:05 PM") in the agent's time zone.
pub fn time(ms: f64, locale: Option<&str>) -> Option<String> {
    let opts = options(&[("hour", "2-digit".into()), ("minute", "2-digit".into())]);
    intl_format("DateTimeFormat", locale, opts, &date(ms)?)
}

/// "5 Oct 2016, 14:05" in the agent's time zone.
pub fn date_time(ms: f64, locale: Option<&str>) -> Option<String> {
    let opts = options(&[
        ("dateStyle", "medium".into()),
        ("timeStyle", "short".into()),
    ]);
    intl_format("DateTimeFormat", locale, opts, &date(ms)?)
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
    let opts = options(&[("dateStyle", "medium".into()), ("timeZone", "UTC".into())]);
    intl_format("DateTimeFormat", locale, opts, &date(ms)?)
}

/// The wall-clock time now in another time zone (the visitor's, e.g. `America/New_York`);
/// `None` for a zone the browser does not know.
pub fn time_in_zone(ms: f64, zone: &str, locale: Option<&str>) -> Option<String> {
    let opts = options(&[
        ("hour", "2-digit".into()),
        ("minute", "2-digit".into()),
        ("timeZone", zone.into()),
        ("timeZoneName", "short".into()),
    ]);
    // An unknown zone makes the browser throw, so this gives `None` rather than a wrong time.
    intl_format("DateTimeFormat", locale, opts, &date(ms)?)
}

/// An amount with two decimals, grouped for the locale ("-400.99", "1,234.50").
pub fn amount(value: f64, locale: Option<&str>) -> String {
    let opts = options(&[
        ("minimumFractionDigits", 2.into()),
        ("maximumFractionDigits", 2.into()),
    ]);
    intl_format("NumberFormat", locale, opts, &JsValue::from_f64(value))
        .unwrap_or_else(|| format!("{value:.2}"))
}

/// A count as the locale writes it, without decimals when it has none.
pub fn count(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
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
    fn amounts_have_two_decimals_in_the_given_locale() {
        assert_eq!(amount(-400.99, Some("en-US")), "-400.99");
        assert_eq!(amount(11.7, Some("en-US")), "11.70");
        assert_eq!(amount(1234.5, Some("de-DE")), "1.234,50");
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
