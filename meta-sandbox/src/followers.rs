//! Acting as Instagram users: a JSON API for tests and a small page for people. Every action
//! becomes a webhook delivery to the app, in Meta's payload shapes.
use crate::{
    graph::comment_event,
    ids,
    oauth::escape,
    people::{self, Person},
    rich,
    webhooks::{Event, Payload},
    world::{Comment, Message, World},
    Sandbox,
};
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::{Html, IntoResponse, Redirect, Response},
    routing::{get, post},
    Form, Json, Router,
};
use serde::Deserialize;
use serde_json::{json, Value};

pub fn routes() -> Router<Sandbox> {
    Router::new()
        .route("/_sandbox/followers", get(list).post(create))
        .route("/_sandbox/followers/{username}/messages", post(send_dm))
        .route("/_sandbox/followers/{username}/comments", post(comment))
        .route("/_sandbox/follower", get(page))
        .route("/_sandbox/follower/message", post(page_dm))
        .route("/_sandbox/follower/comment", post(page_comment))
        .route("/_sandbox/followers/{username}/taps", post(send_tap))
        .route("/_sandbox/follower/tap", post(page_tap))
}

pub(crate) type Failure = (StatusCode, Json<Value>);

pub(crate) fn failure(status: StatusCode, message: &str) -> Failure {
    (status, Json(json!({ "error": message })))
}

async fn list(State(sandbox): State<Sandbox>) -> Json<Value> {
    Json(json!(sandbox.world().people))
}

#[derive(Deserialize)]
struct NewFollower {
    username: String,
}

/// Creates a person (or returns the existing one with that username).
async fn create(State(sandbox): State<Sandbox>, Json(new): Json<NewFollower>) -> Result<Json<Value>, Failure> {
    let username = new.username.trim().trim_start_matches('@');
    if username.is_empty()
        || username.len() > 30
        || !username.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
    {
        return Err(failure(
            StatusCode::UNPROCESSABLE_ENTITY,
            "username: 1 to 30 letters, digits, dots or underscores",
        ));
    }
    let mut world = sandbox.world();
    if let Some(person) = world.person(username) {
        return Ok(Json(json!(person)));
    }
    let person = people::new_person(username, world.people.len());
    world.add_person(person.clone());
    Ok(Json(json!(person)))
}

#[derive(Deserialize)]
struct NewMessage {
    /// The account's username or IG_ID.
    to: String,
    #[serde(default)]
    text: String,
    /// `text` (the default), `story_reply` (text replying to the account's story),
    /// `story_mention` (the person mentioned the account in their story) or `image`.
    #[serde(default)]
    kind: Inbound,
}

/// What a person sends in a DM (CONTRACT.md §10.2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Inbound {
    #[default]
    Text,
    StoryReply,
    StoryMention,
    Image,
}

impl Inbound {
    fn needs_text(self) -> bool {
        matches!(self, Self::Text | Self::StoryReply)
    }
}

/// The follower `username` and the account `to` (a username or an IG_ID) they address.
fn follower_and_account(world: &World, username: &str, to: &str) -> Result<(Person, usize), Failure> {
    let person = world.person(username).cloned().ok_or_else(|| failure(StatusCode::NOT_FOUND, "no such follower"))?;
    let account = world
        .account_by_username(to)
        .or_else(|| world.account_by_ig_id(to))
        .ok_or_else(|| failure(StatusCode::NOT_FOUND, "no such account"))?;
    Ok((person, account))
}

/// A person sends a DM to a test account: opens the 24-hour window, delivers a `messages` event.
fn dm(sandbox: &Sandbox, username: &str, to: &str, text: &str) -> Result<String, Failure> {
    dm_of(sandbox, username, to, text, Inbound::Text)
}

