//! The automation editor's data: what the form sends, the checked draft it becomes, and what the
//! list shows.
use super::id::{AutomationId, InstanceId, MediaId};
use super::{
    automation::{
        Attachment, AutomationKind, Button, ButtonAction, Card, DmFormat, DmSource, Keyword, MatchMode, MediaKind,
        PerPerson, QuickReply, Trigger,
    },
    error::FieldError,
};
use crate::domain::error::FieldCode;
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
/// Public reply variants per automation.
pub const PUBLIC_REPLIES_MAX: usize = 10;
/// Instagram's limit on a comment's text, in characters.
pub const PUBLIC_REPLY_MAX_CHARS: usize = 2200;
/// Meta's limits on what goes under a DM (CONTRACT.md §7).
pub const BUTTONS_MAX: usize = 3;
pub const QUICK_REPLIES_MAX: usize = 13;
pub const TAP_TITLE_MAX_CHARS: usize = 20;
/// A DM with buttons is a button template, whose text Meta caps at 640 characters.
pub const BUTTON_TEXT_MAX_CHARS: usize = 640;
const URL_MAX_CHARS: usize = 2000;
/// Meta's generic template: at most 10 cards, a title and a subtitle of at most 80 characters.
pub const CARDS_MAX: usize = 10;
pub const CARD_TEXT_MAX_CHARS: usize = 80;
/// What "once per N hours" defaults to, and what an automation answering everything gets when
/// the caller does not say.
pub const DEFAULT_HOURS: u32 = 24;

/// The editor form as sent: strings, as forms send them. Fields added after the first version
/// default, so older callers keep working.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct AutomationInput {
    pub name: String,
    pub kind: String,
    /// For a DM automation: `messages` (empty means it), `story_replies` or `story_mentions`.
    #[serde(default)]
    pub dm_source: String,
    pub trigger: String,
    /// `contains` (empty means it), `exact` or `starts_with`.
    #[serde(default)]
    pub match_mode: String,
    /// Keywords separated by commas or new lines.
    pub keywords: String,
    /// Words that stop a match, separated like keywords.
    #[serde(default)]
    pub exclude_keywords: String,
    /// The DM (a comment's private reply); empty means none.
    #[serde(default)]
    pub direct_reply: String,
    /// A comment's public reply variants, one per line; empty means none.
    #[serde(default)]
    pub public_replies: String,
    /// `always`, `once` or `hours`; empty means `always`, or once per day for `all`.
    #[serde(default)]
    pub per_person: String,
    #[serde(default)]
    pub per_person_hours: String,
    /// Post or reel ids for a comment automation; none means all.
    #[serde(default)]
    pub media_ids: Vec<String>,
    /// Buttons under the DM; rows left blank are ignored.
    #[serde(default)]
    pub buttons: Vec<ButtonInput>,
    /// Quick replies under the DM; rows left blank are ignored.
    #[serde(default)]
    pub quick_replies: Vec<QuickReplyInput>,
    /// What the DM is: `text` (empty means it), `cards` or `media`.
    #[serde(default)]
    pub dm_format: String,
    /// The carousel of a `cards` DM; rows left blank are ignored.
    #[serde(default)]
    pub cards: Vec<CardInput>,
    /// The file of a `media` DM: `image`, `video`, `audio` or `file`, and its address.
    #[serde(default)]
    pub media_kind: String,
    #[serde(default)]
    pub media_url: String,
}

/// A card row of the form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CardInput {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub subtitle: String,
    #[serde(default)]
    pub image_url: String,
    #[serde(default)]
    pub buttons: Vec<ButtonInput>,
}

impl CardInput {
    pub fn is_blank(&self) -> bool {
        [&self.title, &self.subtitle, &self.image_url].iter().all(|f| f.trim().is_empty())
            && self.buttons.iter().all(ButtonInput::is_blank)
    }
}

/// A button row of the form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ButtonInput {
    #[serde(default)]
    pub title: String,
    /// `link` or `follow_up`.
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub automation_id: String,
}

impl From<&Button> for ButtonInput {
    fn from(b: &Button) -> Self {
        match &b.action {
            ButtonAction::Link { url } => {
                Self { title: b.title.clone(), action: "link".into(), url: url.clone(), ..Self::default() }
            }
            ButtonAction::FollowUp { automation_id } => Self {
                title: b.title.clone(),
                action: "follow_up".into(),
                automation_id: automation_id.to_string(),
                ..Self::default()
            },
        }
    }
}

impl ButtonInput {
    pub fn is_blank(&self) -> bool {
        self.title.trim().is_empty() && self.url.trim().is_empty() && self.automation_id.trim().is_empty()
    }
}

/// A quick-reply row of the form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct QuickReplyInput {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub automation_id: String,
}

