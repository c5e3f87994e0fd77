//! Automations and the matcher that decides which one answers an event. Pure, so the same code
//! runs in the engine and in the browser.
use super::id::{AutomationId, MediaId};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};

/// What an automation listens to (the PRD's `type`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum AutomationKind {
    #[default]
    Dm,
    Comment,
}

impl AutomationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dm => "dm",
            Self::Comment => "comment",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "dm" => Some(Self::Dm),
            "comment" => Some(Self::Comment),
            _ => None,
        }
    }
}

/// The PRD's `trigger_type`, and follow-ups.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    Keyword,
    All,
    /// Runs only when a person taps a button or quick reply that points to it.
    FollowUp,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Keyword => "keyword",
            Self::All => "all",
            Self::FollowUp => "follow_up",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "keyword" => Some(Self::Keyword),
            "all" => Some(Self::All),
            "follow_up" => Some(Self::FollowUp),
            _ => None,
        }
    }
}

/// What a button or quick reply of ours carries, so its tap runs the automation it points to.
const FOLLOW_UP_PREFIX: &str = "ic:auto:";

/// The payload of a tap that runs automation `automation_id`.
pub fn follow_up_payload(automation_id: &AutomationId) -> String {
    format!("{FOLLOW_UP_PREFIX}{automation_id}")
}

/// The automation a tap's payload points to, if it is one of ours.
pub fn follow_up_target(payload: &str) -> Option<AutomationId> {
    payload.strip_prefix(FOLLOW_UP_PREFIX).filter(|id| !id.is_empty()).map(AutomationId::from)
}

/// A button under a DM (Meta's button template: at most 3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Button {
    pub title: String,
    #[serde(flatten)]
    pub action: ButtonAction,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ButtonAction {
    /// Opens a web page.
    Link { url: String },
    /// Runs a follow-up automation.
    FollowUp { automation_id: AutomationId },
}

/// A quick reply under a DM (at most 13): its tap runs a follow-up automation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct QuickReply {
    pub title: String,
    pub automation_id: AutomationId,
}

/// A card of a carousel (Meta's generic template: at most 10 cards, each with up to 3 buttons).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Card {
    pub title: String,
    #[serde(default)]
    pub subtitle: Option<String>,
    #[serde(default)]
    pub image_url: Option<String>,
    #[serde(default)]
    pub buttons: Vec<Button>,
}

/// What a media attachment is; Meta fetches the file from its URL (CONTRACT.md §7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum MediaKind {
    Image,
    Video,
    Audio,
    File,
}

impl MediaKind {
    pub const ALL: [Self; 4] = [Self::Image, Self::Video, Self::Audio, Self::File];

    /// The Send API's attachment `type`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::Video => "video",
            Self::Audio => "audio",
            Self::File => "file",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

/// A DM that is a file: an image, a video, an audio or a document, by URL.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Attachment {
    pub kind: MediaKind,
    pub url: String,
}

/// What a DM is made of: a text (with buttons under it when there are any), a carousel of cards,
/// or a file. Instagram sends each as one message; quick replies go under any of them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DmFormat {
    #[default]
    Text,
    Cards,
    Media,
}

impl DmFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Cards => "cards",
            Self::Media => "media",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "text" => Some(Self::Text),
            "cards" => Some(Self::Cards),
            "media" => Some(Self::Media),
            _ => None,
        }
    }
}

/// The PRD's `response_type`: a DM (for a comment, Meta's private reply) or a public reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ResponseType {
    Direct,
    Comment,
}

impl ResponseType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Direct => "direct",
            Self::Comment => "comment",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "direct" => Some(Self::Direct),
            "comment" => Some(Self::Comment),
            _ => None,
        }
    }
}

/// Folds text the way sellers and followers type it: compatibility decomposition (which also maps
/// "fancy font" letters to plain ones), accents dropped, lower case.
pub fn fold(text: &str) -> String {
    text.nfkd().filter(|c| !is_combining_mark(*c)).flat_map(char::to_lowercase).collect()
}

/// The words of folded text: runs of letters and digits.
fn words(folded: &str) -> Vec<&str> {
    folded.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect()
}

/// A keyword, folded, so "PREÇO", "preço" and "preco" are the same keyword. May hold several words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Keyword(String);

