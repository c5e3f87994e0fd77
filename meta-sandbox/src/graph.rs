//! The Graph API (CONTRACT.md §5 to §7, §13): one dispatcher over Meta's paths, versioned or not,
//! with Meta's rules (messaging window, one private reply per comment, text limits, rate limits),
//! its errors, and usage headers on every answer. What the app sends comes back as webhooks.
use crate::{
    conversations,
    errors::GraphError,
    ids, rich,
    webhooks::{Event, Payload, FIELDS},
    world::{Comment, Message, World, MESSAGING_WINDOW, PRIVATE_REPLY_WINDOW},
    Sandbox,
};
use axum::{
    body::Bytes,
    extract::State,
    http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri},
    response::{IntoResponse, Response},
    Json,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// Send API: 100 calls per second per account (text).
const SENDS_PER_SECOND: usize = 100;
/// Private replies: 750 per hour per account.
const PRIVATE_REPLIES_PER_HOUR: usize = 750;
/// Text messages are limited in bytes, not characters.
const MESSAGE_TEXT_BYTES: usize = 1000;
const COMMENT_TEXT_CHARS: usize = 2200;
const DEFAULT_PAGE: usize = 25;

/// `vNN.0`, as Meta's versioned paths.
pub fn check_version(version: &str) -> Result<(), GraphError> {
    let digits = version.strip_prefix('v').and_then(|v| v.strip_suffix(".0"));
    match digits {
        Some(d) if !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()) => Ok(()),
        _ => Err(GraphError::new(2500, format!("Unknown path components: /{version}"))),
    }
}

/// Query, form and JSON parameters together, as Meta accepts them in any of these.
struct Params {
    query: HashMap<String, String>,
    body: Value,
    /// The `Host` the caller used, for URLs the sandbox serves itself.
    host: String,
}

impl Params {
    fn parse(uri: &Uri, headers: &HeaderMap, body: &Bytes) -> Self {
        let query = uri.query().and_then(|q| serde_urlencoded::from_str(q).ok()).unwrap_or_default();
        let json = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("json"));
        let body = if body.is_empty() {
            Value::Null
        } else if json {
            serde_json::from_slice(body).unwrap_or(Value::Null)
        } else {
            let pairs: HashMap<String, String> = serde_urlencoded::from_bytes(body).unwrap_or_default();
            // Form fields may hold JSON objects (`recipient={"id":"..."}`), as the Send API allows.
            Value::Object(
                pairs.into_iter().map(|(k, v)| (k, serde_json::from_str(&v).unwrap_or(Value::String(v)))).collect(),
            )
        };
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("127.0.0.1:3100").to_owned();
        Self { query, body, host }
    }

    fn get(&self, name: &str) -> Option<String> {
        self.query.get(name).cloned().or_else(|| match &self.body[name] {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        })
    }

    fn json(&self, name: &str) -> Value {
        match &self.body[name] {
            Value::Null => self.query.get(name).and_then(|v| serde_json::from_str(v).ok()).unwrap_or(Value::Null),
            other => other.clone(),
        }
    }
}

/// Every Graph path lands here.
pub async fn dispatch(
    State(sandbox): State<Sandbox>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut segments: Vec<&str> = uri.path().split('/').filter(|s| !s.is_empty()).collect();
    if segments.first().is_some_and(|s| s.starts_with('v') && s.contains('.')) {
        if let Err(error) = check_version(segments[0]) {
            return error.into_response();
        }
        segments.remove(0);
    }
    let params = Params::parse(&uri, &headers, &body);
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("OAuth ")))
        .map(str::to_owned)
        .or_else(|| params.get("access_token"));

    let mut world = sandbox.world();
    world.stats.graph_calls += 1;
    let token = match world.live_token(token.as_deref()) {
        Ok(token) => token,
        Err(error) => return error.into_response(),
    };
    let account = token.account;
    let messaging = matches!(segments.as_slice(), [_, "messages"]);
    let limited = if messaging { None } else { count_platform_call(&mut world, account) };
    let result = match limited {
        Some(error) => Err(error),
        None => route(&sandbox, &mut world, account, &token.scopes, &method, &segments, &params),
    };
    let response = result.unwrap_or_else(IntoResponse::into_response);
    with_usage(&mut world, account, response)
}

type Answer = Result<Response, GraphError>;

