//! Intake: stored deliveries become messages, comments and reports, many deliveries per
//! transaction with multi-row statements. Each inbound event gets its report here: `skipped` with
//! the reason, or `pending` with the chosen reply, which the outbox then sends.
//!
//! Poison cannot spread: a batch that fails on its data marks its deliveries, and each then runs
//! alone; alone, each event runs under its own savepoint, so one that cannot be stored becomes a
//! dead letter while the delivery's other events go through. A delivery that keeps failing (a
//! crash, a panic) stops after a bounded number of runs and becomes a dead letter itself.
use super::{
    decide::{self, Decision, Part},
    Woken,
};
use crate::backend::store::access::System;
use crate::domain::id::{CommentId, MediaId};
use crate::domain::report::{ReplyReason, ReplyStatus};
use crate::{
    backend::{
        directory::Instance,
        live::{self, Tally},
        meta::events::{self, CommentEvent, Entry, Event, MessageEvent},
        state::AppState,
        store::{
            pg::{
                automation_uses, conversations, daily_caps,
                dead_letters::{self, Failure, Kind, Reason},
                deliveries::{self, Delivery},
                interactions::{self, NewMessage, Owner, Replied},
                notifications, outbox, people,
                reports::{self, EventKey, NewReport, PublicReplySeen, Settled},
            },
            StoreError,
        },
    },
    domain::{
        automation::{AutomationKind, EventFacts, Inbound, PerPerson, ResponseType},
        instance::InstanceStatus,
        notification::NotificationKind,
    },
};
use chrono::{DateTime, Utc};
use futures_util::FutureExt;
use mongodb::bson::oid::ObjectId;
use sqlx::{Acquire, PgConnection, Postgres, Transaction};
use std::{
    collections::{HashMap, HashSet},
    panic::AssertUnwindSafe,
    time::Duration,
};
use uuid::Uuid;

/// A delivery that did not finish this many runs becomes a dead letter.
pub(super) const MAX_RUNS: i32 = 5;
/// One run may take this long before it counts as failed.
const RUN_TIMEOUT: Duration = Duration::from_secs(60);

/// A delivery with its parsed entries; `None` when the body was not a webhook payload.
pub(super) struct Parsed {
    pub delivery: Delivery,
    pub entries: Option<Vec<Entry>>,
}

pub(super) fn parse(delivery: Delivery) -> Parsed {
    let entries = events::parse(&delivery.body, delivery.received_at.timestamp_millis()).ok();
    Parsed { delivery, entries }
}

/// One event of a delivery, where it sits in it.
#[derive(Clone, Copy)]
pub(super) struct Unit<'a> {
    delivery: &'a Delivery,
    entry: usize,
    item: usize,
    account_id: &'a str,
    event: &'a Event,
}

pub(super) fn units(parsed: &[Parsed]) -> Vec<Unit<'_>> {
    let mut units = Vec::new();
    for p in parsed {
        for (entry, e) in p.entries.iter().flatten().enumerate() {
            for (item, event) in e.events.iter().enumerate() {
                units.push(Unit { delivery: &p.delivery, entry, item, account_id: &e.account_id, event });
            }
        }
    }
    units
}

/// Takes in up to `limit` waiting deliveries in one transaction; returns how many it took.
pub(super) async fn run_batch(state: &AppState, limit: i64) -> Result<usize, StoreError> {
    let mut tx = state.pg.begin().await?;
    let taken = deliveries::take_fresh(&mut tx, &System::ACTING, limit).await?;
    if taken.is_empty() {
        return Ok(0);
    }
    let ids: Vec<Uuid> = taken.iter().map(|d| d.id).collect();
    // Parsing hundreds of payloads is CPU work: off the async workers, so requests keep flowing.
    let Ok(parsed) = tokio::task::spawn_blocking(move || taken.into_iter().map(parse).collect::<Vec<_>>()).await else {
        drop(tx);
        deliveries::record_failure(&state.pg, &System::ACTING, &ids, "parsing panicked").await?;
        return Ok(ids.len());
    };
    let work = AssertUnwindSafe(tokio::time::timeout(RUN_TIMEOUT, take_and_finish(state, &mut tx, &parsed)));
    let failure = match work.catch_unwind().await {
        Ok(Ok(Ok(woken))) => {
            tx.commit().await?;
            woken.after_commit(state).await;
            return Ok(ids.len());
        }
        Ok(Ok(Err(error))) if error.is_transient() => return Err(error),
        Ok(Ok(Err(error))) => error.to_string(),
        Ok(Err(_elapsed)) => format!("the run took longer than {} s", RUN_TIMEOUT.as_secs()),
        Err(_panic) => "the run panicked".to_owned(),
    };
    drop(tx);
    // From now on each of these runs alone: the one at fault cannot hold up the others.
    tracing::warn!(deliveries = ids.len(), "an intake batch failed, its deliveries run alone: {failure}");
    deliveries::record_failure(&state.pg, &System::ACTING, &ids, &failure).await?;
    Ok(ids.len())
}