/// A follow-up target as typed: an automation id (its existence is the server's check).
pub fn automation_ref(raw: &str) -> Option<AutomationId> {
    let id = raw.trim();
    (id.len() == 36 && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-'))
        .then(|| AutomationId::new(id.to_ascii_lowercase()))
}

fn tap_title(raw: &str) -> Option<String> {
    let title = raw.trim();
    (!title.is_empty() && title.chars().count() <= TAP_TITLE_MAX_CHARS).then(|| title.to_owned())
}

fn web_url(raw: &str) -> Option<String> {
    let url = raw.trim();
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let fine = host.contains('.') && url.chars().count() <= URL_MAX_CHARS && !url.chars().any(char::is_whitespace);
    fine.then(|| url.to_owned())
}

/// The button rows as buttons, each problem reported on `field`.
fn buttons(field: &str, rows: &[ButtonInput], errors: &mut Vec<FieldError>) -> Vec<Button> {
    let mut buttons = Vec::new();
    for row in rows.iter().filter(|r| !r.is_blank()) {
        let Some(title) = tap_title(&row.title) else {
            errors.push(FieldError::new(field, FieldCode::TapTitle));
            continue;
        };
        let action = match row.action.as_str() {
            "follow_up" => {
                automation_ref(&row.automation_id).map(|automation_id| ButtonAction::FollowUp { automation_id })
            }
            _ => web_url(&row.url).map(|url| ButtonAction::Link { url }),
        };
        match action {
            Some(action) => buttons.push(Button { title, action }),
            None if row.action == "follow_up" => errors.push(FieldError::new(field, FieldCode::FollowUpMissing)),
            None => errors.push(FieldError::new(field, FieldCode::ButtonUrl)),
        }
    }
    if buttons.len() > BUTTONS_MAX {
        errors.push(FieldError::new(field, FieldCode::TooManyButtons));
    }
    buttons
}

/// The card rows as cards, each problem reported on `cards`.
fn cards(rows: &[CardInput], errors: &mut Vec<FieldError>) -> Vec<Card> {
    let mut cards = Vec::new();
    for row in rows.iter().filter(|r| !r.is_blank()) {
        let title = row.title.trim();
        let subtitle = Some(row.subtitle.trim()).filter(|s| !s.is_empty());
        if title.is_empty() || title.chars().count() > CARD_TEXT_MAX_CHARS {
            errors.push(FieldError::new("cards", FieldCode::CardTitle));
        }
        if subtitle.is_some_and(|s| s.chars().count() > CARD_TEXT_MAX_CHARS) {
            errors.push(FieldError::new("cards", FieldCode::CardSubtitle));
        }
        let image_url = match row.image_url.trim() {
            "" => None,
            raw => {
                let url = web_url(raw);
                if url.is_none() {
                    errors.push(FieldError::new("cards", FieldCode::CardImageUrl));
                }
                url
            }
        };
        let buttons = buttons("cards", &row.buttons, errors);
        cards.push(Card { title: title.to_owned(), subtitle: subtitle.map(str::to_owned), image_url, buttons });
    }
    if cards.len() > CARDS_MAX {
        errors.push(FieldError::new("cards", FieldCode::TooManyCards));
    }
    cards
}

/// The file of a `media` DM.
fn attachment(input: &AutomationInput, errors: &mut Vec<FieldError>) -> Option<Attachment> {
    file(&input.media_kind, &input.media_url, errors)
}

/// A file by its kind and address, each problem reported on `media_kind` or `media_url`.
fn file(kind: &str, url: &str, errors: &mut Vec<FieldError>) -> Option<Attachment> {
    let kind = MediaKind::parse(kind);
    if kind.is_none() {
        errors.push(FieldError::new("media_kind", FieldCode::Invalid));
    }
    let url = match url.trim() {
        "" => {
            errors.push(FieldError::new("media_url", FieldCode::Required));
            None
        }
        raw => {
            let url = web_url(raw);
            if url.is_none() {
                errors.push(FieldError::new("media_url", FieldCode::MediaUrl));
            }
            url
        }
    };
    Some(Attachment { kind: kind?, url: url? })
}

fn quick_replies(rows: &[QuickReplyInput], errors: &mut Vec<FieldError>) -> Vec<QuickReply> {
    let mut replies = Vec::new();
    for row in rows.iter().filter(|r| !(r.title.trim().is_empty() && r.automation_id.trim().is_empty())) {
        match (tap_title(&row.title), automation_ref(&row.automation_id)) {
            (Some(title), Some(automation_id)) => replies.push(QuickReply { title, automation_id }),
            (None, _) => errors.push(FieldError::new("quick_replies", FieldCode::TapTitle)),
            (_, None) => errors.push(FieldError::new("quick_replies", FieldCode::FollowUpMissing)),
        }
    }
    if replies.len() > QUICK_REPLIES_MAX {
        errors.push(FieldError::new("quick_replies", FieldCode::TooManyQuickReplies));
    }
    replies
}

/// A message a person (the inbox) or a script (the API) sends by hand: a text, a file, or a text
/// with link buttons under it (Meta's button template). Text and file go as two messages.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MessageInput {
    #[serde(default)]
    pub text: String,
    /// `image`, `video`, `audio` or `file`, with `media_url`; both empty for none.
    #[serde(default)]
    pub media_kind: String,
    #[serde(default)]
    pub media_url: String,
    /// Link buttons under the text (`action` `link`, a `title` and a `url`), at most 3.
    #[serde(default)]
    pub buttons: Vec<ButtonInput>,
}

/// A valid hand-sent message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutgoingMessage {
    pub text: Option<String>,
    pub attachment: Option<Attachment>,
    pub buttons: Vec<Button>,
}

impl OutgoingMessage {
    pub fn parse(input: &MessageInput) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let text = Some(input.text.trim().to_owned()).filter(|t| !t.is_empty());
        if text.as_ref().is_some_and(|t| t.len() > REPLY_MAX_BYTES) {
            errors.push(FieldError::new("text", FieldCode::TooLongBytes));
        }
        let has_file = !(input.media_kind.trim().is_empty() && input.media_url.trim().is_empty());
        let attachment = if has_file { file(&input.media_kind, &input.media_url, &mut errors) } else { None };
        if input.buttons.iter().any(|b| !b.is_blank() && b.action == "follow_up") {
            // A tap would run an automation the sender never chose for this person.
            errors.push(FieldError::new("buttons", FieldCode::LinksOnly));
        }
        let buttons = buttons("buttons", &input.buttons, &mut errors);
        if !buttons.is_empty() {
            if has_file {
                errors.push(FieldError::new("buttons", FieldCode::NotWithFormat));
            }
            match &text {
                None => errors.push(FieldError::new("buttons", FieldCode::NeedsDirectReply)),
                Some(t) if t.chars().count() > BUTTON_TEXT_MAX_CHARS => {
                    errors.push(FieldError::new("text", FieldCode::TooLongForButtons));
                }
                Some(_) => {}
            }
        }
        if text.is_none() && !has_file {
            errors.push(FieldError::new("text", FieldCode::Required));
        }
        if errors.is_empty() {
            Ok(Self { text, attachment, buttons })
        } else {
            Err(errors)
        }
    }
}

/// A valid automation, ready to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AutomationDraft {
    pub name: String,
    pub kind: AutomationKind,
    pub dm_source: DmSource,
    pub trigger: Trigger,
    pub match_mode: MatchMode,
    /// As typed (trimmed, without repeats); folded only for matching.
    pub keywords: Vec<String>,
    pub exclude_keywords: Vec<String>,
    pub direct_reply: Option<String>,
    pub public_replies: Vec<String>,
    pub buttons: Vec<Button>,
    pub quick_replies: Vec<QuickReply>,
    pub cards: Vec<Card>,
    pub attachment: Option<Attachment>,
    pub per_person: PerPerson,
    pub media_ids: Vec<MediaId>,
}

