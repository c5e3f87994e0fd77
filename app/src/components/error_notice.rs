//! Loading and error states that say what happened, in the page's language.
use crate::{domain::error::AppError, i18n::Key, use_locale};
use leptos::prelude::*;

#[component]
pub fn Loading() -> impl IntoView {
    let locale = use_locale();
    view! { <p class="loading" role="status" aria-live="polite">{locale.t(Key::Loading)}</p> }
}

/// One error, told as a person needs to hear it.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    let locale = use_locale();
    let (key, reference) = match &error {
        AppError::NotSignedIn => (Key::NotSignedIn, None),
        AppError::Forbidden => (Key::Forbidden, None),
        AppError::NotFound => (Key::NotFoundError, None),
        AppError::Invalid(_) => (Key::InvalidForm, None),
        AppError::WrongCredentials => (Key::WrongCredentials, None),
        AppError::RateLimited => (Key::RateLimited, None),
        AppError::MetaUnavailable => (Key::ReasonMetaUnavailable, None),
        AppError::EmailNotConfirmed => (Key::EmailNotConfirmed, None),
        AppError::MailUnavailable => (Key::MailUnavailable, None),
        AppError::Unavailable => (Key::ServiceUnavailable, None),
        AppError::Internal(reference) => (Key::InternalError, Some(reference.clone())),
        AppError::Transport(_) => (Key::TransportError, None),
    };
    view! {
        <div class="notice notice-error" role="alert">
            {locale.t(key)}
            {reference.map(|r| view! { " " <code>{r}</code> })}
        </div>
    }
}

/// What became of an action: its success message, or its error, told by the field it names (of
/// `fields`) when it names one, else as [`ErrorNotice`] says it.
#[component]
pub fn ActionOutcome(
    #[prop(into)] result: Signal<Option<Result<(), AppError>>>,
    ok: Key,
    #[prop(optional)] fields: &'static [&'static str],
) -> impl IntoView {
    let locale = use_locale();
    move || match result.get()? {
        Ok(()) => Some(view! { <div class="notice notice-ok" role="status">{locale.t(ok)}</div> }.into_any()),
        Err(error) => Some(match fields.iter().find_map(|field| error.field_code(field)) {
            Some(code) => view! {
                <div class="notice notice-error" role="alert">{locale.t(crate::i18n::field_message(code))}</div>
            }
            .into_any(),
            None => view! { <ErrorNotice error/> }.into_any(),
        }),
    }
}

/// The outcome of whichever of a page's actions finished last (a card's rename, pause or
/// delete, say), told once above the list: its success message, or its error with the field's
/// reason when it names one. Actions shared by every card of a list report here, not in a card.
/// Without JavaScript, the error a plain form came back with (`?error=`) shows here too.
#[derive(Clone, Copy)]
pub struct LastOutcome(RwSignal<Option<Result<Key, AppError>>>);

impl LastOutcome {
    pub fn new() -> Self {
        Self(RwSignal::new(None))
    }

    /// Reports each result of `value` as it arrives, `ok()` naming its success.
    pub fn follow(self, value: impl Into<Signal<Option<Result<(), AppError>>>>, ok: impl Fn() -> Key + 'static) {
        let value = value.into();
        Effect::new(move |_| {
            if let Some(result) = value.get() {
                self.0.set(Some(result.map(|()| ok())));
            }
        });
    }

    pub fn view(self) -> impl IntoView {
        let locale = use_locale();
        let returned = crate::components::field::returned_error();
        move || match self.0.get().or_else(|| returned.get().map(Err))? {
            Ok(ok) => Some(view! { <div class="notice notice-ok" role="status">{locale.t(ok)}</div> }.into_any()),
            Err(error) => Some(match first_field_code(&error) {
                Some(code) => view! {
                    <div class="notice notice-error" role="alert">{locale.t(crate::i18n::field_message(code))}</div>
                }
                .into_any(),
                None => view! { <ErrorNotice error/> }.into_any(),
            }),
        }
    }
}

impl Default for LastOutcome {
    fn default() -> Self {
        Self::new()
    }
}

fn first_field_code(error: &AppError) -> Option<crate::domain::error::FieldCode> {
    match error {
        AppError::Invalid(fields) => fields.first().map(|f| f.code),
        _ => None,
    }
}