async fn take_and_finish(
    state: &AppState,
    tx: &mut Transaction<'_, Postgres>,
    parsed: &[Parsed],
) -> Result<Woken, StoreError> {
    let all = units(parsed);
    let mut taken = take_in(state, tx, &all).await?;
    junk(parsed, &mut taken.dead);
    // `take_fresh` took them out of the queue already.
    finish(tx, &[], taken).await
}

/// Takes one delivery whose earlier run failed and runs it alone; false when there is none.
pub(super) async fn run_suspect(state: &AppState) -> Result<bool, StoreError> {
    let lease = f64::from(state.config.engine.job_lease_seconds);
    let Some(delivery) = deliveries::claim_suspect(&state.pg, &System::ACTING, lease).await? else { return Ok(false) };
    let id = delivery.id;
    if delivery.attempts > MAX_RUNS {
        give_up(state, &delivery).await?;
        return Ok(true);
    }
    let parsed = [parse(delivery)];
    let work = AssertUnwindSafe(tokio::time::timeout(RUN_TIMEOUT, run_alone(state, &parsed))).catch_unwind().await;
    match work {
        Ok(Ok(Ok(()))) => {}
        Ok(Ok(Err(error))) if error.is_transient() => {
            // The database failed under the run: not the delivery's fault, try again soon.
            deliveries::release(&state.pg, &System::ACTING, id, 5.0, &error.to_string()).await?;
        }
        Ok(Ok(Err(error))) => deliveries::note_failure(&state.pg, &System::ACTING, id, &error.to_string()).await?,
        Ok(Err(_elapsed)) => deliveries::note_failure(&state.pg, &System::ACTING, id, "the run took too long").await?,
        // Counted already; its lease runs out and it runs again, up to MAX_RUNS.
        Err(_panic) => tracing::error!(delivery.id = %id, "delivery {id} panicked its run"),
    }
    Ok(true)
}

/// Runs one delivery on its own: all of it under a savepoint; if that fails on the data, each
/// event under its own, the failing ones kept as dead letters.
pub(super) async fn run_alone(state: &AppState, parsed: &[Parsed]) -> Result<(), StoreError> {
    let mut tx = state.pg.begin().await?;
    let all = units(parsed);
    let whole = {
        let mut savepoint = (&mut tx).begin().await?;
        match take_in(state, &mut savepoint, &all).await {
            Ok(taken) => {
                savepoint.commit().await?;
                Ok(taken)
            }
            Err(error) => Err(error),
        }
    };
    let mut taken = match whole {
        Ok(taken) => taken,
        Err(error) if error.is_transient() => return Err(error),
        Err(_) => {
            let mut taken = TakenIn::default();
            for unit in &all {
                let mut savepoint = (&mut tx).begin().await?;
                match take_in(state, &mut savepoint, std::slice::from_ref(unit)).await {
                    Ok(one) => {
                        savepoint.commit().await?;
                        taken.merge(one);
                    }
                    Err(error) if error.is_transient() => return Err(error),
                    Err(error) => {
                        drop(savepoint);
                        tracing::warn!(delivery.id = %unit.delivery.id, "an event cannot be stored: {error}");
                        taken.dead.push(OwnedFailure::unit(unit, Reason::StorageError, Some(error.to_string()), true));
                    }
                }
            }
            taken
        }
    };
    junk(parsed, &mut taken.dead);
    let ids: Vec<Uuid> = parsed.iter().map(|p| p.delivery.id).collect();
    let woken = finish(&mut tx, &ids, taken).await?;
    tx.commit().await?;
    woken.after_commit(state).await;
    Ok(())
}

