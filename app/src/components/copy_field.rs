//! A read-only value with a button that copies it (the webhook's URL and verify token, pasted
//! into Meta's dashboard). Without JavaScript the value is still there to select.
use crate::i18n::Key;
use leptos::prelude::*;

#[component]
pub fn CopyField(label: Key, value: String) -> impl IntoView {
    let locale = crate::use_locale();
    let copied = RwSignal::new(false);
    let text = value.clone();
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        {
            use js_sys::{Function, Reflect};
            let clipboard = Reflect::get(&js_sys::global(), &"navigator".into())
                .and_then(|navigator| Reflect::get(&navigator, &"clipboard".into()));
            if let Ok(clipboard) = clipboard {
                if let Ok(write) = Reflect::get(&clipboard, &"writeText".into()) {
                    let write: Function = write.into();
                    if write.call1(&clipboard, &text.clone().into()).is_ok() {
                        copied.set(true);
                        set_timeout(move || copied.set(false), std::time::Duration::from_secs(2));
                    }
                }
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &text;
    };
    view! {
        <label class="copy-field">{locale.t(label)}
            <span class="copy-row">
                <input readonly=true value=value class="copyable"/>
                <button type="button" class="secondary copy-button" on:click=copy aria-live="polite">
                    {move || locale.t(if copied.get() { Key::Copied } else { Key::Copy })}
                </button>
            </span>
        </label>
    }
}
