//! The benchmark's world, made the way people make it: the sandbox creates the Instagram accounts
//! and followers; users sign up, connect each account through Business Login and give it two
//! automations (a DM keyword and a comment keyword). Kept in a file, so a second run (with more
//! server processes) reuses the same instances.
use crate::Args;
use futures_util::{stream, StreamExt, TryStreamExt};
use reqwest::{redirect::Policy, Client};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::time::Instant;

/// DMs with this word get a DM reply; comments with `COMMENT_KEYWORD` a public reply.
pub const DM_KEYWORD: &str = "preço";
pub const COMMENT_KEYWORD: &str = "link";
const PASSWORD: &str = "senha-forte-da-carga-1";

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Account {
    pub ig_id: String,
    pub username: String,
    pub media: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Follower {
    pub username: String,
    pub igsid: String,
}

#[derive(Serialize, Deserialize)]
pub struct World {
    pub accounts: Vec<Account>,
    pub followers: Vec<Follower>,
    pub users: usize,
    #[serde(default)]
    pub took_seconds: u64,
}

/// A browser without JavaScript: forms answer with real redirects, cookies are kept.
fn browser() -> Result<Client, String> {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::ACCEPT, reqwest::header::HeaderValue::from_static("text/html,*/*;q=0.8"));
    Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .default_headers(headers)
        .build()
        .map_err(|e| e.to_string())
}

pub async fn prepare(args: &Args) -> Result<World, String> {
    let started = Instant::now();
    let sandbox = Client::builder().redirect(Policy::none()).build().map_err(|e| e.to_string())?;
    let bulk: Value = sandbox
        .post(format!("{}/_sandbox/bulk", args.sandbox))
        .json(&json!({ "accounts": args.accounts, "followers": args.followers, "prefix": "carga" }))
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| format!("sandbox bulk set-up: {e}"))?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let accounts: Vec<Account> = serde_json::from_value(bulk["accounts"].clone()).map_err(|e| e.to_string())?;
    let followers: Vec<Follower> = serde_json::from_value(bulk["followers"].clone()).map_err(|e| e.to_string())?;
    if let Ok(saved) = std::fs::read(&args.state) {
        if let Ok(world) = serde_json::from_slice::<World>(&saved) {
            if world.accounts.len() == accounts.len() {
                return Ok(World { took_seconds: 0, ..world });
            }
        }
    }
    register_callback(args, &sandbox).await?;
    let users = args.users.unwrap_or(accounts.len().div_ceil(10)).max(1);
    let app = args.app[0].clone();
    let clients: Vec<Client> = stream::iter(0..users)
        .map(|u| {
            let app = app.clone();
            let mail_api = args.mail_api.clone();
            async move { sign_up(&app, &mail_api, u).await }
        })
        .buffered(4)
        .try_collect()
        .await?;
    stream::iter(accounts.iter().enumerate())
        .map(|(i, account)| {
            let client = clients[i % users].clone();
            let (app, sandbox) = (app.clone(), sandbox.clone());
            async move { connect(args, &app, &client, &sandbox, i, account).await }
        })
        .buffer_unordered(16)
        .try_collect::<Vec<()>>()
        .await?;
    stream::iter(clients.iter())
        .map(|client| automations(&app, client))
        .buffer_unordered(8)
        .try_collect::<Vec<()>>()
        .await?;
    let world = World { accounts, followers, users, took_seconds: started.elapsed().as_secs() };
    if let Some(folder) = args.state.parent() {
        std::fs::create_dir_all(folder).map_err(|e| e.to_string())?;
    }
    std::fs::write(&args.state, serde_json::to_vec(&world).map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    Ok(world)
}

/// Meta's dashboard step: the sandbox delivers the echoes of replies to the first process.
async fn register_callback(args: &Args, sandbox: &Client) -> Result<(), String> {
    let verify = std::env::var("META_VERIFY_TOKEN").unwrap_or_else(|_| "bench-verify".into());
    sandbox
        .post(format!("{}/_sandbox/webhook", args.sandbox))
        .json(&json!({ "callback_url": format!("{}/webhook/instagram", args.app[0]), "verify_token": verify }))
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| format!("registering the webhook callback: {e}"))?;
    Ok(())
}