/// Runs again one event kept as a dead letter (an admin asked): Ok when it went through now.
pub(super) async fn run_event_again(
    state: &AppState,
    delivery_id: Uuid,
    entry: i32,
    item: i32,
) -> Result<(), StoreError> {
    let delivery = deliveries::load(&state.pg, &System::ACTING, delivery_id).await?.ok_or(StoreError::NotFound)?;
    let parsed = [parse(delivery)];
    let all = units(&parsed);
    let unit = all
        .iter()
        .find(|u| i32::try_from(u.entry).ok() == Some(entry) && i32::try_from(u.item).ok() == Some(item))
        .ok_or(StoreError::NotFound)?;
    let mut tx = state.pg.begin().await?;
    let TakenIn { tally, touched, replies, dead } = take_in(state, &mut tx, std::slice::from_ref(unit)).await?;
    if let Some(refused) = dead.first() {
        return Err(StoreError::Malformed(refused.reason.as_str().to_owned()));
    }
    live::notify(&mut tx, &tally.events()).await?;
    tx.commit().await?;
    Woken { touched, replies }.after_commit(state).await;
    Ok(())
}

/// A delivery that never finished: kept as a dead letter and out of the queue.
async fn give_up(state: &AppState, delivery: &Delivery) -> Result<(), StoreError> {
    let mut tx = state.pg.begin().await?;
    let summary = format!("delivery of {} bytes received {}", delivery.body.len(), delivery.received_at.to_rfc3339());
    let failure = Failure {
        kind: Kind::Delivery,
        delivery_id: Some(delivery.id),
        entry_index: None,
        item_index: None,
        report_id: None,
        account_id: None,
        instance_id: None,
        summary: &summary,
        reason: Reason::ProcessingFailed,
        detail: Some(&format!("its processing did not finish in {MAX_RUNS} runs")),
        retryable: true,
        // Every claim counted a run, the last one (which found the bound reached) aside.
        attempts: delivery.attempts - 1,
    };
    dead_letters::record(&mut tx, &System::ACTING, &[failure]).await?;
    deliveries::mark_processed(&mut tx, &System::ACTING, &[delivery.id]).await?;
    tx.commit().await?;
    tracing::error!(delivery.id = %delivery.id, "delivery {} kept as a dead letter", delivery.id);
    Ok(())
}

/// Takes the deliveries `dequeue` out of the queue, records dead letters and queues live events,
/// in `tx`.
async fn finish(tx: &mut PgConnection, dequeue: &[Uuid], taken: TakenIn) -> Result<Woken, StoreError> {
    let failures: Vec<Failure> = taken.dead.iter().map(OwnedFailure::as_failure).collect();
    dead_letters::record(tx, &System::ACTING, &failures).await?;
    if !dequeue.is_empty() {
        deliveries::mark_processed(&mut *tx, &System::ACTING, dequeue).await?;
    }
    live::notify(tx, &taken.tally.events()).await?;
    Ok(Woken { touched: taken.touched, replies: taken.replies })
}

/// A body that was JSON but not a webhook payload: kept, not acted on, not silent.
fn junk(parsed: &[Parsed], dead: &mut Vec<OwnedFailure>) {
    for p in parsed.iter().filter(|p| p.entries.is_none()) {
        dead.push(OwnedFailure {
            kind: Kind::Delivery,
            delivery_id: p.delivery.id,
            entry_index: None,
            item_index: None,
            account_id: None,
            instance_id: None,
            summary: format!("delivery of {} bytes", p.delivery.body.len()),
            reason: Reason::NotAWebhookPayload,
            detail: None,
            retryable: false,
        });
    }
}

/// A dead letter to record at the end of the run.
struct OwnedFailure {
    kind: Kind,
    delivery_id: Uuid,
    entry_index: Option<i32>,
    item_index: Option<i32>,
    account_id: Option<String>,
    instance_id: Option<String>,
    summary: String,
    reason: Reason,
    detail: Option<String>,
    retryable: bool,
}