fn route(
    sandbox: &Sandbox,
    world: &mut World,
    account: usize,
    scopes: &[String],
    method: &Method,
    segments: &[&str],
    params: &Params,
) -> Answer {
    let require = |scope: &str| {
        if scopes.iter().any(|s| s == scope) {
            Ok(())
        } else {
            Err(GraphError::new(200, format!("(#200) Requires {scope} permission to manage the object")))
        }
    };
    let own = |node: &str| node == "me" || node == world.accounts[account].ig_id;
    match (method.as_str(), segments) {
        ("GET", [node]) if own(node) => account_fields(world, account, params),
        ("POST", [node, "messages"]) if own(node) => send_message(sandbox, world, account, scopes, params),
        ("POST", [comment, "replies"]) => {
            require("instagram_business_manage_comments")?;
            public_reply(sandbox, world, account, comment, params)
        }
        ("GET", [comment, "replies"]) => list_replies(world, account, comment, params),
        ("POST", [comment]) if params.get("hide").is_some() && world.comments.contains_key(*comment) => {
            require("instagram_business_manage_comments")?;
            hide_comment(world, account, comment, params)
        }
        ("POST", [node, "subscribed_apps"]) if own(node) => subscribe(world, account, params),
        ("GET", [node, "subscribed_apps"]) if own(node) => {
            let fields = world.subscriptions.get(&account).cloned().unwrap_or_default();
            let data = if fields.is_empty() { json!([]) } else { json!([{ "subscribed_fields": fields }]) };
            Ok(Json(json!({ "data": data })).into_response())
        }
        ("DELETE", [node, "subscribed_apps"]) if own(node) => {
            world.subscriptions.remove(&account);
            Ok(Json(json!({ "success": true })).into_response())
        }
        ("POST", [node, "messenger_profile"]) if own(node) => {
            require("instagram_business_manage_messages")?;
            set_ice_breakers(world, account, params)
        }
        ("GET", [node, "messenger_profile"]) if own(node) => {
            let breakers = &world.accounts[account].ice_breakers;
            let actions: Vec<Value> = breakers.iter().map(|(q, p)| json!({ "question": q, "payload": p })).collect();
            let data = if actions.is_empty() {
                json!([])
            } else {
                json!([{ "ice_breakers": [{ "call_to_actions": actions, "locale": "default" }] }])
            };
            Ok(Json(json!({ "data": data })).into_response())
        }
        ("DELETE", [node, "messenger_profile"]) if own(node) => {
            world.accounts[account].ice_breakers.clear();
            Ok(Json(json!({ "success": true })).into_response())
        }
        ("GET", [node, "media"]) if own(node) => list_media(world, account, params),
        ("GET", [media, "comments"]) => {
            require("instagram_business_manage_comments")?;
            list_comments(world, account, media, params)
        }
        ("GET", [node, "insights"]) if own(node) => {
            require("instagram_business_manage_insights")?;
            insights(world, account, params)
        }
        ("GET", [node, "conversations"]) if own(node) => {
            require("instagram_business_manage_messages")?;
            list_conversations(world, account, params)
        }
        ("GET", [conversation]) if conversations::parse(conversation).is_some_and(|(a, _)| a == account) => {
            require("instagram_business_manage_messages")?;
            conversation_node(world, account, conversation, params)
        }
        ("GET", [mid]) if world.messages.get(*mid).is_some_and(|m| m.account == account) => {
            require("instagram_business_manage_messages")?;
            let all = conversations::message_json(world, mid).unwrap_or_default();
            Ok(Json(conversations::pick(&all, &requested_fields(params, "id,created_time"))?).into_response())
        }
        ("GET", [comment]) if world.comments.get(*comment).is_some_and(|c| c.account == account) => {
            let fields = requested_fields(params, "id,text,timestamp");
            let comment = &world.comments[*comment];
            Ok(Json(comment_json(comment, world, &fields)?).into_response())
        }
        ("GET", [igsid]) if world.person_by_igsid(igsid).is_some() => user_profile(world, account, igsid, params),
        ("GET", [media]) if world.accounts[account].media.iter().any(|m| m.id == *media) => {
            media_node(world, account, media, params)
        }
        ("GET", [id]) | ("POST", [id]) | ("DELETE", [id]) => {
            Err(GraphError::no_such_object(method.as_str().to_lowercase().as_str(), id))
        }
        _ => Err(GraphError::new(2500, format!("Unknown path components: /{}", segments.join("/")))),
    }
}