impl Keyword {
    /// `None` for text without a single letter or digit.
    pub fn parse(raw: &str) -> Option<Self> {
        let folded = fold(raw);
        let words = words(&folded);
        (!words.is_empty()).then(|| Self(words.join(" ")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when the keyword's words appear, in order and whole, in `text_words`.
    fn occurs_in(&self, text_words: &[&str]) -> bool {
        let wanted: Vec<&str> = self.0.split(' ').collect();
        !wanted.is_empty() && text_words.windows(wanted.len()).any(|window| window == wanted.as_slice())
    }

    /// True when `text_words` fit the keyword the way `mode` asks.
    fn fits(&self, mode: MatchMode, text_words: &[&str]) -> bool {
        let wanted: Vec<&str> = self.0.split(' ').collect();
        match mode {
            MatchMode::Contains => self.occurs_in(text_words),
            MatchMode::Exact => text_words == wanted.as_slice(),
            MatchMode::StartsWith => text_words.starts_with(&wanted),
        }
    }
}

/// How keywords are compared with a message; always on folded whole words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MatchMode {
    /// The keyword's words appear, in order, anywhere in the message.
    Contains,
    /// The message is the keyword and nothing else.
    Exact,
    /// The message begins with the keyword.
    StartsWith,
}

impl MatchMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Contains => "contains",
            Self::Exact => "exact",
            Self::StartsWith => "starts_with",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "contains" => Some(Self::Contains),
            "exact" => Some(Self::Exact),
            "starts_with" => Some(Self::StartsWith),
            _ => None,
        }
    }
}

/// How often one automation may answer the same person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PerPerson {
    /// Every time (the loop guard aside).
    Always,
    /// Once, ever.
    Once,
    /// At most once per this many hours.
    Hours(u32),
}

impl PerPerson {
    /// At most a year between two answers to one person.
    pub const MAX_HOURS: u32 = 8760;

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Always => "always",
            Self::Once => "once",
            Self::Hours(_) => "hours",
        }
    }

    /// From the stored mode and hours; `None` when they do not fit together.
    pub fn parse(mode: &str, hours: Option<u32>) -> Option<Self> {
        match (mode, hours) {
            ("always", None) => Some(Self::Always),
            ("once", None) => Some(Self::Once),
            ("hours", Some(h)) if (1..=Self::MAX_HOURS).contains(&h) => Some(Self::Hours(h)),
            _ => None,
        }
    }

    pub fn hours(self) -> Option<u32> {
        match self {
            Self::Hours(h) => Some(h),
            _ => None,
        }
    }
}

/// Which DMs a DM automation answers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DmSource {
    /// Messages: text, attachments (for `all`) and replies to the account's stories.
    #[default]
    Messages,
    /// Only replies to the account's stories.
    StoryReplies,
    /// Only mentions of the account in someone's story (no text: `all` only).
    StoryMentions,
}

impl DmSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Messages => "messages",
            Self::StoryReplies => "story_replies",
            Self::StoryMentions => "story_mentions",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "messages" => Some(Self::Messages),
            "story_replies" => Some(Self::StoryReplies),
            "story_mentions" => Some(Self::StoryMentions),
            _ => None,
        }
    }
}

/// What an inbound DM is, for the automations that listen to it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Inbound {
    /// Text or attachments; also every comment.
    #[default]
    Message,
    StoryReply,
    StoryMention,
}

impl DmSource {
    /// True when automations listening to `self` answer a DM that is `inbound`.
    fn hears(self, inbound: Inbound) -> bool {
        match self {
            Self::Messages => matches!(inbound, Inbound::Message | Inbound::StoryReply),
            Self::StoryReplies => inbound == Inbound::StoryReply,
            Self::StoryMentions => inbound == Inbound::StoryMention,
        }
    }
}

