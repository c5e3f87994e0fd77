//! Notifications (seed 04): raised where things happen (a connection made or lost, the daily cap
//! hit, an automation's replies failing) or found by the `notifications` job (tokens about to
//! expire); shown under the bell, live, and e-mailed once to the instance's owner unless they
//! turned that kind off.
use super::error::Error;
use super::{
    auth::SignedIn,
    live::{self, Addressed},
    mail::Mail,
    state::AppState,
    store::{
        access::System,
        mongo::{instances::InstanceDoc, users},
        pg::notifications::{self, MailEnd, New},
        StoreError,
    },
};
use crate::{
    domain::{
        error::AppError,
        id::NotificationId,
        live::LiveEvent,
        notification::{NotificationKind, Notifications},
        user::Email,
    },
    i18n::Locale,
};
use chrono::{Duration, Utc};
use sqlx::PgConnection;

/// Failed replies of one automation in a (UTC) day that make it "failing repeatedly".
pub const FAILURES_TO_NOTIFY: i64 = 3;
/// A token that expires within this many days is told of (the refresh job renews them 30 days
/// ahead, so this one could not be renewed).
pub const EXPIRING_WITHIN_DAYS: i64 = 7;
/// The newest notifications the bell's page lists.
const LISTED: i64 = 50;
/// E-mails per job run, how long one is held by its sender, and how often it is tried.
const MAIL_BATCH: i64 = 50;
const MAIL_LEASE_SECONDS: i64 = 120;
const MAIL_ATTEMPTS: i32 = 5;

/// A notification about `doc`; `occurrence` tells this one apart from earlier ones of its kind.
pub fn about(doc: &InstanceDoc, kind: NotificationKind, detail: Option<String>, occurrence: &str) -> New {
    let instance_id = doc.id.to_hex();
    let name = doc.display_name();
    New {
        user_id: doc.user_id.to_hex(),
        kind,
        dedupe_key: format!("{}:{instance_id}:{occurrence}", kind.as_str()),
        instance_id: Some(instance_id),
        instance_name: name,
        detail,
    }
}

/// Writes `new` inside `db`'s transaction; the bells of whoever got one count again when it commits.
pub async fn raise_in(db: &mut PgConnection, new: &[New]) -> Result<(), StoreError> {
    let mut users = notifications::raise(db, &System::ACTING, new).await?;
    users.sort_unstable();
    users.dedup();
    let events: Vec<Addressed> =
        users.into_iter().map(|owner_id| Addressed { owner_id, event: LiveEvent::Notified }).collect();
    live::notify(db, &events).await
}

/// [`raise_in`] on its own; a failure is logged, never passed on: the change it tells of stands.
pub async fn raise(state: &AppState, new: &[New]) {
    let outcome = async {
        let mut tx = state.pg.begin().await?;
        raise_in(&mut tx, new).await?;
        tx.commit().await?;
        Ok::<_, StoreError>(())
    }
    .await;
    if let Err(error) = outcome {
        tracing::warn!("cannot raise {} notifications: {error}", new.len());
    }
}

/// The instance connected for the first time (told once per instance).
pub async fn first_connection(state: &AppState, doc: &InstanceDoc) {
    raise(state, &[about(doc, NotificationKind::FirstConnection, None, "first")]).await;
}

/// Meta refused the instance's token; told once per token (a new connection gets a new one).
pub async fn connection_lost(state: &AppState, doc: &InstanceDoc) {
    let token = doc.token_obtained_at.map_or(0, |at| at.timestamp_millis());
    raise(state, &[about(doc, NotificationKind::ConnectionLost, None, &token.to_string())]).await;
}

/// Connected instances whose token expires within a week: told once per token.
pub async fn find_expiring(state: &AppState) -> Result<usize, StoreError> {
    let now = state.clock.now();
    let before = mongodb::bson::DateTime::from_millis((now + Duration::days(EXPIRING_WITHIN_DAYS)).timestamp_millis());
    let expiring = super::store::mongo::instances::expiring(&state.mongo, &System::ACTING, before).await?;
    let new: Vec<New> = expiring
        .iter()
        .filter_map(|doc| {
            let expires = chrono::DateTime::from_timestamp_millis(doc.token_expires_at?.timestamp_millis())?;
            let days = (expires - now).num_days().max(0);
            let occurrence = expires.timestamp_millis().to_string();
            Some(about(doc, NotificationKind::TokenExpiring, Some(days.to_string()), &occurrence))
        })
        .collect();
    let mut tx = state.pg.begin().await?;
    raise_in(&mut tx, &new).await?;
    tx.commit().await?;
    Ok(new.len())
}

