//! How an automation's answer looks in the Instagram app, drawn from the editor's form as it is
//! being typed: the person's message or comment, the public reply under a comment, and the DM
//! (a text with its buttons, a carousel, or a file) with its quick replies.
use crate::{
    domain::{
        automation::render_reply,
        automation_draft::{AutomationInput, ButtonInput},
    },
    i18n::Key,
    use_locale,
};
use leptos::prelude::*;

/// The sample the person's side of the preview uses: the first keyword, or a greeting.
fn their_text(input: &AutomationInput) -> String {
    match input.trigger.as_str() {
        "keyword" => {
            input.keywords.split([',', '\n']).map(str::trim).find(|k| !k.is_empty()).unwrap_or("Oi!").to_owned()
        }
        _ => "Oi!".to_owned(),
    }
}

fn buttons_view(buttons: &[ButtonInput]) -> impl IntoView {
    let shown: Vec<ButtonInput> = buttons.iter().filter(|b| !b.is_blank()).cloned().collect();
    (!shown.is_empty()).then(|| {
        view! {
            <div class="bubble-buttons">
                {shown.into_iter().map(|b| {
                    let marker = if b.action == "follow_up" { "↩ " } else { "↗ " };
                    view! { <span class="bubble-button">{marker}{b.title}</span> }
                }).collect_view()}
            </div>
        }
    })
}

/// The DM as Instagram draws it, or `None` when the form holds none yet.
fn dm_view(input: &AutomationInput, sample: &str) -> Option<AnyView> {
    let format = if input.kind == "comment" { "text" } else { input.dm_format.as_str() };
    match format {
        "cards" => {
            let cards: Vec<_> = input.cards.iter().filter(|c| !c.is_blank()).cloned().collect();
            (!cards.is_empty()).then(|| {
                view! {
                    <div class="preview-cards" data-testid="preview-cards">
                        {cards.into_iter().map(|card| {
                            let image = Some(card.image_url.trim().to_owned()).filter(|u| u.starts_with("https://"));
                            view! {
                                <div class="preview-card">
                                    {match image {
                                        Some(src) => view! { <img src=src alt="" loading="lazy"/> }.into_any(),
                                        None => view! { <div class="preview-card-blank" aria-hidden="true"></div> }.into_any(),
                                    }}
                                    <strong>{card.title.clone()}</strong>
                                    {(!card.subtitle.trim().is_empty()).then(|| view! { <span class="muted">{card.subtitle.clone()}</span> })}
                                    {buttons_view(&card.buttons)}
                                </div>
                            }
                        }).collect_view()}
                    </div>
                }
                .into_any()
            })
        }
        "media" => {
            let url = input.media_url.trim().to_owned();
            (!url.is_empty()).then(|| {
                let name = url.rsplit('/').next().unwrap_or_default().split(['?', '#']).next().unwrap_or_default().to_owned();
                match input.media_kind.as_str() {
                    "image" if url.starts_with("https://") => {
                        view! { <img class="bubble bubble-ours preview-image" src=url alt="" data-testid="preview-file"/> }.into_any()
                    }
                    kind => {
                        // The kind as Instagram badges it; no emoji, which not every font draws.
                        let badge = match kind {
                            "video" => "▶".to_owned(),
                            "audio" => "♪".to_owned(),
                            _ => name.rsplit_once('.').map(|(_, e)| e.to_uppercase()).unwrap_or_else(|| "PDF".into()),
                        };
                        view! { <div class="bubble bubble-ours preview-file" data-testid="preview-file"><span class="file-badge">{badge}</span> " " {name}</div> }.into_any()
                    }
                }
            })
        }
        _ => {
            let text = input.direct_reply.trim();
            (!text.is_empty()).then(|| {
                let text = render_reply(text, Some(sample));
                let buttons = buttons_view(&input.buttons);
                view! {
                    <div class="bubble bubble-ours" data-testid="preview-text">
                        <p>{text}</p>
                        {buttons}
                    </div>
                }
                .into_any()
            })
        }
    }
}

#[component]
pub fn ThreadPreview(input: Signal<AutomationInput>) -> impl IntoView {
    let locale = use_locale();
    let thread = move || {
        let input = input.get();
        let sample = locale.t(Key::PreviewSample);
        let their = their_text(&input);
        let is_comment = input.kind == "comment";
        let public: Vec<String> =
            input.public_replies.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect();
        let quick: Vec<String> =
            input.quick_replies.iter().map(|q| q.title.trim().to_owned()).filter(|t| !t.is_empty()).collect();
        let dm = dm_view(&input, sample);
        let nothing = dm.is_none() && (!is_comment || public.is_empty());
        view! {
            {if is_comment {
                let more = public.len().saturating_sub(1);
                view! {
                    <div class="preview-comment">
                        <p><strong>"@" {sample}</strong> " " {their}</p>
                        {public.first().cloned().map(|reply| view! {
                            <p class="preview-comment-reply" data-testid="preview-public">
                                "↳ " {reply}
                                {(more > 0).then(|| view! { <span class="muted">" (+" {more} ")"</span> })}
                            </p>
                        })}
                    </div>
                }.into_any()
            } else {
                view! { <div class="bubble bubble-theirs">{their}</div> }.into_any()
            }}
            {dm}
            {(!quick.is_empty()).then(|| view! {
                <div class="bubble-quick preview-quick">
                    {quick.into_iter().map(|q| view! { <span class="chip">{q}</span> }).collect_view()}
                </div>
            })}
            {nothing.then(|| view! { <p class="muted">{locale.t(Key::PreviewEmpty)}</p> })}
        }
    };
    view! {
        <section class="panel" aria-labelledby="preview-title">
            <h2 id="preview-title">{locale.t(Key::PreviewTitle)}</h2>
            <p class="muted">{locale.t(Key::PreviewHint)}</p>
            <div class="phone-thread" data-testid="thread-preview">{thread}</div>
        </section>
    }
}
