//! Leads to Clerky's CRM (seed 05). Per instance, an outbound webhook URL and signing secret; the
//! triggers in the migration turn a person's first stored DM or comment into `lead.created` and
//! every later one into `lead.updated`; this module delivers them: a JSON POST signed with
//! HMAC-SHA256, retried with backoff for 24 hours, each lead's events in order, logged, replayable.
use super::error::Error;
use super::{
    auth::SignedIn,
    crypto,
    state::AppState,
    store::{
        access::{Scope, System},
        mongo::instances,
        pg::leads::{self, Due},
        StoreError,
    },
};
use crate::domain::error::FieldCode;
use crate::domain::id::{InstanceId, LeadDeliveryId};
use crate::domain::{error::AppError, lead::LeadsView};
use chrono::Duration;
use futures_util::{stream, StreamExt};
use secrecy::{ExposeSecret, SecretString};
use std::{
    collections::HashMap,
    net::{IpAddr, SocketAddr},
    sync::{Arc, LazyLock},
};

/// Events shown in the log.
const LOGGED: i64 = 50;
/// Events leased per run, and sent at once.
const BATCH: i64 = 100;
const AT_ONCE: usize = 8;
/// How long a receiver may take; the lease outlives it, so no other process sends meanwhile.
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
const LEASE_SECS: i64 = 60;
/// Leads are signed as Meta signs its webhooks, so a CRM checks them the same way.
pub use super::meta::signature::sign as signature;

/// The header with the body's signature: `sha256=<hex>`.
pub const SIGNATURE_HEADER: &str = "x-insta-clerky-signature";

/// The client for receivers on public addresses only: every name is checked after DNS, so a
/// public name that resolves to a private address (a CRM's URL pointed at the metadata service,
/// say) reaches nothing.
static PUBLIC_CLIENT: LazyLock<reqwest::Client> =
    LazyLock::new(|| client().dns_resolver(Arc::new(PublicOnly)).build().unwrap_or_default());
/// The demo's, whose CRM stand-in listens on loopback.
static ANY_CLIENT: LazyLock<reqwest::Client> = LazyLock::new(|| client().build().unwrap_or_default());

fn client() -> reqwest::ClientBuilder {
    reqwest::Client::builder().timeout(TIMEOUT).redirect(reqwest::redirect::Policy::none())
}

/// Resolves as the system does, keeping public addresses only.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let public: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(public.into_iter());
            Ok(addrs)
        })
    }
}

/// An address on the internet, not loopback, private, link-local (the cloud metadata service),
/// shared, multicast or reserved, IPv4 inside IPv6 included.
fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || a >= 240)
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public(IpAddr::V4(v4)),
            None => {
                let first = v6.segments()[0];
                !(v6.is_loopback()
                    || v6.is_unspecified()
                    || v6.is_multicast()
                    || (first & 0xfe00) == 0xfc00
                    || (first & 0xffc0) == 0xfe80)
            }
        },
    }
}

pub async fn view(state: &AppState, who: &SignedIn, instance_id: &InstanceId) -> Result<LeadsView, Error> {
    let doc = instances::find(&state.mongo, &Scope::own(who), instance_id).await?;
    let id = doc.id.to_hex();
    let webhook = leads::webhook(&state.pg, doc.tenant()).await?;
    let secret = match &webhook {
        Some(w) => Some(crypto::open(&state.config.token_keys, &id, &w.secret_sealed).map_err(Error::internal)?),
        None => None,
    };
    Ok(LeadsView {
        instance_name: doc.display_name(),
        url: webhook.map(|w| w.url),
        secret: secret.map(|s| s.expose_secret().to_owned()),
        deliveries: leads::log(&state.pg, doc.tenant(), LOGGED).await?,
        demo_receiver: state.config.demo_sandbox_url.as_ref().map(|u| format!("{u}/_sandbox/crm/leads")),
        instance_id: doc.instance_id(),
    })
}

