//! Reports: the filter (kept in the URL, so the page and its CSV link share it), the rows,
//! totals per status and interactions per day.
use super::id::{AutomationId, CommentId, InstanceId, MediaId, PersonId, ReportId, UserId};
use super::{
    automation::{AutomationKind, ResponseType},
    error::FieldError,
    url::{decode, encode},
};
use crate::domain::error::FieldCode;
use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The days a custom period may name: anything else is a typing error, and far dates overflow.
pub const FIRST_DAY: NaiveDate = NaiveDate::from_ymd_opt(2000, 1, 1).expect("a real day");
pub const LAST_DAY: NaiveDate = NaiveDate::from_ymd_opt(2100, 12, 31).expect("a real day");

/// What became of an interaction's reply: the PRD's statuses, stored and sent as their names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ReplyStatus {
    Sent,
    Failed,
    Pending,
    Skipped,
}

impl ReplyStatus {
    /// In the order the page lists them.
    pub const ALL: [Self; 4] = [Self::Sent, Self::Failed, Self::Pending, Self::Skipped];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Failed => "failed",
            Self::Pending => "pending",
            Self::Skipped => "skipped",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

named_enum! {
    /// Why an interaction got no reply (skipped) or its reply failed: the report's `error`,
    /// stored and exported by name, shown translated, never as Meta's English text.
    #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
    pub enum ReplyReason {
        NoMatch => "no_match",
        DailyCap => "daily_cap",
        NotConnected => "instance_not_connected",
        /// The owner paused every automation of the instance.
        Paused => "instance_paused",
        /// Someone of the account answers this conversation by hand for now.
        HumanTookOver => "human_took_over",
        /// The automation already answered this person (once per person, or within its N hours).
        OncePerPerson => "once_per_person",
        /// The automation answered this person too often within the hour: another bot, most likely.
        LoopGuard => "loop_guard",
        /// A live video's comment and an automation with only a public reply, which Meta refuses there.
        LiveNoPublicReply => "live_no_public_reply",
        /// A tap on a button or quick reply whose follow-up was deleted or turned off since.
        FollowUpUnavailable => "follow_up_unavailable",
        OutsideWindow => "outside_window",
        PrivateReplyUsed => "private_reply_used",
        TokenInvalid => "token_invalid",
        MetaRateLimited => "meta_rate_limited",
        RecipientUnavailable => "recipient_unavailable",
        RecipientUnknown => "recipient_unknown",
        BlockedByUser => "blocked_by_user",
        MessagingDisabled => "messaging_disabled",
        AttachmentFailed => "attachment_failed",
        ObjectMissing => "object_missing",
        PolicyBlock => "policy_block",
        PermissionDenied => "permission_denied",
        InvalidMessage => "invalid_message",
        MessageDeleted => "message_deleted",
        MetaUnavailable => "meta_unavailable",
        /// Meta answered something the contract does not describe.
        MetaUnexpected => "meta_unexpected",
        MetaRefused => "meta_refused",
        RetriesRanOut => "retries_ran_out",
        StorageUnavailable => "storage_unavailable",
        InstanceDeleted => "instance_deleted",
        /// A pending reply stored without its text: nothing to send.
        ReplyMissing => "reply_missing",
    }
}

/// Free-text search: at least this many characters (shorter ones match nearly everything and
/// cannot use the index), at most [`SEARCH_MAX_CHARS`].
pub const SEARCH_MIN_CHARS: usize = 3;
pub const SEARCH_MAX_CHARS: usize = 100;
/// The chart shows at most this many days: the period's last ones.
pub const CHART_DAYS: u64 = 92;
/// The cookie the browser keeps its time zone in (an IANA name), so that the server counts the
/// reader's days.
pub const ZONE_COOKIE: &str = "ic_tz";
/// Rows per page of the table.
pub const PAGE_ROWS: usize = 50;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Period {
    Today,
    Week,
    #[default]
    Month,
    /// `from` and `to`, whole days in the reader's time zone, both included.
    Custom,
    All,
}

impl Period {
    pub const ALL: [Self; 5] = [Self::Today, Self::Week, Self::Month, Self::Custom, Self::All];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Today => "today",
            Self::Week => "7d",
            Self::Month => "30d",
            Self::Custom => "custom",
            Self::All => "all",
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == raw)
    }
}

/// Which interactions to show. Unknown choices (a type, status or period this app does not have)
/// are ignored; a date that is not a real day between [`FIRST_DAY`] and [`LAST_DAY`], or a custom
/// period that ends before it starts, is an error on that field.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportFilter {
    pub instance: Option<InstanceId>,
    pub kind: Option<AutomationKind>,
    pub period: Period,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub status: Option<ReplyStatus>,
    /// Without the `@`, compared case-insensitively.
    pub username: Option<String>,
    /// Admins only: one user's reports (their id).
    pub owner: Option<UserId>,
    /// One automation's interactions (its id).
    pub automation: Option<AutomationId>,
    /// Words in the username, the text or the reply, case-insensitively.
    pub search: Option<String>,
}

