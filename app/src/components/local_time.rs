//! A moment shown in the reader's own time zone and language. The server renders it in UTC; once
//! hydrated, the browser rewrites it with its own clock settings.
use chrono::{DateTime, Utc};
use leptos::prelude::*;

#[component]
pub fn LocalTime(
    /// The moment to show.
    at: DateTime<Utc>,
    /// The day only (a creation date, an expiry), without the time.
    #[prop(optional)]
    date_only: bool,
) -> impl IntoView {
    let server_format = if date_only { "%Y-%m-%d" } else { "%Y-%m-%d %H:%M UTC" };
    let (text, set_text) = signal(at.format(server_format).to_string());
    #[cfg(feature = "hydrate")]
    {
        let tag = crate::use_locale().tag();
        Effect::new(move |_| {
            // Milliseconds since 1970 fit an f64 exactly.
            let millis = at.timestamp_millis() as f64;
            let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(millis));
            let options = js_sys::Object::new();
            let styles: &[(&str, &str)] =
                if date_only { &[("dateStyle", "short")] } else { &[("dateStyle", "short"), ("timeStyle", "medium")] };
            for (key, value) in styles {
                let _ = js_sys::Reflect::set(&options, &(*key).into(), &(*value).into());
            }
            set_text.set(String::from(date.to_locale_string(tag, &options)));
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = set_text;
    view! { <time datetime=at.to_rfc3339()>{text}</time> }
}