/// Splits a keywords field into keywords as typed, without repeats, reporting problems on `field`.
fn keyword_list(field: &str, typed: &str, errors: &mut Vec<FieldError>) -> Vec<String> {
    let mut keywords: Vec<String> = Vec::new();
    let mut folded: Vec<Keyword> = Vec::new();
    if typed.chars().count() > KEYWORDS_FIELD_MAX_CHARS {
        errors.push(FieldError::new(field, FieldCode::TooMany));
        return keywords;
    }
    for raw in typed.split([',', '\n']).map(str::trim).filter(|k| !k.is_empty()) {
        if raw.chars().count() > KEYWORD_MAX_CHARS {
            errors.push(FieldError::new(field, FieldCode::KeywordTooLong));
            continue;
        }
        match Keyword::parse(raw) {
            None => errors.push(FieldError::new(field, FieldCode::KeywordInvalid)),
            Some(keyword) if folded.contains(&keyword) => {}
            Some(keyword) => {
                folded.push(keyword);
                keywords.push(raw.to_owned());
            }
        }
    }
    if keywords.len() > KEYWORDS_MAX {
        errors.push(FieldError::new(field, FieldCode::TooMany));
    }
    keywords
}

impl AutomationDraft {
    /// Checks every field and reports every problem at once, each with a code the UI translates.
    pub fn parse(input: &AutomationInput) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let error =
            |errors: &mut Vec<FieldError>, field: &str, code: FieldCode| errors.push(FieldError::new(field, code));

        let name = input.name.trim().to_owned();
        match name.chars().count() {
            0 => error(&mut errors, "name", FieldCode::Required),
            n if n > NAME_MAX_CHARS => error(&mut errors, "name", FieldCode::TooLong),
            _ => {}
        }
        let kind = AutomationKind::parse(&input.kind);
        if kind.is_none() {
            error(&mut errors, "kind", FieldCode::Invalid);
        }
        let trigger = Trigger::parse(&input.trigger);
        if trigger.is_none() {
            error(&mut errors, "trigger", FieldCode::Invalid);
        }
        let dm_source = match (kind, input.dm_source.as_str()) {
            (Some(AutomationKind::Comment), _) | (_, "") => Some(DmSource::Messages),
            (_, raw) => DmSource::parse(raw),
        };
        if dm_source.is_none() {
            error(&mut errors, "dm_source", FieldCode::Invalid);
        }
        if dm_source == Some(DmSource::StoryMentions) && trigger == Some(Trigger::Keyword) {
            // A mention carries no text for a keyword to match.
            error(&mut errors, "trigger", FieldCode::MentionNeedsAll);
        }
        let match_mode = match input.match_mode.as_str() {
            "" => Some(MatchMode::Contains),
            raw => MatchMode::parse(raw),
        };
        if match_mode.is_none() {
            error(&mut errors, "match_mode", FieldCode::Invalid);
        }
        let keywords = keyword_list("keywords", &input.keywords, &mut errors);
        let typed_any = input.keywords.split([',', '\n']).any(|k| !k.trim().is_empty());
        if trigger == Some(Trigger::Keyword) && !typed_any {
            error(&mut errors, "keywords", FieldCode::Required);
        }
        let exclude_keywords = keyword_list("exclude_keywords", &input.exclude_keywords, &mut errors);

        let format = match input.dm_format.as_str() {
            "" => Some(DmFormat::Text),
            raw => DmFormat::parse(raw),
        };
        if format.is_none() {
            error(&mut errors, "dm_format", FieldCode::Invalid);
        }
        if kind == Some(AutomationKind::Comment) && format.is_some_and(|f| f != DmFormat::Text) {
            // Meta's private reply is the one message it lets us send first: text, as the contract advises.
            error(&mut errors, "dm_format", FieldCode::PrivateReplyTextOnly);
        }
        let direct_reply = Some(input.direct_reply.trim().to_owned()).filter(|r| !r.is_empty());
        if direct_reply.as_ref().is_some_and(|r| r.len() > REPLY_MAX_BYTES) {
            error(&mut errors, "direct_reply", FieldCode::TooLongBytes);
        }
        let (cards, attachment) = match format {
            Some(DmFormat::Cards) => {
                let cards = cards(&input.cards, &mut errors);
                if cards.is_empty() {
                    error(&mut errors, "cards", FieldCode::CardsRequired);
                }
                (cards, None)
            }
            Some(DmFormat::Media) => (Vec::new(), attachment(input, &mut errors)),
            _ => (Vec::new(), None),
        };
        let rich = format.is_some_and(|f| f != DmFormat::Text);
        if rich && direct_reply.is_some() {
            // One message each: a carousel or a file carries no text of its own.
            error(&mut errors, "direct_reply", FieldCode::NotWithFormat);
        }
        if rich && input.buttons.iter().any(|b| !b.is_blank()) {
            error(&mut errors, "buttons", FieldCode::NotWithFormat);
        }
        let public_replies: Vec<String> = {
            let mut variants: Vec<String> = Vec::new();
            for line in input.public_replies.lines().map(str::trim).filter(|l| !l.is_empty()) {
                if !variants.iter().any(|v| v == line) {
                    variants.push(line.to_owned());
                }
            }
            variants
        };
        match kind {
            Some(AutomationKind::Dm) if !public_replies.is_empty() => {
                error(&mut errors, "public_replies", FieldCode::CommentOnly);
            }
            Some(AutomationKind::Dm) if direct_reply.is_none() && !rich => {
                error(&mut errors, "direct_reply", FieldCode::Required);
            }
            Some(AutomationKind::Comment) if direct_reply.is_none() && public_replies.is_empty() => {
                error(&mut errors, "public_replies", FieldCode::OneReplyRequired);
            }
            _ => {}
        }
        if public_replies.len() > PUBLIC_REPLIES_MAX {
            error(&mut errors, "public_replies", FieldCode::TooManyVariants);
        } else if public_replies.iter().any(|v| v.chars().count() > PUBLIC_REPLY_MAX_CHARS) {
            error(&mut errors, "public_replies", FieldCode::VariantTooLong);
        }