impl ReportFilter {
    /// Reads the filter from query parameters (`get` returns a parameter's value), with the
    /// fields that were refused; a refused date is left out of the filter.
    pub fn read_params(get: impl Fn(&str) -> Option<String>) -> (Self, Vec<FieldError>) {
        let text = |name: &str| get(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let mut errors = Vec::new();
        let mut date = |name: &str| {
            let raw = text(name)?;
            let day = NaiveDate::parse_from_str(&raw, "%Y-%m-%d").ok().filter(|d| (FIRST_DAY..=LAST_DAY).contains(d));
            if day.is_none() {
                errors.push(FieldError::new(name, FieldCode::InvalidDate));
            }
            day
        };
        let (from, to) = (date("from"), date("to"));
        let mut clean = |name: &str| {
            let value = text(name)?;
            if value.chars().any(char::is_control) {
                errors.push(FieldError::new(name, FieldCode::ControlCharacters));
                return None;
            }
            Some(value)
        };
        let (instance, username, owner) = (clean("instance"), clean("username"), clean("owner"));
        let search = clean("q");
        match search.as_ref().map(|q| q.chars().count()) {
            Some(n) if n < SEARCH_MIN_CHARS => errors.push(FieldError::new("q", FieldCode::SearchTooShort)),
            Some(n) if n > SEARCH_MAX_CHARS => errors.push(FieldError::new("q", FieldCode::TooLong)),
            _ => {}
        }
        let search = search.filter(|q| (SEARCH_MIN_CHARS..=SEARCH_MAX_CHARS).contains(&q.chars().count()));
        let period = text("period").as_deref().and_then(Period::parse).unwrap_or_default();
        if period == Period::Custom && from.zip(to).is_some_and(|(from, to)| from > to) {
            errors.push(FieldError::new("to", FieldCode::DateOrder));
        }
        let filter = Self {
            instance: instance.map(InstanceId::from),
            kind: text("type").as_deref().and_then(AutomationKind::parse),
            period,
            from,
            to,
            status: text("status").as_deref().and_then(ReplyStatus::parse),
            username: username.map(|u| u.trim_start_matches('@').to_owned()).filter(|u| !u.is_empty()),
            owner: owner.map(UserId::from),
            // An id that is not one is no automation of anyone's: ignored, as unknown choices are.
            automation: text("automation").filter(|id| uuid_like(id)).map(AutomationId::from),
            search,
        };
        (filter, errors)
    }

    /// Reads the filter from a raw query string (`a=1&b=2`); refused fields are an error.
    pub fn parse_query(query: &str) -> Result<Self, Vec<FieldError>> {
        let pairs: Vec<(String, String)> = query
            .split('&')
            .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
            .map(|(k, v)| (decode(k), decode(v)))
            .collect();
        let (filter, errors) = Self::read_params(|name| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()));
        if errors.is_empty() {
            Ok(filter)
        } else {
            Err(errors)
        }
    }

    /// The query string for this filter, without defaults.
    pub fn to_query(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        let mut add = |name, value: Option<String>| {
            if let Some(value) = value {
                pairs.push((name, value));
            }
        };
        add("instance", self.instance.as_ref().map(|id| id.to_string()));
        add("type", self.kind.map(|k| k.as_str().to_owned()));
        add("period", (self.period != Period::default()).then(|| self.period.as_str().to_owned()));
        add("from", self.from.map(|d| d.to_string()));
        add("to", self.to.map(|d| d.to_string()));
        add("status", self.status.map(|s| s.as_str().to_owned()));
        add("username", self.username.clone());
        add("owner", self.owner.as_ref().map(|id| id.to_string()));
        add("automation", self.automation.as_ref().map(|id| id.to_string()));
        add("q", self.search.clone());
        pairs.into_iter().map(|(k, v)| format!("{k}={}", encode(&v))).collect::<Vec<_>>().join("&")
    }

    /// The first and last day the period covers when the reader's day is `today`, in the reader's
    /// time zone; `None` is open-ended (relative periods reach into the future, whose clock
    /// may run ahead).
    pub fn days(&self, today: NaiveDate) -> (Option<NaiveDate>, Option<NaiveDate>) {
        let back = |days| today.checked_sub_days(Days::new(days));
        match self.period {
            Period::Today => (Some(today), None),
            Period::Week => (back(6), None),
            Period::Month => (back(29), None),
            Period::Custom => (self.from, self.to),
            Period::All => (None, None),
        }
    }

