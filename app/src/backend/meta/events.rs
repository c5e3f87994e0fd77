//! Webhook payloads (CONTRACT.md §10) parsed into events. Lenient where Meta is inconsistent
//! (ids as numbers or strings, junk timestamps, flat or nested changes); anything it does not know
//! becomes `Event::Other`, kept and never acted on. Strict where storage is: what PostgreSQL
//! cannot hold is cleaned (NUL characters, lone surrogates) or, beyond sane sizes, refused for
//! that one event with a reason, never for the whole delivery.
use crate::domain::dead_letter::DeadLetterReason as Reason;
use crate::domain::id::{CommentId, MediaId};
use serde_json::Value;
use std::borrow::Cow;

/// Ids longer than this are refused: real ones are under 200 bytes (a `mid` is about 150),
/// and PostgreSQL's unique indexes cannot hold a few thousand.
pub const MAX_ID_BYTES: usize = 512;
/// Texts longer than this are refused: Instagram caps DMs at 1,000 characters and comments at
/// 2,200, so anything beyond is not a person typing.
pub const MAX_TEXT_BYTES: usize = 16 * 1024;
/// Instagram usernames have at most 30 characters.
pub const MAX_USERNAME_BYTES: usize = 255;

/// The events of one `entry`, for one Instagram account.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The IG_ID of the account (`"0"` for the dashboard's Test button; empty when missing).
    pub account_id: String,
    /// In the order of the payload: `messaging`, `standby`, then `changes`. The position of an
    /// event here is how a dead letter points back into the stored delivery.
    pub events: Vec<Event>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Message(MessageEvent),
    Comment(CommentEvent),
    /// Reactions, read receipts, postbacks, edits, referrals, mentions, standby and unknown kinds.
    Other {
        field: String,
        raw: Value,
    },
    /// Cannot be stored as it is (an id of thousands of characters, say): recorded as refused.
    Refused(Refusal),
}

/// Why one event of a delivery was not taken in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub field: String,
    pub reason: Reason,
    /// What it was, short enough to show: the field, the start of its id, sizes.
    pub summary: String,
}

/// A `messages` item: an inbound DM, or the echo of one the account sent.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageEvent {
    pub mid: String,
    pub sender_id: String,
    pub recipient_id: String,
    pub timestamp_ms: i64,
    pub text: Option<String>,
    pub is_echo: bool,
    pub is_deleted: bool,
    pub is_unsupported: bool,
    /// Images, shares, story mentions, ...: not text a keyword can match.
    pub has_attachments: bool,
    /// A reply to the account's story (`reply_to.story`).
    pub story_reply: bool,
    /// The person mentioned the account in their story (a `story_mention` attachment).
    pub story_mention: bool,
    /// What the sender attached on sending; on echoes of our replies, the report it fulfils.
    pub metadata: Option<String>,
    /// A tap on a quick reply (`quick_reply.payload`) or a postback button (`postback.payload`;
    /// the button's title is the text): what the message or button we sent offered.
    pub tap_payload: Option<String>,
    pub raw: Value,
}

/// A `comments` or `live_comments` change.
#[derive(Debug, Clone, PartialEq)]
pub struct CommentEvent {
    pub id: CommentId,
    pub field: String,
    pub from_id: String,
    pub from_username: Option<String>,
    pub media_id: Option<MediaId>,
    pub media_product_type: Option<String>,
    /// On an ad: the organic post the ad promotes.
    pub original_media_id: Option<MediaId>,
    pub parent_id: Option<CommentId>,
    pub text: Option<String>,
    pub timestamp_ms: i64,
    pub raw: Value,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("not a webhook payload: {0}")]
