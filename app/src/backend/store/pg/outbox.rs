//! The outbound queue: pending replies, taken per Instagram account at the pace Meta allows.
//! Each account's pace is a GCRA kept in `outbound_accounts` (the earliest time the next send,
//! and the next private reply, conforms), so it holds across every server process; a process
//! takes an account's due replies under that row's lock, a few at a time, fairly across accounts.
use super::super::{access::System, StoreError};
use crate::domain::automation::{AutomationKind, ResponseType};
use chrono::{DateTime, Duration, Utc};
use sqlx::{PgConnection, PgPool, Postgres, Transaction};
use uuid::Uuid;

/// Meta's per-account limits as the engine keeps them (CONTRACT.md §12).
#[derive(Clone, Copy, Debug)]
pub struct Pace {
    /// Time between sends (1 / sends per second).
    pub send_interval: Duration,
    /// How many sends may go at once after a quiet spell.
    pub send_burst: i64,
    /// Time between private replies (1 h / private replies per hour).
    pub private_interval: Duration,
    pub private_burst: i64,
}

impl Pace {
    pub fn new(sends_per_second: u32, private_replies_per_hour: u32) -> Self {
        let per = |period_ms: i64, n: u32| Duration::microseconds(period_ms * 1000 / i64::from(n.max(1)));
        Self {
            send_interval: per(1000, sends_per_second),
            // In any second at most rate + rate/5 sends: 60 at 50/s, inside Meta's 100/s.
            send_burst: i64::from(sends_per_second / 5).max(1),
            private_interval: per(3_600_000, private_replies_per_hour),
            // In any hour at most rate + rate/20: 735 at 700/h, inside Meta's 750/h.
            private_burst: i64::from(private_replies_per_hour / 20).max(1),
        }
    }
}

/// How many sends conform at `now` for a GCRA whose next conforming time is `tat`.
fn allowance(tat: Option<DateTime<Utc>>, now: DateTime<Utc>, interval: Duration, burst: i64) -> i64 {
    let tat = tat.map_or(now, |t| t.max(now));
    let slack = now + interval * i32::try_from(burst).unwrap_or(i32::MAX) - tat;
    if slack < Duration::zero() {
        return 0;
    }
    let interval_us = interval.num_microseconds().unwrap_or(1).max(1);
    slack.num_microseconds().unwrap_or(0) / interval_us + 1
}

/// When the next send conforms, after `taken` more sends from `tat`.
fn next_tat(tat: Option<DateTime<Utc>>, now: DateTime<Utc>, interval: Duration, taken: i64) -> Option<DateTime<Utc>> {
    (taken > 0).then(|| tat.map_or(now, |t| t.max(now)) + interval * i32::try_from(taken).unwrap_or(i32::MAX)).or(tat)
}

/// A pending reply this process now sends, under a lease.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: Uuid,
    pub instance_id: String,
    pub user_id: String,
    pub kind: AutomationKind,
    pub event_id: String,
    /// IGSID of the person: the DM's sender or the commenter.
    pub person_id: String,
    pub username: Option<String>,
    pub response_text: Option<String>,
    pub response_type: Option<ResponseType>,
    /// The comment a public reply goes under.
    pub reply_target: Option<String>,
    /// What goes under a DM reply: buttons and quick replies, in the Send API's shapes.
    pub reply_extras: Option<serde_json::Value>,
    /// When an earlier run started sending this reply and never learnt the outcome, if one did.
    pub earlier_start: Option<DateTime<Utc>>,
    /// Counting this run.
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
}

impl Claimed {
    pub fn private_reply(&self) -> bool {
        self.kind == AutomationKind::Comment && self.response_type == Some(ResponseType::Direct)
    }
}

type ItemRow = (
    Uuid,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<DateTime<Utc>>,
    i32,
    DateTime<Utc>,
    DateTime<Utc>,
    bool,
    Option<String>,
    Option<sqlx::types::Json<serde_json::Value>>,
);