    /// The days the chart shows, oldest first: the period's, at most [`CHART_DAYS`] of them up to
    /// its last; `first_data` is the oldest day with data, where the period has no start.
    pub fn chart_days(&self, today: NaiveDate, first_data: Option<NaiveDate>) -> Vec<NaiveDate> {
        let (start, end) = self.days(today);
        let last = end.unwrap_or(today);
        let earliest = last.checked_sub_days(Days::new(CHART_DAYS - 1)).unwrap_or(last);
        let first = start.or(first_data).unwrap_or(last).max(earliest);
        first.iter_days().take_while(|day| *day <= last).collect()
    }
}

fn uuid_like(raw: &str) -> bool {
    raw.len() == 36
        && raw.char_indices().all(|(i, c)| if [8, 13, 18, 23].contains(&i) { c == '-' } else { c.is_ascii_hexdigit() })
}

/// One interaction as the report table and the CSV show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReportRow {
    pub id: ReportId,
    pub at: DateTime<Utc>,
    pub kind: AutomationKind,
    pub instance_id: InstanceId,
    pub instance_name: Option<String>,
    pub username: Option<String>,
    pub user_id_instagram: PersonId,
    pub text: Option<String>,
    pub reply: Option<String>,
    /// How the reply goes: by DM (a comment's private reply) or publicly in the thread.
    pub reply_by: Option<ResponseType>,
    pub status: ReplyStatus,
    /// Why it was skipped or failed.
    pub error: Option<String>,
    pub comment_id: Option<CommentId>,
    pub media_id: Option<MediaId>,
}