/// Sends the e-mails that are due; how many went out.
pub async fn send_mail(state: &AppState) -> Result<usize, StoreError> {
    let due = notifications::claim_mail(&state.pg, &System::ACTING, Duration::seconds(MAIL_LEASE_SECONDS), MAIL_BATCH)
        .await?;
    let mut sent = 0;
    for item in due {
        let (off, locale) = notifications::prefs(&state.pg, System::ACTING.owner(&item.user_id)).await?;
        let end = if off.contains(&item.notification.kind) {
            MailEnd::Off("preference")
        } else if let Some(mailer) = &state.mailer {
            let to =
                users::find_by_id(&state.mongo, item.user_id.as_str()).await?.and_then(|u| Email::parse(&u.email).ok());
            match to {
                None => MailEnd::Off("no_address"),
                Some(to) => {
                    match mailer.send(&to, Locale::from_tag(&locale), &Mail::Notice(&item.notification)).await {
                        Ok(()) => {
                            sent += 1;
                            MailEnd::Sent
                        }
                        Err(error) => {
                            tracing::warn!(notification.id = %item.id, "cannot e-mail notification {}: {error}", item.id);
                            let retry = Utc::now() + Duration::seconds(60 * i64::from(1 << item.attempts.clamp(0, 8)));
                            let error = error.to_string();
                            if item.attempts >= MAIL_ATTEMPTS {
                                notifications::mail_done(&state.pg, &System::ACTING, item.id, MailEnd::Failed(&error))
                                    .await?;
                            } else {
                                notifications::mail_done(
                                    &state.pg,
                                    &System::ACTING,
                                    item.id,
                                    MailEnd::Retry { at: retry, error: &error },
                                )
                                .await?;
                            }
                            continue;
                        }
                    }
                }
            }
        } else {
            MailEnd::Off("no_mailer")
        };
        notifications::mail_done(&state.pg, &System::ACTING, item.id, end).await?;
    }
    Ok(sent)
}

/// The signed-in person's bell: their newest notifications and preferences.
pub async fn page(state: &AppState, who: &SignedIn) -> Result<Notifications, Error> {
    let items = notifications::newest(&state.pg, who.owner(), LISTED).await?;
    let unread = notifications::unread(&state.pg, who.owner()).await?;
    let (email_off, _) = notifications::prefs(&state.pg, who.owner()).await?;
    Ok(Notifications {
        unread: u32::try_from(unread).unwrap_or(u32::MAX),
        items,
        email_off,
        email_available: state.mailer.is_some(),
    })
}

/// How many of the person's notifications are unread (the bell's number).
pub async fn unread(state: &AppState, who: &SignedIn) -> Result<u32, Error> {
    let unread = notifications::unread(&state.pg, who.owner()).await?;
    Ok(u32::try_from(unread).unwrap_or(u32::MAX))
}

/// Marks one of the person's notifications read (`Some(id)`), or all of them.
pub async fn mark_read(state: &AppState, who: &SignedIn, id: Option<&NotificationId>) -> Result<(), Error> {
    let id = match id.filter(|id| !id.is_empty()) {
        Some(id) => Some(id.uuid().ok_or(AppError::NotFound)?),
        None => None,
    };
    let changed = notifications::mark_read(&state.pg, who.owner(), id).await?;
    // Nothing changed for one id: already read, or not this person's (which they are not told).
    if let (Some(id), 0) = (id, changed) {
        if !notifications::exists(&state.pg, who.owner(), id).await? {
            return Err(AppError::NotFound.into());
        }
    }
    // The person's other tabs count again.
    let event = Addressed { owner_id: who.id().to_string(), event: LiveEvent::Notified };
    live::publish(&state.pg, &[event]).await?;
    Ok(())
}

/// Which kinds the person wants by e-mail (every other kind is off), in their language.
pub async fn save_prefs(
    state: &AppState,
    who: &SignedIn,
    email_on: &[NotificationKind],
    locale: Locale,
) -> Result<(), Error> {
    let off: Vec<NotificationKind> = NotificationKind::ALL.into_iter().filter(|k| !email_on.contains(k)).collect();
    notifications::save_prefs(&state.pg, who.owner(), &off, locale.tag()).await?;
    Ok(())
}