impl OwnedFailure {
    fn unit(unit: &Unit<'_>, reason: Reason, detail: Option<String>, retryable: bool) -> Self {
        let summary = match unit.event {
            Event::Message(m) => format!("messages: mid {}", m.mid.chars().take(40).collect::<String>()),
            Event::Comment(c) => format!("{}: comment {}", c.field, c.id),
            Event::Other { field, .. } => field.clone(),
            Event::Refused(r) => r.summary.clone(),
        };
        Self {
            kind: Kind::Event,
            delivery_id: unit.delivery.id,
            entry_index: i32::try_from(unit.entry).ok(),
            item_index: i32::try_from(unit.item).ok(),
            account_id: (!unit.account_id.is_empty()).then(|| unit.account_id.to_owned()),
            instance_id: None,
            summary,
            reason,
            detail,
            retryable,
        }
    }

    fn as_failure(&self) -> Failure<'_> {
        Failure {
            kind: self.kind,
            delivery_id: Some(self.delivery_id),
            entry_index: self.entry_index,
            item_index: self.item_index,
            report_id: None,
            account_id: self.account_id.as_deref(),
            instance_id: self.instance_id.as_deref(),
            summary: &self.summary,
            reason: self.reason,
            detail: self.detail.as_deref(),
            retryable: self.retryable,
            attempts: 1,
        }
    }
}

/// What a run took in, for after its commit.
#[derive(Default)]
struct TakenIn {
    tally: Tally,
    touched: HashSet<ObjectId>,
    replies: bool,
    dead: Vec<OwnedFailure>,
}

impl TakenIn {
    fn merge(&mut self, other: TakenIn) {
        self.tally.merge(other.tally);
        self.touched.extend(other.touched);
        self.replies |= other.replies;
        self.dead.extend(other.dead);
    }
}

/// An inbound event that may get a reply.
struct Candidate<'a> {
    owner: usize,
    kind: AutomationKind,
    /// What a DM is: a message, a story reply or a story mention.
    inbound: Inbound,
    /// A tap on a button or quick reply: what it carried.
    tap_payload: Option<&'a str>,
    event_id: &'a str,
    person_id: &'a str,
    username: Option<&'a str>,
    media_id: Option<&'a MediaId>,
    /// An ad's organic post.
    original_media_id: Option<&'a MediaId>,
    /// A comment on a live video: Meta takes no public reply there.
    live: bool,
    /// A reply in a thread: its top-level comment.
    parent_id: Option<&'a str>,
    text: &'a str,
    timestamp: DateTime<Utc>,
    received_at: DateTime<Utc>,
}

