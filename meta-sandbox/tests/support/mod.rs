//! A sandbox on a free port, a client that logs in through it, and a webhook callback to receive
//! its deliveries.
#![allow(dead_code)] // each test binary uses part of this module
use axum::{
    body::Bytes,
    extract::{Query, State},
    http::{HeaderMap, StatusCode},
    routing::get,
    Router,
};
use meta_sandbox::{AppRegistration, Sandbox};
use reqwest::{redirect::Policy, Client};
use serde_json::{json, Value};
use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex},
    time::Duration,
};

pub const APP_ID: &str = "990602627938098";
pub const SECRET: &str = "instagram-app-secret";
pub const REDIRECT: &str = "http://127.0.0.1:3000/api/instagram/callback";
pub const SCOPES: &str =
    "instagram_business_basic,instagram_business_manage_messages,instagram_business_manage_comments";
pub const SHOP_IG_ID: &str = "17841405822304914";
pub const REEL: &str = "17918195224117851";
pub const POST: &str = "17895695668004550";

pub struct Meta {
    pub base: String,
    pub http: Client,
}

pub async fn sandbox() -> Meta {
    let app =
        AppRegistration { app_id: APP_ID.into(), app_secret: SECRET.into(), redirect_uris: vec![REDIRECT.into()] };
    let (_, addr) = Sandbox::spawn(app).await.expect("sandbox starts");
    Meta { base: format!("http://{addr}"), http: Client::builder().redirect(Policy::none()).build().expect("client") }
}

impl Meta {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str, query: &[(&str, &str)]) -> reqwest::Response {
        self.http.get(self.url(path)).query(query).send().await.expect("request")
    }

    pub async fn control(&self, path: &str, body: Value) -> reqwest::Response {
        self.http.post(self.url(path)).json(&body).send().await.expect("request")
    }

    pub async fn authorize_page(&self, params: &[(&str, &str)]) -> (reqwest::StatusCode, String) {
        let response = self.http.get(self.url("/oauth/authorize")).query(params).send().await.expect("request");
        (response.status(), response.text().await.expect("body"))
    }

    /// Presses Allow (as `account`) or Cancel on the consent page; returns the redirect target.
    pub async fn decide_with(&self, decision: &str, account: &str, state: &str, scopes: &str) -> String {
        let form = [
            ("client_id", APP_ID),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("scope", scopes),
            ("state", state),
            ("decision", decision),
            ("account", account),
        ];
        let response = self.http.post(self.url("/oauth/authorize")).form(&form).send().await.expect("request");
        assert_eq!(response.status(), reqwest::StatusCode::SEE_OTHER);
        response.headers()["location"].to_str().expect("ascii").to_owned()
    }

    pub async fn decide(&self, decision: &str, account: &str, state: &str) -> String {
        self.decide_with(decision, account, state, SCOPES).await
    }

    pub async fn code_for(&self, account: &str, scopes: &str) -> String {
        let location = self.decide_with("allow", account, "st4te", scopes).await;
        let query = location.split_once('?').expect("query").1.trim_end_matches("#_");
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).expect("pairs");
        pairs.into_iter().find(|(k, _)| k == "code").expect("code").1
    }

    pub async fn code(&self) -> String {
        self.code_for("loja.exemplo", SCOPES).await
    }

    pub async fn exchange(&self, code: &str, secret: &str, redirect: &str) -> (reqwest::StatusCode, Value) {
        let form = [
            ("client_id", APP_ID),
            ("client_secret", secret),
            ("grant_type", "authorization_code"),
            ("redirect_uri", redirect),
            ("code", code),
        ];
        let response = self.http.post(self.url("/oauth/access_token")).form(&form).send().await.expect("request");
        (response.status(), response.json().await.expect("json"))
    }

    pub async fn short_token(&self) -> String {
        let code = self.code().await;
        let (_, body) = self.exchange(&code, SECRET, REDIRECT).await;
        body["access_token"].as_str().expect("token").to_owned()
    }

    pub async fn long_token_for(&self, account: &str, scopes: &str) -> String {
        let code = self.code_for(account, scopes).await;
        let (_, body) = self.exchange(&code, SECRET, REDIRECT).await;
        let short = body["access_token"].as_str().expect("token").to_owned();
        let query = [("grant_type", "ig_exchange_token"), ("client_secret", SECRET), ("access_token", &short)];
        let body: Value = self.get("/access_token", &query).await.json().await.expect("json");
        body["access_token"].as_str().expect("token").to_owned()
    }

    pub async fn long_token(&self) -> String {
        self.long_token_for("loja.exemplo", SCOPES).await
    }

    pub async fn advance(&self, seconds: i64) {
        assert!(self.control("/_sandbox/clock/advance", json!({ "seconds": seconds })).await.status().is_success());
    }

    /// A Graph call with the token as Bearer header.
    pub async fn graph(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        let mut request = self.http.request(method, self.url(path)).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("request")
    }

    pub async fn follower_dm(&self, username: &str, text: &str) -> String {
        let response = self
            .control(&format!("/_sandbox/followers/{username}/messages"), json!({ "to": "loja.exemplo", "text": text }))
            .await;
        assert!(response.status().is_success(), "{}", response.text().await.unwrap_or_default());
        response.json::<Value>().await.expect("json")["mid"].as_str().expect("mid").to_owned()
    }

    pub async fn follower_comment(&self, username: &str, media_id: &str, text: &str) -> String {
        let response = self
            .control(&format!("/_sandbox/followers/{username}/comments"), json!({ "media_id": media_id, "text": text }))
            .await;
        assert!(response.status().is_success());
        response.json::<Value>().await.expect("json")["id"].as_str().expect("id").to_owned()
    }

    pub async fn subscribe(&self, token: &str, fields: &str) {
        let path = format!("/v24.0/me/subscribed_apps?subscribed_fields={fields}");
        let response = self.graph(reqwest::Method::POST, &path, token, None).await;
        assert_eq!(response.json::<Value>().await.expect("json"), json!({ "success": true }));
    }

    pub async fn deliveries(&self) -> Vec<Value> {
        self.get("/_sandbox/deliveries", &[]).await.json().await.expect("json")
    }
}