/// Counts a platform call against the account's business-use-case quota.
fn count_platform_call(world: &mut World, account: usize) -> Option<GraphError> {
    let now = world.now();
    let limit = world.platform_calls_per_hour;
    let calls = &mut world.accounts[account].calls;
    calls.retain(|at| now - at < 3600);
    if calls.len() >= limit {
        return Some(GraphError::new(
            80002,
            "There have been too many calls to this Instagram account. Wait a bit and try again.",
        ));
    }
    calls.push(now);
    None
}

/// `X-App-Usage` and `X-Business-Use-Case-Usage`, in percent of the account's hourly quota.
fn with_usage(world: &mut World, account: usize, mut response: Response) -> Response {
    let now = world.now();
    let limit = world.platform_calls_per_hour.max(1);
    let calls = &world.accounts[account].calls;
    let used = calls.iter().filter(|at| now - **at < 3600).count();
    let percent = (used * 100 / limit).min(100);
    let regain = if percent >= 100 { calls.first().map_or(0, |first| (first + 3600 - now).max(0) / 60 + 1) } else { 0 };
    let app = json!({ "call_count": percent, "total_time": percent / 2, "total_cputime": percent / 2 });
    let business = json!({ world.accounts[account].ig_id.clone(): [{
        "type": "instagram", "call_count": percent, "total_cputime": percent / 2, "total_time": percent / 2,
        "estimated_time_to_regain_access": regain,
    }]});
    let headers = response.headers_mut();
    for (name, value) in [("x-app-usage", app), ("x-business-use-case-usage", business)] {
        if let Ok(value) = HeaderValue::from_str(&value.to_string()) {
            headers.insert(name, value);
        }
    }
    response
}

fn requested_fields(params: &Params, default: &str) -> Vec<String> {
    params
        .get("fields")
        .unwrap_or_else(|| default.to_owned())
        .split(',')
        .map(|f| f.trim().to_owned())
        .filter(|f| !f.is_empty())
        .collect()
}

fn nonexisting_field(field: &str, node: &str) -> GraphError {
    GraphError::invalid_parameter(format!("(#100) Tried accessing nonexisting field ({field}) on node type ({node})"))
}

/// `GET /me` or `/{IG_ID}`: `id` is app-scoped, `user_id` the IG_ID webhooks use.
fn account_fields(world: &World, account: usize, params: &Params) -> Answer {
    let a = &world.accounts[account];
    let mut body = Map::new();
    body.insert("id".into(), a.app_scoped_id.clone().into());
    for field in requested_fields(params, "id") {
        let value = match field.as_str() {
            "id" => a.app_scoped_id.clone().into(),
            "user_id" => a.ig_id.clone().into(),
            "username" => a.username.clone().into(),
            "name" => a.name.clone().into(),
            "account_type" => a.account_type.clone().into(),
            "profile_picture_url" => a.picture_url(&params.host).into(),
            "followers_count" => a.followers_count.into(),
            "follows_count" => a.follows_count.into(),
            "media_count" => a.media.len().into(),
            unknown => return Err(nonexisting_field(unknown, "User")),
        };
        body.insert(field, value);
    }
    Ok(Json(Value::Object(body)).into_response())
}

