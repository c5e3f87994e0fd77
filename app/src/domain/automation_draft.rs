//! The automation editor's data: what the form sends, the checked draft it becomes, and what the
//! list shows.
use super::{
    automation::{AutomationKind, Keyword, ResponseType, Trigger},
    error::FieldError,
};
use serde::{Deserialize, Serialize};

pub const NAME_MAX_CHARS: usize = 100;
pub const KEYWORD_MAX_CHARS: usize = 64;
pub const KEYWORDS_MAX: usize = 30;
/// Posts and reels one comment automation may be limited to.
pub const MEDIA_MAX: usize = 100;
/// Meta's media ids are 17 or 18 digits; anything much longer is not one.
const MEDIA_ID_MAX_DIGITS: usize = 32;
/// The keywords field as typed, before it is split: room for every keyword and its separator.
const KEYWORDS_FIELD_MAX_CHARS: usize = KEYWORDS_MAX * (KEYWORD_MAX_CHARS + 2);
/// Meta's limit on a message's text, in bytes (CONTRACT.md §7).
pub const REPLY_MAX_BYTES: usize = 1000;

/// The editor form as sent: strings, as forms send them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutomationInput {
    pub name: String,
    pub kind: String,
    pub trigger: String,
    /// Keywords separated by commas or new lines.
    pub keywords: String,
    pub response_text: String,
    pub response_type: String,
    /// Post or reel ids for a comment automation; none means all.
    #[serde(default)]
    pub media_ids: Vec<String>,
}

/// A valid automation, ready to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AutomationDraft {
    pub name: String,
    pub kind: AutomationKind,
    pub trigger: Trigger,
    /// As typed (trimmed, without repeats); folded only for matching.
    pub keywords: Vec<String>,
    pub response_text: String,
    pub response_type: ResponseType,
    pub media_ids: Vec<String>,
}

impl AutomationDraft {
    /// Checks every field and reports every problem at once, each with a code the UI translates.
    pub fn parse(input: &AutomationInput) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut error = |field: &str, code: &str| errors.push(FieldError::new(field, code));

        let name = input.name.trim().to_owned();
        match name.chars().count() {
            0 => error("name", "required"),
            n if n > NAME_MAX_CHARS => error("name", "too_long"),
            _ => {}
        }
        let kind = AutomationKind::parse(&input.kind);
        if kind.is_none() {
            error("kind", "invalid");
        }
        let trigger = Trigger::parse(&input.trigger);
        if trigger.is_none() {
            error("trigger", "invalid");
        }
        let mut keywords: Vec<String> = Vec::new();
        let mut folded: Vec<Keyword> = Vec::new();
        let typed = if input.keywords.chars().count() > KEYWORDS_FIELD_MAX_CHARS {
            error("keywords", "too_many");
            ""
        } else {
            input.keywords.as_str()
        };
        for raw in typed.split([',', '\n']).map(str::trim).filter(|k| !k.is_empty()) {
            if raw.chars().count() > KEYWORD_MAX_CHARS {
                error("keywords", "keyword_too_long");
                continue;
            }
            match Keyword::parse(raw) {
                None => error("keywords", "keyword_invalid"),
                Some(keyword) if folded.contains(&keyword) => {}
                Some(keyword) => {
                    folded.push(keyword);
                    keywords.push(raw.to_owned());
                }
            }
        }
        if keywords.len() > KEYWORDS_MAX {
            error("keywords", "too_many");
        }
        let typed_any = input.keywords.split([',', '\n']).any(|k| !k.trim().is_empty());
        if trigger == Some(Trigger::Keyword) && !typed_any {
            error("keywords", "required");
        }
        let response_text = input.response_text.trim().to_owned();
        if response_text.is_empty() {
            error("response_text", "required");
        } else if response_text.len() > REPLY_MAX_BYTES {
            error("response_text", "too_long_bytes");
        }
        let response_type = ResponseType::parse(&input.response_type);
        match (kind, response_type) {
            (_, None) => error("response_type", "invalid"),
            (Some(AutomationKind::Dm), Some(ResponseType::Comment)) => error("response_type", "comment_only"),
            _ => {}
        }
        let mut media_ids: Vec<String> = Vec::new();
        if kind == Some(AutomationKind::Comment) {
            for id in input.media_ids.iter().map(|m| m.trim()).filter(|m| !m.is_empty()) {
                if !media_ids.iter().any(|m| m == id) {
                    media_ids.push(id.to_owned());
                }
            }
        }
        if media_ids.len() > MEDIA_MAX {
            error("media_ids", "too_many");
        } else if media_ids.iter().any(|m| m.len() > MEDIA_ID_MAX_DIGITS || !m.chars().all(|c| c.is_ascii_digit())) {
            error("media_ids", "invalid");
        }
        match (kind, trigger, response_type) {
            (Some(kind), Some(trigger), Some(response_type)) if errors.is_empty() => Ok(Self {
                name,
                kind,
                trigger,
                keywords: if trigger == Trigger::All { Vec::new() } else { keywords },
                response_text,
                response_type,
                media_ids,
            }),
            _ => Err(errors),
        }
    }
}

