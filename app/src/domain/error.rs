//! The errors a server function can return to the browser, which pages turn into i18n messages.
use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

named_enum! {
    /// Why a field was refused, sent by name (`"required"`, `"too_short"`, ...) and translated by
    /// [`crate::i18n::field_message`].
    #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
    pub enum FieldCode {
        Required => "required",
        InvalidEmail => "invalid_email",
        TooShort => "too_short",
        TooLong => "too_long",
        OutOfRange => "out_of_range",
        KeywordTooLong => "keyword_too_long",
        KeywordInvalid => "keyword_invalid",
        TooMany => "too_many",
        TooLongBytes => "too_long_bytes",
        CommentOnly => "comment_only",
        TooManyVariants => "too_many_variants",
        VariantTooLong => "variant_too_long",
        OneReplyRequired => "one_reply_required",
        HoursRange => "hours_range",
        AllNeedsLimit => "all_needs_limit",
        MentionNeedsAll => "mention_needs_all",
        TapTitle => "tap_title",
        ButtonUrl => "button_url",
        FollowUpMissing => "follow_up_missing",
        FollowUpUnknown => "follow_up_unknown",
        TooManyButtons => "too_many_buttons",
        TooManyQuickReplies => "too_many_quick_replies",
        NeedsDirectReply => "needs_direct_reply",
        TooLongForButtons => "too_long_for_buttons",
        FollowUpDmOnly => "follow_up_dm_only",
        CardTitle => "card_title",
        CardSubtitle => "card_subtitle",
        CardImageUrl => "card_image_url",
        TooManyCards => "too_many_cards",
        CardsRequired => "cards_required",
        MediaUrl => "media_url",
        NotWithFormat => "not_with_format",
        PrivateReplyTextOnly => "private_reply_text_only",
        QuestionLength => "question_length",
        TooManyQuestions => "too_many_questions",
        NotConnected => "not_connected",
        Taken => "taken",
        ConfirmInvalid => "confirm_invalid",
        Quota => "quota",
        FailedAgain => "failed_again",
        NotRetryable => "not_retryable",
        RefreshCooldown => "refresh_cooldown",
        WindowClosed => "window_closed",
        InvalidDate => "invalid_date",
        DateOrder => "date_order",
        SearchTooShort => "search_too_short",
        ControlCharacters => "control_characters",
        TooManyKeys => "too_many_keys",
        LinksOnly => "links_only",
        CommentHidden => "comment_hidden",
        OwnComment => "own_comment",
        PrivateReplyExpired => "private_reply_expired",
        PrivateReplyUsed => "private_reply_used",
        TryAgain => "try_again",
        MetaRefused => "meta_refused",
        UrlInvalid => "url_invalid",
        UrlHttps => "url_https",
        UrlPrivate => "url_private",
        SecretLength => "secret_length",
        Invalid => "invalid",
        /// API only: a body that is not JSON, or not sent as JSON.
        InvalidJson => "invalid_json",
        JsonContentType => "json_content_type",
    }
}

/// One invalid field of a form, with the code the UI translates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: String,
    pub code: FieldCode,
}

impl FieldError {
    pub fn new(field: &str, code: FieldCode) -> Self {
        Self { field: field.to_owned(), code }
    }
}

/// What went wrong, as far as the browser may know. Causes are logged on the server, once,
/// with the reference carried by `Internal`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum AppError {
    #[error("not signed in")]
    NotSignedIn,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// Deliberately says nothing about whether the account exists.
    #[error("wrong email or password")]
    WrongCredentials,
    #[error("too many attempts")]
    RateLimited,
    #[error("Meta is unavailable")]
    MetaUnavailable,
    /// The password was right, but the address was never confirmed: a new link went out.
    #[error("e-mail not confirmed")]
    EmailNotConfirmed,
    /// No e-mail can go out (none configured, or the server refuses), so no sign-up can finish.
    #[error("e-mail is unavailable")]
    MailUnavailable,
    /// Our own databases cannot answer now (down, restarting, overloaded): try again shortly.
    #[error("temporarily unavailable")]
    Unavailable,
    #[error("internal error, reference {0}")]
    Internal(String),
    #[error("transport: {0}")]
    Transport(String),
}

impl AppError {
    pub fn invalid(field: &str, code: FieldCode) -> Self {
        Self::Invalid(vec![FieldError::new(field, code)])
    }

    /// The code of the first error on `field`, for showing it under that input.
    pub fn field_code(&self, field: &str) -> Option<FieldCode> {
        match self {
            Self::Invalid(errors) => errors.iter().find(|e| e.field == field).map(|e| e.code),
            _ => None,
        }
    }

    /// The HTTP status this error is answered with, so scripts calling the API see 401/403/422.
    pub fn status(&self) -> u16 {
        match self {
            Self::NotSignedIn | Self::WrongCredentials => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::Invalid(_) => 422,
            Self::RateLimited => 429,
            Self::EmailNotConfirmed => 403,
            Self::MetaUnavailable | Self::MailUnavailable | Self::Unavailable => 503,
            Self::Internal(_) | Self::Transport(_) => 500,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // A call whose arguments do not parse never reached the function: the caller's
            // mistake, answered 422 like any invalid field, never a 500.
            ServerFnErrorErr::MissingArg(field) => Self::refused_arguments(&field, FieldCode::Required),
            ServerFnErrorErr::Args(_) => Self::refused_arguments("form", FieldCode::Invalid),
            other => Self::Transport(other.to_string()),
        }
    }
}

impl AppError {
    fn refused_arguments(field: &str, code: FieldCode) -> Self {
        #[cfg(feature = "ssr")]
        if let Some(options) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            options.set_status(http::StatusCode::UNPROCESSABLE_ENTITY);
        }
        Self::invalid(field, code)
    }
}