/// Sets the instance's receiver; an empty `secret` keeps the one it has, or makes one.
pub async fn save(
    state: &AppState,
    who: &SignedIn,
    instance_id: &InstanceId,
    url: &str,
    secret: &str,
) -> Result<(), Error> {
    let doc = instances::find(&state.mongo, &Scope::own(who), instance_id).await?;
    let id = doc.id.to_hex();
    let mut errors = Vec::new();
    let url = url.trim();
    if let Err(code) = receiver_url(url, state.config.lead_webhook_allow_private) {
        errors.push(crate::domain::error::FieldError::new("url", code));
    }
    let secret = secret.trim();
    if !secret.is_empty() && !(16..=200).contains(&secret.chars().count()) {
        errors.push(crate::domain::error::FieldError::new("secret", FieldCode::SecretLength));
    } else if secret.chars().any(|c| c.is_control() || c.is_whitespace()) {
        errors.push(crate::domain::error::FieldError::new("secret", FieldCode::ControlCharacters));
    }
    let Some(account_id) = doc.instagram_account_id.as_deref() else {
        errors.push(crate::domain::error::FieldError::new("url", FieldCode::NotConnected));
        return Err(AppError::Invalid(errors).into());
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors).into());
    }
    let secret = match (secret, leads::webhook(&state.pg, doc.tenant()).await?) {
        ("", Some(existing)) => {
            crypto::open(&state.config.token_keys, &id, &existing.secret_sealed).map_err(Error::internal)?
        }
        ("", None) => SecretString::from(super::security::random_token::<24>()),
        (typed, _) => SecretString::from(typed.to_owned()),
    };
    let sealed = crypto::seal(&state.config.token_keys, &id, &secret).map_err(Error::internal)?;
    leads::save_webhook(&state.pg, doc.tenant(), who.id(), account_id, url, &sealed).await?;
    Ok(())
}

pub async fn remove(state: &AppState, who: &SignedIn, instance_id: &InstanceId) -> Result<(), Error> {
    let doc = instances::find(&state.mongo, &Scope::own(who), instance_id).await?;
    Ok(leads::remove_webhook(&state.pg, doc.tenant()).await?)
}

/// Sends one of the caller's events again now.
pub async fn replay(state: &AppState, who: &SignedIn, id: &LeadDeliveryId) -> Result<(), Error> {
    let id = id.uuid().ok_or(AppError::NotFound)?;
    let instance_id = leads::instance_of(&state.pg, who.owner(), id).await?;
    let doc = instances::find(&state.mongo, &Scope::own(who), &instance_id).await?;
    leads::replay(&state.pg, doc.tenant(), id, state.clock.now()).await?;
    Ok(())
}

/// Where leads may go: an http(s) URL with a host; unless allowed, https and never a loopback,
/// private or link-local address written as such, nor `localhost` (a name that resolves to one
/// is refused when sending, by [`PublicOnly`]).
fn receiver_url(url: &str, allow_private: bool) -> Result<(), FieldCode> {
    let parsed = reqwest::Url::parse(url).map_err(|_| FieldCode::UrlInvalid)?;
    if url.chars().count() > 2000 || !matches!(parsed.scheme(), "http" | "https") {
        return Err(FieldCode::UrlInvalid);
    }
    let host = parsed.host_str().filter(|h| !h.is_empty()).ok_or(FieldCode::UrlInvalid)?;
    if allow_private {
        return Ok(());
    }
    if parsed.scheme() != "https" {
        return Err(FieldCode::UrlHttps);
    }
    let ip = host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>().ok();
    let private = match ip {
        Some(ip) => !is_public(ip),
        None => host.eq_ignore_ascii_case("localhost") || host.ends_with(".localhost"),
    };
    if private {
        Err(FieldCode::UrlPrivate)
    } else {
        Ok(())
    }
}

