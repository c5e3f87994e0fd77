//! `spawn_app`: the production router on a random port with fresh databases.
use app::backend::{config::Config, AppState};
use reqwest::{redirect::Policy, Client, Response};
use std::{collections::HashMap, net::SocketAddr};

pub const JWT_SECRET: &str = "clerky-shared-secret-for-tests-only-0123456789";

pub struct TestApp {
    pub address: String,
    pub state: AppState,
    /// A browser-like client: keeps cookies, does not follow redirects.
    pub client: Client,
    /// The environment the app was configured from, to start the real binary on the same data.
    pub vars: HashMap<String, String>,
}

/// Environment every test server starts from; a test changes what it needs.
pub async fn base_vars() -> HashMap<String, String> {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let database = format!("test_{id}");
    let admin_url = std::env::var("DATABASE_URL").expect("DATABASE_URL: run the tests with `make test`");
    let pg = sqlx::PgPool::connect(&admin_url).await.expect("PostgreSQL from DATABASE_URL is reachable");
    sqlx::query(&format!("CREATE DATABASE \"{database}\"")).execute(&pg).await.expect("create test database");
    pg.close().await;
    let database_url = replace_database(&admin_url, &database);
    let mongo = std::env::var("TEST_MONGODB_URI").expect("TEST_MONGODB_URI: run the tests with `make test`");
    let smtp = std::env::var("TEST_SMTP_URL").expect("TEST_SMTP_URL: run the tests with `make test`");
    [
        ("SMTP_URL", smtp),
        // Its own sender, so a test finds its own e-mail in the catcher every test shares.
        ("MAIL_FROM", format!("Insta-Clerky <no-reply+{id}@insta-clerky.test>")),
        ("LISTEN_ADDR", "127.0.0.1:0".to_owned()),
        ("PUBLIC_URL", "http://127.0.0.1:3000".to_owned()),
        ("DATABASE_URL", database_url),
        ("MONGODB_URI", format!("{}/test_{id}", mongo.trim_end_matches('/'))),
        ("META_GRAPH_VERSION", "v24.0".to_owned()),
        ("META_APP_ID", "100000000000001".to_owned()),
        ("META_APP_SECRET", "app-secret".to_owned()),
        ("META_REDIRECT_URI", "http://127.0.0.1:3000/api/instagram/callback".to_owned()),
        ("META_VERIFY_TOKEN", "verify-token".to_owned()),
        ("TOKEN_ENCRYPTION_KEYS", "t1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".to_owned()),
        ("SESSION_SECRET", "session-secret-for-tests-only-0123456789".to_owned()),
        ("CLERKY_JWT_SECRET", JWT_SECRET.to_owned()),
        ("SIGN_IN_PER_IP_PER_MINUTE", "1000".to_owned()),
        ("SIGN_IN_PER_ACCOUNT_PER_MINUTE", "1000".to_owned()),
        ("SIGN_UP_PER_IP_PER_HOUR", "100000".to_owned()),
        ("SIGN_UP_PER_MINUTE", "100000".to_owned()),
        ("CALLS_PER_USER_PER_MINUTE", "100000".to_owned()),
        ("EXPORTS_PER_USER_PER_MINUTE", "100000".to_owned()),
        ("SOCKETS_PER_USER_PER_MINUTE", "100000".to_owned()),
        ("UNSIGNED_WEBHOOKS_PER_IP_PER_MINUTE", "100000".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

fn replace_database(url: &str, database: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let base = base.rsplit_once('/').map_or(base, |(prefix, _)| prefix);
    match query {
        Some(q) => format!("{base}/{database}?{q}"),
        None => format!("{base}/{database}"),
    }
}

/// The Meta sandbox, in process, registered for the test app's Meta settings.
pub struct TestMeta {
    pub base: String,
    pub http: Client,
}

pub async fn spawn_app_with_sandbox() -> (TestApp, TestMeta) {
    spawn_app_with_sandbox_and(|_| {}).await
}

pub async fn spawn_app_with_sandbox_and(change: impl FnOnce(&mut HashMap<String, String>)) -> (TestApp, TestMeta) {
    let (_, addr) = meta_sandbox::Sandbox::spawn(meta_sandbox::AppRegistration {
        app_id: "100000000000001".into(),
        app_secret: "app-secret".into(),
        redirect_uris: vec!["http://127.0.0.1:3000/api/instagram/callback".into()],
    })
    .await
    .expect("sandbox");
    let base = format!("http://{addr}");
    let app = spawn_app_with(|vars| {
        vars.insert("META_AUTHORIZE_URL".into(), format!("{base}/oauth/authorize"));
        vars.insert("META_API_BASE_URL".into(), base.clone());
        vars.insert("META_GRAPH_BASE_URL".into(), base.clone());
        change(vars);
    })
    .await;
    (app, TestMeta { base, http: Client::builder().redirect(Policy::none()).build().expect("client") })
}

impl TestMeta {
    /// Presses Allow (as `account`) or Cancel on the authorize page the app sent the browser to,
    /// and returns the path and query of the app's callback that Meta redirects to.
    pub async fn decide(&self, authorize_url: &str, decision: &str, account: &str) -> String {
        let page = self.http.get(authorize_url).send().await.expect("authorize page");
        assert_eq!(page.status(), 200, "the sandbox accepts the app's authorize URL");
        let query = authorize_url.split_once('?').expect("query").1;
        let mut form: Vec<(String, String)> = serde_urlencoded::from_str(query).expect("params");
        form.push(("decision".into(), decision.into()));
        form.push(("account".into(), account.into()));
        let response =
            self.http.post(format!("{}/oauth/authorize", self.base)).form(&form).send().await.expect("decide");
        let location = response.headers()["location"].to_str().expect("ascii").to_owned();
        let path = location.strip_prefix("http://127.0.0.1:3000").expect("the registered redirect URI").to_owned();
        path.trim_end_matches("#_").to_owned()
    }

    /// Moves the sandbox's clock forward.
    pub async fn advance(&self, seconds: i64) {
        let url = format!("{}/_sandbox/clock/advance", self.base);
        let response =
            self.http.post(url).json(&serde_json::json!({ "seconds": seconds })).send().await.expect("advance");
        assert!(response.status().is_success());
    }

    /// Saves the app's app-level callback in the sandbox's "dashboard" (Meta's handshake included).
    pub async fn register_callback(&self, app: &TestApp) {
        let config = serde_json::json!({
            "callback_url": app.url("/webhook/instagram"),
            "verify_token": "verify-token",
            "retry_delays_ms": [0, 200, 500, 1000],
        });
        let response =
            self.http.post(format!("{}/_sandbox/webhook", self.base)).json(&config).send().await.expect("register");
        assert!(response.status().is_success(), "{}", response.text().await.unwrap_or_default());
    }

    /// A follower sends a DM to one of the test accounts; returns its `mid`.
    pub async fn dm(&self, follower: &str, to: &str, text: &str) -> String {
        let url = format!("{}/_sandbox/followers/{follower}/messages", self.base);
        let response = self.http.post(url).json(&serde_json::json!({ "to": to, "text": text })).send().await;
        let body: serde_json::Value = response.expect("dm").json().await.expect("json");
        body["mid"].as_str().expect("mid").to_owned()
    }

    /// A follower comments on a post or reel; returns the comment id.
    pub async fn comment(&self, follower: &str, media_id: &str, text: &str) -> String {
        let url = format!("{}/_sandbox/followers/{follower}/comments", self.base);
        let response =
            self.http.post(url).json(&serde_json::json!({ "media_id": media_id, "text": text })).send().await;
        let body: serde_json::Value = response.expect("comment").json().await.expect("json");
        body["id"].as_str().expect("id").to_owned()
    }

    /// Records events at the sandbox without delivering them (the test delivers); returns each
    /// one's webhook `entry`.
    pub async fn record(&self, events: serde_json::Value) -> Vec<serde_json::Value> {
        let url = format!("{}/_sandbox/events", self.base);
        let response = self.http.post(url).json(&serde_json::json!({ "events": events })).send().await.expect("events");
        assert!(response.status().is_success(), "{}", response.status());
        let body: serde_json::Value = response.json().await.expect("json");
        body["entries"].as_array().cloned().unwrap_or_default()
    }

    /// The sandbox's counters over the whole run (sends, duplicates, deliveries).
    pub async fn stats(&self) -> serde_json::Value {
        let url = format!("{}/_sandbox/stats", self.base);
        self.http.get(url).send().await.expect("stats").json().await.expect("json")
    }

    pub async fn post_control(&self, path: &str, body: serde_json::Value) {
        let response = self.http.post(format!("{}{path}", self.base)).json(&body).send().await.expect("control");
        assert!(response.status().is_success(), "{path}: {}", response.status());
    }

    pub async fn deliveries(&self) -> Vec<serde_json::Value> {
        let url = format!("{}/_sandbox/deliveries", self.base);
        self.http.get(url).send().await.expect("deliveries").json().await.expect("json")
    }

    /// Successful calls of `method` whose path ends with `suffix`.
    pub async fn succeeded(&self, method: &str, suffix: &str) -> Vec<serde_json::Value> {
        let all = self.calls("").await;
        all.into_iter()
            .filter(|c| c["method"] == method && c["path"].as_str().is_some_and(|p| p.ends_with(suffix)))
            .filter(|c| c["status"] == 200)
            .collect()
    }

    /// Waits until every delivery the sandbox made so far was acknowledged, then runs the app's
    /// jobs; repeats while replies cause new deliveries (their echoes).
    pub async fn settle(&self, app: &TestApp) {
        for _ in 0..20 {
            // The sandbox batches what happens within 20 ms into one POST.
            tokio::time::sleep(std::time::Duration::from_millis(60)).await;
            let before = self.deliveries().await.len();
            self.wait_acknowledged().await;
            app::backend::engine::drain(&app.state, std::time::Duration::from_secs(10)).await.expect("drain");
            tokio::time::sleep(std::time::Duration::from_millis(60)).await;
            if self.deliveries().await.len() == before {
                return;
            }
        }
        panic!("deliveries kept coming");
    }

    pub async fn wait_acknowledged(&self) {
        for _ in 0..500 {
            let deliveries = self.deliveries().await;
            if deliveries.iter().all(|d| d["acknowledged"] == true || d["gave_up"] == true) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("the app did not acknowledge every delivery: {:?}", self.deliveries().await);
    }

    pub async fn calls(&self, path: &str) -> Vec<serde_json::Value> {
        let url = format!("{}/_sandbox/calls", self.base);
        self.http.get(url).query(&[("path", path)]).send().await.expect("calls").json().await.expect("json")
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(change: impl FnOnce(&mut HashMap<String, String>)) -> TestApp {
    let mut vars = base_vars().await;
    change(&mut vars);
    let config = Config::from_vars(&vars).expect("test configuration is valid");
    let env = vars.clone();
    let state = server::connect(config).await.expect("test databases are reachable");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = format!("http://{}", listener.local_addr().expect("address"));
    let router = server::router::build(state.clone());
    tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await.expect("serve");
    });
    TestApp { address, state, client: browser(), vars: env }
}

/// Sends what a browser without JavaScript sends: `Accept: text/html`, so Leptos answers server
/// functions and pages with real 302 redirects.
pub fn browser() -> Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::ACCEPT, reqwest::header::HeaderValue::from_static("text/html,*/*;q=0.8"));
    Client::builder().cookie_store(true).redirect(Policy::none()).default_headers(headers).build().expect("client")
}

impl TestApp {
    /// The same app and data, as another person's browser.
    pub fn another_browser(&self) -> TestApp {
        TestApp { address: self.address.clone(), state: self.state.clone(), client: browser(), vars: self.vars.clone() }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("request")
    }

    /// Calls a server function the way an HTML form does.
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.client.post(self.url(path)).form(form).send().await.expect("request")
    }

    /// Calls a server function with a form, as the page's script does: the answer is JSON, with
    /// the error's status (a plain form's refusal would redirect back to its page instead).
    pub async fn post_form_json(&self, path: &str, form: &[(&str, &str)]) -> Response {
        let request = self.client.post(self.url(path)).header("accept", "application/json");
        request.form(form).send().await.expect("request")
    }

    /// Signs up as a person does: the form, then the link of the e-mail, which signs in. Returns
    /// the link's answer, or the form's when it did not send one (a refusal, a limit).
    pub async fn sign_up(&self, email: &str, password: &str) -> Response {
        let response = self.sign_up_form(email, password).await;
        if response.headers().get("location").is_none_or(|l| l != "/sign-up?sent=1") {
            return response;
        }
        let token = self.confirmation_token(email).await;
        self.post_form("/api/confirm_email", &[("token", &token)]).await
    }

    /// Only the sign-up form, as sent.
    pub async fn sign_up_form(&self, email: &str, password: &str) -> Response {
        self.post_form("/api/sign_up", &[("email", email), ("name", "Ana Souza"), ("password", password)]).await
    }

    /// The e-mails this app sent to `to`, newest first: `(subject, text)` of each.
    pub async fn mails_to(&self, to: &str) -> Vec<(String, String)> {
        let api = std::env::var("TEST_MAIL_API").expect("TEST_MAIL_API: run the tests with `make test`");
        let from = self.vars["MAIL_FROM"].split('<').nth(1).unwrap_or_default().trim_end_matches('>').to_owned();
        let all: Vec<serde_json::Value> =
            reqwest::get(format!("{api}/api/email")).await.expect("the mail catcher").json().await.expect("json");
        let to = to.to_lowercase();
        // The catcher lists e-mails as they arrived.
        all.iter()
            .rev()
            .filter(|m| m["from"][0]["address"] == from.as_str())
            .filter(|m| m["to"].as_array().is_some_and(|list| list.iter().any(|t| t["address"] == to.as_str())))
            .map(|m| {
                (
                    m["subject"].as_str().unwrap_or_default().to_owned(),
                    m["text"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    }

    /// Waits (up to 10 s) until `n` e-mails reached `to`.
    pub async fn wait_for_mails(&self, to: &str, n: usize) {
        for _ in 0..100 {
            if self.mails_to(to).await.len() >= n {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("fewer than {n} e-mails reached {to}");
    }

    /// The token of the newest confirmation link e-mailed to `to` (waits up to 10 s for it).
    pub async fn confirmation_token(&self, to: &str) -> String {
        for _ in 0..100 {
            let link = self.mails_to(to).await.into_iter().find_map(|(_, text)| {
                let (_, rest) = text.split_once("/confirm-email?token=")?;
                Some(
                    rest.chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                        .collect::<String>(),
                )
            });
            if let Some(token) = link {
                return token;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("no confirmation e-mail reached {to}");
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Response {
        self.post_form("/api/sign_in", &[("email", email), ("password", password)]).await
    }

    /// `GET /api/me` as JSON.
    pub async fn me(&self) -> serde_json::Value {
        let response =
            self.client.get(self.url("/api/me")).header("accept", "application/json").send().await.expect("request");
        assert_eq!(response.status(), 200, "{:?}", response.headers().get("location"));
        response.json().await.expect("json")
    }

    /// Starts connecting an instance; returns the authorize URL the browser is sent to.
    pub async fn start_connect(&self, name: &str) -> String {
        let response = self.post_form("/api/instances/create", &[("name", name)]).await;
        assert_eq!(response.status(), 302, "{}", response.text().await.unwrap_or_default());
        response.headers()["location"].to_str().expect("ascii").to_owned()
    }

    /// Follows Meta's redirect back to the callback; returns where the app sends the browser.
    pub async fn callback(&self, path_and_query: &str) -> String {
        let response = self.get(path_and_query).await;
        assert!(response.status().is_redirection(), "{}", response.status());
        response.headers()["location"].to_str().expect("ascii").to_owned()
    }

    pub async fn instances(&self) -> Vec<serde_json::Value> {
        let response = self.client.get(self.url("/api/instances")).header("accept", "application/json").send().await;
        response.expect("request").json().await.expect("json")
    }

    pub async fn create_user(&self, email: &str, password: &str, admin: bool) {
        use app::domain::user::{Email, Role};
        let role = if admin { Role::Admin } else { Role::User };
        let email = Email::parse(email).expect("email");
        app::backend::accounts::create(&self.state, &email, "Test", password, role, false).await.expect("create user");
    }
}

/// The `Set-Cookie` header that sets `name`, if any.
pub fn set_cookie<'a>(response: &'a Response, name: &str) -> Option<&'a str> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
}

pub fn cookie_value(set_cookie: &str) -> &str {
    set_cookie.split(';').next().and_then(|pair| pair.split_once('=')).map_or("", |(_, v)| v)
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

/// Starts the real server binary on `port` with exactly `vars`, logging to `log`; returns once it
/// is ready. Killed when dropped.
pub async fn start_server(vars: &HashMap<String, String>, port: u16, log: &std::path::Path) -> tokio::process::Child {
    let log = std::fs::OpenOptions::new().create(true).append(true).open(log).expect("log file");
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .env_clear()
        .envs(vars)
        .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", vars.get("RUST_LOG").map_or("info", String::as_str))
        .stdout(std::process::Stdio::from(log.try_clone().expect("log")))
        .stderr(std::process::Stdio::from(log))
        .kill_on_drop(true)
        .spawn()
        .expect("the server binary starts");
    let client = Client::new();
    for _ in 0..300 {
        if client.get(format!("http://127.0.0.1:{port}/readyz")).send().await.is_ok_and(|r| r.status() == 200) {
            return child;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the server did not become ready");
}

/// Posts these bytes to a webhook URL signed as Meta signs for the test app.
pub async fn post_signed(url: &str, body: &[u8]) -> u16 {
    let signature = meta_sandbox::signature_sha256("app-secret", body);
    Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("x-hub-signature-256", signature)
        .body(body.to_vec())
        .send()
        .await
        .map_or(0, |r| r.status().as_u16())
}