/// Every `messaging` item the callback received, once there are at least `n` (at most 10 s):
/// the sandbox batches what happens together into one POST.
pub async fn items(callback: &Callback, n: usize) -> Vec<Value> {
    for _ in 0..200 {
        let all: Vec<Value> = callback
            .bodies()
            .iter()
            .flat_map(|b| b["entry"].as_array().cloned().unwrap_or_default())
            .flat_map(|e| e["messaging"].as_array().cloned().unwrap_or_default())
            .collect();
        if all.len() >= n {
            return all;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("fewer than {n} events arrived");
}

pub async fn graph_error(response: reqwest::Response) -> (reqwest::StatusCode, Value) {
    let status = response.status();
    let body: Value = serde_json::from_str(&response.text().await.expect("body")).expect("error body is JSON");
    (status, body["error"].clone())
}

/// What the callback received: headers and the raw body of each POST.
#[derive(Clone, Debug)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: Bytes,
}

#[derive(Default)]
struct CallbackState {
    received: Vec<Received>,
    /// Statuses to answer with, in order; 200 once exhausted.
    script: VecDeque<u16>,
    /// Delays before answering, in order.
    delays: VecDeque<u64>,
}

/// An app's webhook endpoint, as Meta sees it.
#[derive(Clone)]
pub struct Callback {
    pub url: String,
    state: Arc<Mutex<CallbackState>>,
}

impl Callback {
    pub async fn start(verify_token: &'static str) -> Self {
        let state = Arc::new(Mutex::new(CallbackState::default()));
        let router =
            Router::new().route("/webhook", get(handshake).post(receive)).with_state((state.clone(), verify_token));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/webhook", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, router).await.expect("serve") });
        Self { url, state }
    }

    pub fn answer_with(&self, statuses: &[u16]) {
        self.state.lock().expect("lock").script.extend(statuses);
    }

    pub fn delay(&self, delays_ms: &[u64]) {
        self.state.lock().expect("lock").delays.extend(delays_ms);
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.lock().expect("lock").received.clone()
    }

    /// Waits until `n` POSTs arrived (at most 10 s).
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..200 {
            let received = self.received();
            if received.len() >= n {
                return received;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {n} deliveries, got {}", self.received().len());
    }

    /// Waits until `n` entries arrived, whether batched into one POST or not; returns them in order.
    pub async fn wait_for_entries(&self, n: usize) -> Vec<Value> {
        for _ in 0..200 {
            let entries: Vec<Value> =
                self.bodies().iter().flat_map(|b| b["entry"].as_array().cloned().unwrap_or_default()).collect();
            if entries.len() >= n {
                return entries;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {n} entries");
    }

    pub fn bodies(&self) -> Vec<Value> {
        self.received().iter().map(|r| serde_json::from_slice(&r.body).expect("JSON body")).collect()
    }

    /// Registers this callback with the sandbox (Meta's handshake included) for fast tests.
    pub async fn register(&self, meta: &Meta, verify_token: &str) {
        let config = json!({ "callback_url": self.url, "verify_token": verify_token, "timeout_ms": 1000,
                             "retry_delays_ms": [0, 50, 100], "batch_window_ms": 30 });
        let response = meta.control("/_sandbox/webhook", config).await;
        assert!(response.status().is_success(), "{}", response.text().await.unwrap_or_default());
    }
}

type Shared = (Arc<Mutex<CallbackState>>, &'static str);

async fn handshake(
    State((_, token)): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
) -> (StatusCode, String) {
    let ok = query.get("hub.mode").map(String::as_str) == Some("subscribe")
        && query.get("hub.verify_token").map(String::as_str) == Some(token);
    if ok {
        (StatusCode::OK, query.get("hub.challenge").cloned().unwrap_or_default())
    } else {
        (StatusCode::FORBIDDEN, String::new())
    }
}

async fn receive(State((state, _)): State<Shared>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let (status, delay) = {
        let mut state = state.lock().expect("lock");
        state.received.push(Received { headers, body });
        (state.script.pop_front().unwrap_or(200), state.delays.pop_front().unwrap_or(0))
    };
    tokio::time::sleep(Duration::from_millis(delay)).await;
    StatusCode::from_u16(status).unwrap_or(StatusCode::OK)
}