/// An automation as the list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutomationView {
    pub id: String,
    pub instance_id: String,
    pub name: String,
    pub kind: AutomationKind,
    pub trigger: Trigger,
    pub keywords: Vec<String>,
    pub response_text: String,
    pub response_type: ResponseType,
    pub media_ids: Vec<String>,
    pub is_active: bool,
    pub replies_today: i64,
    pub replies_total: i64,
}

impl AutomationView {
    /// The form's values for editing this automation.
    pub fn input(&self) -> AutomationInput {
        AutomationInput {
            name: self.name.clone(),
            kind: self.kind.as_str().to_owned(),
            trigger: self.trigger.as_str().to_owned(),
            keywords: self.keywords.join(", "),
            response_text: self.response_text.clone(),
            response_type: self.response_type.as_str().to_owned(),
            media_ids: self.media_ids.clone(),
        }
    }
}

/// The automations page: the caller's instances (tabs), the one shown, and its automations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutomationsOverview {
    pub instances: Vec<super::instance::InstanceCard>,
    /// `None` when the caller has no instance yet.
    pub instance_id: Option<String>,
    pub automations: Vec<AutomationView>,
}

/// What saving returns: the automation, and keywords another active automation of the instance
/// already answers (a warning, not an error).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saved {
    pub id: String,
    pub shared_keywords: Vec<String>,
}

/// A post or reel of the account, for limiting a comment automation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaItem {
    pub id: String,
    pub caption: Option<String>,
    pub thumbnail_url: Option<String>,
    pub permalink: Option<String>,
    /// `FEED`, `REELS`, ...
    pub product: Option<String>,
}