/// What the matcher needs of an automation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub id: AutomationId,
    pub kind: AutomationKind,
    /// For DM automations: which DMs.
    pub dm_source: DmSource,
    pub trigger: Trigger,
    pub match_mode: MatchMode,
    pub keywords: Vec<Keyword>,
    /// A message holding any of these (whole words) is never answered by this automation.
    pub exclude: Vec<Keyword>,
    /// The DM: a DM automation's reply, a comment automation's private reply.
    pub direct_reply: Option<String>,
    /// A comment automation's public reply variants; one is picked per comment.
    pub public_replies: Vec<String>,
    /// Under the DM: buttons (a link or a follow-up) and quick replies (follow-ups).
    pub buttons: Vec<Button>,
    pub quick_replies: Vec<QuickReply>,
    /// A DM that is a carousel instead of a text.
    pub cards: Vec<Card>,
    /// A DM that is a file instead of a text.
    pub attachment: Option<Attachment>,
    pub per_person: PerPerson,
    pub is_active: bool,
    /// Where it stands in the order automations are tried (lowest first).
    pub priority: i32,
    /// Milliseconds since the epoch; events from an earlier second never fire it.
    pub created_at_ms: i64,
    /// Comment automations limited to these posts or reels; empty means every media.
    pub media_ids: Vec<MediaId>,
}

impl Rule {
    /// The first keyword found in `text`, or `None`. An `all` rule matches any text; an excluded
    /// word stops every rule.
    pub fn matches(&self, text: &str) -> Option<Option<&Keyword>> {
        let folded = fold(text);
        let text_words = words(&folded);
        if self.exclude.iter().any(|k| k.occurs_in(&text_words)) {
            return None;
        }
        match self.trigger {
            Trigger::All => Some(None),
            Trigger::Keyword => self.keywords.iter().find(|k| k.fits(self.match_mode, &text_words)).map(Some),
            // Only a tap runs it.
            Trigger::FollowUp => None,
        }
    }

    /// The parts of this automation's answer to the event `event_id`, in the order they are
    /// sent: a DM's reply; a comment's public reply (one variant, picked by the comment), then
    /// its private reply.
    pub fn answer(&self, event_id: &str) -> Vec<(ResponseType, Cow<'_, str>)> {
        let mut parts = Vec::with_capacity(2);
        if self.kind == AutomationKind::Comment {
            if let Some(public) = pick_variant(&self.public_replies, event_id) {
                parts.push((ResponseType::Comment, Cow::Borrowed(public)));
            }
        }
        if let Some(direct) = dm_text(self.direct_reply.as_deref(), &self.cards, self.attachment.as_ref()) {
            parts.push((ResponseType::Direct, direct));
        }
        parts
    }
}

/// What a DM says, as reports show it: its text, its cards' titles, or its file's address.
pub fn dm_text<'a>(text: Option<&'a str>, cards: &[Card], attachment: Option<&Attachment>) -> Option<Cow<'a, str>> {
    if !cards.is_empty() {
        return Some(Cow::Owned(cards.iter().map(|c| c.title.as_str()).collect::<Vec<_>>().join(" · ")));
    }
    if let Some(file) = attachment {
        return Some(Cow::Owned(file.url.clone()));
    }
    text.map(Cow::Borrowed)
}

/// One of `variants`, spread evenly over events and always the same for one event (FNV-1a of its
/// id), so a run taken again picks what the first run picked.
pub fn pick_variant<'a>(variants: &'a [String], event_id: &str) -> Option<&'a str> {
    if variants.is_empty() {
        return None;
    }
    let hash =
        event_id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    let index = usize::try_from(hash % variants.len() as u64).unwrap_or(0);
    variants.get(index).map(String::as_str)
}

/// What the matcher needs to know of an event.
#[derive(Clone, Copy, Debug, Default)]
pub struct EventFacts<'a> {
    pub kind: AutomationKind,
    /// What a DM is (a comment is a `Message`).
    pub inbound: Inbound,
    /// Empty for an attachment or a story mention.
    pub text: &'a str,
    /// Milliseconds since the epoch.
    pub at_ms: i64,
    /// The post or reel a comment is on.
    pub media_id: Option<&'a MediaId>,
    /// On an ad's comment, the organic post the ad promotes: an automation limited to that post
    /// answers its ads too.
    pub original_media_id: Option<&'a MediaId>,
}

/// The automation that answers an event, and the keyword that fired it.
#[derive(Debug, PartialEq, Eq)]
pub struct Choice<'a> {
    pub rule: &'a Rule,
    pub keyword: Option<&'a Keyword>,
}