pub struct PayloadError(&'static str);

/// The body as JSON, with every lone surrogate escape (`\ud83d` without its pair: a client cut an
/// emoji in half) replaced by U+FFFD, which strict JSON parsers, ours included, refuse.
pub fn json_value(body: &[u8]) -> Result<Value, PayloadError> {
    match serde_json::from_slice(body) {
        Ok(value) => Ok(value),
        Err(_) => match repair_surrogates(body) {
            Cow::Owned(repaired) => serde_json::from_slice(&repaired).map_err(|_| PayloadError("invalid JSON")),
            Cow::Borrowed(_) => Err(PayloadError("invalid JSON")),
        },
    }
}

/// Parses a delivery. `received_ms` stands in for junk timestamps (the dashboard's test samples).
/// A payload for another product (`"object": "page"`) has no entries for us.
pub fn parse(body: &[u8], received_ms: i64) -> Result<Vec<Entry>, PayloadError> {
    let payload = json_value(body)?;
    if !payload.is_object() {
        return Err(PayloadError("not a JSON object"));
    }
    if payload["object"].as_str() != Some("instagram") {
        return Ok(Vec::new());
    }
    let entries = payload["entry"].as_array().ok_or(PayloadError("no entry list"))?;
    Ok(entries.iter().map(|entry| parse_entry(entry, received_ms)).collect())
}

fn parse_entry(entry: &Value, received_ms: i64) -> Entry {
    let mut events = Vec::new();
    for item in entry["messaging"].as_array().into_iter().flatten() {
        events.push(checked(messaging_event(item, received_ms)));
    }
    for item in entry["standby"].as_array().into_iter().flatten() {
        // Messages while another app owns the thread: recorded, never answered.
        events.push(Event::Other { field: "standby".to_owned(), raw: clean(item) });
    }
    // Comments come in seconds; a junk or missing time is the time we received it.
    let entry_ms = timestamp(&entry["time"]).map(|t| if t < 100_000_000_000 { t * 1000 } else { t });
    let entry_ms = entry_ms.filter(|t| plausible(*t)).unwrap_or(received_ms);
    for change in entry["changes"].as_array().into_iter().flatten() {
        events.push(checked(change_event(change, entry_ms)));
    }
    if entry.get("field").is_some() && entry.get("value").is_some() {
        // The flat form of Meta's examples page: one change directly on the entry.
        let change = serde_json::json!({ "field": entry["field"], "value": entry["value"] });
        events.push(checked(change_event(&change, entry_ms)));
    }
    match id(&entry["id"]) {
        Some(account_id) if account_id.len() <= MAX_ID_BYTES && printable(&account_id) => Entry { account_id, events },
        // Whose events these are cannot be known: every one is refused, none silently dropped.
        _ => Entry {
            account_id: String::new(),
            events: events
                .iter()
                .map(|event| {
                    Event::Refused(Refusal {
                        field: field_of(event).to_owned(),
                        reason: Reason::NoAccountId,
                        summary: format!("{}: entry without a usable account id", field_of(event)),
                    })
                })
                .collect(),
        },
    }
}

fn field_of(event: &Event) -> &str {
    match event {
        Event::Message(_) => "messages",
        Event::Comment(c) => &c.field,
        Event::Other { field, .. } => field,
        Event::Refused(r) => &r.field,
    }
}

fn messaging_event(item: &Value, received_ms: i64) -> Event {
    if let (Some(mid), Some(payload)) = (item["postback"]["mid"].as_str(), item["postback"]["payload"].as_str()) {
        // A tap on a postback button (or an ice breaker): a message from the person whose text
        // is the button's title.
        return Event::Message(MessageEvent {
            mid: mid.to_owned(),
            sender_id: id(&item["sender"]["id"]).unwrap_or_default(),
            recipient_id: id(&item["recipient"]["id"]).unwrap_or_default(),
            timestamp_ms: timestamp(&item["timestamp"]).filter(|t| plausible(*t)).unwrap_or(received_ms),
            text: item["postback"]["title"].as_str().map(without_nul),
            is_echo: false,
            is_deleted: false,
            is_unsupported: false,
            has_attachments: false,
            story_reply: false,
            story_mention: false,
            metadata: None,
            tap_payload: Some(without_nul(payload)),
            raw: clean(item),
        });
    }
    let message = &item["message"];
    let (Some(mid), true) = (message["mid"].as_str(), message.is_object()) else {
        let field = ["reaction", "read", "postback", "referral", "message_edit", "optin"]
            .into_iter()
            .find(|k| item.get(*k).is_some())
            .unwrap_or("unknown");
        return Event::Other { field: field.to_owned(), raw: clean(item) };
    };
    let flag = |name: &str| message[name].as_bool().unwrap_or(false);
    Event::Message(MessageEvent {
        mid: mid.to_owned(),
        sender_id: id(&item["sender"]["id"]).unwrap_or_default(),
        recipient_id: id(&item["recipient"]["id"]).unwrap_or_default(),
        timestamp_ms: timestamp(&item["timestamp"]).filter(|t| plausible(*t)).unwrap_or(received_ms),
        text: message["text"].as_str().map(without_nul),
        is_echo: flag("is_echo") || flag("is_self"),
        is_deleted: flag("is_deleted"),
        is_unsupported: flag("is_unsupported"),
        has_attachments: message["attachments"].as_array().is_some_and(|a| !a.is_empty()),
        story_reply: message["reply_to"]["story"].is_object(),
        story_mention: message["attachments"]
            .as_array()
            .is_some_and(|a| a.iter().any(|attachment| attachment["type"] == "story_mention")),
        metadata: message["metadata"].as_str().map(without_nul),
        tap_payload: message["quick_reply"]["payload"].as_str().map(without_nul),
        raw: clean(item),
    })
}

fn change_event(change: &Value, entry_ms: i64) -> Event {
    let field = change["field"].as_str().map_or_else(|| "unknown".to_owned(), without_nul);
    let value = &change["value"];
    if field != "comments" && field != "live_comments" {
        return Event::Other { field, raw: clean(change) };
    }
    // Instagram Login's shape, or the older `comment_id`/`media_id` one.
    let comment_id = id(&value["id"]).or_else(|| id(&value["comment_id"]));
    let from_id = id(&value["from"]["id"]);
    let (Some(comment_id), Some(from_id)) = (comment_id, from_id) else {
        return Event::Other { field, raw: clean(change) };
    };
    Event::Comment(CommentEvent {
        id: CommentId::new(comment_id),
        field,
        from_id,
        from_username: value["from"]["username"].as_str().map(without_nul),
        media_id: id(&value["media"]["id"]).or_else(|| id(&value["media_id"])).map(MediaId::new),
        media_product_type: value["media"]["media_product_type"].as_str().map(without_nul),
        original_media_id: id(&value["media"]["original_media_id"]).map(MediaId::new),
        parent_id: id(&value["parent_id"]).map(CommentId::new),
        text: value["text"].as_str().map(without_nul),
        timestamp_ms: entry_ms,
        raw: clean(change),
    })
}

/// The event, or its refusal when an id, a text or a username is beyond what can be stored.
fn checked(event: Event) -> Event {
    let (field, ids, text, username): (&str, Vec<&str>, Option<&str>, Option<&str>) = match &event {
        Event::Message(m) => {
            ("messages", vec![m.mid.as_str(), m.sender_id.as_str(), m.recipient_id.as_str()], m.text.as_deref(), None)
        }
        Event::Comment(c) => (
            c.field.as_str(),
            [
                Some(c.id.as_str()),
                Some(c.from_id.as_str()),
                c.media_id.as_ref().map(MediaId::as_str),
                c.parent_id.as_ref().map(CommentId::as_str),
                c.original_media_id.as_ref().map(MediaId::as_str),
            ]
            .into_iter()
            .flatten()
            .collect(),
            c.text.as_deref(),
            c.from_username.as_deref(),
        ),
        Event::Other { .. } | Event::Refused(_) => return event,
    };
    let refuse = |reason: Reason, summary: String| {
        Event::Refused(Refusal { field: field.to_owned(), reason, summary: format!("{field}: {summary}") })
    };
    if let Some(long) = ids.iter().find(|id| id.len() > MAX_ID_BYTES) {
        return refuse(Reason::IdTooLong, format!("id {}… of {} bytes", preview(long), long.len()));
    }
    if let Some(bad) = ids.iter().find(|id| !printable(id)) {
        return refuse(Reason::IdInvalid, format!("id {} with control characters", preview(bad)));
    }
    if let Some(text) = text.filter(|t| t.len() > MAX_TEXT_BYTES) {
        return refuse(Reason::TextTooLong, format!("text of {} bytes from id {}", text.len(), preview(ids[0])));
    }
    if let Some(name) = username.filter(|u| u.len() > MAX_USERNAME_BYTES) {
        return refuse(Reason::UsernameTooLong, format!("username of {} bytes on id {}", name.len(), preview(ids[0])));
    }
    event
}

/// The first characters of an id, for a summary.
fn preview(id: &str) -> String {
    id.chars().filter(|c| !c.is_control()).take(24).collect()
}

/// Ids are opaque but printable: digits, or base64 for message ids.
fn printable(id: &str) -> bool {
    !id.chars().any(char::is_control)
}

/// PostgreSQL's text and jsonb cannot hold U+0000 (Meta relays what people type): it is dropped.
/// The delivery keeps the exact bytes.
fn without_nul(text: &str) -> String {
    text.replace('\0', "")
}

/// A copy of `value` without U+0000 in any string or key, as jsonb accepts it.
fn clean(value: &Value) -> Value {
    match value {
        Value::String(s) if s.contains('\0') => Value::String(without_nul(s)),
        Value::Array(items) => Value::Array(items.iter().map(clean).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (without_nul(k), clean(v))).collect()),
        other => other.clone(),
    }
}

