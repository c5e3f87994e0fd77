//! The server's own TLS: a certificate from a test CA, HSTS on every answer, the plain-HTTP
//! address redirecting to https, a stalled handshake holding up nobody, and the metrics address.
use crate::helpers::base_vars;
use app::backend::config::Config;
use std::{net::SocketAddr, time::Duration};

struct Certificates {
    ca: String,
    dir: std::path::PathBuf,
}

/// A CA and a certificate it signed for `localhost`, as PEM files in a fresh directory.
fn certificates() -> Certificates {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_key = KeyPair::generate().expect("ca key");
    let ca = ca_params.self_signed(&ca_key).expect("ca");
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().expect("key");
    let leaf =
        CertificateParams::new(vec!["localhost".to_owned()]).expect("params").signed_by(&key, &issuer).expect("leaf");
    let dir = std::env::temp_dir().join(format!("insta-clerky-tls-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("cert.pem"), leaf.pem()).expect("cert");
    std::fs::write(dir.join("key.pem"), key.serialize_pem()).expect("key");
    Certificates { ca: ca.pem(), dir }
}

fn client(trusting: Option<&str>, app: SocketAddr) -> reqwest::Client {
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .resolve("localhost", app)
        .timeout(Duration::from_secs(10));
    if let Some(ca) = trusting {
        builder = builder.add_root_certificate(reqwest::Certificate::from_pem(ca.as_bytes()).expect("ca pem"));
    }
    builder.build().expect("client")
}

#[tokio::test]
async fn the_server_terminates_tls_redirects_plain_http_and_sends_hsts() {
    let certificates = certificates();
    let mut vars = base_vars().await;
    for (key, value) in [
        ("PUBLIC_URL", "https://insta.clerky.test".to_owned()),
        ("TLS_CERT_FILE", certificates.dir.join("cert.pem").display().to_string()),
        ("TLS_KEY_FILE", certificates.dir.join("key.pem").display().to_string()),
        ("HTTP_REDIRECT_ADDR", "127.0.0.1:0".to_owned()),
        ("METRICS_ADDR", "127.0.0.1:0".to_owned()),
        ("ENGINE_WORKERS", "0".to_owned()),
    ] {
        vars.insert(key.to_owned(), value);
    }
    let config = Config::from_vars(&vars).expect("configuration");
    let state = server::connect(config).await.expect("databases");
    let bound = server::bind(state).await.expect("bind");
    let (app, redirect, metrics) = (
        bound.app_addr().expect("app"),
        bound.redirect_addr().expect("redirect"),
        bound.metrics_addr().expect("metrics"),
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(bound.run(async move {
        let _ = stopped.await;
    }));

    // A client that never finishes its handshake holds up nobody.
    let _stalled = tokio::net::TcpStream::connect(app).await.expect("connect");

    let https = client(Some(&certificates.ca), app);
    let health = https.get(format!("https://localhost:{}/healthz", app.port())).send().await.expect("https");
    assert_eq!(health.status(), 200);
    assert_eq!(health.headers()["strict-transport-security"], "max-age=31536000");
    let page = https.get(format!("https://localhost:{}/sign-in", app.port())).send().await.expect("page");
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["strict-transport-security"], "max-age=31536000");

    // The certificate is the one configured: a client that does not trust its CA refuses it, and
    // nothing is served in clear on the TLS port.
    assert!(client(None, app).get(format!("https://localhost:{}/healthz", app.port())).send().await.is_err());
    let clear = client(None, app).get(format!("http://localhost:{}/healthz", app.port())).send().await;
    assert!(clear.is_err() || !clear.expect("answer").status().is_success());

    let plain = client(None, redirect);
    let moved = plain.get(format!("http://{redirect}/reports?instance=abc&page=2")).send().await.expect("redirect");
    assert_eq!(moved.status(), 308);
    assert_eq!(moved.headers()["location"], "https://insta.clerky.test/reports?instance=abc&page=2");
    // The Host a client writes is never where it is sent.
    let forged = plain.get(format!("http://{redirect}/")).header("host", "evil.example").send().await.expect("forged");
    assert_eq!(forged.headers()["location"], "https://insta.clerky.test/");

    // The metrics address answers without a token; the app's address has no /metrics without one.
    let scraped = plain.get(format!("http://{metrics}/metrics")).send().await.expect("metrics");
    assert_eq!(scraped.status(), 200);
    assert!(scraped.text().await.expect("text").contains("insta_clerky_queue_depth{queue=\"intake\"} 0"));
    assert_eq!(https.get(format!("https://localhost:{}/metrics", app.port())).send().await.expect("m").status(), 404);

    stop.send(()).expect("server running");
    tokio::time::timeout(Duration::from_secs(20), server).await.expect("stops").expect("task").expect("clean stop");
    let _ = std::fs::remove_dir_all(&certificates.dir);
}

#[tokio::test]
async fn a_missing_or_unreadable_certificate_stops_the_start_with_its_path() {
    let mut vars = base_vars().await;
    vars.insert("PUBLIC_URL".into(), "https://insta.clerky.test".into());
    vars.insert("TLS_CERT_FILE".into(), "/nonexistent/cert.pem".into());
    vars.insert("TLS_KEY_FILE".into(), "/nonexistent/key.pem".into());
    let state = server::connect(Config::from_vars(&vars).expect("configuration")).await.expect("databases");
    let error = server::bind(state).await.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(error.contains("/nonexistent/cert.pem"), "{error}");
}
