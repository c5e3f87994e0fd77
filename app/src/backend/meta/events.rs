//! Webhook payloads (CONTRACT.md §10) parsed into events. Lenient where Meta is inconsistent
//! (ids as numbers or strings, junk timestamps, flat or nested changes); anything it does not know
//! becomes `Event::Other`, kept and never acted on.
use serde_json::Value;

/// The events of one `entry`, for one Instagram account.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The IG_ID of the account (`"0"` for the dashboard's Test button).
    pub account_id: String,
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
    /// What the sender attached on sending; on echoes of our replies, the report it fulfils.
    pub metadata: Option<String>,
    pub raw: Value,
}

/// A `comments` or `live_comments` change.
#[derive(Debug, Clone, PartialEq)]
pub struct CommentEvent {
    pub id: String,
    pub field: String,
    pub from_id: String,
    pub from_username: Option<String>,
    pub media_id: Option<String>,
    pub media_product_type: Option<String>,
    pub parent_id: Option<String>,
    pub text: Option<String>,
    pub timestamp_ms: i64,
    pub raw: Value,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("not a webhook payload: {0}")]
pub struct PayloadError(&'static str);

/// Parses a delivery. `received_ms` stands in for junk timestamps (the dashboard's test samples).
/// A payload for another product (`"object": "page"`) has no entries for us.
pub fn parse(body: &[u8], received_ms: i64) -> Result<Vec<Entry>, PayloadError> {
    let payload: Value = serde_json::from_slice(body).map_err(|_| PayloadError("invalid JSON"))?;
    if !payload.is_object() {
        return Err(PayloadError("not a JSON object"));
    }
    if payload["object"].as_str() != Some("instagram") {
        return Ok(Vec::new());
    }
    let entries = payload["entry"].as_array().ok_or(PayloadError("no entry list"))?;
    Ok(entries.iter().filter_map(|entry| parse_entry(entry, received_ms)).collect())
}

fn parse_entry(entry: &Value, received_ms: i64) -> Option<Entry> {
    let account_id = id(&entry["id"])?;
    let mut events = Vec::new();
    for item in entry["messaging"].as_array().into_iter().flatten() {
        events.push(messaging_event(item, received_ms));
    }
    for item in entry["standby"].as_array().into_iter().flatten() {
        // Messages while another app owns the thread: recorded, never answered.
        events.push(Event::Other { field: "standby".to_owned(), raw: item.clone() });
    }
    // Comments come in seconds; a junk or missing time is the time we received it.
    let entry_ms = timestamp(&entry["time"]).map(|t| if t < 100_000_000_000 { t * 1000 } else { t });
    let entry_ms = entry_ms.filter(|t| plausible(*t)).unwrap_or(received_ms);
    for change in entry["changes"].as_array().into_iter().flatten() {
        events.push(change_event(change, entry_ms));
    }
    if entry.get("field").is_some() && entry.get("value").is_some() {
        // The flat form of Meta's examples page: one change directly on the entry.
        let change = serde_json::json!({ "field": entry["field"], "value": entry["value"] });
        events.push(change_event(&change, entry_ms));
    }
    Some(Entry { account_id, events })
}

fn messaging_event(item: &Value, received_ms: i64) -> Event {
    let message = &item["message"];
    let (Some(mid), true) = (message["mid"].as_str(), message.is_object()) else {
        let field = ["reaction", "read", "postback", "referral", "message_edit", "optin"]
            .into_iter()
            .find(|k| item.get(*k).is_some())
            .unwrap_or("unknown");
        return Event::Other { field: field.to_owned(), raw: item.clone() };
    };
    let flag = |name: &str| message[name].as_bool().unwrap_or(false);
    Event::Message(MessageEvent {
        mid: mid.to_owned(),
        sender_id: id(&item["sender"]["id"]).unwrap_or_default(),
        recipient_id: id(&item["recipient"]["id"]).unwrap_or_default(),
        timestamp_ms: timestamp(&item["timestamp"]).filter(|t| plausible(*t)).unwrap_or(received_ms),
        text: message["text"].as_str().map(str::to_owned),
        is_echo: flag("is_echo") || flag("is_self"),
        is_deleted: flag("is_deleted"),
        is_unsupported: flag("is_unsupported"),
        has_attachments: message["attachments"].as_array().is_some_and(|a| !a.is_empty()),
        metadata: message["metadata"].as_str().map(str::to_owned),
        raw: item.clone(),
    })
}

fn change_event(change: &Value, entry_ms: i64) -> Event {
    let field = change["field"].as_str().unwrap_or("unknown").to_owned();
    let value = &change["value"];
    if field != "comments" && field != "live_comments" {
        return Event::Other { field, raw: change.clone() };
    }
    // Instagram Login's shape, or the older `comment_id`/`media_id` one.
    let comment_id = id(&value["id"]).or_else(|| id(&value["comment_id"]));
    let from_id = id(&value["from"]["id"]);
    let (Some(comment_id), Some(from_id)) = (comment_id, from_id) else {
        return Event::Other { field, raw: change.clone() };
    };
    Event::Comment(CommentEvent {
        id: comment_id,
        field,
        from_id,
        from_username: value["from"]["username"].as_str().map(str::to_owned),
        media_id: id(&value["media"]["id"]).or_else(|| id(&value["media_id"])),
        media_product_type: value["media"]["media_product_type"].as_str().map(str::to_owned),
        parent_id: id(&value["parent_id"]),
        text: value["text"].as_str().map(str::to_owned),
        timestamp_ms: entry_ms,
        raw: change.clone(),
    })
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
        assert!(m.has_attachments && m.text.is_none());
        assert_eq!(m.timestamp_ms, 1_732_300_000_120, "numeric strings are timestamps too");
    }

    #[test]
    fn reactions_reads_postbacks_and_edits_are_other_events() {
        for (key, value) in [
            ("reaction", json!({"mid": "m", "action": "react", "reaction": "love"})),
            ("read", json!({"mid": "m"})),
            ("postback", json!({"mid": "m", "title": "Quais os preços?", "payload": "PRICES"})),
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
        assert_eq!((c.media_id.as_deref(), c.timestamp_ms), (Some("17918195224117851"), 1_732_300_100_000));

        let flat = one(json!({"object": "instagram", "entry": [{"id": "17841405822304914", "time": 1_732_300_100,
            "field": "comments", "value": value}]}));
        assert_eq!(flat, nested);

        let old = one(
            json!({"object": "instagram", "entry": [{"id": 17_841_405_822_304_914_u64, "time": 1_732_300_100,
            "changes": [{"field": "comments", "value": {"comment_id": "9", "media_id": "8", "from": {"id": 7}, "text": "x"}}]}]}),
        );
        let Event::Comment(c) = &old[0] else { panic!("a comment") };
        assert_eq!((c.id.as_str(), c.media_id.as_deref(), c.from_id.as_str()), ("9", Some("8"), "7"));
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
}