/// Takes due replies from up to `accounts` accounts, as many from each as its pace allows now, and
/// marks them in flight (`send_started_at`) for `lease`. The caller sends them at once.
pub async fn claim(
    pg: &PgPool,
    _: &System,
    pace: &Pace,
    accounts: i64,
    lease: std::time::Duration,
) -> Result<Vec<Claimed>, StoreError> {
    let mut tx = pg.begin().await?;
    // Per account: its id, when its next send and next private reply conform, and now.
    type Due = (String, Option<DateTime<Utc>>, Option<DateTime<Utc>>, DateTime<Utc>);
    let due: Vec<Due> = sqlx::query_as(
        "SELECT instance_id, next_send_at, next_private_reply_at, now() FROM outbound_accounts
         WHERE wake_at <= now() ORDER BY wake_at LIMIT $1 FOR UPDATE SKIP LOCKED",
    )
    .bind(accounts)
    .fetch_all(&mut *tx)
    .await?;
    if due.is_empty() {
        return Ok(Vec::new());
    }
    let now = due[0].3;
    let allowances: Vec<(i64, i64)> = due
        .iter()
        .map(|(_, send, private, _)| {
            let sends = allowance(*send, now, pace.send_interval, pace.send_burst);
            (sends, allowance(*private, now, pace.private_interval, pace.private_burst).min(sends))
        })
        .collect();
    // Private replies have their own, slower pace: they are taken apart from other replies.
    let mut rows: Vec<ItemRow> = Vec::new();
    let sends: Vec<i64> = allowances.iter().map(|a| a.0).collect();
    let privates: Vec<i64> = allowances.iter().map(|a| a.1).collect();
    for (private, limits) in [(false, &sends), (true, &privates)] {
        let mut taken: Vec<ItemRow> = sqlx::query_as(
            "SELECT r.id, r.instance_id, r.user_id, r.interaction_type, r.event_id, r.user_id_instagram, r.username,
                    r.response_text, r.response_type, r.send_started_at, r.attempts, r.created_at, r.send_after, $3,
                    r.reply_target, r.reply_extras
             FROM unnest($1::text[], $2::bigint[]) AS a(instance_id, allowed)
             CROSS JOIN LATERAL (
                 SELECT * FROM instagram_reports q
                 WHERE q.instance_id = a.instance_id AND q.status = 'pending' AND q.send_after <= now()
                   AND (q.claimed_until IS NULL OR q.claimed_until < now())
                   AND (q.interaction_type = 'comment' AND q.response_type = 'direct') = $3
                 ORDER BY q.send_after, q.id LIMIT a.allowed FOR UPDATE SKIP LOCKED
             ) r",
        )
        .bind(due.iter().map(|d| d.0.as_str()).collect::<Vec<_>>())
        .bind(limits)
        .bind(private)
        .fetch_all(&mut *tx)
        .await?;
        rows.append(&mut taken);
    }

    let mut claimed = Vec::new();
    let mut updates = AccountUpdates::default();
    for ((instance_id, send_tat, private_tat, _), (sends, privates)) in due.iter().zip(&allowances) {
        let mut mine: Vec<&ItemRow> = rows.iter().filter(|r| &r.1 == instance_id).collect();
        mine.sort_by_key(|r| (r.12, r.0));
        let offered_private = i64::try_from(mine.iter().filter(|r| r.13).count()).unwrap_or(i64::MAX);
        let taken: Vec<&ItemRow> = mine.into_iter().take(usize::try_from(*sends).unwrap_or(0)).collect();
        let taken_count = i64::try_from(taken.len()).unwrap_or(i64::MAX);
        let taken_private = i64::try_from(taken.iter().filter(|r| r.13).count()).unwrap_or(i64::MAX);
        let new_send = next_tat(*send_tat, now, pace.send_interval, taken_count);
        let new_private = next_tat(*private_tat, now, pace.private_interval, taken_private);
        // When the pace let through fewer than may be waiting, the account wakes when it conforms
        // again; otherwise (None) it sleeps until its next known reply.
        let conforms = |tat: Option<DateTime<Utc>>, interval: Duration, burst: i64| {
            tat.map(|t| (t - interval * i32::try_from(burst).unwrap_or(0)).max(now))
        };
        let wake = if taken_count >= *sends {
            conforms(new_send, pace.send_interval, pace.send_burst)
        } else if offered_private >= *privates {
            conforms(new_private, pace.private_interval, pace.private_burst)
        } else {
            None
        };
        updates.push(instance_id, new_send, new_private, wake);
        claimed.extend(taken.into_iter().map(claimed_item));
    }
    let ids: Vec<Uuid> = claimed.iter().map(|c| c.id).collect();
    sqlx::query(
        "UPDATE instagram_reports SET send_started_at = now(), attempts = attempts + 1,
             claimed_until = now() + make_interval(secs => $2), updated_at = now()
         WHERE id = ANY($1)",
    )
    .bind(&ids)
    .bind(lease.as_secs_f64())
    .execute(&mut *tx)
    .await?;
    updates.apply(&mut tx).await?;
    tx.commit().await?;
    Ok(claimed)
}

fn claimed_item(r: &ItemRow) -> Claimed {
    Claimed {
        id: r.0,
        instance_id: r.1.clone(),
        user_id: r.2.clone(),
        kind: AutomationKind::parse(&r.3).unwrap_or(AutomationKind::Dm),
        event_id: r.4.clone(),
        person_id: r.5.clone(),
        username: r.6.clone(),
        response_text: r.7.clone(),
        reply_target: r.14.clone(),
        reply_extras: r.15.as_ref().map(|json| json.0.clone()),
        response_type: r.8.as_deref().and_then(ResponseType::parse),
        earlier_start: r.9,
        attempts: r.10 + 1,
        created_at: r.11,
    }
}

#[derive(Default)]
struct AccountUpdates {
    ids: Vec<String>,
    sends: Vec<Option<DateTime<Utc>>>,
    privates: Vec<Option<DateTime<Utc>>>,
    wakes: Vec<Option<DateTime<Utc>>>,
}