/// Stores the units' messages and comments, writes the reports of their new inbound events and
/// confirms the replies whose echoes came back. Everything in `db`, nothing committed.
async fn take_in(state: &AppState, db: &mut PgConnection, units: &[Unit<'_>]) -> Result<TakenIn, StoreError> {
    let mut taken = TakenIn::default();
    let accounts: Vec<&str> = {
        let mut ids: Vec<&str> = units.iter().map(|u| u.account_id).filter(|a| !a.is_empty()).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    let instances = state.directory.instances_by_accounts(&state.mongo, &accounts).await?;
    // Owners (instance and user ids as text) by position, so rows can borrow them.
    let mut owners: Vec<(String, String, Instance)> = Vec::new();
    let mut owner_of: HashMap<&str, usize> = HashMap::new();
    for (account, instance) in &instances {
        // A disconnected instance keeps its account id (to reconnect it) but its events are no
        // longer ours to store, even if Meta still delivers them.
        if let Some(doc) = instance.as_ref().filter(|d| d.status != InstanceStatus::Disconnected) {
            owner_of.insert(account.as_str(), owners.len());
            owners.push((doc.id.to_hex(), doc.user_id.to_hex(), instance.clone()));
            taken.touched.insert(doc.id);
        }
    }
    let owner = |i: usize| Owner { instance_id: &owners[i].0, user_id: &owners[i].1 };

    let mut messages: Vec<NewMessage> = Vec::new();
    let mut comments: Vec<(Owner, &CommentEvent)> = Vec::new();
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut own_replies: Vec<PublicReplySeen> = Vec::new();
    let mut seen: Vec<people::Seen> = Vec::new();
    for unit in units {
        let known = owner_of.get(unit.account_id).copied();
        let received_at = unit.delivery.received_at;
        match (unit.event, known) {
            (Event::Refused(refusal), _) if known.is_some() || unit.account_id.is_empty() => {
                // The summary says it all (the field, the id, the size).
                let mut failure = OwnedFailure::unit(unit, refusal.reason, None, false);
                failure.instance_id = known.map(|i| owners[i].0.clone());
                taken.dead.push(failure);
            }
            // An account nobody connected (or the dashboard's test id "0"): acknowledged, dropped.
            (_, None) | (Event::Refused(_) | Event::Other { .. }, _) => {}
            (Event::Message(m), Some(i)) => {
                let ours = m.is_echo || m.sender_id == unit.account_id;
                // Our own message coming back names the report of its reply: kept with it, it
                // settles that reply should Meta's answer have been lost (see `send`).
                messages.push(NewMessage { owner: owner(i), event: m, reply_to: our_report(m).filter(|_| ours) });
                if !ours {
                    seen.push(people::Seen { instance_id: &owners[i].0, igsid: &m.sender_id, username: None });
                    if let Some((inbound, text)) = answerable(m) {
                        candidates.push(Candidate {
                            owner: i,
                            kind: AutomationKind::Dm,
                            inbound,
                            tap_payload: m.tap_payload.as_deref(),
                            event_id: &m.mid,
                            person_id: &m.sender_id,
                            username: None,
                            media_id: None,
                            original_media_id: None,
                            live: false,
                            parent_id: None,
                            text,
                            timestamp: at(m.timestamp_ms),
                            received_at,
                        });
                    }
                }
            }
            (Event::Comment(c), Some(i)) => {
                comments.push((owner(i), c));
                if c.from_id == unit.account_id {
                    // The account's own comment: the echo of a public reply, never answered.
                    if let Some(parent) = &c.parent_id {
                        own_replies.push(PublicReplySeen {
                            instance_id: &owners[i].0,
                            parent_comment_id: parent.as_str(),
                            reply_id: c.id.as_str(),
                            text: c.text.as_deref(),
                        });
                    }
                } else {
                    seen.push(people::Seen {
                        instance_id: &owners[i].0,
                        igsid: &c.from_id,
                        username: c.from_username.as_deref(),
                    });
                    if let Some(text) = c.text.as_deref().filter(|t| !t.trim().is_empty()) {
                        candidates.push(Candidate {
                            owner: i,
                            kind: AutomationKind::Comment,
                            event_id: c.id.as_str(),
                            person_id: &c.from_id,
                            username: c.from_username.as_deref(),
                            inbound: Inbound::Message,
                            tap_payload: None,
                            media_id: c.media_id.as_ref(),
                            original_media_id: c.original_media_id.as_ref(),
                            live: c.field == "live_comments" || c.media_product_type.as_deref() == Some("LIVE"),
                            parent_id: c.parent_id.as_ref().map(CommentId::as_str),
                            text,
                            timestamp: at(c.timestamp_ms),
                            received_at,
                        });
                    }
                }
            }
        }
    }

    let new_messages = interactions::insert_messages(&mut *db, &System::ACTING, &mut messages).await?;
    let new_comments = interactions::insert_comments(&mut *db, &System::ACTING, &mut comments).await?;
    // What someone of the account wrote in the Instagram app (an echo that names no report of
    // ours): the automations leave that conversation alone for a while. Open inboxes refetch.
    let mut by_hand = Vec::new();
    for message in &messages {
        let key = (message.owner.instance_id.to_owned(), message.event.mid.clone());
        if !new_messages.contains(&key) {
            continue;
        }
        taken.tally.touch(message.owner.user_id, message.owner.instance_id);
        if message.event.is_echo && message.reply_to.is_none() {
            by_hand.push((message.owner.instance_id.to_owned(), message.event.recipient_id.clone()));
        }
    }
    // Open comments pages refetch too, the account's own public replies coming back included.
    for (owner, comment) in &comments {
        if new_comments.contains(&(owner.instance_id.to_owned(), comment.id.to_string())) {
            taken.tally.touch(owner.user_id, owner.instance_id);
        }
    }
    let pause = i64::from(state.config.human_pause_minutes);
    if pause > 0 {
        conversations::pause_many(
            &mut *db,
            &System::ACTING,
            &by_hand,
            state.clock.now() + chrono::Duration::minutes(pause),
        )
        .await?;
    }
    // Public replies whose own comment came back. Row locks are taken in one order by every kind
    // of run (reports, then daily counts, then accounts), so runs never wait on each other in a cycle.
    let parents: Vec<(&str, &str)> = own_replies.iter().map(|r| (r.instance_id, r.parent_comment_id)).collect();
    let mut in_flight = reports::public_replies_in_flight(&mut *db, &System::ACTING, &parents).await?;
    in_flight.sort_unstable();
    let in_flight = reports::lock(&mut *db, &System::ACTING, &in_flight).await?;
    let confirmed = reports::confirm_public_replies(&mut *db, &System::ACTING, &own_replies, &in_flight).await?;
    let replied: Vec<Replied> = confirmed.iter().map(Settled::replied).collect();
    interactions::mark_replied(&mut *db, &System::ACTING, &replied).await?;
    for s in &confirmed {
        taken.tally.add(&s.user_id, &s.instance_id, ReplyStatus::Sent);
    }
    // Each event once, even when a batch carries it twice; one already reported keeps its report
    // (a re-delivery), one stored without a report (an older version's queue) gets it now.
    let mut unique = HashSet::new();
    candidates.retain(|c| unique.insert((c.owner, c.kind, c.event_id)));
    let is_new = |c: &Candidate| {
        let key = (owners[c.owner].0.clone(), c.event_id.to_owned());
        match c.kind {
            AutomationKind::Dm => new_messages.contains(&key),
            AutomationKind::Comment => new_comments.contains(&key),
        }
    };
    let old: Vec<EventKey> = candidates
        .iter()
        .filter(|c| !is_new(c))
        .map(|c| (owners[c.owner].0.clone(), c.kind, c.event_id.to_owned()))
        .collect();
    let reported = reports::existing(&mut *db, &System::ACTING, &old).await?;
    candidates.retain(|c| !reported.contains(&(owners[c.owner].0.clone(), c.kind, c.event_id.to_owned())));
    candidates.sort_by_key(|c| c.timestamp);

    let usernames = people::record(&mut *db, &System::ACTING, &seen).await?;
    // Conversations a person of the account took over: no automated DM there for now.
    let dm_people: Vec<(String, String)> = candidates
        .iter()
        .filter(|c| c.kind == AutomationKind::Dm)
        .map(|c| (owners[c.owner].0.clone(), c.person_id.to_owned()))
        .collect();
    let taken_over: HashSet<(String, String)> =
        conversations::paused(&mut *db, &System::ACTING, &dm_people, state.clock.now()).await?.into_iter().collect();
    let mut decided: Vec<(&Candidate, Option<&str>, Decision)> = Vec::with_capacity(candidates.len());
    for c in &candidates {
        let (instance_id, _, instance) = &owners[c.owner];
        let Some(doc) = instance else { continue };
        let rules = state.directory.rules(&state.pg, instance_id).await?;
        let username =
            c.username.or_else(|| usernames.get(&(instance_id.clone(), c.person_id.to_owned())).map(String::as_str));
        let facts = EventFacts {
            kind: c.kind,
            inbound: c.inbound,
            text: c.text,
            at_ms: c.timestamp.timestamp_millis(),
            media_id: c.media_id,
            original_media_id: c.original_media_id,
        };
        let mut decision = decide::decide(doc, &rules, &facts, c.event_id, c.tap_payload, username);
        if c.live {
            decision = decide::without_public_reply(decision);
        }
        let human = c.kind == AutomationKind::Dm && taken_over.contains(&(instance_id.clone(), c.person_id.to_owned()));
        if human && matches!(decision, Decision::Answer { .. }) {
            decision = Decision::Skipped(ReplyReason::HumanTookOver);
        }
        decided.push((c, username, decision));
    }
    // The daily cap: what each instance may still send today, reserved before the reports say so;
    // an event's parts go out together or not at all.
    let mut wanted: HashMap<usize, i32> = HashMap::new();
    for (c, _, decision) in &decided {
        if let Decision::Answer { parts, .. } = decision {
            *wanted.entry(c.owner).or_default() += i32::try_from(parts.len()).unwrap_or(i32::MAX);
        }
    }
    let caps: Vec<daily_caps::Wanted> = wanted
        .iter()
        .filter_map(|(i, n)| {
            let doc = owners[*i].2.as_ref()?;
            let cap = doc.daily_reply_cap.unwrap_or(state.config.engine.daily_reply_cap);
            Some(daily_caps::Wanted {
                instance_id: &owners[*i].0,
                replies: *n,
                cap: i32::try_from(cap).unwrap_or(i32::MAX),
            })
        })
        .collect();
    let (mut granted, today) = daily_caps::reserve(&mut *db, &System::ACTING, &caps).await?;
    let mut unused: Vec<(String, chrono::NaiveDate)> = Vec::new();
    for (c, _, decision) in &mut decided {
        let Decision::Answer { parts, .. } = decision else { continue };
        let instance_id = &owners[c.owner].0;
        let left = granted.entry(instance_id.clone()).or_default();
        let needed = i32::try_from(parts.len()).unwrap_or(i32::MAX);
        if *left >= needed {
            *left -= needed;
        } else {
            *decision = Decision::Skipped(ReplyReason::DailyCap);
        }
    }
    // Slots reserved and not handed out (an event whose parts did not all fit) go back.
    for (instance_id, left) in granted {
        unused.extend((0..left.max(0)).map(|_| (instance_id.clone(), today)));
    }
    let loop_guard = i32::try_from(state.config.engine.loop_guard_per_hour).unwrap_or(i32::MAX);
    refuse_by_person(db, loop_guard, &mut decided, &owners, today, &mut unused).await?;

    let mut rows = Vec::with_capacity(decided.len());
    for (c, username, decision) in &decided {
        let (instance_id, user_id, _) = &owners[c.owner];
        let report = |part: i16, automation_id, status, error, reply: Option<&Part>| NewReport {
            instance_id,
            user_id,
            automation_id,
            kind: c.kind,
            event_id: c.event_id,
            part,
            reply_target: reply
                .filter(|p| p.response_type == ResponseType::Comment)
                .map(|_| c.parent_id.unwrap_or(c.event_id)),
            user_id_instagram: c.person_id,
            media_id: c.media_id.map(MediaId::as_str),
            username: *username,
            interaction_text: (!c.text.is_empty()).then_some(c.text),
            response_text: reply.map(|p| p.text.clone()),
            response_type: reply.map(|p| p.response_type),
            reply_extras: reply.and_then(|p| p.extras.clone()),
            status,
            error,
            timestamp: c.timestamp,
            received_at: c.received_at,
        };
        match decision {
            Decision::Skipped(why) => rows.push(report(0, None, ReplyStatus::Skipped, Some(*why), None)),
            Decision::Answer { automation_id, parts, .. } => {
                for (part, reply) in (0_i16..).zip(parts) {
                    rows.push(report(part, Some(*automation_id), ReplyStatus::Pending, None, Some(reply)));
                }
            }
        }
    }
    let written = reports::insert_many(&mut *db, &System::ACTING, &mut rows).await?;
    let written_keys: HashSet<(&str, AutomationKind, &str, i16)> =
        written.iter().map(|w| (w.instance_id.as_str(), w.kind, w.event_id.as_str(), w.part)).collect();
    // Reserved for a report another run wrote first (a race on a re-delivery): given back.
    unused.extend(
        rows.iter()
            .filter(|r| {
                r.status == ReplyStatus::Pending && !written_keys.contains(&(r.instance_id, r.kind, r.event_id, r.part))
            })
            .map(|r| (r.instance_id.to_owned(), today)),
    );
    daily_caps::release(&mut *db, &System::ACTING, &unused).await?;
    let user_of: HashMap<&str, &str> = owners.iter().map(|(i, u, _)| (i.as_str(), u.as_str())).collect();
    let mut wake = Vec::new();
    for w in &written {
        taken.tally.add(user_of.get(w.instance_id.as_str()).copied().unwrap_or_default(), &w.instance_id, w.status);
        if w.status == ReplyStatus::Pending {
            wake.push((w.instance_id.clone(), Utc::now()));
        }
    }
    taken.replies = !wake.is_empty();
    outbox::wake(&mut *db, &System::ACTING, &wake).await?;
    // Someone went unanswered for the cap: the owner hears of it once that day.
    let mut capped: Vec<usize> = decided
        .iter()
        .filter(|(_, _, decision)| matches!(decision, Decision::Skipped(why) if *why == ReplyReason::DailyCap))
        .map(|(c, _, _)| c.owner)
        .collect();
    capped.sort_unstable();
    capped.dedup();
    let told: Vec<notifications::New> = capped
        .into_iter()
        .filter_map(|i| owners[i].2.as_deref())
        .map(|doc| {
            crate::backend::notifications::about(doc, NotificationKind::DailyCapReached, None, &today.to_string())
        })
        .collect();
    crate::backend::notifications::raise_in(&mut *db, &told).await?;

    Ok(taken)
}

/// Applies each automation's limit per person and the loop guard to the answers decided: claims
/// the uses they take and turns the refused ones into skips, their daily-cap slots given back.
/// Within one batch an automation limited per person answers a person's first event only.
async fn refuse_by_person(
    db: &mut PgConnection,
    loop_guard: i32,
    decided: &mut [(&Candidate<'_>, Option<&str>, Decision)],
    owners: &[(String, String, Instance)],
    today: chrono::NaiveDate,
    unused: &mut Vec<(String, chrono::NaiveDate)>,
) -> Result<(), StoreError> {
    let mut first: HashMap<(Uuid, &str), usize> = HashMap::new();
    let mut wanted: Vec<automation_uses::Wanted> = Vec::new();
    let mut later_in_batch: HashSet<usize> = HashSet::new();
    for (at, (c, _, decision)) in decided.iter().enumerate() {
        let Decision::Answer { automation_id, per_person, .. } = decision else { continue };
        match first.get(&(*automation_id, c.person_id)) {
            Some(&w) if *per_person == PerPerson::Always => wanted[w].replies += 1,
            Some(_) => {
                later_in_batch.insert(at);
            }
            None => {
                first.insert((*automation_id, c.person_id), wanted.len());
                let free_after = match per_person {
                    // Free from the start: an earlier event run late is still answered.
                    PerPerson::Always => Some(DateTime::UNIX_EPOCH),
                    PerPerson::Once => None,
                    PerPerson::Hours(h) => Some(c.timestamp + chrono::Duration::hours(i64::from(*h))),
                };
                wanted.push(automation_uses::Wanted {
                    automation_id: *automation_id,
                    igsid: c.person_id,
                    at: c.timestamp,
                    free_after,
                    replies: 1,
                });
            }
        }
    }
    let claims = automation_uses::claim(db, &System::ACTING, &wanted, loop_guard).await?;
    // How many replies each pair may still send in this batch, handed out in time order.
    let mut room: HashMap<(Uuid, &str), i32> = HashMap::new();
    for (at, (c, _, decision)) in decided.iter_mut().enumerate() {
        let Decision::Answer { automation_id, parts, .. } = decision else { continue };
        let why = if later_in_batch.contains(&at) {
            Some(ReplyReason::OncePerPerson)
        } else {
            match claims.get(&(*automation_id, c.person_id.to_owned())) {
                Some(automation_uses::Claim::Granted(granted)) => {
                    let left = room.entry((*automation_id, c.person_id)).or_insert(*granted);
                    *left -= 1;
                    (*left < 0).then_some(ReplyReason::LoopGuard)
                }
                Some(automation_uses::Claim::Refused(automation_uses::Refusal::Used)) => {
                    Some(ReplyReason::OncePerPerson)
                }
                Some(automation_uses::Claim::Refused(automation_uses::Refusal::Loop)) | None => {
                    Some(ReplyReason::LoopGuard)
                }
            }
        };
        if let Some(why) = why {
            unused.extend(parts.iter().map(|_| (owners[c.owner].0.clone(), today)));
            *decision = Decision::Skipped(why);
        }
    }
    Ok(())
}

/// What a person sent that an automation may answer, and its text (empty for an attachment or a
/// story mention: only `all` automations answer those); not a deletion or an unsupported type.
fn answerable(message: &MessageEvent) -> Option<(Inbound, &str)> {
    if message.is_deleted || message.is_unsupported {
        return None;
    }
    let text = message.text.as_deref().filter(|t| !t.trim().is_empty());
    let inbound = if message.story_mention {
        Inbound::StoryMention
    } else if message.story_reply {
        Inbound::StoryReply
    } else {
        Inbound::Message
    };
    match (text, message.has_attachments || message.story_mention) {
        (Some(text), _) => Some((inbound, text)),
        (None, true) => Some((inbound, "")),
        (None, false) => None,
    }
}

/// The report a reply of ours was tagged with (`ic:<uuid>` in the Send API's `metadata`).
fn our_report(message: &MessageEvent) -> Option<Uuid> {
    message.metadata.as_deref()?.strip_prefix("ic:").and_then(|id| Uuid::parse_str(id).ok())
}

fn at(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}