/// Picks the one automation that answers `text`, an event of `kind` at `event_ms`.
///
/// Among active automations of the event's kind created before the event (and, for comments,
/// not limited to other posts), the first in the instance's order that matches answers: the
/// order the user sees and changes, ties (two saves at once) broken by age, then id.
pub fn choose<'a>(rules: &'a [Rule], event: &EventFacts<'_>) -> Option<Choice<'a>> {
    let mut candidates: Vec<Choice<'a>> = rules
        .iter()
        .filter(|r| eligible(r, event).is_ok())
        .filter_map(|rule| rule.matches(event.text).map(|keyword| Choice { rule, keyword }))
        .collect();
    candidates.sort_by(|a, b| {
        (a.rule.priority, a.rule.created_at_ms)
            .cmp(&(b.rule.priority, b.rule.created_at_ms))
            .then_with(|| a.rule.id.cmp(&b.rule.id))
    });
    candidates.into_iter().next()
}

/// Why an automation whose words fit would still not answer an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Miss {
    Inactive,
    OtherType,
    OtherPosts,
    /// Created after the event.
    Newer,
}

impl Miss {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inactive => "inactive",
            Self::OtherType => "other_type",
            Self::OtherPosts => "other_posts",
            Self::Newer => "newer",
        }
    }
}

fn eligible(rule: &Rule, event: &EventFacts<'_>) -> Result<(), Miss> {
    if rule.kind != event.kind || (rule.kind == AutomationKind::Dm && !rule.dm_source.hears(event.inbound)) {
        return Err(Miss::OtherType);
    }
    if !rule.is_active {
        return Err(Miss::Inactive);
    }
    let chosen = |media: Option<&MediaId>| media.is_some_and(|m| rule.media_ids.iter().any(|id| id == m));
    let on_its_posts = rule.media_ids.is_empty() || chosen(event.media_id) || chosen(event.original_media_id);
    if !on_its_posts {
        return Err(Miss::OtherPosts);
    }
    // Whole seconds: comment webhooks carry their time in seconds.
    if rule.created_at_ms.div_euclid(1000) > event.at_ms.div_euclid(1000) {
        return Err(Miss::Newer);
    }
    Ok(())
}

/// When nothing answers an event: the first automation (in the instance's order) whose words fit
/// the text, and why it does not answer; `None` when no automation's words fit at all.
pub fn explain_miss<'a>(rules: &'a [Rule], event: &EventFacts<'_>) -> Option<(&'a Rule, Miss)> {
    let mut fitting: Vec<&Rule> = rules.iter().filter(|r| r.matches(event.text).is_some()).collect();
    // One of the event's type says more than one of another type.
    fitting.sort_by_key(|r| (r.kind != event.kind, r.priority, r.created_at_ms));
    fitting.into_iter().find_map(|r| eligible(r, event).err().map(|miss| (r, miss)))
}

