//! A labelled form input with its error message underneath.
use crate::{
    domain::error::AppError,
    i18n::{field_message, Key},
    use_locale,
};
use leptos::prelude::*;

#[component]
pub fn Field(
    /// The label's text.
    label: Key,
    /// The input's name, also the field name in server errors.
    name: &'static str,
    /// The input's type.
    #[prop(default = "text")]
    kind: &'static str,
    /// The browser's autofill hint.
    #[prop(default = "off")]
    autocomplete: &'static str,
    /// The last result of the form's action, whose field errors are shown here.
    #[prop(into)]
    result: Signal<Option<Result<(), AppError>>>,
    /// A hint under the input.
    #[prop(optional)]
    hint: Option<Key>,
) -> impl IntoView {
    let locale = use_locale();
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    let message = move || {
        result.get().and_then(|r| r.err()).and_then(|e| e.field_code(name).map(|code| locale.t(field_message(code))))
    };
    view! {
        <div class="field" class:field-invalid=move || message().is_some()>
            <label for=id.clone()>{locale.t(label)}</label>
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                required=true
                aria-invalid=move || message().is_some().to_string()
                aria-describedby=error_id.clone()
            />
            {hint.map(|hint| view! { <small class="hint">{locale.t(hint)}</small> })}
            <p class="field-error" id=error_id>{message}</p>
        </div>
    }
}

/// A `<textarea>`'s initial text. The renderer writes a textarea's children unescaped on the
/// server (as for `<script>`), so `</textarea><img onerror=…>` would leave the element: the
/// server escapes it here; in the browser it becomes a text node as it is.
pub fn textarea_text(text: &str) -> String {
    if cfg!(feature = "ssr") {
        text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
    } else {
        text.to_owned()
    }
}

/// The error a plain form's POST came back with (`?error=`, see `backend::respond`): how a
/// page without JavaScript shows what went wrong.
pub fn returned_error() -> Signal<Option<AppError>> {
    let query = leptos_router::hooks::use_query_map();
    Signal::derive(move || query.read().get("error").and_then(|raw| serde_json::from_str(&raw).ok()))
}

/// An action's last result, or else the error its form came back with without JavaScript.
pub fn form_result<T: Clone + Send + Sync + 'static>(
    action: Signal<Option<Result<T, AppError>>>,
) -> Signal<Option<Result<T, AppError>>> {
    let returned = returned_error();
    Signal::derive(move || action.get().or_else(|| returned.get().map(Err)))
}
