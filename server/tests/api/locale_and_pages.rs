//! Server-rendered pages: language, redirects for signed-out visitors, 404.
use crate::helpers::{browser, set_cookie, spawn_app};

#[tokio::test]
async fn pages_render_in_portuguese_by_default_and_english_by_cookie() {
    let app = spawn_app().await;
    let html = app.get("/sign-in").await.text().await.expect("html");
    assert!(html.contains(r#"<html lang="pt-BR""#), "{html}");
    assert!(html.contains("Entre na sua conta"));

    let english = browser().get(app.url("/sign-in")).header("cookie", "ic_lang=en").send().await.expect("request");
    let html = english.text().await.expect("html");
    assert!(html.contains(r#"<html lang="en""#));
    assert!(html.contains("Sign in to your account"));
}

#[tokio::test]
async fn the_language_switch_remembers_the_choice_and_returns_to_the_page() {
    let app = spawn_app().await;
    let response = app.get("/locale/en?next=/sign-up").await;
    assert!(response.status().is_redirection());
    assert_eq!(response.headers()["location"], "/sign-up");
    let cookie = set_cookie(&response, "ic_lang").expect("cookie");
    assert!(cookie.starts_with("ic_lang=en;") && cookie.contains("Max-Age=31536000"), "{cookie}");
    assert!(app.get("/sign-up").await.text().await.expect("html").contains("Create your account"));

    let offsite = app.get("/locale/pt-BR?next=//evil.example").await;
    assert_eq!(offsite.headers()["location"], "/instances");
}

#[tokio::test]
async fn a_signed_out_visit_to_a_protected_page_redirects_to_sign_in_with_next() {
    let app = spawn_app().await;
    for path in ["/instances", "/automations", "/reports", "/admin"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 302, "{path}");
        assert_eq!(response.headers()["location"], format!("/sign-in?next={}", path), "{path}");
    }
}

#[tokio::test]
async fn a_signed_in_user_sees_the_empty_instances_page() {
    let app = spawn_app().await;
    app.sign_up("kim@loja.com", "senha-forte-1").await;
    let response = app.get("/instances").await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.expect("html");
    assert!(html.contains("Nenhuma instância do Instagram ainda."), "{html}");
    assert!(html.contains("kim@loja.com"));
    assert!(!html.contains(">Admin<"), "no admin link for users");
}

#[tokio::test]
async fn a_user_visiting_admin_is_told_it_is_forbidden() {
    let app = spawn_app().await;
    app.sign_up("lia@loja.com", "senha-forte-1").await;
    let html = app.get("/admin").await.text().await.expect("html");
    assert!(html.contains("Você não tem acesso a esta página."));
    assert!(!html.contains("lia@loja.com</td>"));
}

#[tokio::test]
async fn unknown_pages_answer_404_with_a_page() {
    let app = spawn_app().await;
    let response = app.get("/nao-existe").await;
    assert_eq!(response.status(), 404);
    assert!(response.text().await.expect("html").contains("Página não encontrada"));
}

/// Building a router (as every process and every test app does) while pages render must never
/// leave a render waiting forever on its data.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_keep_rendering_while_other_routers_are_built() {
    use std::sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    };
    let app = spawn_app().await;
    assert_eq!(app.sign_up("ana@loja.com", "senha-forte-1").await.status(), 302);
    let building = Arc::new(AtomicBool::new(true));
    let builder = std::thread::spawn({
        let (building, state, runtime) = (building.clone(), app.state.clone(), tokio::runtime::Handle::current());
        move || {
            let _runtime = runtime.enter();
            while building.load(Ordering::Relaxed) {
                drop(server::router::build(state.clone()));
            }
        }
    });
    let mut stalled = Vec::new();
    for round in 0..150 {
        let path = ["/instances", "/automations", "/reports"][round % 3];
        // The timeout covers the whole body: a stalled render sends its head and never ends.
        let page = app.client.get(app.url(path)).timeout(std::time::Duration::from_secs(5)).send();
        if let Err(error) = async { page.await?.error_for_status()?.text().await }.await {
            stalled.push(format!("{path}: {error}"));
        }
    }
    building.store(false, Ordering::Relaxed);
    builder.join().expect("builder");
    assert!(stalled.is_empty(), "renders that never finished: {stalled:?}");
}

#[tokio::test]
async fn the_demo_banner_shows_only_in_demo_mode_and_links_to_the_sandbox_and_the_mail() {
    let plain = spawn_app().await;
    let html = plain.get("/sign-in").await.text().await.expect("html");
    assert!(!html.contains("Modo demonstração"), "no banner outside demo mode");
    let demo = crate::helpers::spawn_app_with(|vars| {
        vars.insert("DEMO_SANDBOX_URL".into(), "http://127.0.0.1:3100".into());
        vars.insert("DEMO_MAIL_URL".into(), "http://127.0.0.1:1080".into());
    })
    .await;
    let html = demo.get("/sign-in").await.text().await.expect("html");
    assert!(html.contains("Modo demonstração"), "{html}");
    assert!(html.contains(r#"href="http://127.0.0.1:3100/_sandbox/follower""#));
    assert!(html.contains(r#"href="http://127.0.0.1:1080""#));
    assert!(html.contains(r#"href="/help""#));
}

#[tokio::test]
async fn the_help_page_explains_every_reason_a_card_shows() {
    let app = spawn_app().await;
    let response = app.get("/help").await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.expect("html");
    assert!(html.contains("A conta precisa ser profissional"));
    for reason in [
        "denied",
        "state_expired",
        "state_used",
        "state_invalid",
        "account_taken",
        "missing_permissions",
        "meta_unavailable",
        "meta_refused",
        "token_invalid",
        "outside_window",
        "messaging_disabled",
    ] {
        assert!(html.contains(&format!(r#"id="{reason}""#)), "{reason} has its anchor");
    }
}