/// The reply with `{username}` filled in (empty when Meta did not tell us the username).
pub fn render_reply(template: &str, username: Option<&str>) -> String {
    template.replace("{username}", username.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(id: &str, trigger: Trigger, keywords: &[&str], created_at_ms: i64) -> Rule {
        Rule {
            id: AutomationId::new(id),
            kind: AutomationKind::Dm,
            dm_source: DmSource::Messages,
            trigger,
            match_mode: MatchMode::Contains,
            keywords: keywords.iter().filter_map(|k| Keyword::parse(k)).collect(),
            exclude: Vec::new(),
            direct_reply: Some(format!("reply {id}")),
            public_replies: Vec::new(),
            buttons: Vec::new(),
            quick_replies: Vec::new(),
            cards: Vec::new(),
            attachment: None,
            per_person: PerPerson::Always,
            is_active: true,
            priority: 0,
            created_at_ms,
            media_ids: Vec::new(),
        }
    }

    fn dm(text: &str, at_ms: i64) -> EventFacts<'_> {
        EventFacts { kind: AutomationKind::Dm, text, at_ms, ..EventFacts::default() }
    }

    fn fires(keyword: &str, text: &str) -> bool {
        rule("a", Trigger::Keyword, &[keyword], 0).matches(text).is_some()
    }

    #[test]
    fn keywords_ignore_case_and_accents_on_word_boundaries() {
        assert!(fires("preço", "PRECO?"));
        assert!(fires("preço", "Qual o preco"));
        assert!(fires("PRECO", "qual o preço?"));
        assert!(fires("preço", "𝐏𝐑𝐄Ç𝐎 por favor"), "fancy-font letters fold to plain ones");
        assert!(!fires("preço", "precosa"), "whole words only");
        assert!(!fires("oi", "boi"));
        assert!(!fires("preço", ""));
    }

    #[test]
    fn multi_word_keywords_match_the_words_in_order() {
        assert!(fires("quanto custa", "Oi, QUANTO   custa isso?"));
        assert!(!fires("quanto custa", "custa quanto"));
        assert!(!fires("quanto custa", "quanto"));
    }

    #[test]
    fn keywords_without_letters_or_digits_are_refused() {
        assert_eq!(Keyword::parse("  ?! "), None);
        assert_eq!(Keyword::parse(" Promoção  de Natal "), Some(Keyword("promocao de natal".to_owned())));
    }

    #[test]
    fn the_first_in_the_order_wins_and_the_oldest_among_equals() {
        let mut all = rule("all", Trigger::All, &[], 1);
        all.priority = 3;
        let mut newer = rule("newer", Trigger::Keyword, &["preço"], 3);
        newer.priority = 1;
        let mut older = rule("older", Trigger::Keyword, &["preco", "valor"], 2);
        older.priority = 1;
        let rules = vec![all, newer, older];
        let chosen = |rules: &[Rule], text| choose(rules, &dm(text, 10)).map(|c| c.rule.id.to_string());
        assert_eq!(chosen(&rules, "qual o preço?").as_deref(), Some("older"), "same place: the oldest");
        assert_eq!(chosen(&rules, "bom dia").as_deref(), Some("all"));
        let mut reordered = rules.clone();
        reordered[0].priority = 0;
        assert_eq!(chosen(&reordered, "qual o preço?").as_deref(), Some("all"), "moved first, it answers first");
    }

    #[test]
    fn a_miss_is_explained_by_the_first_automation_whose_words_fit() {
        let mut inactive = rule("inactive", Trigger::Keyword, &["preço"], 1);
        inactive.is_active = false;
        let mut comment = rule("comment", Trigger::Keyword, &["link"], 1);
        comment.kind = AutomationKind::Comment;
        let mut reel_only = rule("reel", Trigger::Keyword, &["reel"], 1);
        reel_only.kind = AutomationKind::Comment;
        reel_only.media_ids = vec!["17918195224117851".into()];
        let rules = vec![inactive, comment, reel_only];
        let why = |kind, text, media_id: Option<&str>| {
            let media_id = media_id.map(MediaId::new);
            let facts = EventFacts { kind, text, at_ms: 5_000, media_id: media_id.as_ref(), ..EventFacts::default() };
            explain_miss(&rules, &facts).map(|(r, m)| (r.id.to_string(), m))
        };
        assert_eq!(why(AutomationKind::Dm, "preço?", None), Some(("inactive".into(), Miss::Inactive)));
        assert_eq!(why(AutomationKind::Dm, "o link", None), Some(("comment".into(), Miss::OtherType)));
        assert_eq!(
            why(AutomationKind::Comment, "lindo reel", Some("17895695668004550")),
            Some(("reel".into(), Miss::OtherPosts))
        );
        assert_eq!(why(AutomationKind::Comment, "lindo reel", Some("17918195224117851")), None, "it answers");
        assert_eq!(why(AutomationKind::Dm, "bom dia", None), None, "no words fit");
    }

    #[test]
    fn inactive_other_kind_and_newer_than_the_event_never_fire() {
        let mut inactive = rule("inactive", Trigger::All, &[], 1);
        inactive.is_active = false;
        let mut comment = rule("comment", Trigger::All, &[], 1);
        comment.kind = AutomationKind::Comment;
        let later = rule("later", Trigger::All, &[], 61_000);
        let rules = vec![inactive, comment, later];
        assert_eq!(choose(&rules, &dm("oi", 60_999)), None);
        assert!(choose(&rules, &dm("oi", 61_000)).is_some());
    }

    #[test]
    fn comment_automations_can_be_limited_to_chosen_media() {
        let mut only_reel = rule("reel", Trigger::All, &[], 0);
        only_reel.kind = AutomationKind::Comment;
        only_reel.media_ids = vec!["17918195224117851".into()];
        let rules = vec![only_reel];
        let (reel, post) = (MediaId::new("17918195224117851"), MediaId::new("17895695668004550"));
        let on = |media_id| EventFacts {
            kind: AutomationKind::Comment,
            text: "oi",
            at_ms: 5,
            media_id,
            ..EventFacts::default()
        };
        assert!(choose(&rules, &on(Some(&reel))).is_some());
        assert_eq!(choose(&rules, &on(Some(&post))), None);
        assert_eq!(choose(&rules, &on(None)), None);
    }

    fn fires_by(mode: MatchMode, keyword: &str, text: &str) -> bool {
        let mut r = rule("a", Trigger::Keyword, &[keyword], 0);
        r.match_mode = mode;
        r.matches(text).is_some()
    }

    #[test]
    fn exact_and_starts_with_compare_the_whole_message_or_its_beginning() {
        assert!(fires_by(MatchMode::Exact, "eu quero", "  EU, QUERO! "));
        assert!(!fires_by(MatchMode::Exact, "eu quero", "eu quero o link"));
        assert!(!fires_by(MatchMode::Exact, "quero", "eu quero"));
        assert!(fires_by(MatchMode::StartsWith, "eu quero", "Eu quero o link"));
        assert!(!fires_by(MatchMode::StartsWith, "eu quero", "também eu quero"));
        assert!(!fires_by(MatchMode::StartsWith, "quero", "querosene"), "whole words here too");
        assert!(fires_by(MatchMode::Contains, "quero", "também eu quero"));
    }

    #[test]
    fn an_excluded_word_stops_keyword_and_all_rules() {
        let mut keyword = rule("k", Trigger::Keyword, &["preço"], 0);
        keyword.exclude = vec![Keyword::parse("atacado").expect("word")];
        assert!(keyword.matches("qual o preço?").is_some());
        assert!(keyword.matches("qual o preço no ATACADO?").is_none());
        let mut all = rule("a", Trigger::All, &[], 0);
        all.exclude = vec![Keyword::parse("não quero").expect("words")];
        assert!(all.matches("oi").is_some());
        assert!(all.matches("obrigado, não quero").is_none());
        assert!(all.matches("quero, não").is_some(), "the excluded words in order");
    }

    #[test]
    fn a_comment_answers_with_one_public_variant_then_the_private_reply() {
        let mut r = rule("c", Trigger::All, &[], 0);
        r.kind = AutomationKind::Comment;
        r.public_replies = vec!["Te chamei no direct!".into(), "Olha o direct 😉".into(), "Enviado!".into()];
        r.direct_reply = Some("Aqui está o link".into());
        let answer = r.answer("17870913679156914");
        assert_eq!(answer.len(), 2);
        assert_eq!(answer[0].0, ResponseType::Comment);
        assert!(r.public_replies.iter().any(|v| *v == answer[0].1));
        assert_eq!(answer[1], (ResponseType::Direct, "Aqui está o link".into()));
        assert_eq!(r.answer("17870913679156914"), answer, "the same comment, the same variant");
        let picked: std::collections::HashSet<String> =
            (0..60).map(|i| r.answer(&format!("1787091367915{i:04}"))[0].1.to_string()).collect();
        assert_eq!(picked.len(), 3, "every variant gets used: {picked:?}");

        r.direct_reply = None;
        assert_eq!(r.answer("1").len(), 1, "public only");
        r.public_replies.clear();
        r.direct_reply = Some("Só no direct".into());
        assert_eq!(r.answer("1"), vec![(ResponseType::Direct, "Só no direct".into())], "private only");
        r.kind = AutomationKind::Dm;
        r.public_replies = vec!["never on a DM".into()];
        assert_eq!(r.answer("1"), vec![(ResponseType::Direct, "Só no direct".into())]);
        let card = |title: &str| Card { title: title.into(), subtitle: None, image_url: None, buttons: Vec::new() };
        r.cards = vec![card("Bolo de cenoura"), card("Brigadeiro")];
        assert_eq!(r.answer("1"), vec![(ResponseType::Direct, "Bolo de cenoura · Brigadeiro".into())], "cards");
        r.cards.clear();
        r.attachment = Some(Attachment { kind: MediaKind::Image, url: "https://loja.exemplo/promo.jpg".into() });
        assert_eq!(r.answer("1"), vec![(ResponseType::Direct, "https://loja.exemplo/promo.jpg".into())], "a file");
    }

    #[test]
    fn per_person_limits_round_trip_and_refuse_what_does_not_fit() {
        for limit in [PerPerson::Always, PerPerson::Once, PerPerson::Hours(24)] {
            assert_eq!(PerPerson::parse(limit.as_str(), limit.hours()), Some(limit));
        }
        assert_eq!(PerPerson::parse("hours", None), None);
        assert_eq!(PerPerson::parse("hours", Some(0)), None);
        assert_eq!(PerPerson::parse("hours", Some(PerPerson::MAX_HOURS + 1)), None);
        assert_eq!(PerPerson::parse("once", Some(3)), None);
    }

    #[test]
    fn dm_automations_hear_the_dms_they_listen_to() {
        let mut story = rule("story", Trigger::All, &[], 0);
        story.dm_source = DmSource::StoryReplies;
        story.per_person = PerPerson::Once;
        let mut mention = rule("mention", Trigger::All, &[], 0);
        mention.dm_source = DmSource::StoryMentions;
        let messages = rule("messages", Trigger::Keyword, &["quero"], 0);
        let rules = [story, mention, messages];
        let who = |inbound, text| {
            let facts = EventFacts { kind: AutomationKind::Dm, inbound, text, at_ms: 5, ..EventFacts::default() };
            let mut ids: Vec<&str> = rules
                .iter()
                .filter(|r| eligible(r, &facts).is_ok() && r.matches(text).is_some())
                .map(|r| r.id.as_str())
                .collect();
            ids.sort_unstable();
            ids
        };
        assert_eq!(who(Inbound::StoryReply, "quero!"), ["messages", "story"], "a story reply is a message too");
        assert_eq!(who(Inbound::Message, "quero!"), ["messages"]);
        assert_eq!(who(Inbound::StoryMention, ""), ["mention"]);
        let all = rule("all", Trigger::All, &[], 0);
        assert!(all.matches("").is_some(), "`all` answers an attachment without text");
    }

    #[test]
    fn an_ad_is_answered_by_the_automation_limited_to_the_post_it_promotes() {
        let mut post_only = rule("post", Trigger::All, &[], 0);
        post_only.kind = AutomationKind::Comment;
        post_only.media_ids = vec!["17895695668004550".into()];
        let rules = vec![post_only];
        let (ad_media, post) = (MediaId::new("120210000000000001"), MediaId::new("17895695668004550"));
        let ad = EventFacts {
            kind: AutomationKind::Comment,
            text: "quero",
            at_ms: 5,
            media_id: Some(&ad_media),
            original_media_id: Some(&post),
            ..EventFacts::default()
        };
        assert!(choose(&rules, &ad).is_some());
        assert!(choose(&rules, &EventFacts { original_media_id: None, ..ad }).is_none());
    }

    #[test]
    fn follow_ups_answer_no_text_and_are_found_by_their_payload() {
        let follow_up = rule("f", Trigger::FollowUp, &[], 0);
        assert!(follow_up.matches("qualquer coisa").is_none());
        let payload = follow_up_payload(&AutomationId::new("0192f0c0-0000-7000-8000-000000000001"));
        assert_eq!(payload, "ic:auto:0192f0c0-0000-7000-8000-000000000001");
        assert_eq!(follow_up_target(&payload), Some(AutomationId::new("0192f0c0-0000-7000-8000-000000000001")));
        assert_eq!(follow_up_target("SIZE_M"), None, "another app's payload");
        assert_eq!(follow_up_target("ic:auto:"), None);
        let button = Button { title: "Sim".into(), action: ButtonAction::Link { url: "https://loja.exemplo".into() } };
        let stored = serde_json::to_value(&button).expect("json");
        assert_eq!(stored, serde_json::json!({ "title": "Sim", "action": "link", "url": "https://loja.exemplo" }));
        assert_eq!(serde_json::from_value::<Button>(stored).ok(), Some(button));
    }

    #[test]
    fn replies_fill_in_the_username() {
        assert_eq!(render_reply("Oi @{username}!", Some("cliente.fiel")), "Oi @cliente.fiel!");
        assert_eq!(render_reply("Oi {username}!", None), "Oi !");
    }
}
