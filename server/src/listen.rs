//! Where the server listens: the app's address in plain HTTP or TLS (rustls on ring, from PEM
//! files), and beside it the plain-HTTP redirect to https and the metrics address.
use app::backend::config::TlsFiles;
use axum::serve::Listener;
use std::{io, net::SocketAddr, sync::Arc, time::Duration};
use tokio::{
    net::{TcpListener, TcpStream},
    sync::{mpsc, Semaphore},
};
use tokio_rustls::{
    rustls::{
        pki_types::{pem::PemObject, CertificateDer, PrivateKeyDer},
        ServerConfig,
    },
    server::TlsStream,
    TlsAcceptor,
};
use tokio_util::either::Either;

/// A client that has not finished its handshake by then is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Handshakes in progress at once at most (each costs a key exchange).
const HANDSHAKES: usize = 512;

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read the certificate chain {path}: {reason}")]
    Certificate { path: String, reason: String },
    #[error("cannot read the private key {path}: {reason}")]
    Key { path: String, reason: String },
    #[error("the certificate and key do not make a TLS configuration: {0}")]
    Config(String),
}

/// The TLS configuration of the certificate chain and key: TLS 1.2 and 1.3, HTTP/1.1.
pub fn tls_config(files: &TlsFiles) -> Result<Arc<ServerConfig>, TlsError> {
    let path = |p: &std::path::Path| p.display().to_string();
    let chain = CertificateDer::pem_file_iter(&files.cert)
        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
        .map_err(|e| TlsError::Certificate { path: path(&files.cert), reason: e.to_string() })?;
    if chain.is_empty() {
        return Err(TlsError::Certificate { path: path(&files.cert), reason: "no certificate in it".into() });
    }
    let key = PrivateKeyDer::from_pem_file(&files.key)
        .map_err(|e| TlsError::Key { path: path(&files.key), reason: e.to_string() })?;
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| TlsError::Config(e.to_string()))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// The app's listener, plain or TLS.
pub enum AppListener {
    Plain(TcpListener),
    Tls(TlsListener),
}

impl Listener for AppListener {
    type Io = Either<TcpStream, TlsStream<TcpStream>>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, SocketAddr) {
        match self {
            Self::Plain(listener) => {
                let (tcp, peer) = Listener::accept(listener).await;
                no_delay(&tcp);
                (Either::Left(tcp), peer)
            }
            Self::Tls(listener) => {
                let (tls, peer) = listener.accept().await;
                (Either::Right(tls), peer)
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        match self {
            Self::Plain(listener) => listener.local_addr(),
            Self::Tls(listener) => Ok(listener.local),
        }
    }
}

/// Accepts TCP connections and runs each handshake in a task of its own, so a client that stalls
/// its handshake holds up nobody else; finished handshakes queue up for the HTTP server.
pub struct TlsListener {
    done: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
}

impl TlsListener {
    pub async fn bind(addr: SocketAddr, config: Arc<ServerConfig>) -> io::Result<Self> {
        let mut tcp = TcpListener::bind(addr).await?;
        let local = tcp.local_addr()?;
        let (sender, done) = mpsc::channel(HANDSHAKES);
        let acceptor = TlsAcceptor::from(config);
        let handshakes = Arc::new(Semaphore::new(HANDSHAKES));
        tokio::spawn(async move {
            loop {
                // Stops with the server: it drops the listener, and so the receiver.
                let (stream, peer) = tokio::select! {
                    accepted = Listener::accept(&mut tcp) => accepted,
                    () = sender.closed() => return,
                };
                no_delay(&stream);
                let Ok(permit) = handshakes.clone().acquire_owned().await else { return };
                let (acceptor, sender) = (acceptor.clone(), sender.clone());
                tokio::spawn(async move {
                    let _permit = permit;
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => {
                            let _ = sender.send((tls, peer)).await;
                        }
                        Ok(Err(error)) => tracing::debug!(%peer, "TLS handshake failed: {error}"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(Self { done, local })
    }

    async fn accept(&mut self) -> (TlsStream<TcpStream>, SocketAddr) {
        match self.done.recv().await {
            Some(accepted) => accepted,
            // The accepting task only ends once this listener is gone.
            None => std::future::pending().await,
        }
    }
}

/// No Nagle: a page streams out in several writes, and a kept-alive client that delays its ACK
/// (40 ms on Linux) would otherwise hold every page's second write that long.
fn no_delay(tcp: &TcpStream) {
    if let Err(error) = tcp.set_nodelay(true) {
        tracing::warn!("cannot turn Nagle's algorithm off on a connection: {error}");
    }
}

/// What the plain-HTTP address answers to everything: a permanent redirect to the same path and
/// query under the public https URL (never to the request's own Host, which anyone can write).
pub fn redirect_to_https(public_url: &str) -> axum::Router {
    let base: Arc<str> = public_url.trim_end_matches('/').into();
    axum::Router::new().fallback(move |uri: axum::http::Uri| {
        let base = base.clone();
        async move {
            let rest = uri.path_and_query().map_or("/", axum::http::uri::PathAndQuery::as_str);
            axum::response::Redirect::permanent(&format!("{base}{rest}"))
        }
    })
}
