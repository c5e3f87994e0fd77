//! A moment shown in the reader's own time zone and language. The server renders it in UTC; once
//! hydrated, the browser rewrites it with its own clock settings.
use chrono::{DateTime, Utc};
use leptos::prelude::*;

#[component]
pub fn LocalTime(
    /// The moment to show.
    at: DateTime<Utc>,
) -> impl IntoView {
    let (text, set_text) = signal(at.format("%Y-%m-%d %H:%M UTC").to_string());
    #[cfg(feature = "hydrate")]
    {
        let tag = crate::use_locale().tag();
        Effect::new(move |_| {
            // Milliseconds since 1970 fit an f64 exactly.
            let millis = at.timestamp_millis() as f64;
            let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(millis));
            let options = js_sys::Object::new();
            for (key, value) in [("dateStyle", "short"), ("timeStyle", "medium")] {
                let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
            }
            set_text.set(String::from(date.to_locale_string(tag, &options)));
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = set_text;
    view! { <time datetime=at.to_rfc3339()>{text}</time> }
}
