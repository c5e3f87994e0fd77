//! `/help`: what connecting an Instagram account needs, and what to do about each reason a card
//! or a report can show. Every reason has an anchor (`/help#token_invalid`), which the cards
//! link to.
use crate::{
    domain::instance::ConnectionFailure,
    i18n::{reason_message, Key},
    use_locale,
};
use leptos::prelude::*;

/// What to do about each reason a card can show; `None` for ours, which the person cannot fix.
fn fix(reason: ConnectionFailure) -> Option<Key> {
    Some(match reason {
        ConnectionFailure::Denied => Key::HelpFixDenied,
        ConnectionFailure::StateExpired
        | ConnectionFailure::ConnectTimeout
        | ConnectionFailure::StateUsed
        | ConnectionFailure::StateInvalid => Key::HelpFixRetry,
        ConnectionFailure::AccountTaken => Key::HelpFixAccountTaken,
        ConnectionFailure::MissingPermissions => Key::HelpFixPermissions,
        ConnectionFailure::MetaUnavailable => Key::HelpFixMetaUnavailable,
        ConnectionFailure::MetaRefused => Key::HelpFixMetaRefused,
        ConnectionFailure::TokenInvalid => Key::HelpFixTokenInvalid,
        ConnectionFailure::Internal => return None,
    })
}

/// Why replies fail most often, and what to do.
const REPLY_REASONS: [(&str, Key, Key); 3] = [
    ("outside_window", Key::ReasonOutsideWindow, Key::HelpFixOutsideWindow),
    ("messaging_disabled", Key::ReasonMessagingDisabled, Key::HelpFixMessagingDisabled),
    ("private_reply_used", Key::ReasonPrivateReplyUsed, Key::HelpFixPrivateReplyUsed),
];

#[component]
pub fn HelpPage() -> impl IntoView {
    let locale = use_locale();
    view! {
        <article class="help">
            <h1>{locale.t(Key::HelpTitle)}</h1>
            <section aria-labelledby="help-requirements">
                <h2 id="help-requirements">{locale.t(Key::HelpRequirementsTitle)}</h2>
                <ul>
                    <li>{locale.t(Key::HelpRequirementProfessional)}</li>
                    <li>{locale.t(Key::HelpRequirementPermissions)}</li>
                    <li>{locale.t(Key::HelpRequirementMessages)}</li>
                    <li>{locale.t(Key::HelpRequirementOneTenant)}</li>
                </ul>
            </section>
            <section aria-labelledby="help-cards">
                <h2 id="help-cards">{locale.t(Key::HelpCardsTitle)}</h2>
                <dl class="help-reasons">
                    {ConnectionFailure::ALL.into_iter().filter_map(|reason| fix(reason).map(|fix| view! {
                        <dt id=reason.as_str()>{locale.t(reason_message(reason))}</dt>
                        <dd>{locale.t(fix)}</dd>
                    })).collect_view()}
                </dl>
            </section>
            <section aria-labelledby="help-replies">
                <h2 id="help-replies">{locale.t(Key::HelpRepliesTitle)}</h2>
                <dl class="help-reasons">
                    {REPLY_REASONS.iter().map(|(code, what, fix)| view! {
                        <dt id=*code>{locale.t(*what)}</dt>
                        <dd>{locale.t(*fix)}</dd>
                    }).collect_view()}
                </dl>
            </section>
        </article>
    }
}