/// `POST /{IG_ID}/messages`: a DM to a person inside the 24-hour window, or one private reply
/// to a comment within 7 days. The sent message comes back as an echo.
fn send_message(sandbox: &Sandbox, world: &mut World, account: usize, scopes: &[String], params: &Params) -> Answer {
    let recipient = params.json("recipient");
    let message = params.json("message");
    let by_comment = recipient["comment_id"].as_str().map(str::to_owned);
    let scope =
        if by_comment.is_some() { "instagram_business_manage_comments" } else { "instagram_business_manage_messages" };
    if !scopes.iter().any(|s| s == scope) {
        return Err(GraphError::new(200, format!("(#200) Requires {scope} permission")));
    }
    let text = message["text"].as_str().map(str::to_owned);
    let attachment = message.get("attachment").cloned();
    match (&text, &attachment) {
        (None, None) => {
            return Err(GraphError::invalid_parameter("(#100) The parameter message is required")
                .subcode(2_534_015)
                .messaging())
        }
        (Some(t), _) if t.trim().is_empty() => {
            return Err(GraphError::invalid_parameter("(#100) Message text cannot be empty")
                .subcode(2_534_015)
                .messaging());
        }
        (Some(t), _) if t.len() > MESSAGE_TEXT_BYTES => {
            return Err(GraphError::invalid_parameter(format!(
                "(#100) Length of param message[text] must be less than or equal to {MESSAGE_TEXT_BYTES} bytes"
            ))
            .messaging());
        }
        _ => {}
    }
    rich::check(&message)?;
    let now_ms = world.now_ms();
    let now = now_ms / 1000;
    let sends = &mut world.accounts[account].sends;
    sends.retain(|at| now_ms - at < 1000);
    if sends.len() >= SENDS_PER_SECOND {
        return Err(GraphError::new(613, "Calls to this api have exceeded the rate limit.")
            .subcode(2_534_040)
            .messaging());
    }
    sends.push(now_ms);

    let igsid = match by_comment {
        Some(comment_id) => {
            let ig_id = world.accounts[account].ig_id.clone();
            let replies = &mut world.accounts[account].private_replies;
            replies.retain(|at| now - at < 3600);
            if replies.len() >= PRIVATE_REPLIES_PER_HOUR {
                return Err(GraphError::new(613, "Calls to this api have exceeded the rate limit.")
                    .subcode(2_534_040)
                    .messaging());
            }
            let comment = world
                .comments
                .get_mut(&comment_id)
                .filter(|c| c.account == account)
                .ok_or_else(|| GraphError::no_such_object("post", &comment_id))?;
            if comment.private_replied || comment.from_id == ig_id || now - comment.at > PRIVATE_REPLY_WINDOW {
                return Err(GraphError::invalid_parameter("The comment is invalid for a private reply")
                    .subcode(2_534_025)
                    .messaging());
            }
            comment.private_replied = true;
            let igsid = comment.from_id.clone();
            world.accounts[account].private_replies.push(now);
            igsid
        }
        None => {
            let igsid = recipient["id"].as_str().unwrap_or_default().to_owned();
            if world.person_by_igsid(&igsid).is_none() {
                return Err(GraphError::invalid_parameter("No matching Instagram user").subcode(2_534_014).messaging());
            }
            let window_open =
                world.last_inbound.get(&(account, igsid.clone())).is_some_and(|at| now - at < MESSAGING_WINDOW);
            if !window_open {
                return Err(GraphError::new(10, "This message is sent outside of allowed window.")
                    .subcode(2_534_022)
                    .messaging()
                    .status(StatusCode::FORBIDDEN));
            }
            igsid
        }
    };
    let ig_id = world.accounts[account].ig_id.clone();
    let mid = ids::mid(&ig_id);
    world.messages.insert(
        mid.clone(),
        Message {
            account,
            igsid: igsid.clone(),
            text: text.clone(),
            content: Some(message.clone()),
            from_business: true,
            at_ms: now_ms,
        },
    );
    let stats = &mut world.stats;
    if recipient["comment_id"].is_string() {
        stats.private_replies_sent += 1;
    } else {
        stats.messages_sent += 1;
    }
    if let Some(tag) = message["metadata"].as_str() {
        if !stats.tags.insert(tag.to_owned()) {
            stats.duplicate_tagged_sends += 1;
        }
    }
    let mut echo = json!({ "mid": mid, "is_echo": true });
    if let Some(text) = &text {
        echo["text"] = json!(text);
    }
    // What the sender attached comes back on the echo, so apps can recognise their own sends.
    if let Some(metadata) = message["metadata"].as_str() {
        echo["metadata"] = json!(metadata);
    }
    if let Some(attachment) = attachment {
        echo["attachments"] = json!([attachment]);
    }
    if let Some(quick) = message.get("quick_replies") {
        echo["quick_replies"] = quick.clone();
    }
    sandbox.emit(Event {
        account_ig_id: ig_id.clone(),
        field: "messages",
        payload: Payload::Messaging {
            item: json!({ "sender": { "id": ig_id }, "recipient": { "id": igsid }, "timestamp": now_ms, "message": echo }),
            time_ms: now_ms,
        },
    });
    Ok(Json(json!({ "recipient_id": igsid, "message_id": mid })).into_response())
}

/// Ice breakers per locale: at most 4 questions (CONTRACT.md §7).
const ICE_BREAKERS_MAX: usize = 4;
const ICE_BREAKER_QUESTION_CHARS: usize = 80;