/// Replaces `\uD800`-`\uDFFF` escapes that are not part of a surrogate pair with `\uFFFD`.
/// Borrowed when there was nothing to repair.
fn repair_surrogates(body: &[u8]) -> Cow<'_, [u8]> {
    fn escape_at(body: &[u8], i: usize) -> Option<u16> {
        let digits = body.get(i + 2..i + 6)?;
        if body.get(i..i + 2)? != b"\\u" {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
    }
    let mut out: Option<Vec<u8>> = None;
    let mut i = 0;
    let mut backslashes = 0;
    while i < body.len() {
        let byte = body[i];
        // An escape starts at a backslash preceded by an even number of backslashes.
        if byte == b'\\' && backslashes % 2 == 0 {
            if let Some(unit) = escape_at(body, i) {
                let pair = (0xD800..0xDC00).contains(&unit)
                    && escape_at(body, i + 6).is_some_and(|next| (0xDC00..0xE000).contains(&next));
                if pair {
                    if let Some(out) = out.as_mut() {
                        out.extend_from_slice(&body[i..i + 12]);
                    }
                    i += 12;
                    backslashes = 0;
                    continue;
                }
                if (0xD800..0xE000).contains(&unit) {
                    out.get_or_insert_with(|| body[..i].to_vec()).extend_from_slice(b"\\ufffd");
                    i += 6;
                    backslashes = 0;
                    continue;
                }
            }
        }
        backslashes = if byte == b'\\' { backslashes + 1 } else { 0 };
        if let Some(out) = out.as_mut() {
            out.push(byte);
        }
        i += 1;
    }
    out.map_or(Cow::Borrowed(body), Cow::Owned)
}

