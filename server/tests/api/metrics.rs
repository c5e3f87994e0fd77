//! `/metrics` after real traffic: a follower's DM through the sandbox, its automated reply, an
//! unsigned POST and an open socket, each counted under its name; the token guards the route.
use crate::{
    engine::shop_with,
    live::{open, session},
};
use app::domain::automation::{AutomationKind, ResponseType};

const TOKEN: &str = "scraper-token-for-the-tests";

/// The value of the series `name` whose labels include every one of `labels` (summed over the
/// rest), or 0 when there is none yet.
fn value(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let (series, number) = line.rsplit_once(' ')?;
            let (metric, rest) = series.split_once('{').map_or((series, ""), |(m, r)| (m, r.trim_end_matches('}')));
            let wanted = metric == name
                && labels.iter().all(|(key, value)| rest.split(',').any(|pair| pair == format!("{key}=\"{value}\"")));
            wanted.then(|| number.parse::<f64>().ok()).flatten()
        })
        .sum()
}

async fn scrape(app: &crate::helpers::TestApp) -> String {
    let response = app.client.get(app.url("/metrics")).bearer_auth(TOKEN).send().await.expect("scrape");
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap_or_default().starts_with("text/plain"));
    response.text().await.expect("text")
}

#[tokio::test]
async fn metrics_count_deliveries_replies_graph_calls_queues_and_sockets() {
    let shop = shop_with(|vars| {
        vars.insert("METRICS_TOKEN".into(), TOKEN.into());
        vars.insert("DATABASE_MAX_CONNECTIONS".into(), "7".into());
    })
    .await;
    shop.automation(AutomationKind::Dm, &["preço"], "Custa R$ 10", ResponseType::Direct).await;
    let app = &shop.app;
    // Other tests of this process count too: everything below is read as a difference.
    let before = scrape(app).await;
    let sent = |text: &str| {
        value(text, "insta_clerky_graph_requests_total", &[("endpoint", "POST /{ig-id}/messages"), ("status", "200")])
    };

    shop.meta.dm("cliente.fiel", "loja.exemplo", "qual o preço?").await;
    // The sandbox gathers what happens within 20 ms into one POST.
    for _ in 0..100 {
        if !shop.meta.deliveries().await.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    shop.meta.wait_acknowledged().await;
    let waiting = scrape(app).await;
    // The queues are this app's databases', read at the scrape: the DM waits for intake.
    assert_eq!(value(&waiting, "insta_clerky_queue_depth", &[("queue", "intake")]), 1.0);
    assert!(value(&waiting, "insta_clerky_queue_oldest_seconds", &[("queue", "intake")]) >= 0.0);
    assert_eq!(value(&waiting, "insta_clerky_db_pool_connections", &[("state", "max")]), 7.0);
    let stored = |text: &str| value(text, "insta_clerky_webhook_deliveries_total", &[("outcome", "stored")]);
    assert!(stored(&waiting) >= stored(&before) + 1.0);

    shop.meta.settle(app).await;
    let unsigned = app.client.post(app.url("/webhook/instagram")).body("{}").send().await.expect("post");
    assert_eq!(unsigned.status(), 401);
    let user = app.another_browser();
    let token = session(&user, "bia@loja.com").await;
    let socket = open(&user, Some(&token)).await.expect("socket");
    let after = scrape(app).await;

    assert_eq!(value(&after, "insta_clerky_queue_depth", &[("queue", "intake")]), 0.0);
    assert_eq!(value(&after, "insta_clerky_queue_depth", &[("queue", "outbox")]), 0.0);
    assert!(sent(&after) >= sent(&before) + 1.0, "the reply's Graph call");
    let replies = |text: &str| value(text, "insta_clerky_replies_total", &[("status", "sent")]);
    assert!(replies(&after) >= replies(&before) + 1.0);
    let unsigned = |text: &str| value(text, "insta_clerky_webhook_deliveries_total", &[("outcome", "unsigned")]);
    assert!(unsigned(&after) >= unsigned(&before) + 1.0);
    let sends = |text: &str| value(text, "insta_clerky_job_duration_seconds_count", &[("job", "send")]);
    assert!(sends(&after) >= sends(&before) + 1.0);
    assert!(value(&after, "insta_clerky_job_duration_seconds_count", &[("job", "intake")]) >= 1.0);
    // Latency as a histogram with buckets, not a summary.
    let buckets = value(
        &after,
        "insta_clerky_graph_request_duration_seconds_bucket",
        &[("endpoint", "POST /{ig-id}/messages"), ("le", "+Inf")],
    );
    assert!(buckets >= 1.0, "{after}");
    assert!(value(&after, "insta_clerky_websocket_clients", &[]) >= 1.0);
    assert!(after.contains("# HELP insta_clerky_queue_depth "));
    drop(socket);

    // The Grafana dashboard of the repository asks only for what the server exports, and shows all.
    let dashboard =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/grafana/insta-clerky.json"))
            .expect("the dashboard");
    let asked: std::collections::BTreeSet<String> = dashboard
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|word| word.starts_with("insta_clerky_"))
        .map(|word| word.trim_end_matches("_bucket").trim_end_matches("_count").to_owned())
        .collect();
    let exported: std::collections::BTreeSet<String> = after
        .lines()
        .filter_map(|line| line.strip_prefix("# TYPE "))
        .filter_map(|line| line.split(' ').next())
        .filter(|name| name.starts_with("insta_clerky_"))
        .map(str::to_owned)
        .collect();
    assert_eq!(asked, exported, "the dashboard and /metrics name the same metrics");

    let refused =
        app.client.get(app.url("/metrics")).bearer_auth("a-guess-of-the-same-len").send().await.expect("scrape");
    assert_eq!(refused.status(), 401);
}