/// `POST /{IG_ID}/messenger_profile` with `platform=instagram` and `ice_breakers`.
fn set_ice_breakers(world: &mut World, account: usize, params: &Params) -> Answer {
    if params.get("platform").as_deref() != Some("instagram") {
        return Err(GraphError::invalid_parameter("(#100) Param platform must be one of {instagram}"));
    }
    let blocks = params.json("ice_breakers");
    let blocks = blocks
        .as_array()
        .filter(|b| !b.is_empty())
        .ok_or_else(|| GraphError::invalid_parameter("(#100) The parameter ice_breakers is required"))?;
    let mut breakers = Vec::new();
    for block in blocks {
        let actions = block["call_to_actions"].as_array().map(Vec::as_slice).unwrap_or_default();
        if actions.is_empty() || actions.len() > ICE_BREAKERS_MAX {
            return Err(GraphError::invalid_parameter(format!(
                "(#100) Param ice_breakers[call_to_actions] must have 1 to {ICE_BREAKERS_MAX} elements"
            )));
        }
        for (i, action) in actions.iter().enumerate() {
            let question = action["question"].as_str().unwrap_or_default();
            let payload = action["payload"].as_str().unwrap_or_default();
            if question.trim().is_empty() || question.chars().count() > ICE_BREAKER_QUESTION_CHARS {
                return Err(GraphError::invalid_parameter(format!(
                    "(#100) Param ice_breakers[call_to_actions][{i}][question] must be 1 to {ICE_BREAKER_QUESTION_CHARS} characters"
                )));
            }
            if payload.is_empty() || payload.len() > 1000 {
                return Err(GraphError::invalid_parameter(format!(
                    "(#100) Param ice_breakers[call_to_actions][{i}][payload] must be 1 to 1000 bytes"
                )));
            }
            breakers.push((question.to_owned(), payload.to_owned()));
        }
    }
    world.accounts[account].ice_breakers = breakers;
    Ok(Json(json!({ "success": true })).into_response())
}

/// `GET /{IGSID}`: a person's profile, once they messaged the account (CONTRACT.md §7).
fn user_profile(world: &World, account: usize, igsid: &str, params: &Params) -> Answer {
    if !world.last_inbound.contains_key(&(account, igsid.to_owned())) {
        return Err(GraphError::new(230, "User consent is required to access user profile"));
    }
    let person = world.person_by_igsid(igsid).ok_or_else(|| GraphError::no_such_object("get", igsid))?;
    let all = json!({
        "id": person.igsid, "username": person.username, "name": person.username,
        "follower_count": 0, "is_user_follow_business": true, "is_business_follow_user": false, "is_verified_user": false,
    });
    let fields = requested_fields(params, "name,username");
    let mut picked = pick(&all, &fields, "IGUser")?;
    picked["id"] = json!(person.igsid);
    Ok(Json(picked).into_response())
}

/// `POST /{COMMENT_ID}/replies`: a public reply, threaded under the top-level comment. It comes
/// back as a `comments` webhook from the account itself.
fn public_reply(sandbox: &Sandbox, world: &mut World, account: usize, comment_id: &str, params: &Params) -> Answer {
    let comment = world
        .comments
        .get(comment_id)
        .filter(|c| c.account == account)
        .cloned()
        .ok_or_else(|| GraphError::no_such_object("post", comment_id))?;
    if comment.hidden {
        return Err(GraphError::invalid_parameter("(#100) Cannot reply to a hidden comment"));
    }
    let text = params.get("message").unwrap_or_default();
    if text.trim().is_empty() {
        return Err(GraphError::invalid_parameter("(#100) The parameter message is required"));
    }
    if text.chars().count() > COMMENT_TEXT_CHARS {
        return Err(GraphError::invalid_parameter(format!(
            "(#100) The comment is too long: at most {COMMENT_TEXT_CHARS} characters"
        )));
    }
    let top = comment.parent_id.clone().unwrap_or_else(|| comment.id.clone());
    let a = &world.accounts[account];
    let reply = Comment {
        id: ids::object_id(),
        account,
        media_id: comment.media_id.clone(),
        from_id: a.ig_id.clone(),
        from_username: a.username.clone(),
        text,
        parent_id: Some(top),
        at: world.now(),
        private_replied: false,
        hidden: false,
    };
    let event = comment_event(world, &reply);
    world.stats.public_replies_sent += 1;
    if !world.stats.replied_comments.insert(comment.id.clone()) {
        world.stats.duplicate_public_replies += 1;
    }
    world.comments.insert(reply.id.clone(), reply.clone());
    sandbox.emit(event);
    Ok(Json(json!({ "id": reply.id })).into_response())
}