/// Ids are digit strings, sometimes sent as JSON numbers (which may exceed 2^53: never via f64).
fn id(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) if n.is_u64() => Some(n.to_string()),
        _ => None,
    }
}

fn timestamp(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// After 2010 and before 2100, in milliseconds.
fn plausible(ms: i64) -> bool {
    (1_262_304_000_000..4_102_444_800_000).contains(&ms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: i64 = 1_732_300_999_000;

    fn one(payload: Value) -> Vec<Event> {
        let entries = parse(payload.to_string().as_bytes(), NOW).expect("parses");
        assert_eq!(entries.len(), 1);
        entries.into_iter().next().map(|e| e.events).unwrap_or_default()
    }

    fn messaging(item: Value) -> Value {
        json!({"object": "instagram", "entry": [{"time": 1_732_300_000_123_i64, "id": "17841405822304914", "messaging": [item]}]})
    }

    #[test]
    fn a_text_dm_and_its_echo() {
        let events =
            one(messaging(json!({"sender": {"id": "1254477777772919"}, "recipient": {"id": "17841405822304914"},
            "timestamp": 1_732_300_000_120_i64, "message": {"mid": "m1", "text": "Quanto custa?"}})));
        let Event::Message(m) = &events[0] else { panic!("a message: {events:?}") };
        assert_eq!((m.mid.as_str(), m.text.as_deref(), m.is_echo), ("m1", Some("Quanto custa?"), false));
        assert_eq!((m.sender_id.as_str(), m.timestamp_ms), ("1254477777772919", 1_732_300_000_120));

        let events = one(messaging(json!({"sender": {"id": "17841405822304914"}, "recipient": {"id": "1"},
            "timestamp": 1_732_300_000_120_i64, "message": {"mid": "m2", "text": "Oi", "is_echo": true, "metadata": "ic:abc"}})));
        let Event::Message(m) = &events[0] else { panic!("a message") };
        assert!(m.is_echo);
        assert_eq!(m.metadata.as_deref(), Some("ic:abc"));
    }

    #[test]
    fn deleted_unsupported_and_attachment_messages_are_flagged() {
        let events = one(messaging(json!({"sender": {"id": "1"}, "recipient": {"id": "2"}, "timestamp": 1,
            "message": {"mid": "m3", "is_deleted": true}})));
        let Event::Message(m) = &events[0] else { panic!("a message") };
        assert!(m.is_deleted);
        assert_eq!(m.timestamp_ms, NOW, "a junk timestamp falls back to the arrival time");
        let events =
            one(messaging(json!({"sender": {"id": "1"}, "recipient": {"id": "2"}, "timestamp": "1732300000120",
            "message": {"mid": "m4", "attachments": [{"type": "story_mention", "payload": {"url": "https://x"}}]}})));
        let Event::Message(m) = &events[0] else { panic!("a message") };
        assert!(m.has_attachments && m.story_mention && m.text.is_none());
        assert_eq!(m.timestamp_ms, 1_732_300_000_120, "numeric strings are timestamps too");
    }

    #[test]
    fn taps_are_messages_carrying_their_payload() {
        let postback = one(messaging(json!({"sender": {"id": "1"}, "recipient": {"id": "2"}, "timestamp": 1,
            "postback": {"mid": "m", "title": "Quais os preços?", "payload": "PRICES"}})));
        let Event::Message(m) = &postback[0] else { panic!("a message: {postback:?}") };
        assert_eq!(
            (m.text.as_deref(), m.tap_payload.as_deref(), m.is_echo),
            (Some("Quais os preços?"), Some("PRICES"), false)
        );
        let quick = one(messaging(json!({"sender": {"id": "1"}, "recipient": {"id": "2"}, "timestamp": 1,
            "message": {"mid": "q", "text": "M", "quick_reply": {"payload": "SIZE_M"}}})));
        let Event::Message(m) = &quick[0] else { panic!("a message") };
        assert_eq!((m.text.as_deref(), m.tap_payload.as_deref()), (Some("M"), Some("SIZE_M")));
        let story = one(messaging(json!({"sender": {"id": "1"}, "recipient": {"id": "2"}, "timestamp": 1,
            "message": {"mid": "s", "text": "Quero!", "reply_to": {"story": {"id": "179", "url": "https://x"}}}})));
        let Event::Message(m) = &story[0] else { panic!("a message") };
        assert!(m.story_reply && !m.story_mention && m.tap_payload.is_none());
    }

    #[test]
    fn reactions_reads_postbacks_without_a_mid_and_edits_are_other_events() {
        for (key, value) in [
            ("reaction", json!({"mid": "m", "action": "react", "reaction": "love"})),
            ("read", json!({"mid": "m"})),
            ("postback", json!({"title": "Quais os preços?", "payload": "PRICES"})),
            ("message_edit", json!({"mid": "m", "num_edit": 0})),
        ] {
            let events =
                one(messaging(json!({"sender": {"id": "1"}, "recipient": {"id": "2"}, "timestamp": 1, key: value})));
            assert!(matches!(&events[0], Event::Other { field, .. } if field == key), "{key}: {events:?}");
        }
    }

    #[test]
    fn comments_nested_flat_and_old_shapes() {
        let value = json!({"from": {"id": "1254477777772919", "username": "cliente.fiel"},
            "media": {"id": "17918195224117851", "media_product_type": "FEED"}, "id": "17870913679156914", "text": "Quanto custa?"});
        let nested = one(json!({"object": "instagram", "entry": [{"id": "17841405822304914", "time": 1_732_300_100,
            "changes": [{"field": "comments", "value": value}]}]}));
        let Event::Comment(c) = &nested[0] else { panic!("a comment") };
        assert_eq!((c.id.as_str(), c.from_username.as_deref()), ("17870913679156914", Some("cliente.fiel")));
        assert_eq!(
            (c.media_id.as_ref().map(MediaId::as_str), c.timestamp_ms),
            (Some("17918195224117851"), 1_732_300_100_000)
        );

        let flat = one(json!({"object": "instagram", "entry": [{"id": "17841405822304914", "time": 1_732_300_100,
            "field": "comments", "value": value}]}));
        assert_eq!(flat, nested);

        let old = one(
            json!({"object": "instagram", "entry": [{"id": 17_841_405_822_304_914_u64, "time": 1_732_300_100,
            "changes": [{"field": "comments", "value": {"comment_id": "9", "media_id": "8", "from": {"id": 7}, "text": "x"}}]}]}),
        );
        let Event::Comment(c) = &old[0] else { panic!("a comment") };
        assert_eq!(
            (c.id.as_str(), c.media_id.as_ref().map(MediaId::as_str), c.from_id.as_str()),
            ("9", Some("8"), "7")
        );
    }

    #[test]
    fn batches_keep_every_entry_and_item_and_other_products_are_ignored() {
        let body = json!({"object": "instagram", "entry": [
            {"id": "1", "time": 1_732_300_000_000_i64, "messaging": [{"sender": {"id": "5"}, "recipient": {"id": "1"}, "timestamp": 1, "message": {"mid": "a", "text": "x"}}]},
            {"id": "2", "time": 1_732_300_100, "changes": [
                {"field": "comments", "value": {"id": "c1", "from": {"id": "5"}, "text": "x"}},
                {"field": "mentions", "value": {"media_id": "m", "comment_id": "c2"}},
                {"field": "story_insights", "value": {"media_id": "m", "reach": -1}}]}]});
        let entries = parse(body.to_string().as_bytes(), NOW).expect("parses");
        assert_eq!(entries.iter().map(|e| e.events.len()).collect::<Vec<_>>(), vec![1, 3]);
        assert_eq!(parse(br#"{"object":"page","entry":[{"id":"1"}]}"#, NOW), Ok(Vec::new()));
        assert!(parse(b"{not json", NOW).is_err());
        assert!(parse(b"[1]", NOW).is_err());
    }

    #[test]
    fn nul_characters_are_dropped_from_texts_and_raw_values_but_the_event_is_kept() {
        let body = br#"{"object":"instagram","entry":[{"id":"1","time":1732300000000,"messaging":[{"sender":{"id":"5"},"recipient":{"id":"1"},"timestamp":1732300000000,"message":{"mid":"m1","text":"pre\u0000\u00e7o?","k\u0000":"v\u0000"}}]}]}"#;
        let entries = parse(body, NOW).expect("parses");
        let Event::Message(m) = &entries[0].events[0] else { panic!("a message: {entries:?}") };
        assert_eq!(m.text.as_deref(), Some("preço?"));
        assert_eq!(m.raw["message"]["k"], "v", "keys and values of the raw item are cleaned too");
        assert!(!m.raw.to_string().contains("\\u0000"));
    }

    #[test]
    fn an_id_or_text_beyond_the_limits_refuses_that_event_alone() {
        let long = "9".repeat(MAX_ID_BYTES + 1);
        let body = json!({"object": "instagram", "entry": [{"id": "1", "time": 1_732_300_000_000_i64, "messaging": [
            {"sender": {"id": "5"}, "recipient": {"id": "1"}, "timestamp": 1, "message": {"mid": long, "text": "x"}},
            {"sender": {"id": "5"}, "recipient": {"id": "1"}, "timestamp": 1, "message": {"mid": "ok", "text": "y".repeat(MAX_TEXT_BYTES + 1)}},
            {"sender": {"id": "5"}, "recipient": {"id": "1"}, "timestamp": 1, "message": {"mid": "fine", "text": "z"}}],
            "changes": [{"field": "comments", "value": {"id": "c\u{1}", "from": {"id": "5"}, "text": "x"}}]}]});
        let entries = parse(body.to_string().as_bytes(), NOW).expect("parses");
        let reasons: Vec<&str> = entries[0]
            .events
            .iter()
            .map(|e| match e {
                Event::Refused(r) => r.reason.as_str(),
                _ => "kept",
            })
            .collect();
        assert_eq!(reasons, ["id_too_long", "text_too_long", "kept", "id_invalid"]);
        let Event::Refused(refusal) = &entries[0].events[0] else { panic!("refused") };
        assert!(refusal.summary.len() < 100, "the summary is short: {}", refusal.summary);
    }

    #[test]
    fn an_entry_without_a_usable_account_id_has_every_event_refused() {
        let body = json!({"object": "instagram", "entry": [{"time": 1_732_300_000_000_i64, "messaging": [
            {"sender": {"id": "5"}, "recipient": {"id": "1"}, "timestamp": 1, "message": {"mid": "a", "text": "x"}}]}]});
        let entries = parse(body.to_string().as_bytes(), NOW).expect("parses");
        assert_eq!(entries[0].account_id, "");
        assert!(matches!(&entries[0].events[0], Event::Refused(r) if r.reason == Reason::NoAccountId));
    }

    #[test]
    fn lone_surrogates_become_replacement_characters_and_pairs_stay() {
        let body = br#"{"object":"instagram","entry":[{"id":"1","time":1732300000000,"messaging":[{"sender":{"id":"5"},"recipient":{"id":"1"},"timestamp":1732300000000,"message":{"mid":"m1","text":"a\ud83db \ud83d\ude00 \\ud83d \udc00"}}]}]}"#;
        assert!(serde_json::from_slice::<Value>(body).is_err(), "strict JSON refuses it");
        let entries = parse(body, NOW).expect("parses once repaired");
        let Event::Message(m) = &entries[0].events[0] else { panic!("a message") };
        assert_eq!(m.text.as_deref(), Some("a\u{fffd}b 😀 \\ud83d \u{fffd}"), "an escaped backslash is not an escape");
        assert!(json_value(b"{\"a\": \"\\ud83d\" ").is_err(), "still invalid for another reason");
    }
}