        let buttons = if rich { Vec::new() } else { buttons("buttons", &input.buttons, &mut errors) };
        let quick_replies = quick_replies(&input.quick_replies, &mut errors);
        if direct_reply.is_none() && !rich && !(buttons.is_empty() && quick_replies.is_empty()) {
            let field = if buttons.is_empty() { "quick_replies" } else { "buttons" };
            error(&mut errors, field, FieldCode::NeedsDirectReply);
        }
        if !buttons.is_empty() && direct_reply.as_ref().is_some_and(|r| r.chars().count() > BUTTON_TEXT_MAX_CHARS) {
            error(&mut errors, "direct_reply", FieldCode::TooLongForButtons);
        }
        if trigger == Some(Trigger::FollowUp) && kind != Some(AutomationKind::Dm) {
            // A tap arrives as a DM.
            error(&mut errors, "trigger", FieldCode::FollowUpDmOnly);
        }

        let hours = input.per_person_hours.trim();
        let per_person = match (input.per_person.as_str(), trigger) {
            ("", Some(Trigger::All)) => Some(PerPerson::Hours(DEFAULT_HOURS)),
            ("" | "always", _) => Some(PerPerson::Always),
            ("once", _) => Some(PerPerson::Once),
            ("hours", _) => match hours.parse::<u32>() {
                Ok(h) if (1..=PerPerson::MAX_HOURS).contains(&h) => Some(PerPerson::Hours(h)),
                _ => {
                    error(&mut errors, "per_person_hours", FieldCode::HoursRange);
                    None
                }
            },
            _ => {
                error(&mut errors, "per_person", FieldCode::Invalid);
                None
            }
        };
        if trigger == Some(Trigger::All) && per_person == Some(PerPerson::Always) {
            // It would answer every message of a conversation, and loop with another bot.
            error(&mut errors, "per_person", FieldCode::AllNeedsLimit);
        }

        let mut media_ids: Vec<MediaId> = Vec::new();
        if kind == Some(AutomationKind::Comment) {
            for id in input.media_ids.iter().map(|m| m.trim()).filter(|m| !m.is_empty()) {
                if !media_ids.iter().any(|m| m == id) {
                    media_ids.push(MediaId::new(id));
                }
            }
        }
        if media_ids.len() > MEDIA_MAX {
            error(&mut errors, "media_ids", FieldCode::TooMany);
        } else if media_ids
            .iter()
            .map(MediaId::as_str)
            .any(|m| m.len() > MEDIA_ID_MAX_DIGITS || !m.chars().all(|c| c.is_ascii_digit()))
        {
            error(&mut errors, "media_ids", FieldCode::Invalid);
        }
        match (kind, trigger, match_mode, per_person, dm_source) {
            (Some(kind), Some(trigger), Some(match_mode), Some(per_person), Some(dm_source)) if errors.is_empty() => {
                Ok(Self {
                    name,
                    kind,
                    dm_source,
                    trigger,
                    match_mode,
                    keywords: if trigger == Trigger::Keyword { keywords } else { Vec::new() },
                    exclude_keywords,
                    direct_reply,
                    public_replies: if kind == AutomationKind::Comment { public_replies } else { Vec::new() },
                    buttons,
                    quick_replies,
                    cards,
                    attachment,
                    per_person,
                    media_ids,
                })
            }
            _ => Err(errors),
        }
    }
}

/// An automation as the list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AutomationView {
    pub id: AutomationId,
    pub instance_id: InstanceId,
    pub name: String,
    pub kind: AutomationKind,
    pub dm_source: DmSource,
    pub trigger: Trigger,
    pub match_mode: MatchMode,
    pub keywords: Vec<String>,
    pub exclude_keywords: Vec<String>,
    pub direct_reply: Option<String>,
    pub public_replies: Vec<String>,
    pub buttons: Vec<Button>,
    pub quick_replies: Vec<QuickReply>,
    pub cards: Vec<Card>,
    pub attachment: Option<Attachment>,
    pub per_person: PerPerson,
    pub media_ids: Vec<MediaId>,
    pub is_active: bool,
    pub replies_today: i64,
    pub replies_total: i64,
}

impl AutomationView {
    pub fn dm_format(&self) -> DmFormat {
        match (self.cards.is_empty(), &self.attachment) {
            (false, _) => DmFormat::Cards,
            (true, Some(_)) => DmFormat::Media,
            (true, None) => DmFormat::Text,
        }
    }

    /// The form's values for editing this automation.
    pub fn input(&self) -> AutomationInput {
        AutomationInput {
            dm_format: self.dm_format().as_str().to_owned(),
            cards: self
                .cards
                .iter()
                .map(|c| CardInput {
                    title: c.title.clone(),
                    subtitle: c.subtitle.clone().unwrap_or_default(),
                    image_url: c.image_url.clone().unwrap_or_default(),
                    buttons: c.buttons.iter().map(ButtonInput::from).collect(),
                })
                .collect(),
            media_kind: self.attachment.as_ref().map(|a| a.kind.as_str().to_owned()).unwrap_or_default(),
            media_url: self.attachment.as_ref().map(|a| a.url.clone()).unwrap_or_default(),
            name: self.name.clone(),
            kind: self.kind.as_str().to_owned(),
            dm_source: self.dm_source.as_str().to_owned(),
            trigger: self.trigger.as_str().to_owned(),
            match_mode: self.match_mode.as_str().to_owned(),
            keywords: self.keywords.join(", "),
            exclude_keywords: self.exclude_keywords.join(", "),
            direct_reply: self.direct_reply.clone().unwrap_or_default(),
            public_replies: self.public_replies.join("\n"),
            per_person: self.per_person.as_str().to_owned(),
            per_person_hours: self.per_person.hours().unwrap_or(DEFAULT_HOURS).to_string(),
            media_ids: self.media_ids.iter().map(ToString::to_string).collect(),
            buttons: self.buttons.iter().map(ButtonInput::from).collect(),
            quick_replies: self
                .quick_replies
                .iter()
                .map(|q| QuickReplyInput { title: q.title.clone(), automation_id: q.automation_id.to_string() })
                .collect(),
        }
    }
}