impl ReportRow {
    /// Which part of an answer this row's reply is: `dm` (a DM's reply), `publica` (a comment's
    /// public reply) or `privada` (its private reply by DM); `None` without a reply.
    pub fn reply_part(&self) -> Option<&'static str> {
        match (self.kind, self.reply_by?) {
            (AutomationKind::Dm, _) => Some("dm"),
            (AutomationKind::Comment, ResponseType::Comment) => Some("publica"),
            (AutomationKind::Comment, ResponseType::Direct) => Some("privada"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCount {
    pub day: NaiveDate,
    pub dm: i64,
    pub comment: i64,
}

/// A page of the report table, with what the whole filter adds up to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportPage {
    pub rows: Vec<ReportRow>,
    /// Where the next (older) page starts, if there is one.
    pub older: Option<String>,
    /// Where the previous (newer) page ends, if this is not the first.
    pub newer: Option<String>,
    /// Report rows per status over the whole filter.
    pub totals: Vec<(ReplyStatus, i64)>,
    /// Report rows over the whole filter; at least this many when `capped`.
    pub total: i64,
    /// A free-text or username filter counts [`COUNT_CAP`] rows at most (and charts none beyond).
    pub capped: bool,
    /// Interactions per day of [`ReportFilter::chart_days`], zeros included.
    pub days: Vec<DayCount>,
    /// The time zone the days are the reader's in (an IANA name).
    pub time_zone: String,
}

/// Where a text filter stops counting.
pub const COUNT_CAP: i64 = 1_000;

/// What the filter's choices offer: the instances (every instance for admins), the automations
/// (the chosen instance's, else the owner's) and, for admins, the owners.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportChoices {
    pub instances: Vec<Choice>,
    pub automations: Vec<Choice>,
    pub owners: Vec<Choice>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub id: String,
    pub label: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_and_status_reads_back_and_travels_as_its_stored_name() {
        for &reason in ReplyReason::ALL {
            assert_eq!(ReplyReason::parse(reason.as_str()), Some(reason));
            assert_eq!(serde_json::to_value(reason).expect("json"), reason.as_str());
        }
        for status in ReplyStatus::ALL {
            assert_eq!(ReplyStatus::parse(status.as_str()), Some(status));
            assert_eq!(serde_json::to_value(status).expect("json"), status.as_str());
        }
        assert_eq!(ReplyReason::parse("Meta's English text"), None);
    }

    #[test]
    fn the_filter_round_trips_through_the_query_string() {
        let filter = ReportFilter {
            instance: Some("65f0c0ffee".into()),
            kind: Some(AutomationKind::Comment),
            period: Period::Custom,
            from: NaiveDate::from_ymd_opt(2026, 11, 1),
            to: NaiveDate::from_ymd_opt(2026, 11, 23),
            status: Some(ReplyStatus::Sent),
            username: Some("maria souza".into()),
            owner: None,
            automation: Some("0192f0c0-0000-7000-8000-000000000001".into()),
            search: Some("preço & frete".into()),
        };
        let query = filter.to_query();
        assert_eq!(
            query,
            "instance=65f0c0ffee&type=comment&period=custom&from=2026-11-01&to=2026-11-23&status=sent&username=maria%20souza\
             &automation=0192f0c0-0000-7000-8000-000000000001&q=pre%C3%A7o%20%26%20frete"
        );
        assert_eq!(ReportFilter::parse_query(&query), Ok(filter));
        assert_eq!(
            ReportFilter::parse_query("").map(|f| f.to_query()),
            Ok(String::new()),
            "the default is the bare page"
        );
    }

    #[test]
    fn unknown_choices_are_ignored_and_usernames_lose_their_at() {
        let filter = ReportFilter::parse_query("type=story&status=delivered&period=year&username=%40Cliente.Fiel")
            .expect("unknown choices are not errors");
        assert_eq!(filter.kind, None);
        assert_eq!(filter.status, None);
        assert_eq!(filter.period, Period::Month);
        assert_eq!(filter.username.as_deref(), Some("Cliente.Fiel"));
        let filter = ReportFilter::parse_query("automation=DROP%20TABLE").expect("not an id: ignored");
        assert_eq!(filter.automation, None);
    }

    #[test]
    fn searches_are_bounded() {
        let refused = |query: &str| ReportFilter::parse_query(query).err().unwrap_or_default();
        assert_eq!(refused("q=oi"), vec![FieldError::new("q", FieldCode::SearchTooShort)]);
        assert_eq!(refused(&format!("q={}", "a".repeat(101))), vec![FieldError::new("q", FieldCode::TooLong)]);
        assert_eq!(refused("q=pre%00co"), vec![FieldError::new("q", FieldCode::ControlCharacters)]);
        assert_eq!(ReportFilter::parse_query("q=%20frete%20").map(|f| f.search), Ok(Some("frete".into())));
    }

    #[test]
    fn dates_that_are_not_days_of_this_century_are_refused_by_field() {
        let refused = |query: &str| ReportFilter::parse_query(query).err().unwrap_or_default();
        let invalid = |field| vec![FieldError::new(field, FieldCode::InvalidDate)];
        assert_eq!(refused("period=custom&to=%2B262143-12-31"), invalid("to"));
        assert_eq!(refused("period=custom&to=+262143-12-31"), invalid("to"));
        assert_eq!(refused("period=custom&from=-0001-01-01"), invalid("from"));
        assert_eq!(refused("period=custom&from=ontem"), invalid("from"));
        assert_eq!(refused("period=custom&from=2026-02-30"), invalid("from"));
        assert_eq!(refused("period=custom&from=1999-12-31"), invalid("from"));
        assert_eq!(refused("period=custom&to=2101-01-01"), invalid("to"));
        assert_eq!(
            refused("period=custom&from=2026-11-02&to=2026-11-01"),
            vec![FieldError::new("to", FieldCode::DateOrder)]
        );
        assert_eq!(refused("username=ana%00"), vec![FieldError::new("username", FieldCode::ControlCharacters)]);
        let last =
            ReportFilter::parse_query("period=custom&from=2000-01-01&to=2100-12-31").expect("the bounds are days");
        assert_eq!(last.days(FIRST_DAY), (Some(FIRST_DAY), Some(LAST_DAY)));
        // The days never underflow, whatever today is.
        let week = ReportFilter { period: Period::Week, ..ReportFilter::default() };
        assert_eq!(week.days(NaiveDate::MIN), (None, None));
        assert!(!week.chart_days(NaiveDate::MIN, None).is_empty());
    }

    #[test]
    fn periods_cover_whole_days_of_the_reader() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).expect("day");
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d);
        let at = |period| ReportFilter { period, ..ReportFilter::default() }.days(today);
        assert_eq!(at(Period::Today), (day(23), None));
        assert_eq!(at(Period::Week), (day(17), None));
        assert_eq!(at(Period::Month), (NaiveDate::from_ymd_opt(2026, 10, 25), None));
        assert_eq!(at(Period::All), (None, None));
        let custom = ReportFilter::parse_query("period=custom&from=2026-11-01&to=2026-11-02").expect("valid");
        assert_eq!(custom.days(today), (day(1), day(2)));
    }

    #[test]
    fn the_chart_shows_every_day_of_the_period_up_to_its_last_ones() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).expect("day");
        let week = ReportFilter { period: Period::Week, ..ReportFilter::default() }.chart_days(today, None);
        assert_eq!(week.len(), 7);
        assert_eq!(week.first().map(ToString::to_string).as_deref(), Some("2026-11-17"));
        assert_eq!(week.last(), Some(&today));
        let all = ReportFilter { period: Period::All, ..ReportFilter::default() };
        assert_eq!(all.chart_days(today, None), vec![today], "no data: today alone");
        let long = all.chart_days(today, NaiveDate::from_ymd_opt(2020, 1, 1));
        assert_eq!(long.len(), usize::try_from(CHART_DAYS).unwrap_or_default(), "the last days of a long period");
        assert_eq!(long.last(), Some(&today));
    }
}
