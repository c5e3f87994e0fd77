use crate::helpers::{browser, cookie_value, set_cookie, spawn_app, spawn_app_with};
use mongodb::bson::{doc, Document};

#[tokio::test]
async fn signing_up_opens_a_session_in_an_http_only_same_site_cookie() {
    let app = spawn_app().await;
    let response = app.sign_up("Ana@Loja.com.br", "senha-forte-1").await;
    assert_eq!(response.status(), 302);
    assert_eq!(response.headers()["location"], "/instances");
    let cookie = set_cookie(&response, "ic_session").expect("session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http must not set Secure: {cookie}");

    let me = app.me().await;
    assert_eq!(me["email"], "ana@loja.com.br");
    assert_eq!(me["role"], "user");
    assert_eq!(me["premium"], false);
    assert_eq!(me["instance_quota"], 1);
}

#[tokio::test]
async fn passwords_are_stored_as_argon2id_hashes() {
    let app = spawn_app().await;
    app.sign_up("bia@loja.com", "segredo-123").await;
    let user = app.state.mongo.collection::<Document>("users").find_one(doc! { "email": "bia@loja.com" }).await;
    let user = user.expect("query").expect("user stored");
    let hash = user.get_str("passwordHash").expect("hash");
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!format!("{user}").contains("segredo-123"));
}

#[tokio::test]
async fn https_public_url_makes_the_session_cookie_secure() {
    let app = spawn_app_with(|vars| {
        vars.insert("PUBLIC_URL".into(), "https://insta.example.com".into());
    })
    .await;
    let response = app.sign_up("c@loja.com", "senha-forte-1").await;
    assert!(set_cookie(&response, "ic_session").is_none(), "on https the cookie has the __Host- prefix");
    let cookie = set_cookie(&response, "__Host-ic_session").expect("cookie");
    assert!(cookie.contains("; Secure") && cookie.contains("Path=/") && !cookie.contains("Domain"), "{cookie}");
    // The prefixed cookie is the one that signs in.
    let token = crate::helpers::cookie_value(cookie).to_owned();
    let me = reqwest::Client::new()
        .get(app.url("/api/me"))
        .header("cookie", format!("__Host-ic_session={token}"))
        .header("accept", "application/json")
        .send()
        .await
        .expect("me");
    assert_eq!(me.json::<serde_json::Value>().await.expect("json")["email"], "c@loja.com");
}

#[tokio::test]
async fn sign_up_rejects_bad_fields_with_422_and_field_codes() {
    let app = spawn_app().await;
    let response = app.post_form("/api/sign_up", &[("email", "nope"), ("name", " "), ("password", "curta")]).await;
    assert_eq!(response.status(), 422);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(
        body,
        serde_json::json!({ "Invalid": [
            { "field": "email", "code": "invalid_email" },
            { "field": "name", "code": "required" },
            { "field": "password", "code": "too_short" },
        ]})
    );
}

#[tokio::test]
async fn a_registered_address_gets_the_same_answer_and_its_owner_an_e_mail() {
    let app = spawn_app().await;
    assert_eq!(app.sign_up("dup@loja.com", "senha-forte-1").await.status(), 302);
    let sign_up = |email: &'static str| {
        let app = app.another_browser();
        async move {
            let response = app
                .post_form("/api/sign_up", &[("email", email), ("name", "Outra"), ("password", "senha-forte-2")])
                .await;
            let (status, location) = (response.status(), response.headers().get("location").cloned());
            assert!(set_cookie(&response, "ic_session").is_none(), "no session before the e-mail is confirmed");
            (status, location, response.text().await.expect("body"))
        }
    };
    // The same answer for an address with an account (in another case) and for a new one.
    let taken = sign_up("DUP@loja.com").await;
    let fresh = sign_up("nova@loja.com").await;
    assert_eq!(taken, fresh);
    assert_eq!(
        (taken.0.as_u16(), taken.1.as_ref().map(|l| l.to_str().expect("ascii"))),
        (302, Some("/sign-up?sent=1"))
    );
    let users = app.state.mongo.collection::<Document>("users");
    assert_eq!(users.count_documents(doc! { "email": "dup@loja.com" }).await.expect("count"), 1, "one account");
    // Each address's owner learns which it was, by e-mail.
    let note = app.mails_to("dup@loja.com").await;
    assert_eq!(note[0].0, "Você já tem uma conta no Insta-Clerky", "{note:?}");
    assert!(note[0].1.contains("http://127.0.0.1:3000/sign-in"), "{}", note[0].1);
    assert!(app.mails_to("nova@loja.com").await[0].1.contains("/confirm-email?token="));
    // The first account's password still opens it; the second sign-up changed nothing.
    assert_eq!(app.another_browser().sign_in("dup@loja.com", "senha-forte-1").await.status(), 302);
    assert_eq!(app.another_browser().sign_in("dup@loja.com", "senha-forte-2").await.status(), 401);
}