fn dm_of(sandbox: &Sandbox, username: &str, to: &str, text: &str, kind: Inbound) -> Result<String, Failure> {
    let mut world = sandbox.world();
    let (person, account) = follower_and_account(&world, username, to)?;
    if kind.needs_text() && text.trim().is_empty() {
        return Err(failure(StatusCode::UNPROCESSABLE_ENTITY, "text is empty"));
    }
    let (mid, event) = record_inbound(&mut world, &person, account, text, kind);
    drop(world);
    sandbox.emit(event);
    Ok(mid)
}

/// Records a DM from `person` to `account` as Instagram would (the message, the opened window)
/// and returns its `mid` and the webhook event, without delivering it.
pub(crate) fn record_dm(world: &mut World, person: &Person, account: usize, text: &str) -> (String, Event) {
    record_inbound(world, person, account, text, Inbound::Text)
}

/// As [`record_dm`], for any kind of DM: a story reply or mention, and an image, open the window
/// as a text does.
pub(crate) fn record_inbound(
    world: &mut World,
    person: &Person,
    account: usize,
    text: &str,
    kind: Inbound,
) -> (String, Event) {
    let ig_id = world.accounts[account].ig_id.clone();
    let now_ms = world.now_ms();
    let mid = ids::mid(&ig_id);
    world.messages.insert(
        mid.clone(),
        Message {
            account,
            igsid: person.igsid.clone(),
            text: kind.needs_text().then(|| text.to_owned()),
            content: None,
            from_business: false,
            at_ms: now_ms,
        },
    );
    world.last_inbound.insert((account, person.igsid.clone()), now_ms / 1000);
    let asset = ids::object_id();
    let cdn = format!("https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id={asset}&signature=sandbox");
    let message = match kind {
        Inbound::Text => json!({ "mid": mid, "text": text }),
        Inbound::StoryReply => {
            json!({ "mid": mid, "text": text, "reply_to": { "story": { "id": asset, "url": cdn } } })
        }
        Inbound::StoryMention => {
            json!({ "mid": mid, "attachments": [{ "type": "story_mention", "payload": { "url": cdn } }] })
        }
        Inbound::Image => json!({ "mid": mid, "attachments": [{ "type": "image", "payload": { "url": cdn } }] }),
    };
    let event = Event {
        account_ig_id: ig_id.clone(),
        field: "messages",
        payload: Payload::Messaging {
            item: json!({ "sender": { "id": person.igsid }, "recipient": { "id": ig_id }, "timestamp": now_ms,
                          "message": message }),
            time_ms: now_ms,
        },
    };
    (mid, event)
}

async fn send_dm(
    State(sandbox): State<Sandbox>,
    Path(username): Path<String>,
    Json(message): Json<NewMessage>,
) -> Result<Json<Value>, Failure> {
    let mid = dm_of(&sandbox, &username, &message.to, &message.text, message.kind)?;
    Ok(Json(json!({ "mid": mid })))
}

#[derive(Deserialize)]
struct NewTap {
    /// The account's username or IG_ID.
    to: String,
    /// The payload of a quick reply or postback button of a message the account sent them.
    payload: String,
}