/// The automations page: the caller's instances (tabs), the one shown, its automations and its
/// ice breakers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutomationsOverview {
    pub instances: Vec<super::instance::InstanceCard>,
    /// `None` when the caller has no instance yet.
    pub instance_id: Option<InstanceId>,
    pub automations: Vec<AutomationView>,
    #[serde(default)]
    pub ice_breakers: Vec<super::ice_breakers::IceBreaker>,
}

/// What saving returns: the automation, and keywords another active automation of the instance
/// already answers (a warning, not an error).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Saved {
    pub id: AutomationId,
    pub shared_keywords: Vec<String>,
}

/// A post or reel of the account, for limiting a comment automation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaItem {
    pub id: MediaId,
    pub caption: Option<String>,
    pub thumbnail_url: Option<String>,
    pub permalink: Option<String>,
    /// `FEED`, `REELS`, ...
    pub product: Option<String>,
}

/// What the test box answers: the automation that would fire and the exact replies, or why none
/// would.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrialOutcome {
    pub automation: Option<String>,
    pub keyword: Option<String>,
    /// The public reply (the variant this comment would get).
    pub public_reply: Option<String>,
    /// The DM: a DM's reply or a comment's private reply.
    pub direct_reply: Option<String>,
    /// Why the automation that fits would still send nothing now: `instance_not_connected`,
    /// `daily_cap` or `once_per_person`.
    pub held_back: Option<crate::domain::report::ReplyReason>,
    /// When none fits: the first automation whose words fit, and why it does not answer
    /// (`inactive`, `other_type`, `other_posts`).
    pub missed: Option<(String, String)>,
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
            direct_reply: "Oi {username}!".into(),
            ..AutomationInput::default()
        }
    }

    fn codes(input: &AutomationInput) -> Vec<(String, String)> {
        AutomationDraft::parse(input)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.field, e.code.as_str().to_owned()))
            .collect()
    }

    #[test]
    fn a_valid_form_becomes_a_draft_with_keywords_as_typed_without_repeats() {
        let draft = AutomationDraft::parse(&input()).expect("valid");
        assert_eq!(draft.name, "Preço");
        assert_eq!(draft.keywords, vec!["preço", "valor", "quanto custa"], "PRECO folds to preço");
        assert_eq!(
            (draft.kind, draft.trigger, draft.match_mode, draft.per_person),
            (AutomationKind::Dm, Trigger::Keyword, MatchMode::Contains, PerPerson::Always)
        );
        assert_eq!(draft.direct_reply.as_deref(), Some("Oi {username}!"));
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let bad = AutomationInput {
            name: " ".into(),
            kind: "dm".into(),
            trigger: "keyword".into(),
            keywords: " , ".into(),
            direct_reply: "é".repeat(501),
            public_replies: "Obrigado!".into(),
            match_mode: "fuzzy".into(),
            per_person: "hours".into(),
            per_person_hours: "0".into(),
            ..AutomationInput::default()
        };
        assert_eq!(
            codes(&bad),
            vec![
                ("name".to_owned(), "required".to_owned()),
                ("match_mode".to_owned(), "invalid".to_owned()),
                ("keywords".to_owned(), "required".to_owned()),
                ("direct_reply".to_owned(), "too_long_bytes".to_owned()),
                ("public_replies".to_owned(), "comment_only".to_owned()),
                ("per_person_hours".to_owned(), "hours_range".to_owned()),
            ]
        );
        let no_reply = AutomationInput { direct_reply: " ".into(), ..input() };
        assert_eq!(codes(&no_reply), vec![("direct_reply".to_owned(), "required".to_owned())]);
        let comment_without_replies =
            AutomationInput { kind: "comment".into(), direct_reply: String::new(), ..input() };
        assert_eq!(
            codes(&comment_without_replies),
            vec![("public_replies".to_owned(), "one_reply_required".to_owned())]
        );
        let bad_exclusion = AutomationInput { exclude_keywords: "?!".into(), ..input() };
        assert_eq!(codes(&bad_exclusion), vec![("exclude_keywords".to_owned(), "keyword_invalid".to_owned())]);
        let long_keyword = AutomationInput { keywords: "a".repeat(65), ..input() };
        assert_eq!(codes(&long_keyword), vec![("keywords".to_owned(), "keyword_too_long".to_owned())]);
        let symbols = AutomationInput { keywords: "?!".into(), ..input() };
        assert_eq!(codes(&symbols), vec![("keywords".to_owned(), "keyword_invalid".to_owned())]);
        let unknown = AutomationInput { kind: "story".into(), ..input() };
        assert_eq!(codes(&unknown), vec![("kind".to_owned(), "invalid".to_owned())]);
    }

    #[test]
    fn the_reply_limit_is_metas_1000_bytes_not_characters() {
        let at_limit = AutomationInput { direct_reply: "ç".repeat(500), ..input() };
        assert!(AutomationDraft::parse(&at_limit).is_ok());
        let over = AutomationInput { direct_reply: "a".repeat(1001), ..input() };
        assert!(AutomationDraft::parse(&over).is_err());
    }

    #[test]
    fn only_comment_automations_keep_media_and_all_needs_no_keywords() {
        let comment = AutomationInput {
            kind: "comment".into(),
            trigger: "all".into(),
            keywords: String::new(),
            public_replies: "Obrigado!".into(),
            media_ids: vec!["17918195224117851".into()],
            ..input()
        };
        let draft = AutomationDraft::parse(&comment).expect("valid");
        assert_eq!(draft.media_ids, vec!["17918195224117851"]);
        assert!(draft.keywords.is_empty());
        assert_eq!(draft.per_person, PerPerson::Hours(DEFAULT_HOURS), "all answers a person once a day by default");
        let dm = AutomationInput { media_ids: vec!["1".into()], ..input() };
        assert!(AutomationDraft::parse(&dm).expect("valid").media_ids.is_empty());
    }

    #[test]
    fn every_list_has_a_cap() {
        let comment = |media_ids: Vec<String>| AutomationInput { kind: "comment".into(), media_ids, ..input() };
        let ids = |n: usize| (0..n).map(|i| format!("1789569566800{i:04}")).collect::<Vec<_>>();
        assert_eq!(AutomationDraft::parse(&comment(ids(MEDIA_MAX))).map(|d| d.media_ids.len()), Ok(MEDIA_MAX));
        let too_many = AutomationDraft::parse(&comment(ids(MEDIA_MAX + 1))).expect_err("over the cap");
        assert_eq!(too_many, vec![FieldError::new("media_ids", FieldCode::TooMany)]);
        let repeated = vec!["17895695668004550".to_owned(); MEDIA_MAX * 3];
        assert_eq!(
            AutomationDraft::parse(&comment(repeated)).map(|d| d.media_ids),
            Ok(vec!["17895695668004550".into()])
        );
        let long = AutomationDraft::parse(&comment(vec!["1".repeat(40)])).expect_err("not a media id");
        assert_eq!(long, vec![FieldError::new("media_ids", FieldCode::Invalid)]);
        let field = AutomationInput { keywords: "a,".repeat(KEYWORDS_FIELD_MAX_CHARS), ..input() };
        assert_eq!(
            AutomationDraft::parse(&field).expect_err("too long"),
            vec![FieldError::new("keywords", FieldCode::TooMany)]
        );
    }

    #[test]
    fn a_comment_takes_public_variants_and_a_private_reply_each_optional() {
        let comment = |public: &str, direct: &str| AutomationInput {
            kind: "comment".into(),
            public_replies: public.into(),
            direct_reply: direct.into(),
            ..input()
        };
        let both =
            AutomationDraft::parse(&comment(" Te chamei no direct!\n\nOlha o direct\nTe chamei no direct!", "O link"))
                .expect("valid");
        assert_eq!(
            both.public_replies,
            vec!["Te chamei no direct!", "Olha o direct"],
            "blank and repeated lines dropped"
        );
        assert_eq!(both.direct_reply.as_deref(), Some("O link"));
        assert!(AutomationDraft::parse(&comment("Obrigado!", "")).expect("public only").direct_reply.is_none());
        assert!(AutomationDraft::parse(&comment("", "O link")).expect("private only").public_replies.is_empty());
        let eleven: String = (0..=PUBLIC_REPLIES_MAX).map(|i| format!("Obrigado {i}\n")).collect();
        assert_eq!(codes(&comment(&eleven, "")), vec![("public_replies".to_owned(), "too_many_variants".to_owned())]);
        let long = "a".repeat(PUBLIC_REPLY_MAX_CHARS + 1);
        assert_eq!(codes(&comment(&long, "")), vec![("public_replies".to_owned(), "variant_too_long".to_owned())]);
    }

    #[test]
    fn limits_per_person_and_matching_modes_are_read_from_the_form() {
        let once = AutomationInput { per_person: "once".into(), match_mode: "exact".into(), ..input() };
        let draft = AutomationDraft::parse(&once).expect("valid");
        assert_eq!((draft.per_person, draft.match_mode), (PerPerson::Once, MatchMode::Exact));
        let hours = AutomationInput { per_person: "hours".into(), per_person_hours: " 48 ".into(), ..input() };
        assert_eq!(AutomationDraft::parse(&hours).map(|d| d.per_person), Ok(PerPerson::Hours(48)));
        let forever = AutomationInput { per_person: "hours".into(), per_person_hours: "99999".into(), ..input() };
        assert_eq!(codes(&forever), vec![("per_person_hours".to_owned(), "hours_range".to_owned())]);
        let all_always =
            AutomationInput { trigger: "all".into(), keywords: String::new(), per_person: "always".into(), ..input() };
        assert_eq!(codes(&all_always), vec![("per_person".to_owned(), "all_needs_limit".to_owned())]);
        let exclusions = AutomationInput { exclude_keywords: "atacado, Atacado\nrevenda".into(), ..input() };
        assert_eq!(
            AutomationDraft::parse(&exclusions).map(|d| d.exclude_keywords),
            Ok(vec!["atacado".into(), "revenda".into()])
        );
    }

    #[test]
    fn story_mentions_need_the_all_trigger_and_comments_keep_no_source() {
        let mention = AutomationInput { dm_source: "story_mentions".into(), ..input() };
        assert_eq!(codes(&mention), vec![("trigger".to_owned(), "mention_needs_all".to_owned())]);
        let thanks = AutomationInput { trigger: "all".into(), keywords: String::new(), ..mention };
        assert_eq!(AutomationDraft::parse(&thanks).map(|d| d.dm_source), Ok(DmSource::StoryMentions));
        let comment = AutomationInput { kind: "comment".into(), dm_source: "story_replies".into(), ..input() };
        assert_eq!(AutomationDraft::parse(&comment).map(|d| d.dm_source), Ok(DmSource::Messages));
        let unknown = AutomationInput { dm_source: "reels".into(), ..input() };
        assert_eq!(codes(&unknown), vec![("dm_source".to_owned(), "invalid".to_owned())]);
    }

    #[test]
    fn buttons_and_quick_replies_are_checked_as_meta_limits_them() {
        let target = "0192f0c0-0000-7000-8000-000000000001";
        let link = |title: &str, url: &str| ButtonInput {
            title: title.into(),
            action: "link".into(),
            url: url.into(),
            ..ButtonInput::default()
        };
        let follow = |title: &str, id: &str| ButtonInput {
            title: title.into(),
            action: "follow_up".into(),
            automation_id: id.into(),
            ..ButtonInput::default()
        };
        let with = |buttons: Vec<ButtonInput>| AutomationInput { buttons, ..input() };
        let ok = AutomationDraft::parse(&with(vec![
            link("Ver o site", "https://loja.exemplo/natal"),
            follow("Sim", target),
            ButtonInput::default(),
        ]))
        .expect("valid; the blank row is ignored");
        assert_eq!(ok.buttons.len(), 2);
        assert_eq!(
            codes(&with(vec![link("Um título longo demais!", "https://loja.exemplo")])),
            vec![("buttons".to_owned(), "tap_title".to_owned())]
        );
        assert_eq!(
            codes(&with(vec![link("Site", "loja.exemplo")])),
            vec![("buttons".to_owned(), "button_url".to_owned())]
        );
        assert_eq!(
            codes(&with(vec![link("Site", "https://loja exemplo")])),
            vec![("buttons".to_owned(), "button_url".to_owned())]
        );
        assert_eq!(codes(&with(vec![follow("Sim", "")])), vec![("buttons".to_owned(), "follow_up_missing".to_owned())]);
        assert_eq!(
            codes(&with(vec![follow("A", target); 4])),
            vec![("buttons".to_owned(), "too_many_buttons".to_owned())]
        );
        let long = AutomationInput { direct_reply: "a".repeat(641), buttons: vec![follow("Sim", target)], ..input() };
        assert_eq!(codes(&long), vec![("direct_reply".to_owned(), "too_long_for_buttons".to_owned())]);
        let bare = AutomationInput {
            kind: "comment".into(),
            direct_reply: String::new(),
            public_replies: "Oi".into(),
            buttons: vec![follow("Sim", target)],
            ..input()
        };
        assert_eq!(codes(&bare), vec![("buttons".to_owned(), "needs_direct_reply".to_owned())]);

        let quick = |n: usize| AutomationInput {
            quick_replies: (0..n)
                .map(|i| QuickReplyInput { title: format!("Opção {i}"), automation_id: target.into() })
                .collect(),
            ..input()
        };
        assert_eq!(AutomationDraft::parse(&quick(13)).map(|d| d.quick_replies.len()), Ok(13));
        assert_eq!(codes(&quick(14)), vec![("quick_replies".to_owned(), "too_many_quick_replies".to_owned())]);

        let follow_up = AutomationInput { trigger: "follow_up".into(), keywords: "ignored".into(), ..input() };
        let draft = AutomationDraft::parse(&follow_up).expect("valid");
        assert_eq!((draft.trigger, draft.keywords.len(), draft.per_person), (Trigger::FollowUp, 0, PerPerson::Always));
        let on_comment = AutomationInput { kind: "comment".into(), ..follow_up };
        assert_eq!(codes(&on_comment), vec![("trigger".to_owned(), "follow_up_dm_only".to_owned())]);
    }

    fn card(title: &str, image_url: &str, buttons: Vec<ButtonInput>) -> CardInput {
        CardInput { title: title.into(), subtitle: "R$ 40".into(), image_url: image_url.into(), buttons }
    }

    fn link(title: &str, url: &str) -> ButtonInput {
        ButtonInput { title: title.into(), action: "link".into(), url: url.into(), ..ButtonInput::default() }
    }

    #[test]
    fn a_carousel_takes_up_to_ten_cards_each_checked_as_meta_checks_it() {
        let carousel = |cards: Vec<CardInput>| AutomationInput {
            dm_format: "cards".into(),
            direct_reply: String::new(),
            cards,
            ..input()
        };
        let draft = AutomationDraft::parse(&carousel(vec![
            card(
                "Bolo de cenoura",
                "https://loja.exemplo/bolo.jpg",
                vec![link("Comprar", "https://loja.exemplo/bolo")],
            ),
            CardInput::default(),
            card("Brigadeiro", "", vec![]),
        ]))
        .expect("valid; the blank card is ignored");
        assert_eq!(draft.cards.len(), 2);
        assert_eq!(draft.cards[0].image_url.as_deref(), Some("https://loja.exemplo/bolo.jpg"));
        assert_eq!(draft.cards[1].image_url, None);
        assert_eq!(draft.cards[0].buttons[0].title, "Comprar");
        assert!(draft.direct_reply.is_none() && draft.attachment.is_none());

        let code = |field: &str, code: &str| (field.to_owned(), code.to_owned());
        assert_eq!(codes(&carousel(vec![])), vec![code("cards", "cards_required")]);
        assert_eq!(codes(&carousel(vec![card(&"a".repeat(81), "", vec![])])), vec![code("cards", "card_title")]);
        assert_eq!(
            codes(&carousel(vec![card("", "https://loja.exemplo/a.jpg", vec![])])),
            vec![code("cards", "card_title")]
        );
        let long_subtitle = CardInput { subtitle: "b".repeat(81), ..card("Bolo", "", vec![]) };
        assert_eq!(codes(&carousel(vec![long_subtitle])), vec![code("cards", "card_subtitle")]);
        assert_eq!(codes(&carousel(vec![card("Bolo", "bolo.jpg", vec![])])), vec![code("cards", "card_image_url")]);
        assert_eq!(
            codes(&carousel(vec![card("Bolo", "", vec![link("Comprar", "https://loja.exemplo"); 4])])),
            vec![code("cards", "too_many_buttons")]
        );
        assert_eq!(
            codes(&carousel(vec![card("Bolo", "", vec![link("Comprar", "loja")])])),
            vec![code("cards", "button_url")]
        );
        assert_eq!(
            codes(&carousel((0..=CARDS_MAX).map(|i| card(&format!("Bolo {i}"), "", vec![])).collect())),
            vec![code("cards", "too_many_cards")]
        );
        let with_text = AutomationInput { direct_reply: "Veja".into(), ..carousel(vec![card("Bolo", "", vec![])]) };
        assert_eq!(codes(&with_text), vec![code("direct_reply", "not_with_format")]);
        let with_buttons = AutomationInput {
            buttons: vec![link("Site", "https://loja.exemplo")],
            ..carousel(vec![card("Bolo", "", vec![])])
        };
        assert_eq!(codes(&with_buttons), vec![code("buttons", "not_with_format")]);
        let on_comment = AutomationInput {
            kind: "comment".into(),
            public_replies: "Te chamei no direct!".into(),
            ..carousel(vec![card("Bolo", "", vec![])])
        };
        assert_eq!(codes(&on_comment), vec![code("dm_format", "private_reply_text_only")]);
        assert_eq!(
            codes(&AutomationInput { dm_format: "sticker".into(), ..input() }),
            vec![code("dm_format", "invalid")]
        );
    }

    #[test]
    fn a_file_is_an_image_video_audio_or_document_by_address() {
        let file = |kind: &str, url: &str| AutomationInput {
            dm_format: "media".into(),
            direct_reply: String::new(),
            media_kind: kind.into(),
            media_url: url.into(),
            ..input()
        };
        for kind in MediaKind::ALL {
            let draft = AutomationDraft::parse(&file(kind.as_str(), " https://loja.exemplo/catalogo ")).expect("valid");
            assert_eq!(draft.attachment, Some(Attachment { kind, url: "https://loja.exemplo/catalogo".into() }));
        }
        let code = |field: &str, code: &str| (field.to_owned(), code.to_owned());
        assert_eq!(codes(&file("image", "")), vec![code("media_url", "required")]);
        assert_eq!(codes(&file("image", "ftp://loja.exemplo/a.jpg")), vec![code("media_url", "media_url")]);
        assert_eq!(codes(&file("gif", "https://loja.exemplo/a.gif")), vec![code("media_kind", "invalid")]);
        let quick = AutomationInput {
            quick_replies: vec![QuickReplyInput {
                title: "Mais".into(),
                automation_id: "0192f0c0-0000-7000-8000-000000000001".into(),
            }],
            ..file("image", "https://loja.exemplo/a.jpg")
        };
        assert_eq!(AutomationDraft::parse(&quick).map(|d| d.quick_replies.len()), Ok(1), "quick replies ride along");
    }

    #[test]
    fn a_hand_sent_message_is_text_a_file_or_text_with_links() {
        let parse = |text: &str, kind: &str, url: &str, buttons: Vec<ButtonInput>| {
            OutgoingMessage::parse(&MessageInput {
                text: text.into(),
                media_kind: kind.into(),
                media_url: url.into(),
                buttons,
            })
            .map_err(|errors| errors.into_iter().map(|e| (e.field, e.code.as_str().to_owned())).collect::<Vec<_>>())
        };
        let pair = |f: &str, c: &str| (f.to_owned(), c.to_owned());
        let sent = parse(" Oi ", "image", "https://cdn.loja.com/a.jpg", vec![]).expect("text and image");
        assert_eq!(sent.text.as_deref(), Some("Oi"));
        assert_eq!(sent.attachment.map(|a| a.kind), Some(MediaKind::Image));
        assert_eq!(parse("", "", "", vec![]), Err(vec![pair("text", "required")]));
        assert_eq!(parse(&"é".repeat(501), "", "", vec![]), Err(vec![pair("text", "too_long_bytes")]));
        assert_eq!(parse("", "video", "ftp://x", vec![]), Err(vec![pair("media_url", "media_url")]));
        let buttons = parse("Veja", "", "", vec![link("Site", "https://loja.com")]).expect("buttons");
        assert_eq!(buttons.buttons.len(), 1);
        assert_eq!(
            parse("", "", "", vec![link("Site", "https://loja.com")]),
            Err(vec![pair("buttons", "needs_direct_reply"), pair("text", "required")])
        );
        let tap = ButtonInput {
            title: "Sim".into(),
            action: "follow_up".into(),
            automation_id: "x".into(),
            ..ButtonInput::default()
        };
        assert!(parse("Oi", "", "", vec![tap]).expect_err("follow-up").contains(&pair("buttons", "links_only")));
        let four = (0..4).map(|i| link(&format!("B{i}"), "https://loja.com")).collect();
        assert!(parse("Oi", "", "", four).expect_err("four").contains(&pair("buttons", "too_many_buttons")));
        let with_file = parse("Oi", "image", "https://loja.com/a.png", vec![link("Site", "https://loja.com")]);
        assert!(with_file.expect_err("file and buttons").contains(&pair("buttons", "not_with_format")));
    }

    #[test]
    fn a_view_gives_back_the_form_it_was_saved_from() {
        let form = AutomationInput {
            kind: "comment".into(),
            match_mode: "starts_with".into(),
            exclude_keywords: "atacado".into(),
            public_replies: "Um\nDois".into(),
            per_person: "hours".into(),
            per_person_hours: "12".into(),
            media_ids: vec!["17918195224117851".into()],
            buttons: vec![
                ButtonInput {
                    title: "Site".into(),
                    action: "link".into(),
                    url: "https://loja.exemplo".into(),
                    ..ButtonInput::default()
                },
                ButtonInput {
                    title: "Sim".into(),
                    action: "follow_up".into(),
                    automation_id: "0192f0c0-0000-7000-8000-000000000001".into(),
                    ..ButtonInput::default()
                },
            ],
            quick_replies: vec![QuickReplyInput {
                title: "Quero".into(),
                automation_id: "0192f0c0-0000-7000-8000-000000000001".into(),
            }],
            ..input()
        };
        let d = AutomationDraft::parse(&form).expect("valid");
        let view = AutomationView {
            id: "a".into(),
            instance_id: "i".into(),
            name: d.name.clone(),
            kind: d.kind,
            dm_source: d.dm_source,
            trigger: d.trigger,
            match_mode: d.match_mode,
            keywords: d.keywords.clone(),
            exclude_keywords: d.exclude_keywords.clone(),
            direct_reply: d.direct_reply.clone(),
            public_replies: d.public_replies.clone(),
            buttons: d.buttons.clone(),
            quick_replies: d.quick_replies.clone(),
            cards: d.cards.clone(),
            attachment: d.attachment.clone(),
            per_person: d.per_person,
            media_ids: d.media_ids.clone(),
            is_active: true,
            replies_today: 0,
            replies_total: 0,
        };
        assert_eq!(AutomationDraft::parse(&view.input()), Ok(d));

        let carousel = AutomationInput {
            dm_format: "cards".into(),
            direct_reply: String::new(),
            cards: vec![card("Bolo", "https://loja.exemplo/bolo.jpg", vec![link("Comprar", "https://loja.exemplo")])],
            ..input()
        };
        let d = AutomationDraft::parse(&carousel).expect("valid");
        let view = AutomationView {
            kind: AutomationKind::Dm,
            public_replies: Vec::new(),
            media_ids: Vec::new(),
            cards: d.cards.clone(),
            direct_reply: None,
            buttons: Vec::new(),
            ..view
        };
        assert_eq!(view.input().dm_format, "cards");
        assert_eq!(AutomationDraft::parse(&view.input()).map(|v| v.cards), Ok(d.cards));
        let file = Attachment { kind: MediaKind::Video, url: "https://loja.exemplo/v.mp4".into() };
        let view = AutomationView { cards: Vec::new(), attachment: Some(file.clone()), ..view };
        assert_eq!((view.input().dm_format.as_str(), view.input().media_kind.as_str()), ("media", "video"));
        assert_eq!(AutomationDraft::parse(&view.input()).map(|v| v.attachment), Ok(Some(file)));
    }
}
