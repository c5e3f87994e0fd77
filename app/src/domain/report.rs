//! Reports: the filter (kept in the URL, so the page and its CSV link share it), the rows,
//! totals per status and interactions per day.
use super::{
    automation::{AutomationKind, ResponseType},
    error::FieldError,
    url::{decode, encode},
};
use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The days a custom period may name: anything else is a typing error, and far dates overflow.
pub const FIRST_DAY: NaiveDate = NaiveDate::from_ymd_opt(2000, 1, 1).expect("a real day");
pub const LAST_DAY: NaiveDate = NaiveDate::from_ymd_opt(2100, 12, 31).expect("a real day");

/// The PRD's reply statuses, in the order the page lists them.
pub const STATUSES: [&str; 4] = ["sent", "failed", "pending", "skipped"];

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Period {
    Today,
    Week,
    #[default]
    Month,
    /// `from` and `to`, whole UTC days, both included.
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
    pub instance: Option<String>,
    pub kind: Option<AutomationKind>,
    pub period: Period,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub status: Option<String>,
    /// Without the `@`, compared case-insensitively.
    pub username: Option<String>,
    /// Admins only: one user's reports (their id).
    pub owner: Option<String>,
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
                errors.push(FieldError::new(name, "invalid_date"));
            }
            day
        };
        let (from, to) = (date("from"), date("to"));
        let mut clean = |name: &str| {
            let value = text(name)?;
            if value.chars().any(char::is_control) {
                errors.push(FieldError::new(name, "control_characters"));
                return None;
            }
            Some(value)
        };
        let (instance, username, owner) = (clean("instance"), clean("username"), clean("owner"));
        let period = text("period").as_deref().and_then(Period::parse).unwrap_or_default();
        if period == Period::Custom && from.zip(to).is_some_and(|(from, to)| from > to) {
            errors.push(FieldError::new("to", "date_order"));
        }
        let filter = Self {
            instance,
            kind: text("type").as_deref().and_then(AutomationKind::parse),
            period,
            from,
            to,
            status: text("status").filter(|s| STATUSES.contains(&s.as_str())),
            username: username.map(|u| u.trim_start_matches('@').to_owned()).filter(|u| !u.is_empty()),
            owner,
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
        add("instance", self.instance.clone());
        add("type", self.kind.map(|k| k.as_str().to_owned()));
        add("period", (self.period != Period::default()).then(|| self.period.as_str().to_owned()));
        add("from", self.from.map(|d| d.to_string()));
        add("to", self.to.map(|d| d.to_string()));
        add("status", self.status.clone());
        add("username", self.username.clone());
        add("owner", self.owner.clone());
        pairs.into_iter().map(|(k, v)| format!("{k}={}", encode(&v))).collect::<Vec<_>>().join("&")
    }

    /// The time range `[start, end)` the period covers at `now`.
    pub fn range(&self, now: DateTime<Utc>) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        let midnight = |day: NaiveDate| day.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
        let today = now.date_naive();
        match self.period {
            Period::Today => (midnight(today), None),
            Period::Week => (midnight(today - Days::new(6)), None),
            Period::Month => (midnight(today - Days::new(29)), None),
            Period::Custom => (
                self.from.and_then(midnight),
                self.to.and_then(|d| d.checked_add_days(Days::new(1))).and_then(midnight),
            ),
            Period::All => (None, None),
        }
    }
}

/// One interaction as the report table and the CSV show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRow {
    pub id: String,
    pub at: DateTime<Utc>,
    pub kind: AutomationKind,
    pub instance_id: String,
    pub instance_name: Option<String>,
    pub username: Option<String>,
    pub user_id_instagram: String,
    pub text: Option<String>,
    pub reply: Option<String>,
    /// How the reply goes: by DM (a comment's private reply) or publicly in the thread.
    pub reply_by: Option<ResponseType>,
    pub status: String,
    /// Why it was skipped or failed.
    pub error: Option<String>,
    pub comment_id: Option<String>,
    pub media_id: Option<String>,
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
    pub next: Option<String>,
    /// Interactions per status over the whole filter.
    pub totals: Vec<(String, i64)>,
    pub days: Vec<DayCount>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_round_trips_through_the_query_string() {
        let filter = ReportFilter {
            instance: Some("65f0c0ffee".into()),
            kind: Some(AutomationKind::Comment),
            period: Period::Custom,
            from: NaiveDate::from_ymd_opt(2026, 11, 1),
            to: NaiveDate::from_ymd_opt(2026, 11, 23),
            status: Some("sent".into()),
            username: Some("maria souza".into()),
            owner: None,
        };
        let query = filter.to_query();
        assert_eq!(query, "instance=65f0c0ffee&type=comment&period=custom&from=2026-11-01&to=2026-11-23&status=sent&username=maria%20souza");
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
    }

    #[test]
    fn dates_that_are_not_days_of_this_century_are_refused_by_field() {
        let refused = |query: &str| ReportFilter::parse_query(query).err().unwrap_or_default();
        let invalid = |field| vec![FieldError::new(field, "invalid_date")];
        assert_eq!(refused("period=custom&to=%2B262143-12-31"), invalid("to"));
        assert_eq!(refused("period=custom&to=+262143-12-31"), invalid("to"));
        assert_eq!(refused("period=custom&from=-0001-01-01"), invalid("from"));
        assert_eq!(refused("period=custom&from=ontem"), invalid("from"));
        assert_eq!(refused("period=custom&from=2026-02-30"), invalid("from"));
        assert_eq!(refused("period=custom&from=1999-12-31"), invalid("from"));
        assert_eq!(refused("period=custom&to=2101-01-01"), invalid("to"));
        assert_eq!(refused("period=custom&from=2026-11-02&to=2026-11-01"), vec![FieldError::new("to", "date_order")]);
        assert_eq!(refused("username=ana%00"), vec![FieldError::new("username", "control_characters")]);
        let last =
            ReportFilter::parse_query("period=custom&from=2000-01-01&to=2100-12-31").expect("the bounds are days");
        let now = DateTime::parse_from_rfc3339("2026-11-23T15:30:00Z").map(|d| d.to_utc()).expect("date");
        assert!(last.range(now).1.is_some_and(|end| end.to_rfc3339().starts_with("2101-01-01")));
        // The range never overflows, whatever the filter holds.
        let far = ReportFilter { period: Period::Custom, to: Some(NaiveDate::MAX), ..ReportFilter::default() };
        assert_eq!(far.range(now), (None, None));
    }

    #[test]
    fn periods_cover_whole_utc_days() {
        let now = DateTime::parse_from_rfc3339("2026-11-23T15:30:00Z").map(|d| d.to_utc()).expect("date");
        let day = |s: &str| DateTime::parse_from_rfc3339(s).map(|d| d.to_utc()).ok();
        let at = |period| ReportFilter { period, ..ReportFilter::default() }.range(now);
        assert_eq!(at(Period::Today), (day("2026-11-23T00:00:00Z"), None));
        assert_eq!(at(Period::Week), (day("2026-11-17T00:00:00Z"), None));
        let custom =
            ReportFilter::parse_query("period=custom&from=2026-11-01&to=2026-11-02").expect("valid").range(now);
        assert_eq!(custom, (day("2026-11-01T00:00:00Z"), day("2026-11-03T00:00:00Z")));
    }
}
