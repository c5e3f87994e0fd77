//! The property run of the whole webhook path against real PostgreSQL: generated deliveries
//! (mutations of Meta's real payloads, signed as Meta signs) through the production router and
//! the engine. None is answered 5xx, every acknowledged one leaves the intake queue (taken in,
//! or kept as a dead letter with its reason), nothing panics. `make fuzz` runs a million of the
//! same inputs through the parser alone.
use crate::engine::{shop_with, Shop};
use std::time::Duration;

#[tokio::test]
async fn generated_deliveries_are_answered_taken_in_or_kept_and_never_panic() {
    let Shop { app, meta: _meta, .. } = shop_with(|_| {}).await;
    let mut rng = fuzz::Rng::new(7);
    let mut acknowledged = 0;
    for n in 0..400 {
        let seed = fuzz::SEEDS[n % fuzz::SEEDS.len()].replace("17841400000000001", "17841405822304914");
        let body = fuzz::mutate(&mut rng, seed.as_bytes());
        let status = crate::helpers::post_signed(&app.url("/webhook/instagram"), &body).await;
        assert!(matches!(status, 200 | 400), "{status} for {:?}", String::from_utf8_lossy(&body));
        acknowledged += u32::from(status == 200);
    }
    assert!(acknowledged > 100, "most mutations are still JSON: {acknowledged}");
    app::backend::engine::drain(&app.state, Duration::from_secs(30)).await.expect("drain");
    let waiting: i64 =
        sqlx::query_scalar("SELECT count(*) FROM intake_queue").fetch_one(&app.state.pg).await.expect("queue");
    assert_eq!(waiting, 0, "every acknowledged delivery was taken in or kept");
    let panicked: Vec<String> = sqlx::query_scalar("SELECT reason FROM dead_letters WHERE reason LIKE '%panic%'")
        .fetch_all(&app.state.pg)
        .await
        .expect("dead letters");
    assert!(panicked.is_empty(), "{panicked:?}");
}