/// A person taps a quick reply or a postback button of the newest message of `to` offering
/// `payload`: a quick reply arrives as a `messages` event with `quick_reply.payload` and the
/// title as text, a button as a `messaging_postbacks` event (CONTRACT.md §10.2). A tap opens the
/// window as a message does. Returns the tap's `mid`.
fn tap(sandbox: &Sandbox, username: &str, to: &str, payload: &str) -> Result<String, Failure> {
    let mut world = sandbox.world();
    let (person, account) = follower_and_account(&world, username, to)?;
    let offered = world
        .messages
        .values()
        .filter(|m| m.account == account && m.igsid == person.igsid && m.from_business)
        .filter_map(|m| m.content.as_ref().map(|c| (m.at_ms, c)))
        .flat_map(|(at, content)| rich::taps(content).into_iter().map(move |t| (at, t)))
        .filter(|(_, (_, _, p))| p == payload)
        .max_by_key(|(at, _)| *at)
        .map(|(_, t)| t)
        .or_else(|| {
            // The account's ice breakers, shown to anyone about to write.
            world.accounts[account]
                .ice_breakers
                .iter()
                .find(|(_, p)| p == payload)
                .map(|(question, p)| ("postback", question.clone(), p.clone()))
        })
        .ok_or_else(|| failure(StatusCode::UNPROCESSABLE_ENTITY, "no message to this follower offers that payload"))?;
    let (kind, title, payload) = offered;
    let ig_id = world.accounts[account].ig_id.clone();
    let now_ms = world.now_ms();
    let mid = ids::mid(&ig_id);
    world.messages.insert(
        mid.clone(),
        Message {
            account,
            igsid: person.igsid.clone(),
            text: Some(title.clone()),
            content: None,
            from_business: false,
            at_ms: now_ms,
        },
    );
    world.last_inbound.insert((account, person.igsid.clone()), now_ms / 1000);
    let (field, item) = if kind == "quick_reply" {
        let message = json!({ "mid": mid, "text": title, "quick_reply": { "payload": payload } });
        (
            "messages",
            json!({ "sender": { "id": person.igsid }, "recipient": { "id": ig_id }, "timestamp": now_ms, "message": message }),
        )
    } else {
        let postback = json!({ "mid": mid, "title": title, "payload": payload });
        (
            "messaging_postbacks",
            json!({ "sender": { "id": person.igsid }, "recipient": { "id": ig_id }, "timestamp": now_ms, "postback": postback }),
        )
    };
    drop(world);
    sandbox.emit(Event { account_ig_id: ig_id, field, payload: Payload::Messaging { item, time_ms: now_ms } });
    Ok(mid)
}

async fn send_tap(
    State(sandbox): State<Sandbox>,
    Path(username): Path<String>,
    Json(new): Json<NewTap>,
) -> Result<Json<Value>, Failure> {
    let mid = tap(&sandbox, &username, &new.to, &new.payload)?;
    Ok(Json(json!({ "mid": mid })))
}

#[derive(Deserialize)]
struct PageTap {
    username: String,
    to: String,
    payload: String,
}

async fn page_tap(State(sandbox): State<Sandbox>, Form(form): Form<PageTap>) -> Response {
    match tap(&sandbox, &form.username, &form.to, &form.payload) {
        Ok(_) => back(&form.username, "Toque enviado."),
        Err(error) => error.into_response(),
    }
}

#[derive(Deserialize)]
struct NewComment {
    media_id: String,
    text: String,
    /// Reply under this comment (its top-level comment if it is itself a reply).
    #[serde(default)]
    parent_id: Option<String>,
}

/// A person comments on a post or reel (or replies in a thread): delivers a `comments` change.
fn add_comment(sandbox: &Sandbox, username: &str, new: &NewComment) -> Result<String, Failure> {
    let mut world = sandbox.world();
    let person = world.person(username).cloned().ok_or_else(|| failure(StatusCode::NOT_FOUND, "no such follower"))?;
    if new.text.trim().is_empty() {
        return Err(failure(StatusCode::UNPROCESSABLE_ENTITY, "text is empty"));
    }
    let (id, event) = record_comment(&mut world, &person, &new.media_id, &new.text, new.parent_id.as_deref())?;
    drop(world);
    sandbox.emit(event);
    Ok(id)
}