/// The JSON a lead event sends: what Clerky's CRM needs to open or add to the lead.
fn body(due: &Due, instance: Option<&instances::InstanceDoc>) -> String {
    let username = due.username.as_deref();
    let title = match username {
        Some(u) => format!("Lead do Instagram: @{u}"),
        None => format!("Lead do Instagram: {}", due.person_id),
    };
    serde_json::json!({
        "event": due.kind,
        "delivery_id": due.id,
        "lead_id": format!("{}:{}", due.instance_id, due.person_id),
        "title": title,
        "occurred_at": due.occurred_at,
        "instance": {
            "id": due.instance_id,
            "name": instance.map(|i| i.name.clone()),
            "username": instance.and_then(|i| i.username.clone()),
        },
        "person": {
            "id": due.person_id,
            "username": username,
            "profile_url": username.map(|u| format!("https://www.instagram.com/{u}")),
        },
        "message": {
            "channel": due.channel,
            "id": due.source_id,
            "text": due.text,
            "media_id": due.media_id,
        },
    })
    .to_string()
}

/// The wait before attempt `attempts + 1`: the base, doubled per attempt, at most an hour.
fn backoff(base_secs: u32, attempts: i32) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1)).unwrap_or(0).min(12);
    Duration::seconds((i64::from(base_secs.max(1)) << doublings).min(3600))
}

/// One run of the delivery job: every due event, at most [`BATCH`]; returns how many were sent.
pub async fn deliver_due(state: &AppState) -> Result<usize, StoreError> {
    let due = leads::claim_due(&state.pg, &System::ACTING, BATCH, LEASE_SECS, state.clock.now()).await?;
    if due.is_empty() {
        return Ok(0);
    }
    let mut docs: HashMap<InstanceId, Option<instances::InstanceDoc>> = HashMap::new();
    for event in &due {
        if !docs.contains_key(&event.instance_id) {
            let doc = instances::find(&state.mongo, &Scope::system(&System::ACTING), &event.instance_id).await.ok();
            docs.insert(event.instance_id.clone(), doc);
        }
    }
    let results: Vec<Result<bool, StoreError>> = stream::iter(due)
        .map(|event| {
            let doc = docs.get(&event.instance_id).cloned().flatten();
            async move { deliver(state, event, doc.as_ref()).await }
        })
        .buffer_unordered(AT_ONCE)
        .collect()
        .await;
    let mut sent = 0;
    for result in results {
        sent += usize::from(result?);
    }
    Ok(sent)
}

