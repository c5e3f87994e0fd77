//! The comments page: a post's comments as threads, answered by hand in public and by DM (Meta's
//! one private reply), hidden and shown again through Meta's moderation call, each answer sent
//! once through the outbox with its report; nobody else's comments reachable.
use crate::{engine::shop_with, helpers::TestApp};
use serde_json::{json, Value};

const POST: &str = "17895695668004550";

async fn get(app: &TestApp, path: &str) -> Value {
    let response = app.client.get(app.url(path)).header("accept", "application/json").send().await.expect("get");
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.expect("json")
}

async fn post(app: &TestApp, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let response = app.post_form_json(path, form).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_comment_is_answered_in_public_and_by_dm_once_hidden_and_shown_again() {
    let shop = shop_with(|_| {}).await;
    let (app, id) = (&shop.app, shop.instance_id.clone());
    shop.meta.comment("cliente.fiel", POST, "qual o preço do bolo?").await;
    shop.meta.settle(app).await;

    let page = get(app, &format!("/api/comments/posts?instance={id}")).await;
    let post_card =
        page["posts"].as_array().expect("posts").iter().find(|p| p["media_id"] == POST).cloned().expect("the post");
    assert_eq!(post_card["comments"], 1, "{page}");
    assert!(post_card["thumbnail_url"].is_string(), "Meta's picture of the post");
    let asked_meta = shop.meta.calls("/media").await.len();
    assert!(asked_meta >= 1, "the posts came from Meta");
    let threads = get(app, &format!("/api/comments/threads?instance={id}&media={POST}")).await;
    assert_eq!(shop.meta.calls("/media").await.len(), asked_meta, "threads (refetched live) never ask Meta");
    let thread = &threads[0];
    assert_eq!(thread["comment"]["text"], "qual o preço do bolo?");
    assert_eq!(thread["can_reply_privately"], true);
    let comment = thread["comment"]["id"].as_str().expect("id").to_owned();
    let answer = |way: &'static str, text: &'static str| {
        let comment = comment.clone();
        let id = id.clone();
        async move {
            post(
                app,
                "/api/comments/reply",
                &[("instance_id", &id), ("comment_id", &comment), ("way", way), ("text", text)],
            )
            .await
        }
    };

    assert_eq!(answer("public", "  ").await.1["Invalid"][0]["code"], "required");
    assert_eq!(answer("public", "Custa R$ 30, {username}!").await.0, 200);
    assert_eq!(answer("private", "Te mandei o cardápio por aqui").await.0, 200);
    let (status, body) = answer("private", "De novo").await;
    assert_eq!((status, body["Invalid"][0]["code"].as_str()), (422, Some("private_reply_used")), "Meta takes one");
    shop.meta.settle(app).await;
    let replies = shop.meta.succeeded("POST", "/replies").await;
    assert_eq!(replies.len(), 1, "{replies:?}");
    assert!(
        replies[0].to_string().contains("Custa R$ 30, @cliente.fiel!")
            || replies[0].to_string().contains("Custa R$ 30, cliente.fiel!"),
        "{}",
        replies[0]
    );
    let dms = shop.meta.succeeded("POST", "/messages").await;
    assert_eq!(dms.len(), 1);
    assert!(dms[0].to_string().contains(&comment), "the private reply names the comment: {}", dms[0]);

    let threads = get(app, &format!("/api/comments/threads?instance={id}&media={POST}")).await;
    let thread = &threads[0];
    assert_eq!(thread["comment"]["private_reply"], "sent");
    assert_eq!(thread["can_reply_privately"], false);
    let reply = &thread["replies"][0];
    assert_eq!(reply["from_account"], true, "the public reply came back into the thread: {thread}");
    let statuses: Vec<(i16, String)> =
        sqlx::query_as("SELECT part, status FROM instagram_reports WHERE event_id = $1 AND part >= 9 ORDER BY part")
            .bind(&comment)
            .fetch_all(&app.state.pg)
            .await
            .expect("reports");
    assert_eq!(statuses, [(9, "sent".to_owned()), (10, "sent".to_owned())], "a report each, sent once");

    // Hidden at Meta and here; a hidden comment takes no public reply; shown again.
    let hide = |hidden: &'static str, target: String| {
        let id = id.clone();
        async move {
            post(app, "/api/comments/hide", &[("instance_id", &id), ("comment_id", &target), ("hidden", hidden)]).await
        }
    };
    assert_eq!(hide("true", comment.clone()).await.0, 200);
    let calls = shop.meta.calls(&format!("/{comment}")).await;
    assert!(
        calls.iter().any(|c| c["method"] == "POST" && c["status"] == 200 && c.to_string().contains("hide")),
        "{calls:?}"
    );
    let threads = get(app, &format!("/api/comments/threads?instance={id}&media={POST}")).await;
    assert_eq!(threads[0]["comment"]["hidden"], true);
    assert_eq!(answer("public", "Oi").await.1["Invalid"][0]["code"], "comment_hidden");
    assert_eq!(hide("false", comment.clone()).await.0, 200);
    let threads = get(app, &format!("/api/comments/threads?instance={id}&media={POST}")).await;
    assert_eq!(threads[0]["comment"]["hidden"], false);
    let own = reply["id"].as_str().expect("reply id").to_owned();
    assert_eq!(hide("true", own).await.1["Invalid"][0]["code"], "own_comment");

    // Past Meta's 7 days a private reply is refused before anything is sent.
    shop.meta.comment("maria.souza", POST, "ainda tem?").await;
    shop.meta.settle(app).await;
    // Eight days later:
    shop.meta.post_control("/_sandbox/clock/advance", json!({ "seconds": 8 * 86_400 })).await;
    app.state.clock.advance(chrono::Duration::days(8));
    let old: String = sqlx::query_scalar("SELECT comment_id FROM instagram_comments WHERE text = 'ainda tem?'")
        .fetch_one(&app.state.pg)
        .await
        .expect("old");
    let (status, body) = post(
        app,
        "/api/comments/reply",
        &[("instance_id", &id), ("comment_id", &old), ("way", "private"), ("text", "Tem sim")],
    )
    .await;
    assert_eq!((status, body["Invalid"][0]["code"].as_str()), (422, Some("private_reply_expired")));

    // Someone else reaches none of it.
    let bia = app.another_browser();
    assert_eq!(bia.sign_up("bia@loja.com", "senha-forte-1").await.status(), 302);
    assert_eq!(bia.get(&format!("/api/comments/threads?instance={id}&media={POST}")).await.status(), 404);
    let stolen = post(
        &bia,
        "/api/comments/reply",
        &[("instance_id", &id), ("comment_id", &comment), ("way", "public"), ("text", "spam")],
    )
    .await;
    assert_eq!(stolen.0, 404);
    let hidden =
        post(&bia, "/api/comments/hide", &[("instance_id", &id), ("comment_id", &comment), ("hidden", "true")]).await;
    assert_eq!(hidden.0, 404);
    assert_eq!(shop.meta.succeeded("POST", "/replies").await.len(), 1, "nothing more went out");
}