/// Records a comment of `person` on a media (under `parent_id`'s thread, if given) and returns its
/// id and the webhook event, without delivering it.
pub(crate) fn record_comment(
    world: &mut World,
    person: &Person,
    media_id: &str,
    text: &str,
    parent_id: Option<&str>,
) -> Result<(String, Event), Failure> {
    let account = world.media_owner(media_id).ok_or_else(|| failure(StatusCode::NOT_FOUND, "no such media"))?;
    let parent_id = match parent_id {
        Some(parent) => {
            let parent = world
                .comments
                .get(parent)
                .filter(|c| c.media_id == media_id)
                .ok_or_else(|| failure(StatusCode::NOT_FOUND, "no such comment on this media"))?;
            Some(parent.parent_id.clone().unwrap_or_else(|| parent.id.clone()))
        }
        None => None,
    };
    let comment = Comment {
        id: ids::object_id(),
        account,
        media_id: media_id.to_owned(),
        from_id: person.igsid.clone(),
        from_username: person.username.clone(),
        text: text.to_owned(),
        parent_id,
        at: world.now(),
        private_replied: false,
        hidden: false,
    };
    let event = comment_event(world, &comment);
    world.comments.insert(comment.id.clone(), comment.clone());
    Ok((comment.id, event))
}

async fn comment(
    State(sandbox): State<Sandbox>,
    Path(username): Path<String>,
    Json(new): Json<NewComment>,
) -> Result<Json<Value>, Failure> {
    let id = add_comment(&sandbox, &username, &new)?;
    Ok(Json(json!({ "id": id })))
}

#[derive(Deserialize)]
struct PageQuery {
    #[serde(rename = "as")]
    as_user: Option<String>,
    done: Option<String>,
}

/// A button that taps `payload` as `username` on what `account` offered.
fn tap_form(username: &str, account: &str, payload: &str, title: &str, kind: &str) -> String {
    format!(
        "<form method=\"post\" action=\"/_sandbox/follower/tap\"><input type=\"hidden\" name=\"username\" value=\"{}\">\
         <input type=\"hidden\" name=\"to\" value=\"{}\"><input type=\"hidden\" name=\"payload\" value=\"{}\">\
         <button data-kind=\"{kind}\">{}</button></form>",
        escape(username),
        escape(account),
        escape(payload),
        escape(title)
    )
}

/// The newest messages the accounts sent `username`, each with its buttons and quick replies to
/// tap (links open; postbacks and quick replies come back to the app as Meta sends them).
fn received(world: &World, username: &str) -> String {
    let Some(person) = world.person(username) else { return String::new() };
    let mut mine: Vec<&Message> =
        world.messages.values().filter(|m| m.from_business && m.igsid == person.igsid).collect();
    mine.sort_by_key(|m| std::cmp::Reverse(m.at_ms));
    if mine.is_empty() {
        return "<p>Nenhuma mensagem ainda.</p>".to_owned();
    }
    mine.iter()
        .take(20)
        .map(|m| {
            let account = &world.accounts[m.account].username;
            let content = m.content.clone().unwrap_or_default();
            let body = message_body(m.text.as_deref(), &content);
            let taps: String = rich::taps(&content)
                .into_iter()
                .map(|(kind, title, payload)| tap_form(username, account, &payload, &title, kind))
                .collect();
            format!(
                "<div class=\"msg\"><div class=\"from\">@{}</div>{body}<div class=\"taps\">{taps}</div></div>",
                escape(account),
            )
        })
        .collect()
}

