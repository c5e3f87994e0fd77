//! Every response's security headers: pages with a nonce policy their own scripts satisfy, no
//! framing, no referrer, HSTS on https, and nothing cached for a signed-in caller.
use crate::helpers::{spawn_app, spawn_app_with};
use reqwest::Response;

fn header(response: &Response, name: &str) -> String {
    response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_page_allows_only_its_own_nonced_scripts_and_cannot_be_framed() {
    let app = spawn_app().await;
    let response = app.get("/sign-in").await;
    assert_eq!(response.status(), 200);
    let policy = header(&response, "content-security-policy");
    assert_eq!(header(&response, "x-frame-options"), "DENY");
    assert_eq!(header(&response, "referrer-policy"), "same-origin");
    assert_eq!(header(&response, "x-content-type-options"), "nosniff");
    assert_eq!(header(&response, "strict-transport-security"), "", "no HSTS on plain http");
    let html = response.text().await.expect("html");
    for directive in ["frame-ancestors 'none'", "'strict-dynamic'", "'wasm-unsafe-eval'", "object-src 'none'"] {
        assert!(policy.contains(directive), "{directive} in {policy}");
    }
    assert!(!policy.contains("'unsafe-inline'") && !policy.contains("'unsafe-eval'"), "{policy}");
    let nonce = policy.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).expect("a nonce");
    let tags: Vec<&str> = html.split("<script").skip(1).map(|rest| rest.split('>').next().unwrap_or("")).collect();
    assert!(!tags.is_empty(), "the page hydrates with scripts");
    for tag in tags {
        assert!(tag.contains(&format!("nonce=\"{nonce}\"")), "a script without the policy's nonce: <script{tag}>");
    }
    let again = header(&app.get("/sign-in").await, "content-security-policy");
    assert_ne!(again, policy, "each render has its own nonce");
}

#[tokio::test]
async fn nothing_answered_to_a_signed_in_caller_is_cached() {
    let app = spawn_app().await;
    let anonymous = app.get("/api/instances").await;
    assert_eq!(header(&anonymous, "content-security-policy"), app::backend::security::NON_PAGE_POLICY);
    app.sign_up("ana@loja.com", "senha-forte-1").await;
    for path in ["/instances", "/reports", "/api/instances", "/api/reports/export.csv"] {
        let response = app.client.get(app.url(path)).header("accept", "application/json").send().await.expect("get");
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(header(&response, "cache-control"), "no-store", "{path}");
    }
}

#[tokio::test]
async fn an_https_public_url_adds_hsts() {
    let app = spawn_app_with(|vars| {
        vars.insert("PUBLIC_URL".into(), "https://insta.example.com".into());
    })
    .await;
    let response = app.get("/sign-in").await;
    assert_eq!(header(&response, "strict-transport-security"), "max-age=31536000");
    assert!(header(&response, "content-security-policy").contains("connect-src 'self' wss://insta.example.com"));
}

/// Pages and the site's files fetched at once, as a browser does: each page keeps its own nonce
/// policy and each file the strict one. (Served through Leptos' file handler, a file could pick
/// up the headers of a page rendering beside it, and that page lose its policy and not hydrate.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_and_files_served_together_keep_their_own_policies() {
    let shop = crate::engine::shop_with(|_| {}).await;
    let app = &shop.app;
    let site = std::env::temp_dir().join(format!("insta-clerky-site-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(site.join("pkg")).expect("pkg");
    std::fs::write(site.join("pkg/app.js"), "console.log(1)").expect("file");
    let mut state = app.state.clone();
    state.leptos.site_root = site.to_string_lossy().into_owned().into();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let router = server::router::build(state);
    tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>())
            .await
            .expect("serve");
    });
    let client = reqwest::Client::builder().cookie_store(true).build().expect("client");
    let signed_in = client
        .post(format!("{base}/api/sign_in"))
        .form(&[("email", "ana@loja.com"), ("password", "senha-forte-1")])
        .send()
        .await
        .expect("sign in");
    assert!(signed_in.status().is_success() || signed_in.status().is_redirection(), "{}", signed_in.status());
    // The automations page renders the most at once: the instance, its automations, its media.
    let fetches = (0..120).map(|i| {
        let (client, base) = (client.clone(), base.clone());
        async move {
            let path = if i % 2 == 0 { "/automations" } else { "/pkg/app.js" };
            let response = client.get(format!("{base}{path}")).send().await.expect("request");
            assert_eq!(response.status(), 200, "{path}");
            (path, header(&response, "content-security-policy"))
        }
    });
    for (path, policy) in futures_util::future::join_all(fetches).await {
        match path {
            "/automations" => assert!(policy.contains("'nonce-"), "the page lost its policy: {policy}"),
            _ => assert_eq!(policy, app::backend::security::NON_PAGE_POLICY, "a file got a page's policy"),
        }
    }
    let _ = std::fs::remove_dir_all(&site);
}
