//! Loading and error states that say what happened, in the page's language.
use crate::{
    domain::error::{AppError, FieldCode},
    i18n::{Key, Locale},
    use_locale,
};
use leptos::{prelude::*, server_fn::ServerFn};

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
    move || {
        let told = result.get()?.map(|()| ok);
        let code = told.as_ref().err().and_then(|error| fields.iter().find_map(|field| error.field_code(field)));
        Some(outcome_notice(locale, told, code))
    }
}

/// A success message, a field's reason, or the error as [`ErrorNotice`] says it.
fn outcome_notice(locale: Locale, told: Result<Key, AppError>, code: Option<FieldCode>) -> AnyView {
    match (told, code) {
        (Ok(ok), _) => view! { <div class="notice notice-ok" role="status">{locale.t(ok)}</div> }.into_any(),
        (Err(_), Some(code)) => view! {
            <div class="notice notice-error" role="alert">{locale.t(crate::i18n::field_message(code))}</div>
        }
        .into_any(),
        (Err(error), None) => view! { <ErrorNotice error/> }.into_any(),
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

    /// Reports each result of `action` as it arrives, `ok` naming the success of what was asked
    /// (pause or resume, say).
    pub fn follow<S>(self, action: ServerAction<S>, ok: impl Fn(&S) -> Key + Send + Sync + 'static)
    where
        S: ServerFn<Output = (), Error = AppError> + Clone + Send + Sync + 'static,
    {
        // The input is gone once the answer is in: its success is named while it is pending.
        let named = StoredValue::new(None::<Key>);
        Effect::new(move |_| {
            if let Some(input) = action.input().get() {
                named.set_value(Some(ok(&input)));
            }
        });
        Effect::new(move |_| match action.value().get() {
            Some(Ok(())) => {
                if let Some(key) = named.get_value() {
                    self.0.set(Some(Ok(key)));
                }
            }
            Some(Err(error)) => self.0.set(Some(Err(error))),
            None => {}
        });
    }

    pub fn view(self) -> impl IntoView {
        let locale = use_locale();
        let returned = crate::components::field::returned_error();
        move || {
            let told = self.0.get().or_else(|| returned.get().map(Err))?;
            let code = match &told {
                Err(AppError::Invalid(fields)) => fields.first().map(|f| f.code),
                _ => None,
            };
            Some(outcome_notice(locale, told, code))
        }
    }
}

impl Default for LastOutcome {
    fn default() -> Self {
        Self::new()
    }
}