#[tokio::test]
async fn an_unconfirmed_account_cannot_sign_in_and_its_right_password_sends_a_new_link() {
    let app = spawn_app().await;
    let sent = app.sign_up_form("ivo@loja.com", "senha-forte-1").await;
    assert_eq!(sent.headers()["location"], "/sign-up?sent=1");
    let first = app.confirmation_token("ivo@loja.com").await;
    let refused = app.sign_in("ivo@loja.com", "senha-forte-1").await;
    assert_eq!(refused.status(), 403);
    assert!(set_cookie(&refused, "ic_session").is_none());
    assert_eq!(refused.json::<serde_json::Value>().await.expect("json"), serde_json::json!("EmailNotConfirmed"));
    // A wrong password says nothing more than for any account.
    assert_eq!(app.sign_in("ivo@loja.com", "senha-errada").await.status(), 401);
    assert_eq!(app.mails_to("ivo@loja.com").await.len(), 1, "no new link within a minute of the first");
    // A minute later, the right password sends a new link, which replaces the first.
    let users = app.state.mongo.collection::<Document>("users");
    let earlier = mongodb::bson::DateTime::from_millis(mongodb::bson::DateTime::now().timestamp_millis() - 61_000);
    users
        .update_one(doc! { "email": "ivo@loja.com" }, doc! { "$set": { "emailConfirmation.sentAt": earlier } })
        .await
        .expect("a minute earlier");
    assert_eq!(app.sign_in("ivo@loja.com", "senha-forte-1").await.status(), 403);
    app.wait_for_mails("ivo@loja.com", 2).await;
    let second = app.confirmation_token("ivo@loja.com").await;
    assert_ne!(first, second);
    let stale = app.another_browser().post_form("/api/confirm_email", &[("token", &first)]).await;
    assert_eq!(stale.status(), 422);
    // The link confirms and signs in, once.
    let confirmed = app.post_form("/api/confirm_email", &[("token", &second)]).await;
    assert_eq!((confirmed.status().as_u16(), confirmed.headers()["location"].to_str().ok()), (302, Some("/instances")));
    assert!(set_cookie(&confirmed, "ic_session").is_some());
    assert_eq!(app.me().await["email"], "ivo@loja.com");
    let again = app.another_browser().post_form("/api/confirm_email", &[("token", &second)]).await;
    assert_eq!(again.status(), 422);
    assert_eq!(app.another_browser().sign_in("ivo@loja.com", "senha-forte-1").await.status(), 302);
}