/// Hides or shows a comment on one of the account's media (`POST /{COMMENT_ID}?hide=true|false`).
fn hide_comment(world: &mut World, account: usize, comment_id: &str, params: &Params) -> Answer {
    let hide = match params.get("hide").as_deref() {
        Some("true") => true,
        Some("false") => false,
        _ => return Err(GraphError::invalid_parameter("(#100) Param hide must be a boolean")),
    };
    let comment = world
        .comments
        .get_mut(comment_id)
        .filter(|c| c.account == account)
        .ok_or_else(|| GraphError::no_such_object("post", comment_id))?;
    if comment.from_id == world.accounts[account].ig_id {
        return Err(GraphError::invalid_parameter("(#100) The account cannot hide its own comments"));
    }
    comment.hidden = hide;
    Ok(Json(json!({ "success": true })).into_response())
}

/// The `comments` webhook for a comment or reply (CONTRACT.md §10.3).
pub fn comment_event(world: &World, comment: &Comment) -> Event {
    let a = &world.accounts[comment.account];
    let product = a.media.iter().find(|m| m.id == comment.media_id).map_or("FEED", |m| m.media_product_type.as_str());
    let mut value = json!({
        "from": { "id": comment.from_id, "username": comment.from_username },
        "media": { "id": comment.media_id, "media_product_type": product },
        "id": comment.id,
        "text": comment.text,
    });
    if let Some(parent) = &comment.parent_id {
        value["parent_id"] = json!(parent);
    }
    if comment.from_id == a.ig_id {
        value["from"]["self_ig_scoped_id"] = json!(a.ig_id);
    }
    Event { account_ig_id: a.ig_id.clone(), field: "comments", payload: Payload::Change { value, time_s: comment.at } }
}

fn subscribe(world: &mut World, account: usize, params: &Params) -> Answer {
    let raw = params.get("subscribed_fields").unwrap_or_default();
    let fields: Vec<String> = raw.split(',').map(|f| f.trim().to_owned()).filter(|f| !f.is_empty()).collect();
    if fields.is_empty() {
        return Err(GraphError::invalid_parameter("(#100) The parameter subscribed_fields is required"));
    }
    if let Some((i, bad)) = fields.iter().enumerate().find(|(_, f)| !FIELDS.contains(&f.as_str())) {
        return Err(GraphError::invalid_parameter(format!(
            "(#100) Param subscribed_fields[{i}] must be one of {{{}}} - got \"{bad}\"",
            FIELDS.join(", ")
        )));
    }
    world.subscriptions.insert(account, fields);
    Ok(Json(json!({ "success": true })).into_response())
}

/// Cursor paging as Meta's: opaque `before`/`after`, `next` only when there is more.
fn page<T: Clone>(items: &[T], params: &Params, base: &str) -> Result<(Vec<T>, Value), GraphError> {
    let limit = params
        .get("limit")
        .map_or(Ok(DEFAULT_PAGE), |l| l.parse::<usize>())
        .map_err(|_| GraphError::invalid_parameter("(#100) Param limit must be an integer"))?;
    let limit = limit.clamp(1, 100);
    let start = match params.get("after") {
        Some(cursor) => {
            decode_cursor(&cursor).ok_or_else(|| GraphError::invalid_parameter("(#100) Invalid cursor"))? + 1
        }
        None => 0,
    };
    let end = (start + limit).min(items.len());
    let slice = items.get(start..end).map(<[T]>::to_vec).unwrap_or_default();
    let mut paging = json!({});
    if !slice.is_empty() {
        paging["cursors"] = json!({ "before": encode_cursor(start), "after": encode_cursor(end - 1) });
        if end < items.len() {
            paging["next"] = json!(format!("{base}?limit={limit}&after={}", encode_cursor(end - 1)));
        }
    }
    Ok((slice, paging))
}

fn encode_cursor(index: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("cursor:{index}"))
}

fn decode_cursor(cursor: &str) -> Option<usize> {
    String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?.strip_prefix("cursor:")?.parse().ok()
}

