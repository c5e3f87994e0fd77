//! `/help`: what connecting an Instagram account needs, and what to do about each reason a card
//! or a report can show. Every reason has an anchor (`/help#token_invalid`), which the cards
//! link to.
use crate::{
    i18n::{reason_message, Key},
    use_locale,
};
use leptos::prelude::*;

/// The reasons a card can show, each with what to do about it.
const CARD_REASONS: [(&str, Key); 10] = [
    ("denied", Key::HelpFixDenied),
    ("state_expired", Key::HelpFixRetry),
    ("connect_timeout", Key::HelpFixRetry),
    ("state_used", Key::HelpFixRetry),
    ("state_invalid", Key::HelpFixRetry),
    ("account_taken", Key::HelpFixAccountTaken),
    ("missing_permissions", Key::HelpFixPermissions),
    ("meta_unavailable", Key::HelpFixMetaUnavailable),
    ("meta_refused", Key::HelpFixMetaRefused),
    ("token_invalid", Key::HelpFixTokenInvalid),
];

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
                    {CARD_REASONS.iter().map(|(code, fix)| view! {
                        <dt id=*code>{locale.t(reason_message(code))}</dt>
                        <dd>{locale.t(*fix)}</dd>
                    }).collect_view()}
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