/// What the test box answers: the automation that would fire and the exact reply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrialOutcome {
    pub automation: Option<String>,
    pub keyword: Option<String>,
    pub reply: Option<String>,
    pub response_type: Option<ResponseType>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> AutomationInput {
        AutomationInput {
            name: " Preço ".into(),
            kind: "dm".into(),
            trigger: "keyword".into(),
            keywords: "preço, valor\nPRECO, quanto custa".into(),
            response_text: "Oi {username}!".into(),
            response_type: "direct".into(),
            media_ids: vec![],
        }
    }

    fn codes(input: &AutomationInput) -> Vec<(String, String)> {
        AutomationDraft::parse(input).err().unwrap_or_default().into_iter().map(|e| (e.field, e.code)).collect()
    }

    #[test]
    fn a_valid_form_becomes_a_draft_with_keywords_as_typed_without_repeats() {
        let draft = AutomationDraft::parse(&input()).expect("valid");
        assert_eq!(draft.name, "Preço");
        assert_eq!(draft.keywords, vec!["preço", "valor", "quanto custa"], "PRECO folds to preço");
        assert_eq!(
            (draft.kind, draft.trigger, draft.response_type),
            (AutomationKind::Dm, Trigger::Keyword, ResponseType::Direct)
        );
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let bad = AutomationInput {
            name: " ".into(),
            kind: "dm".into(),
            trigger: "keyword".into(),
            keywords: " , ".into(),
            response_text: "é".repeat(501),
            response_type: "comment".into(),
            media_ids: vec![],
        };
        assert_eq!(
            codes(&bad),
            vec![
                ("name".to_owned(), "required".to_owned()),
                ("keywords".to_owned(), "required".to_owned()),
                ("response_text".to_owned(), "too_long_bytes".to_owned()),
                ("response_type".to_owned(), "comment_only".to_owned()),
            ]
        );
        let long_keyword = AutomationInput { keywords: "a".repeat(65), ..input() };
        assert_eq!(codes(&long_keyword), vec![("keywords".to_owned(), "keyword_too_long".to_owned())]);
        let symbols = AutomationInput { keywords: "?!".into(), ..input() };
        assert_eq!(codes(&symbols), vec![("keywords".to_owned(), "keyword_invalid".to_owned())]);
        let unknown = AutomationInput { kind: "story".into(), ..input() };
        assert_eq!(codes(&unknown), vec![("kind".to_owned(), "invalid".to_owned())]);
    }

    #[test]
    fn the_reply_limit_is_metas_1000_bytes_not_characters() {
        let at_limit = AutomationInput { response_text: "ç".repeat(500), ..input() };
        assert!(AutomationDraft::parse(&at_limit).is_ok());
        let over = AutomationInput { response_text: "a".repeat(1001), ..input() };
        assert!(AutomationDraft::parse(&over).is_err());
    }

    #[test]
    fn only_comment_automations_keep_media_and_all_needs_no_keywords() {
        let comment = AutomationInput {
            kind: "comment".into(),
            trigger: "all".into(),
            keywords: String::new(),
            response_type: "comment".into(),
            media_ids: vec!["17918195224117851".into()],
            ..input()
        };
        let draft = AutomationDraft::parse(&comment).expect("valid");
        assert_eq!(draft.media_ids, vec!["17918195224117851"]);
        assert!(draft.keywords.is_empty());
        let dm = AutomationInput { media_ids: vec!["1".into()], ..input() };
        assert!(AutomationDraft::parse(&dm).expect("valid").media_ids.is_empty());
    }

    #[test]
    fn every_list_has_a_cap() {
        let comment = |media_ids: Vec<String>| AutomationInput {
            kind: "comment".into(),
            response_type: "comment".into(),
            media_ids,
            ..input()
        };
        let ids = |n: usize| (0..n).map(|i| format!("1789569566800{i:04}")).collect::<Vec<_>>();
        assert_eq!(AutomationDraft::parse(&comment(ids(MEDIA_MAX))).map(|d| d.media_ids.len()), Ok(MEDIA_MAX));
        let too_many = AutomationDraft::parse(&comment(ids(MEDIA_MAX + 1))).expect_err("over the cap");
        assert_eq!(too_many, vec![FieldError::new("media_ids", "too_many")]);
        let repeated = vec!["17895695668004550".to_owned(); MEDIA_MAX * 3];
        assert_eq!(
            AutomationDraft::parse(&comment(repeated)).map(|d| d.media_ids),
            Ok(vec!["17895695668004550".into()])
        );
        let long = AutomationDraft::parse(&comment(vec!["1".repeat(40)])).expect_err("not a media id");
        assert_eq!(long, vec![FieldError::new("media_ids", "invalid")]);
        let field = AutomationInput { keywords: "a,".repeat(KEYWORDS_FIELD_MAX_CHARS), ..input() };
        assert_eq!(
            AutomationDraft::parse(&field).expect_err("too long"),
            vec![FieldError::new("keywords", "too_many")]
        );
    }
}