/// Signs a user up as a person does (the form, then the e-mailed link), or in when an earlier run
/// made the account.
pub async fn sign_up(app: &str, mail_api: &str, user: usize) -> Result<Client, String> {
    let client = browser()?;
    let email = format!("carga{user}@bench.insta-clerky.local");
    let form = [("email", email.as_str()), ("name", "Carga"), ("password", PASSWORD)];
    let response = client.post(format!("{app}/api/sign_up")).form(&form).send().await.map_err(|e| e.to_string())?;
    if response.status() != 302 {
        return Err(format!("cannot sign up {email}: HTTP {}", response.status()));
    }
    let form = [("email", email.as_str()), ("password", PASSWORD)];
    let signed_in = client.post(format!("{app}/api/sign_in")).form(&form).send().await.map_err(|e| e.to_string())?;
    match signed_in.status().as_u16() {
        // Confirmed by an earlier run.
        302 => return Ok(client),
        403 => {}
        other => return Err(format!("cannot sign in {email}: HTTP {other}")),
    }
    let token = confirmation_token(mail_api, &email).await?;
    let confirmed = client
        .post(format!("{app}/api/confirm_email"))
        .form(&[("token", token.as_str())])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if confirmed.status() != 302 {
        return Err(format!("cannot confirm {email}: HTTP {}", confirmed.status()));
    }
    Ok(client)
}

/// The newest confirmation link e-mailed to `to`, from the SMTP catcher (waits up to 30 s).
async fn confirmation_token(mail_api: &str, to: &str) -> Result<String, String> {
    for _ in 0..300 {
        let mails: Vec<serde_json::Value> = reqwest::get(format!("{mail_api}/api/email"))
            .await
            .map_err(|e| format!("the mail catcher at {mail_api}: {e}"))?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        let token = mails
            .iter()
            .rev()
            .filter(|m| m["to"].as_array().is_some_and(|list| list.iter().any(|t| t["address"] == to)))
            .find_map(|m| {
                let (_, rest) = m["text"].as_str()?.split_once("/confirm-email?token=")?;
                Some(rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect())
            });
        if let Some(token) = token {
            return Ok(token);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Err(format!("no confirmation e-mail reached {to}"))
}

/// Business Login, as a person clicks through it.
async fn connect(
    args: &Args,
    app: &str,
    client: &Client,
    sandbox: &Client,
    index: usize,
    account: &Account,
) -> Result<(), String> {
    let name = format!("Loja {index}");
    let created = client
        .post(format!("{app}/api/instances/create"))
        .form(&[("name", &name)])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let authorize = location(&created).ok_or_else(|| format!("creating {name}: HTTP {}", created.status()))?;
    let query = authorize.split_once('?').map(|(_, q)| q).unwrap_or_default();
    let mut form: Vec<(String, String)> = serde_urlencoded::from_str(query).map_err(|e| e.to_string())?;
    form.push(("decision".into(), "allow".into()));
    form.push(("account".into(), account.username.clone()));
    let decided = sandbox
        .post(format!("{}/oauth/authorize", args.sandbox))
        .form(&form)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let callback = location(&decided)
        .ok_or_else(|| format!("Business Login of {}: HTTP {}", account.username, decided.status()))?;
    // The registered redirect URI is the app's; follow it on this process, without Meta's `#_`.
    let path = callback.split_once("/api/").map(|(_, rest)| format!("/api/{rest}")).unwrap_or_default();
    let path = path.trim_end_matches("#_");
    let finished = client.get(format!("{app}{path}")).send().await.map_err(|e| e.to_string())?;
    match location(&finished) {
        Some(to) if to.contains("connected=") => Ok(()),
        other => Err(format!("connecting {}: {other:?}", account.username)),
    }
}

fn location(response: &reqwest::Response) -> Option<String> {
    response.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_owned)
}

/// The user's instances each get a DM keyword automation and a comment keyword automation.
async fn automations(app: &str, client: &Client) -> Result<(), String> {
    let instances: Vec<Value> = client
        .get(format!("{app}/api/instances"))
        .header("accept", "application/json")
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    for instance in &instances {
        let id = instance["id"].as_str().unwrap_or_default();
        for (name, kind, keyword, reply, field) in [
            ("Preço", "dm", DM_KEYWORD, "Oi! Nossos preços começam em R$ 50. Posso ajudar?", "input[direct_reply]"),
            ("Link", "comment", COMMENT_KEYWORD, "Te mandei o link no direct!", "input[public_replies]"),
        ] {
            let form = [
                ("instance_id", id),
                ("input[name]", name),
                ("input[kind]", kind),
                ("input[trigger]", "keyword"),
                ("input[keywords]", keyword),
                (field, reply),
            ];
            let saved = client
                .post(format!("{app}/api/automations/save"))
                .header("accept", "application/json")
                .form(&form)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            if !saved.status().is_success() {
                return Err(format!("automation {name} of {id}: HTTP {}", saved.status()));
            }
        }
    }
    Ok(())
}