/// What a message shows as Instagram's app draws it: a text, a button template's text and links,
/// a carousel of cards, or a file.
fn message_body(text: Option<&str>, content: &Value) -> String {
    let attachment = &content["attachment"];
    let payload = &attachment["payload"];
    let links = |buttons: &Value| -> String {
        buttons
            .as_array()
            .into_iter()
            .flatten()
            .filter(|b| b["type"] == "web_url")
            .map(|b| {
                format!(
                    "<a href=\"{}\" rel=\"noopener\">{}</a>",
                    escape(b["url"].as_str().unwrap_or_default()),
                    escape(b["title"].as_str().unwrap_or_default())
                )
            })
            .collect()
    };
    let field = |v: &Value| escape(v.as_str().unwrap_or_default());
    match (attachment["type"].as_str(), payload["template_type"].as_str()) {
        (Some("template"), Some("generic")) => {
            let cards: String = payload["elements"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|e| {
                    let image = e["image_url"]
                        .as_str()
                        .map(|src| format!("<img src=\"{}\" alt=\"\" width=\"160\">", escape(src)))
                        .unwrap_or_default();
                    format!(
                        "<div class=\"card\">{image}<strong>{}</strong><div>{}</div><div class=\"taps\">{}</div></div>",
                        field(&e["title"]),
                        field(&e["subtitle"]),
                        links(&e["buttons"])
                    )
                })
                .collect();
            format!("<div class=\"cards\">{cards}</div>")
        }
        (Some("template"), _) => {
            format!("<div>{}</div><div class=\"taps\">{}</div>", field(&payload["text"]), links(&payload["buttons"]))
        }
        (Some("image"), _) => format!("<img src=\"{}\" alt=\"imagem\" width=\"200\">", field(&payload["url"])),
        (Some(kind), _) => format!(
            "<div class=\"file\" data-kind=\"{}\"><a href=\"{}\" rel=\"noopener\">{}</a></div>",
            escape(kind),
            field(&payload["url"]),
            field(&payload["url"])
        ),
        (None, _) => format!("<div>{}</div>", escape(text.unwrap_or_default())),
    }
}

/// Each account's ice breakers, as Instagram shows them before the first message, to tap.
fn ice_breakers(world: &World, username: &str) -> String {
    let sections: String = world
        .accounts
        .iter()
        .filter(|a| !a.ice_breakers.is_empty())
        .map(|a| {
            let taps: String = a
                .ice_breakers
                .iter()
                .map(|(question, payload)| tap_form(username, &a.username, payload, question, "ice_breaker"))
                .collect();
            format!("<div class=\"msg faq\"><div class=\"from\">Perguntas frequentes de @{}</div><div class=\"taps\">{taps}</div></div>", escape(&a.username))
        })
        .collect();
    if sections.is_empty() {
        String::new()
    } else {
        format!("<section aria-labelledby=\"faq\"><h2 id=\"faq\">Perguntas frequentes</h2>{sections}</section>")
    }
}

