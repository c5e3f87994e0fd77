//! The Conversations API (CONTRACT.md §7, "Conversations API"): an account's conversations, newest
//! activity first; a conversation's 20 most recent messages; one message. What an app reads to
//! catch up on DMs whose webhooks it never received.
use crate::{errors::GraphError, graph::iso, world::World};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde_json::{json, Value};

/// Only this many of a conversation's newest messages can be read.
const READABLE_MESSAGES: usize = 20;

/// A conversation's id: opaque base64, as Meta's (`aWdfZ...`).
pub fn id_of(account: usize, igsid: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("ig_conversation:{account}:{igsid}"))
}

/// The (account, IGSID) of a conversation id.
pub fn parse(id: &str) -> Option<(usize, String)> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(id).ok()?).ok()?;
    let (account, igsid) = text.strip_prefix("ig_conversation:")?.split_once(':')?;
    Some((account.parse().ok()?, igsid.to_owned()))
}

/// The account's conversations (optionally with one person), newest activity first.
pub fn list(world: &World, account: usize, user_id: Option<&str>) -> Vec<(String, i64)> {
    let mut latest: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
    for message in world.messages.values().filter(|m| m.account == account) {
        if user_id.is_some_and(|u| u != message.igsid) {
            continue;
        }
        let at = latest.entry(message.igsid.as_str()).or_insert(message.at_ms);
        *at = (*at).max(message.at_ms);
    }
    let mut list: Vec<(String, i64)> = latest.into_iter().map(|(igsid, at)| (id_of(account, igsid), at)).collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| b.0.cmp(&a.0)));
    list
}

/// A message as the Graph API gives it, with every field it has.
pub fn message_json(world: &World, mid: &str) -> Option<Value> {
    let message = world.messages.get(mid)?;
    let account = &world.accounts[message.account];
    let person = json!({
        "id": message.igsid,
        "username": world.person_by_igsid(&message.igsid).map(|p| p.username.clone()).unwrap_or_default(),
    });
    let own = json!({ "id": account.ig_id, "username": account.username });
    let (from, to) = if message.from_business { (own, person) } else { (person, own) };
    Some(json!({
        "id": mid,
        "created_time": iso(message.at_ms.div_euclid(1000)),
        "from": from,
        "to": { "data": [to] },
        "message": message.text.clone().unwrap_or_default(),
    }))
}

/// The newest readable messages of a conversation, newest first, with `fields` of each (`id` and
/// `created_time` when none are asked for, as Meta answers `fields=messages`).
pub fn messages(world: &World, account: usize, igsid: &str, fields: Option<&[String]>) -> Result<Value, GraphError> {
    let mut mids: Vec<(&String, i64)> = world
        .messages
        .iter()
        .filter(|(_, m)| m.account == account && m.igsid == igsid)
        .map(|(mid, m)| (mid, m.at_ms))
        .collect();
    mids.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| b.0.cmp(a.0)));
    let default = ["id".to_owned(), "created_time".to_owned()];
    let fields = fields.unwrap_or(&default);
    let data = mids
        .into_iter()
        .take(READABLE_MESSAGES)
        .filter_map(|(mid, _)| message_json(world, mid))
        .map(|all| pick(&all, fields))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json!({ "data": data }))
}

pub fn pick(all: &Value, fields: &[String]) -> Result<Value, GraphError> {
    let mut out = serde_json::Map::new();
    for field in fields {
        let value = all.get(field).ok_or_else(|| {
            GraphError::invalid_parameter(format!(
                "(#100) Tried accessing nonexisting field ({field}) on node type (Message)"
            ))
        })?;
        out.insert(field.clone(), value.clone());
    }
    Ok(Value::Object(out))
}

/// `fields=messages{id,from,message}` → `Some(["id","from","message"])`; `fields=messages` → `None`.
pub fn nested_fields(fields: &str) -> Option<Option<Vec<String>>> {
    let rest = fields.trim().strip_prefix("messages")?;
    if rest.is_empty() {
        return Some(None);
    }
    let inner = rest.strip_prefix('{')?.strip_suffix('}')?;
    Some(Some(inner.split(',').map(|f| f.trim().to_owned()).filter(|f| !f.is_empty()).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversation_ids_are_opaque_and_round_trip() {
        let id = id_of(3, "1254477777772919");
        assert!(!id.contains("1254477777772919"));
        assert_eq!(parse(&id), Some((3, "1254477777772919".to_owned())));
        assert_eq!(parse("not-one"), None);
    }

    #[test]
    fn nested_message_fields_are_read_like_graphs_syntax() {
        assert_eq!(nested_fields("messages"), Some(None));
        assert_eq!(
            nested_fields("messages{id,from,message}"),
            Some(Some(vec!["id".to_owned(), "from".to_owned(), "message".to_owned()]))
        );
        assert_eq!(nested_fields("participants"), None);
    }
}