async fn deliver(state: &AppState, due: Due, doc: Option<&instances::InstanceDoc>) -> Result<bool, StoreError> {
    let body = match &due.body {
        Some(body) => body.clone(),
        None => {
            let body = body(&due, doc);
            leads::set_body(&state.pg, &System::ACTING, due.id, &body).await?;
            body
        }
    };
    let secret = match crypto::open(&state.config.token_keys, due.instance_id.as_str(), &due.secret_sealed) {
        Ok(secret) => secret,
        Err(error) => {
            tracing::error!(instance_id = %due.instance_id, "cannot open a lead webhook's secret: {error}");
            leads::refused(&state.pg, &System::ACTING, due.id, None, "secret_unreadable", None).await?;
            return Ok(false);
        }
    };
    let client = if state.config.lead_webhook_allow_private { &ANY_CLIENT } else { &PUBLIC_CLIENT };
    let request = client
        .post(&due.url)
        .header("content-type", "application/json")
        .header(SIGNATURE_HEADER, signature(secret.expose_secret(), body.as_bytes()))
        .header("x-insta-clerky-event", &due.kind)
        .header("x-insta-clerky-delivery", due.id.to_string())
        .header("user-agent", "Insta-Clerky-Leads/1")
        .body(body);
    let (status, error) = match request.send().await {
        Ok(response) if response.status().is_success() => {
            leads::delivered(
                &state.pg,
                &System::ACTING,
                due.id,
                i32::from(response.status().as_u16()),
                state.clock.now(),
            )
            .await?;
            return Ok(true);
        }
        Ok(response) => (Some(i32::from(response.status().as_u16())), format!("HTTP {}", response.status().as_u16())),
        Err(e) if e.is_timeout() => (None, "timeout".to_owned()),
        Err(e) if e.is_connect() => (None, "connection refused".to_owned()),
        Err(_) => (None, "request failed".to_owned()),
    };
    let next = state.clock.now() + backoff(state.config.lead_retry_base_secs, due.attempts);
    let retry_at = (next < due.give_up_at).then_some(next);
    tracing::info!(event_id = %due.id, attempts = due.attempts, "lead delivery refused: {error}");
    leads::refused(&state.pg, &System::ACTING, due.id, status, &error, retry_at).await?;
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receivers_are_public_https_unless_the_demo_allows_more() {
        assert_eq!(receiver_url("https://crm.clerky.com.br/hooks/leads", false), Ok(()));
        assert_eq!(receiver_url("http://crm.clerky.com.br/hooks", false), Err(FieldCode::UrlHttps));
        for private in [
            "https://127.0.0.1/x",
            "https://10.1.2.3/",
            "https://192.168.0.10",
            "https://[::1]/",
            "https://localhost:8080/",
        ] {
            assert_eq!(receiver_url(private, false), Err(FieldCode::UrlPrivate), "{private}");
        }
        assert_eq!(receiver_url("http://127.0.0.1:3001/_sandbox/crm/leads", true), Ok(()));
        assert_eq!(receiver_url("ftp://crm.clerky.com.br", true), Err(FieldCode::UrlInvalid));
        assert_eq!(receiver_url("not a url", true), Err(FieldCode::UrlInvalid));
    }

    #[test]
    fn only_internet_addresses_are_public() {
        for public in ["8.8.8.8", "200.147.67.142", "2800:3f0:4001:80e::200e"] {
            assert!(is_public(public.parse().expect("ip")), "{public}");
        }
        for private in [
            "127.0.0.1",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
        ] {
            assert!(!is_public(private.parse().expect("ip")), "{private}");
        }
        assert_eq!(receiver_url("https://[::ffff:10.0.0.1]/", false), Err(FieldCode::UrlPrivate));
    }

    #[tokio::test]
    async fn a_name_that_resolves_to_a_private_address_is_not_sent_to() {
        use reqwest::dns::Resolve;
        let name: reqwest::dns::Name = "localhost".parse().expect("name");
        let refused = PublicOnly.resolve(name).await.err().expect("localhost is loopback only");
        assert!(refused.to_string().contains("no public address"), "{refused}");
        // A receiver listening on loopback: the demo's client reaches it, the public one never
        // connects.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://localhost:{}/leads", listener.local_addr().expect("addr").port());
        tokio::spawn(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            while let Ok((mut socket, _)) = listener.accept().await {
                let mut request = [0_u8; 4096];
                let _ = socket.read(&mut request).await;
                let _ = socket.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").await;
            }
        });
        assert_eq!(ANY_CLIENT.post(&url).send().await.expect("reached").status(), 200);
        let error = PUBLIC_CLIENT.post(&url).send().await.expect_err("not sent");
        let mut cause: Option<&dyn std::error::Error> = Some(&error);
        let mut causes = Vec::new();
        while let Some(c) = cause {
            causes.push(c.to_string());
            cause = c.source();
        }
        assert!(causes.iter().any(|c| c.contains("no public address")), "{causes:?}");
    }

    #[test]
    fn retries_back_off_to_an_hour_and_the_signature_is_metas_style_hmac() {
        assert_eq!(backoff(30, 1), Duration::seconds(30));
        assert_eq!(backoff(30, 2), Duration::seconds(60));
        assert_eq!(backoff(30, 30), Duration::seconds(3600));
        // RFC 4231 test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
