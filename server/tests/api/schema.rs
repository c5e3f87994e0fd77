//! The PostgreSQL schema and MongoDB indexes protect the data whatever the code does.
use crate::helpers::spawn_app;
use app::backend::store::{mongo, pg::MIGRATOR};
use mongodb::bson::{doc, oid::ObjectId, DateTime, Document};
use sqlx::PgPool;

/// An automation answering by `response`: `direct` (a DM), `comment` (a public reply), `both`
/// or `none`; `all` automations are limited to once per person.
async fn insert_automation(
    pg: &PgPool,
    kind: &str,
    trigger: &str,
    keywords: &[&str],
    response: &str,
) -> Result<(), sqlx::Error> {
    let direct = matches!(response, "direct" | "both").then_some("Te chamei no direct!");
    let public: Vec<&str> = if matches!(response, "comment" | "both") { vec!["Obrigado!"] } else { vec![] };
    sqlx::query(
        "INSERT INTO instagram_automations (id, user_id, instance_id, name, type, trigger_type, keywords, direct_reply,
                                            public_replies, per_person)
         VALUES (gen_random_uuid(), 'u', 'i', 'Preço', $1, $2, $3, $4, $5, CASE WHEN $2 = 'all' THEN 'once' ELSE 'always' END)",
    )
    .bind(kind)
    .bind(trigger)
    .bind(keywords)
    .bind(direct)
    .bind(public)
    .execute(pg)
    .await
    .map(|_| ())
}

fn is_check_violation(result: Result<(), sqlx::Error>) -> bool {
    matches!(result, Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("23514"))
}

#[tokio::test]
async fn migrations_run_twice_and_indexes_are_created_twice_without_error() {
    let app = spawn_app().await;
    MIGRATOR.run(&app.state.pg).await.expect("second run is a no-op");
    mongo::ensure_indexes(&app.state.mongo).await.expect("second run is a no-op");
}

#[tokio::test]
async fn enumerations_are_checked_by_the_database() {
    let pg = spawn_app().await.state.pg;
    insert_automation(&pg, "comment", "keyword", &["preço"], "comment").await.expect("a valid automation");
    insert_automation(&pg, "dm", "all", &[], "direct").await.expect("trigger all needs no keyword");
    assert!(is_check_violation(insert_automation(&pg, "sms", "keyword", &["x"], "direct").await));
    assert!(is_check_violation(insert_automation(&pg, "dm", "sometimes", &["x"], "direct").await));
    insert_automation(&pg, "comment", "keyword", &["link"], "both").await.expect("both replies on a comment");
    assert!(is_check_violation(insert_automation(&pg, "dm", "keyword", &["x"], "none").await), "a reply is needed");
    assert!(
        is_check_violation(insert_automation(&pg, "dm", "keyword", &[], "direct").await),
        "keyword trigger without keywords"
    );
    assert!(
        is_check_violation(insert_automation(&pg, "dm", "keyword", &["x"], "comment").await),
        "a DM cannot be answered in a comment thread"
    );
    let always_all = sqlx::query(
        "INSERT INTO instagram_automations (id, user_id, instance_id, name, type, trigger_type, direct_reply)
         VALUES (gen_random_uuid(), 'u', 'i', 'Todos', 'dm', 'all', 'Oi!')",
    )
    .execute(&pg)
    .await
    .map(|_| ());
    assert!(is_check_violation(always_all), "an automation answering everything has a limit per person");

    let report = |kind: &str, status: &str| {
        sqlx::query(
            "INSERT INTO instagram_reports (id, instance_id, user_id, interaction_type, event_id, user_id_instagram, status, \"timestamp\")
             VALUES (gen_random_uuid(), 'i', 'u', $1, gen_random_uuid()::text, '1254477777772919', $2, now())",
        )
        .bind(kind.to_owned())
        .bind(status.to_owned())
        .execute(&pg)
    };
    for status in ["sent", "failed", "pending", "skipped"] {
        report("dm", status).await.expect(status);
    }
    assert!(is_check_violation(report("dm", "delivered").await.map(|_| ())));
    assert!(is_check_violation(report("story", "sent").await.map(|_| ())));
}

#[tokio::test]
async fn a_redelivered_message_or_comment_cannot_be_stored_twice_per_instance() {
    let pg = spawn_app().await.state.pg;
    let message = |instance: &str| {
        sqlx::query(
            "INSERT INTO instagram_messages (id, instance_id, user_id, sender_id, recipient_id, message_id, text, \"timestamp\", raw_data)
             VALUES (gen_random_uuid(), $1, 'u', '1254477777772919', '17841405822304914', 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlE', 'oi', now(), '{}')",
        )
        .bind(instance.to_owned())
        .execute(&pg)
    };
    message("a").await.expect("first");
    let duplicate = message("a").await.expect_err("same message, same instance");
    assert!(
        matches!(&duplicate, sqlx::Error::Database(e) if e.constraint() == Some("instagram_messages_instance_message_key"))
    );
    message("b").await.expect("same id under another instance is another message");

    let comment = || {
        sqlx::query(
            "INSERT INTO instagram_comments (id, instance_id, user_id, comment_id, media_id, from_user_id, text, \"timestamp\", raw_data)
             VALUES (gen_random_uuid(), 'a', 'u', '17870913679156914', '17918195224117851', '1254477777772919', 'preço?', now(), '{}')",
        )
        .execute(&pg)
    };
    comment().await.expect("first");
    assert!(
        matches!(comment().await, Err(sqlx::Error::Database(e)) if e.constraint() == Some("instagram_comments_instance_comment_key"))
    );
}

#[tokio::test]
async fn instance_names_are_unique_in_mongodb() {
    let db = spawn_app().await.state.mongo;
    let instances = db.collection::<Document>("instagram_instances");
    let doc = || {
        doc! {
            "_id": ObjectId::new(), "userId": ObjectId::new(), "instanceName": "loja-da-ana", "name": "Loja",
            "status": "created", "webhookIds": [], "createdAt": DateTime::now(), "updatedAt": DateTime::now(),
        }
    };
    instances.insert_one(doc()).await.expect("first");
    let error = instances.insert_one(doc()).await.expect_err("duplicate instanceName");
    assert!(error.to_string().contains("E11000") || error.to_string().to_lowercase().contains("duplicate"), "{error}");
}