/// `GET /{IG_ID}/conversations?platform=instagram[&user_id=]`: newest activity first, paged.
fn list_conversations(world: &World, account: usize, params: &Params) -> Answer {
    if params.get("platform").as_deref() != Some("instagram") {
        return Err(GraphError::invalid_parameter("(#100) The parameter platform is required"));
    }
    let list = conversations::list(world, account, params.get("user_id").as_deref());
    let base = format!("https://graph.instagram.com/v24.0/{}/conversations", world.accounts[account].ig_id);
    let (slice, paging) = page(&list, params, &base)?;
    let data: Vec<Value> =
        slice.iter().map(|(id, at)| json!({ "id": id, "updated_time": iso(at.div_euclid(1000)) })).collect();
    Ok(Json(json!({ "data": data, "paging": paging })).into_response())
}

/// `GET /{CONVERSATION_ID}?fields=messages` (ids and times) or `fields=messages{...}` (those fields).
fn conversation_node(world: &World, account: usize, conversation: &str, params: &Params) -> Answer {
    let (_, igsid) =
        conversations::parse(conversation).ok_or_else(|| GraphError::no_such_object("get", conversation))?;
    let fields = params.get("fields").unwrap_or_else(|| "id".to_owned());
    let mut out = json!({ "id": conversation });
    if fields.trim() != "id" {
        let wanted =
            conversations::nested_fields(&fields).ok_or_else(|| nonexisting_field(fields.trim(), "Conversation"))?;
        out["messages"] = conversations::messages(world, account, &igsid, wanted.as_deref())?;
    }
    Ok(Json(out).into_response())
}

fn list_media(world: &World, account: usize, params: &Params) -> Answer {
    let a = &world.accounts[account];
    let fields = requested_fields(params, "id");
    let base = format!("https://graph.instagram.com/v24.0/{}/media", a.ig_id);
    let (media, paging) = page(&a.media, params, &base)?;
    let data = media
        .iter()
        .map(|m| pick(&media_json(world, account, m, params), &fields, "Media"))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Json(json!({ "data": data, "paging": paging })).into_response())
}

/// `GET /{MEDIA_ID}`: one of the account's own media (another's does not exist for this token).
fn media_node(world: &World, account: usize, media_id: &str, params: &Params) -> Answer {
    let m = world.accounts[account]
        .media
        .iter()
        .find(|m| m.id == media_id)
        .ok_or_else(|| GraphError::no_such_object("get", media_id))?;
    Ok(Json(pick(&media_json(world, account, m, params), &requested_fields(params, "id"), "Media")?).into_response())
}

fn media_json(world: &World, account: usize, m: &crate::accounts::Media, params: &Params) -> Value {
    let comments = world.comments.values().filter(|c| c.media_id == m.id && c.parent_id.is_none()).count();
    json!({
        "id": m.id, "caption": m.caption, "media_type": m.media_type, "media_product_type": m.media_product_type,
        "media_url": m.picture_url(&params.host), "permalink": m.permalink,
        "thumbnail_url": m.picture_url(&params.host),
        "timestamp": m.timestamp, "comments_count": m.comments_count as usize + comments, "like_count": m.like_count,
        "username": world.accounts[account].username,
    })
}

fn pick(all: &Value, fields: &[String], node: &str) -> Result<Value, GraphError> {
    let mut out = Map::new();
    for field in fields {
        let value = all.get(field).ok_or_else(|| nonexisting_field(field, node))?;
        out.insert(field.clone(), value.clone());
    }
    Ok(Value::Object(out))
}

fn comment_json(comment: &Comment, world: &World, fields: &[String]) -> Result<Value, GraphError> {
    let product = world.accounts[comment.account]
        .media
        .iter()
        .find(|m| m.id == comment.media_id)
        .map_or("FEED", |m| m.media_product_type.as_str());
    let replies: Vec<Value> = world
        .comments
        .values()
        .filter(|c| c.parent_id.as_deref() == Some(comment.id.as_str()))
        .map(|c| json!({ "id": c.id, "text": c.text, "timestamp": iso(c.at) }))
        .collect();
    let mut all = json!({
        "id": comment.id, "text": comment.text, "timestamp": iso(comment.at), "username": comment.from_username,
        "from": { "id": comment.from_id, "username": comment.from_username }, "hidden": comment.hidden, "like_count": 0,
        "media": { "id": comment.media_id, "media_product_type": product }, "replies": { "data": replies },
    });
    // A top-level comment has the field, and Meta leaves it out of the answer.
    all["parent_id"] = comment.parent_id.as_ref().map_or(Value::Null, |parent| json!(parent));
    pick(&all, fields, "IGComment").map(|mut v| {
        if fields.iter().any(|f| f == "parent_id") && comment.parent_id.is_none() {
            if let Some(o) = v.as_object_mut() {
                o.remove("parent_id");
            }
        }
        v
    })
}