impl AccountUpdates {
    fn push(
        &mut self,
        id: &str,
        send: Option<DateTime<Utc>>,
        private: Option<DateTime<Utc>>,
        wake: Option<DateTime<Utc>>,
    ) {
        self.ids.push(id.to_owned());
        self.sends.push(send);
        self.privates.push(private);
        self.wakes.push(wake);
    }

    /// A NULL wake means "drained": the next wake is the earliest pending reply still there (a
    /// retry later on, or one just taken, whose lease may run out), read after the takes above.
    async fn apply(&self, tx: &mut Transaction<'_, Postgres>) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE outbound_accounts a SET next_send_at = u.send, next_private_reply_at = u.private,
                 wake_at = COALESCE(u.wake, (SELECT min(GREATEST(r.send_after, r.claimed_until))
                                             FROM instagram_reports r
                                             WHERE r.instance_id = a.instance_id AND r.status = 'pending'))
             FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[], $4::timestamptz[]) AS u(id, send, private, wake)
             WHERE a.instance_id = u.id",
        )
        .bind(&self.ids)
        .bind(&self.sends)
        .bind(&self.privates)
        .bind(&self.wakes)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}

/// Makes these accounts look for due replies at the given times (or sooner, if already due).
pub async fn wake(db: &mut PgConnection, _: &System, at: &[(String, DateTime<Utc>)]) -> Result<(), StoreError> {
    if at.is_empty() {
        return Ok(());
    }
    let mut at: Vec<&(String, DateTime<Utc>)> = at.iter().collect();
    // One row per account, earliest time, in key order (no lock cycles between batches).
    at.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    at.dedup_by(|a, b| a.0 == b.0);
    sqlx::query(
        "INSERT INTO outbound_accounts (instance_id, wake_at)
         SELECT * FROM unnest($1::text[], $2::timestamptz[])
         ON CONFLICT (instance_id) DO UPDATE
             SET wake_at = LEAST(outbound_accounts.wake_at, EXCLUDED.wake_at)
             -- Locked either way (so a claim running now skips it, and one after sees the reply),
             -- but rewritten only when it was not awake already.
             WHERE outbound_accounts.wake_at IS NULL OR outbound_accounts.wake_at > EXCLUDED.wake_at",
    )
    .bind(at.iter().map(|a| a.0.as_str()).collect::<Vec<_>>())
    .bind(at.iter().map(|a| a.1).collect::<Vec<_>>())
    .execute(db)
    .await?;
    Ok(())
}

/// When the earliest account wakes, if any has a reply waiting.
pub async fn next_wake(pg: &PgPool) -> Result<Option<DateTime<Utc>>, StoreError> {
    Ok(sqlx::query_scalar("SELECT min(wake_at) FROM outbound_accounts").fetch_one(pg).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: i64) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(1_800_000_000_000 + ms).expect("valid")
    }

    #[test]
    fn an_idle_account_may_send_its_burst_and_then_one_per_interval() {
        let pace = Pace::new(50, 700);
        assert_eq!((pace.send_interval, pace.send_burst), (Duration::milliseconds(20), 10));
        assert_eq!(allowance(None, at(0), pace.send_interval, pace.send_burst), 11);
        let tat = next_tat(None, at(0), pace.send_interval, 11);
        assert_eq!(tat, Some(at(220)));
        assert_eq!(allowance(tat, at(0), pace.send_interval, pace.send_burst), 0, "the burst is spent");
        assert_eq!(allowance(tat, at(20), pace.send_interval, pace.send_burst), 1);
        assert_eq!(allowance(tat, at(100), pace.send_interval, pace.send_burst), 5);
    }

    #[test]
    fn no_window_of_a_second_holds_more_than_the_rate_and_its_burst() {
        let pace = Pace::new(50, 700);
        let (mut tat, mut sent) = (None, Vec::new());
        // Ask every 7 ms for as much as the pace allows, for five seconds.
        for step in 0..715 {
            let now = at(step * 7);
            let n = allowance(tat, now, pace.send_interval, pace.send_burst);
            sent.extend(std::iter::repeat_n(now, usize::try_from(n).expect("small")));
            tat = next_tat(tat, now, pace.send_interval, n);
        }
        let most = sent
            .iter()
            .map(|start| sent.iter().filter(|t| **t >= *start && **t < *start + Duration::seconds(1)).count())
            .max();
        assert!(most.is_some_and(|n| n <= 61), "at most 50 + 10 + 1 in a second: {most:?}");
        assert!(sent.len() >= 250, "and the rate itself gets through: {}", sent.len());
    }

    #[test]
    fn private_replies_keep_inside_metas_hourly_limit() {
        let pace = Pace::new(50, 700);
        assert_eq!(pace.private_burst, 35);
        let n = allowance(None, at(0), pace.private_interval, pace.private_burst);
        assert_eq!(n, 36);
        let tat = next_tat(None, at(0), pace.private_interval, n);
        // Over the hour that follows, one more every interval: at most 36 + 700 - 1 < 750.
        let later = allowance(tat, at(3_600_000), pace.private_interval, pace.private_burst);
        assert!(n + later <= 750, "{n} + {later}");
    }
}