/// A small page to act as a follower by hand.
async fn page(State(sandbox): State<Sandbox>, Query(query): Query<PageQuery>) -> Html<String> {
    let world = sandbox.world();
    let me = query.as_user.filter(|u| world.person(u).is_some()).unwrap_or_else(|| world.people[0].username.clone());
    let people: String = world
        .people
        .iter()
        .map(|p| format!("<option{}>{}</option>", if p.username == me { " selected" } else { "" }, escape(&p.username)))
        .collect();
    let accounts: String =
        world.accounts.iter().map(|a| format!("<option value=\"{0}\">@{0}</option>", escape(&a.username))).collect();
    let media: String = world
        .accounts
        .iter()
        .flat_map(|a| a.media.iter().map(move |m| (a, m)))
        .map(|(a, m)| {
            let kind = if m.media_product_type == "REELS" { "Reel" } else { "Post" };
            format!(
                "<option value=\"{}\">@{} · {kind}: {}</option>",
                escape(&m.id),
                escape(&a.username),
                escape(&m.caption)
            )
        })
        .collect();
    let mut comments: Vec<&Comment> = world.comments.values().collect();
    comments.sort_by_key(|c| std::cmp::Reverse(c.at));
    let threads: String = comments
        .iter()
        .take(50)
        .map(|c| {
            format!(
                "<option value=\"{}|{}\">@{}: {}</option>",
                escape(&c.media_id),
                escape(&c.id),
                escape(&c.from_username),
                escape(&c.text)
            )
        })
        .collect();
    let done = query.done.map(|d| format!("<p class=\"done\" role=\"status\">{}</p>", escape(&d))).unwrap_or_default();
    let inbox = received(&world, &me);
    let faq = ice_breakers(&world, &me);
    let me_html = escape(&me);
    Html(format!(
        r#"<!doctype html><html lang="pt-BR"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sandbox · Seguidor</title>
<style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#262626}}
form{{border:1px solid #dbdbdb;border-radius:10px;padding:1rem;margin:1rem 0;display:grid;gap:.5rem}}
label{{display:grid;gap:.25rem;font-weight:600}} select,textarea,input,button{{font:inherit;padding:.5rem}}
button{{background:#0095f6;color:#fff;border:0;border-radius:8px;font-weight:600}} .done{{background:#e7f6ec;padding:.5rem;border-radius:8px}}
.msg{{border:1px solid #dbdbdb;border-radius:14px;padding:.75rem;margin:.5rem 0}} .msg .from{{color:#737373;font-size:.85rem}}
.taps{{display:flex;flex-wrap:wrap;gap:.4rem;margin-top:.5rem}} .taps form{{border:0;padding:0;margin:0;display:inline}}
.cards{{display:flex;gap:.5rem;overflow-x:auto}} .card{{flex:0 0 12rem;border:1px solid #dbdbdb;border-radius:12px;padding:.5rem;display:grid;gap:.25rem}}
.card img{{width:100%;height:auto;border-radius:8px}}
.taps button,.taps a{{background:#efefef;color:#0095f6;border-radius:999px;padding:.3rem .8rem;font-size:.9rem;text-decoration:none}}
</style>
</head><body><h1>Agir como seguidor</h1>{done}
<section aria-labelledby="inbox"><h2 id="inbox">Mensagens recebidas por @{me_html}</h2>{inbox}</section>
{faq}
<form method="post" action="/_sandbox/follower/message"><h2>Mandar DM</h2>
<label>Seguidor<select name="username">{people}</select></label>
<label>Para<select name="to">{accounts}</select></label>
<label>Mensagem<textarea name="text" required></textarea></label><button>Enviar DM</button></form>
<form method="post" action="/_sandbox/follower/comment"><h2>Comentar</h2>
<label>Seguidor<select name="username">{people}</select></label>
<label>Publicação<select name="media_id">{media}</select></label>
<label>Comentário<textarea name="text" required></textarea></label><button>Comentar</button></form>
<form method="post" action="/_sandbox/follower/comment"><h2>Responder a um comentário</h2>
<label>Seguidor<select name="username">{people}</select></label>
<label>Comentário<select name="thread">{threads}</select></label>
<label>Resposta<textarea name="text" required></textarea></label><button>Responder</button></form>
</body></html>"#
    ))
}

#[derive(Deserialize)]
struct PageDm {
    username: String,
    to: String,
    text: String,
}

async fn page_dm(State(sandbox): State<Sandbox>, Form(form): Form<PageDm>) -> Response {
    match dm(&sandbox, &form.username, &form.to, &form.text) {
        Ok(_) => back(&form.username, "DM enviada."),
        Err(error) => error.into_response(),
    }
}

#[derive(Deserialize)]
struct PageComment {
    username: String,
    text: String,
    media_id: Option<String>,
    /// `media_id|comment_id` of the comment to reply to.
    thread: Option<String>,
}

async fn page_comment(State(sandbox): State<Sandbox>, Form(form): Form<PageComment>) -> Response {
    let (media_id, parent_id) = match form.thread.as_deref().and_then(|t| t.split_once('|')) {
        Some((media, parent)) => (media.to_owned(), Some(parent.to_owned())),
        None => (form.media_id.clone().unwrap_or_default(), None),
    };
    match add_comment(&sandbox, &form.username, &NewComment { media_id, text: form.text, parent_id }) {
        Ok(_) => back(&form.username, "Comentário publicado."),
        Err(error) => error.into_response(),
    }
}

fn back(username: &str, done: &str) -> Response {
    let query = serde_urlencoded::to_string([("as", username), ("done", done)]).unwrap_or_default();
    Redirect::to(&format!("/_sandbox/follower?{query}")).into_response()
}