#[tokio::test]
async fn the_confirmation_page_asks_for_a_click_and_the_e_mail_speaks_the_readers_language() {
    let app = spawn_app().await;
    let english = app
        .client
        .post(app.url("/api/sign_up"))
        .header("cookie", "ic_lang=en")
        .form(&[("email", "joy@loja.com"), ("name", "Joy"), ("password", "senha-forte-1")])
        .send()
        .await
        .expect("sign up");
    assert_eq!(english.status(), 302);
    let mail = app.mails_to("joy@loja.com").await;
    assert_eq!(mail[0].0, "Confirm your e-mail on Insta-Clerky");
    assert!(mail[0].1.starts_with("Hello, Joy!"), "{}", mail[0].1);
    let token = app.confirmation_token("joy@loja.com").await;
    // Opening the link (as a mail scanner would) uses nothing up: it shows a button.
    let page = app.get(&format!("/confirm-email?token={token}")).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains(&format!(r#"name="token" value="{token}""#)), "{html}");
    assert!(html.contains("Confirmar e entrar"));
    assert_eq!(app.post_form("/api/confirm_email", &[("token", &token)]).await.status(), 302);
}

#[tokio::test]
async fn without_a_mail_server_sign_up_is_closed_and_says_so() {
    let app = spawn_app_with(|vars| {
        vars.remove("SMTP_URL");
    })
    .await;
    let response = app.sign_up_form("kai@loja.com", "senha-forte-1").await;
    assert_eq!(response.status(), 503);
    assert_eq!(response.json::<serde_json::Value>().await.expect("json"), serde_json::json!("MailUnavailable"));
    let users = app.state.mongo.collection::<Document>("users");
    assert_eq!(users.count_documents(doc! {}).await.expect("count"), 0);
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_answer() {
    let app = spawn_app().await;
    app.create_user("eva@loja.com", "senha-certa-1", false).await;
    let wrong = app.sign_in("eva@loja.com", "senha-errada").await;
    let unknown = app.sign_in("ninguem@loja.com", "senha-errada").await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(unknown.status(), 401);
    assert!(set_cookie(&wrong, "ic_session").is_none());
    assert_eq!(wrong.text().await.expect("body"), unknown.text().await.expect("body"));
}

#[tokio::test]
async fn signing_in_replaces_the_session_and_returns_to_next() {
    let app = spawn_app().await;
    app.create_user("fil@loja.com", "senha-certa-1", false).await;
    let first = app.sign_in("fil@loja.com", "senha-certa-1").await;
    let first_token = cookie_value(set_cookie(&first, "ic_session").expect("cookie")).to_owned();

    let second = app
        .post_form(
            "/api/sign_in",
            &[("email", "fil@loja.com"), ("password", "senha-certa-1"), ("next", "/reports?type=dm")],
        )
        .await;
    assert_eq!(second.status(), 302);
    assert_eq!(second.headers()["location"], "/reports?type=dm");
    let second_token = cookie_value(set_cookie(&second, "ic_session").expect("cookie")).to_owned();
    assert_ne!(first_token, second_token, "a new session id at every sign-in");

    // The old token no longer opens anything.
    let stale = browser().get(app.url("/api/me")).header("cookie", format!("ic_session={first_token}")).send().await;
    assert_eq!(stale.expect("request").json::<serde_json::Value>().await.expect("json"), serde_json::Value::Null);
}

#[tokio::test]
async fn next_cannot_leave_the_site() {
    let app = spawn_app().await;
    app.create_user("gil@loja.com", "senha-certa-1", false).await;
    let response = app
        .post_form(
            "/api/sign_in",
            &[("email", "gil@loja.com"), ("password", "senha-certa-1"), ("next", "https://evil.example/")],
        )
        .await;
    assert_eq!(response.headers()["location"], "/instances");
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server() {
    let app = spawn_app().await;
    let response = app.sign_up("hal@loja.com", "senha-forte-1").await;
    let token = cookie_value(set_cookie(&response, "ic_session").expect("cookie")).to_owned();
    let out = app.post_form("/api/sign_out", &[]).await;
    assert_eq!(out.status(), 302);
    assert!(set_cookie(&out, "ic_session").expect("cleared").contains("Max-Age=0"));
    let replayed = browser().get(app.url("/api/me")).header("cookie", format!("ic_session={token}")).send().await;
    assert_eq!(replayed.expect("request").json::<serde_json::Value>().await.expect("json"), serde_json::Value::Null);
}

#[tokio::test]
async fn sign_in_is_limited_per_account_across_addresses() {
    let app = spawn_app_with(|vars| {
        vars.insert("SIGN_IN_PER_ACCOUNT_PER_MINUTE".into(), "3".into());
    })
    .await;
    app.create_user("ivo@loja.com", "senha-certa-1", false).await;
    for _ in 0..3 {
        assert_eq!(app.sign_in("ivo@loja.com", "errada-123").await.status(), 401);
    }
    // Even the right password is refused until the quota refills.
    let limited = app.sign_in("ivo@loja.com", "senha-certa-1").await;
    assert_eq!(limited.status(), 429);
    assert!(set_cookie(&limited, "ic_session").is_none());
    // Another account from the same address is unaffected.
    app.create_user("jo@loja.com", "senha-certa-1", false).await;
    assert_eq!(app.sign_in("jo@loja.com", "senha-certa-1").await.status(), 302);
}

#[tokio::test]
async fn sign_in_is_limited_per_address() {
    let app = spawn_app_with(|vars| {
        vars.insert("SIGN_IN_PER_IP_PER_MINUTE".into(), "2".into());
    })
    .await;
    assert_eq!(app.sign_in("a@loja.com", "x-123456").await.status(), 401);
    assert_eq!(app.sign_in("b@loja.com", "x-123456").await.status(), 401);
    assert_eq!(app.sign_in("c@loja.com", "x-123456").await.status(), 429);
}

#[tokio::test]
async fn a_cross_site_form_post_is_refused_and_a_same_site_one_accepted() {
    let app = spawn_app().await;
    app.create_user("kai@loja.com", "senha-certa-1", false).await;
    let form = [("email", "kai@loja.com"), ("password", "senha-certa-1")];
    let cross =
        app.client.post(app.url("/api/sign_in")).header("origin", "https://evil.example").form(&form).send().await;
    let cross = cross.expect("request");
    assert_eq!(cross.status(), 403);
    assert!(set_cookie(&cross, "ic_session").is_none());

    // The host the request reached is not enough: only PUBLIC_URL's origin is this site.
    let same_host = app.client.post(app.url("/api/sign_in")).header("origin", &app.address).form(&form).send().await;
    assert_eq!(same_host.expect("request").status(), 403);

    let public = app.vars["PUBLIC_URL"].clone();
    let same = app.client.post(app.url("/api/sign_in")).header("origin", public).form(&form).send().await;
    assert_eq!(same.expect("request").status(), 302);
}

#[tokio::test]
async fn sign_up_keeps_where_the_person_was_going_through_the_e_mail() {
    let app = spawn_app().await;
    let form = [("email", "lu@loja.com"), ("name", "Lu"), ("password", "senha-forte-1"), ("next", "/reports?type=dm")];
    assert_eq!(app.post_form("/api/sign_up", &form).await.status(), 302);
    let token = app.confirmation_token("lu@loja.com").await;
    let text = &app.mails_to("lu@loja.com").await[0].1;
    assert!(text.contains(&format!("/confirm-email?token={token}&next=/reports%3Ftype%3Ddm")), "{text}");
    let page =
        app.get(&format!("/confirm-email?token={token}&next=/reports%3Ftype%3Ddm")).await.text().await.expect("html");
    assert!(page.contains(r#"name="next" value="/reports?type=dm""#), "{page}");
    let confirmed = app.post_form("/api/confirm_email", &[("token", &token), ("next", "/reports?type=dm")]).await;
    assert_eq!(confirmed.headers()["location"], "/reports?type=dm");
    // Never off the site.
    let form =
        [("email", "mo@loja.com"), ("name", "Mo"), ("password", "senha-forte-1"), ("next", "https://evil.example/")];
    app.another_browser().post_form("/api/sign_up", &form).await;
    let token = app.confirmation_token("mo@loja.com").await;
    let confirmed = app
        .another_browser()
        .post_form("/api/confirm_email", &[("token", &token), ("next", "https://evil.example/")])
        .await;
    assert_eq!(confirmed.headers()["location"], "/instances");
}

#[tokio::test]
async fn a_form_posted_without_javascript_comes_back_to_its_page_with_the_error() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/api/sign_in"))
        .header("referer", app.url("/sign-in?next=%2Freports&error=old"))
        .form(&[("email", "ninguem@loja.com"), ("password", "errada-123")])
        .send()
        .await
        .expect("sign in");
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().expect("ascii").to_owned();
    assert_eq!(location, "/sign-in?next=%2Freports&error=%22WrongCredentials%22");
    let page = app.get(&location).await.text().await.expect("html");
    assert!(page.contains("E-mail ou senha incorretos."), "the page shows the error");
    // A field error too, under its field.
    let response = app
        .client
        .post(app.url("/api/sign_up"))
        .header("referer", app.url("/sign-up"))
        .form(&[("email", "nova@loja.com"), ("name", "Nova"), ("password", "curta")])
        .send()
        .await
        .expect("sign up");
    let location = response.headers()["location"].to_str().expect("ascii").to_owned();
    let page = app.get(&location).await.text().await.expect("html");
    assert!(page.contains("A senha precisa de pelo menos 8 caracteres."), "{location}");
    // A page elsewhere is never where it goes back to.
    let response = app
        .client
        .post(app.url("/api/sign_in"))
        .header("referer", "https://evil.example//evil.example/x")
        .form(&[("email", "ninguem@loja.com"), ("password", "errada-123")])
        .send()
        .await
        .expect("sign in");
    assert_eq!(response.headers()["location"].to_str().ok().map(|l| l.split('?').next()), Some(Some("/instances")));
    // Scripts still get the error's status.
    assert_eq!(app.sign_in("ninguem@loja.com", "errada-123").await.status(), 401);
}
