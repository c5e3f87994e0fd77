//! Backups: a backup of a shop with real traffic restored into fresh databases holds every row
//! of every table and every document of every collection, exactly; a restore refuses databases
//! that hold data; pruning keeps the newest.
use crate::{
    engine::{shop_with, Shop},
    helpers::base_vars,
};
use app::{
    backend::config::Config,
    domain::automation::{AutomationKind, ResponseType},
};
use futures_util::TryStreamExt;
use mongodb::bson::{doc, Document};
use secrecy::ExposeSecret;

/// Each table's rows, in a stable order, as text: equal only if every row is.
async fn tables(pg: &sqlx::PgPool) -> Vec<(String, String)> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
    )
    .fetch_all(pg)
    .await
    .expect("tables");
    let mut contents = Vec::new();
    for name in names {
        // The migrations table records when each ran; the rows of the app are compared whole.
        let sql = format!("SELECT coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '') FROM \"{name}\" t");
        let rows: String = sqlx::query_scalar(&sql).fetch_one(pg).await.expect("rows");
        contents.push((name, rows));
    }
    contents
}

async fn collections(db: &mongodb::Database) -> Vec<(String, Vec<Document>)> {
    let mut names = db.list_collection_names().await.expect("collections");
    names.sort();
    let mut contents = Vec::new();
    for name in names {
        let cursor = db.collection::<Document>(&name).find(doc! {}).sort(doc! { "_id": 1 }).await.expect("find");
        contents.push((name, cursor.try_collect().await.expect("documents")));
    }
    contents
}

#[tokio::test]
async fn a_backup_restored_into_fresh_databases_holds_every_row_and_document() {
    let shop = shop_with(|_| {}).await;
    shop.automation(AutomationKind::Dm, &["preço"], "Oi! Começa em R$ 50.", ResponseType::Direct).await;
    shop.meta.dm("cliente.fiel", "loja.exemplo", "qual o preço?").await;
    shop.meta.comment("outra.cliente", "17895695668004550", "lindo \u{1F60D}").await;
    shop.meta.settle(&shop.app).await;
    let Shop { app, .. } = shop;
    let reports: i64 =
        sqlx::query_scalar("SELECT count(*) FROM instagram_reports").fetch_one(&app.state.pg).await.expect("count");
    assert!(reports >= 2, "the backup has traffic in it");

    let dir = std::env::temp_dir().join(format!("insta-clerky-backups-{}", uuid::Uuid::new_v4().simple()));
    let made = server::backup::create(&app.state, &dir).await.expect("backup");
    assert!(made.join("postgres.dump").exists() && made.join("mongodb.jsonl").exists());

    let fresh = Config::from_vars(&base_vars().await).expect("fresh databases");
    let manifest = server::backup::restore(&fresh, &made).await.expect("restore");
    assert_eq!(manifest.postgres_rows["instagram_reports"], reports);

    let restored_pg = sqlx::PgPool::connect(fresh.database_url.expose_secret()).await.expect("restored PostgreSQL");
    let restored_mongo =
        app::backend::store::mongo::connect(fresh.mongodb_uri.expose_secret()).await.expect("restored MongoDB");
    assert_eq!(tables(&restored_pg).await, tables(&app.state.pg).await, "every row of every table");
    assert_eq!(collections(&restored_mongo).await, collections(&app.state.mongo).await, "every document");

    // The restored databases serve: the app starts on them and signs the owner in.
    let restored = server::connect(fresh.clone()).await.expect("the app starts on the restored databases");
    let user =
        app::backend::accounts::sign_in(&restored, None, "ana@loja.com", "senha-forte-1", Default::default()).await;
    assert!(user.is_ok(), "the owner's account and password came back");

    let again = server::backup::restore(&fresh, &made).await;
    assert!(again.is_err(), "a restore never writes over databases that hold data");

    // Pruning keeps the newest and drops anything cut short.
    let second = server::backup::create(&app.state, &dir).await.expect("second backup");
    std::fs::create_dir_all(dir.join("insta-clerky-20990101T000000.000Z.partial")).expect("partial");
    let removed = server::backup::prune(&dir, 1).await.expect("prune");
    assert_eq!(removed.len(), 2, "{removed:?}");
    assert!(second.exists() && !made.exists());
    let _ = std::fs::remove_dir_all(&dir);
}