fn sorted_comments(world: &World, keep: impl Fn(&Comment) -> bool) -> Vec<&Comment> {
    let mut list: Vec<&Comment> = world.comments.values().filter(|c| keep(c)).collect();
    list.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| b.id.cmp(&a.id)));
    list
}

fn list_comments(world: &World, account: usize, media_id: &str, params: &Params) -> Answer {
    if world.media_owner(media_id) != Some(account) {
        return Err(GraphError::no_such_object("get", media_id));
    }
    let fields = requested_fields(params, "timestamp,text,id");
    let list = sorted_comments(world, |c| c.media_id == media_id && c.parent_id.is_none());
    let (slice, paging) = page(&list, params, &format!("https://graph.instagram.com/v24.0/{media_id}/comments"))?;
    let data = slice.iter().map(|c| comment_json(c, world, &fields)).collect::<Result<Vec<_>, _>>()?;
    Ok(Json(json!({ "data": data, "paging": paging })).into_response())
}

fn list_replies(world: &World, account: usize, comment_id: &str, params: &Params) -> Answer {
    if world.comments.get(comment_id).is_none_or(|c| c.account != account) {
        return Err(GraphError::no_such_object("get", comment_id));
    }
    let fields = requested_fields(params, "timestamp,text,id");
    let list = sorted_comments(world, |c| c.parent_id.as_deref() == Some(comment_id));
    let data = list.iter().map(|c| comment_json(c, world, &fields)).collect::<Result<Vec<_>, _>>()?;
    Ok(Json(json!({ "data": data })).into_response())
}

/// `GET /{IG_ID}/insights`: the current metrics; removed ones (`impressions`, ...) are code 100.
fn insights(world: &World, account: usize, params: &Params) -> Answer {
    const CURRENT: [(&str, &str); 8] = [
        ("reach", "Accounts reached"),
        ("accounts_engaged", "Accounts engaged"),
        ("total_interactions", "Total interactions"),
        ("views", "Views"),
        ("likes", "Likes"),
        ("comments", "Comments"),
        ("follower_count", "Follower count"),
        ("profile_links_taps", "Profile links taps"),
    ];
    let a = &world.accounts[account];
    let metrics =
        params.get("metric").ok_or_else(|| GraphError::invalid_parameter("(#100) The parameter metric is required"))?;
    let period = params.get("period").unwrap_or_else(|| "day".into());
    let mut data = Vec::new();
    for metric in metrics.split(',').map(str::trim) {
        let Some((name, title)) = CURRENT.iter().find(|(n, _)| *n == metric) else {
            return Err(GraphError::invalid_parameter(format!(
                "(#100) metric[0] must be one of the following values: {}",
                CURRENT.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
            )));
        };
        // Deterministic figures derived from the account (and the period's day of the week, so a
        // chart of days is not flat), so tests can assert them.
        let weekday =
            params.get("since").and_then(|s| s.parse::<i64>().ok()).map_or(0, |s| s.div_euclid(86_400).rem_euclid(7));
        let value = (a.followers_count as usize * (name.len() + 3)) / 10
            + world.comments.values().filter(|c| c.account == account).count()
            + usize::try_from(weekday).unwrap_or(0) * 3;
        data.push(json!({ "name": name, "period": period, "title": title, "description": title,
            "total_value": { "value": value }, "id": format!("{}/insights/{name}/{period}", a.ig_id) }));
    }
    Ok(Json(json!({ "data": data })).into_response())
}

/// ISO-8601 with Meta's `+0000` offset.
pub fn iso(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm), to avoid a date dependency for one format.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}+0000", secs / 3600, secs % 3600 / 60, secs % 60)
}

#[cfg(test)]
mod tests {
    #[test]
    fn iso_dates_match_metas_format() {
        assert_eq!(super::iso(1_504_206_962), "2017-08-31T19:16:02+0000");
        assert_eq!(super::iso(0), "1970-01-01T00:00:00+0000");
    }
}
