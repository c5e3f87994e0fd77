//! Measures how many Graph calls per second the sandbox serves on this machine:
//! `cargo run --release -p meta-sandbox --example graph_load [requests] [concurrency]`.
//! Starts the sandbox in process, logs in through Business Login, then fires
//! `GET /v24.0/me?fields=user_id,username` and `GET /v24.0/me/media` from `concurrency` tasks.
use meta_sandbox::{AppRegistration, Sandbox};
use serde_json::{json, Value};
use std::time::Instant;

const SECRET: &str = "load-secret";
const REDIRECT: &str = "http://127.0.0.1/callback";

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let requests: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let concurrency: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(32);
    let app = AppRegistration { app_id: "1".into(), app_secret: SECRET.into(), redirect_uris: vec![REDIRECT.into()] };
    let (_, addr) = Sandbox::spawn(app).await.expect("sandbox");
    let base = format!("http://{addr}");
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let token = log_in(&http, &base).await;
    // Lift the business-use-case quota: this measures serving, not throttling.
    http.post(format!("{base}/_sandbox/limits"))
        .json(&json!({ "platform_calls_per_hour": usize::MAX }))
        .send()
        .await
        .expect("limits");

    for path in ["/v24.0/me?fields=user_id,username", "/v24.0/me/media?fields=id,caption,media_product_type"] {
        let started = Instant::now();
        let mut tasks = Vec::new();
        for worker in 0..concurrency {
            let (http, url, token) = (http.clone(), format!("{base}{path}"), token.clone());
            tasks.push(tokio::spawn(async move {
                let mut ok = 0_u32;
                for _ in (worker..requests).step_by(concurrency) {
                    if let Ok(response) = http.get(&url).bearer_auth(&token).send().await {
                        ok += u32::from(response.status().is_success());
                    }
                }
                ok
            }));
        }
        let mut answered = 0;
        for task in tasks {
            answered += task.await.expect("task");
        }
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "GET {path}: {answered}/{requests} OK in {seconds:.2} s = {:.0} calls/s",
            f64::from(answered) / seconds
        );
    }
}

async fn log_in(http: &reqwest::Client, base: &str) -> String {
    let form = [
        ("client_id", "1"),
        ("redirect_uri", REDIRECT),
        ("response_type", "code"),
        ("scope", "instagram_business_basic,instagram_business_manage_messages"),
        ("decision", "allow"),
        ("account", "loja.exemplo"),
    ];
    let location = http.post(format!("{base}/oauth/authorize")).form(&form).send().await.expect("allow").headers()
        ["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let code = location.split("code=").nth(1).and_then(|rest| rest.split(['&', '#']).next()).expect("code").to_owned();
    let exchange = [
        ("client_id", "1"),
        ("client_secret", SECRET),
        ("grant_type", "authorization_code"),
        ("redirect_uri", REDIRECT),
        ("code", code.as_str()),
    ];
    let short: Value = http
        .post(format!("{base}/oauth/access_token"))
        .form(&exchange)
        .send()
        .await
        .expect("exchange")
        .json()
        .await
        .expect("json");
    let query = [
        ("grant_type", "ig_exchange_token"),
        ("client_secret", SECRET),
        ("access_token", short["access_token"].as_str().expect("token")),
    ];
    let long: Value =
        http.get(format!("{base}/access_token")).query(&query).send().await.expect("long").json().await.expect("json");
    long["access_token"].as_str().expect("token").to_owned()
}
