//! Typed settings read once from the environment (and `.env`) at start-up.
//!
//! Every problem is reported as one line naming the variable and what it expects. Secrets have no
//! defaults: `make run`'s demo mode generates them into an ignored file instead.
use super::proxies::TrustedProxies;
use base64::{engine::general_purpose::STANDARD, Engine};
use secrecy::SecretString;
use std::{collections::HashMap, fmt, net::SocketAddr};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{var} is not set: expected {expected}")]
    Missing { var: &'static str, expected: &'static str },
    #[error("{var} is malformed: expected {expected}")]
    Invalid { var: &'static str, expected: &'static str },
}

/// The scopes Business Login asks for (PRD, "Permissões Necessárias").
pub const META_SCOPES: [&str; 5] = [
    "instagram_business_basic",
    "instagram_business_manage_messages",
    "instagram_business_manage_comments",
    "instagram_business_content_publish",
    "instagram_business_manage_insights",
];

/// How the app reaches Meta. The three base URLs are what make the sandbox and the real Meta
/// interchangeable (CONTRACT.md §0, "Hosts").
#[derive(Debug, Clone)]
pub struct MetaConfig {
    pub graph_version: String,
    pub app_id: String,
    pub app_secret: SecretString,
    pub redirect_uri: String,
    pub verify_token: SecretString,
    /// `https://www.instagram.com/oauth/authorize` in production.
    pub authorize_url: String,
    /// `https://api.instagram.com` in production (code exchange).
    pub api_base_url: String,
    /// `https://graph.instagram.com` in production.
    pub graph_base_url: String,
    /// Further secrets a webhook signature may be made with (CONTRACT.md §0: which of the Meta
    /// app secret and the Instagram app secret signs is ambiguous; the app secret always counts).
    pub extra_webhook_secrets: Vec<SecretString>,
}

impl MetaConfig {
    /// Every secret a delivery's signature is checked against.
    pub fn webhook_secrets(&self) -> Vec<SecretString> {
        std::iter::once(self.app_secret.clone()).chain(self.extra_webhook_secrets.iter().cloned()).collect()
    }
}

/// How often each caller may do what costs us (see `rate_limit`), shared by every process.
#[derive(Debug, Clone)]
pub struct Limits {
    pub sign_in_per_ip_per_minute: u32,
    pub sign_in_per_account_per_minute: u32,
    /// Each sign-up costs an Argon2 hash: per address, and for the whole service.
    pub sign_up_per_ip_per_hour: u32,
    pub sign_up_per_minute: u32,
    /// Server-function calls over HTTP, per signed-in user.
    pub calls_per_user_per_minute: u32,
    pub exports_per_user_per_minute: u32,
    /// `/api/v1` calls per API key (or per Clerky token's user).
    pub api_calls_per_key_per_minute: u32,
    pub sockets_per_user_per_minute: u32,
    /// Webhook posts whose signature does not verify, per address.
    pub unsigned_webhooks_per_ip_per_minute: u32,
}

/// How the automation engine receives, paces and retries.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Larger webhook bodies are refused with 413.
    pub webhook_max_bytes: usize,
    /// Transactions storing deliveries at once (PostgreSQL's group commit lets one WAL flush
    /// cover several), and how long the first delivery of a batch waits for others, in µs.
    pub ack_committers: u32,
    pub ack_gather_micros: u32,
    /// Intake workers per server process; 0 makes a process that only serves HTTP and leaves the
    /// engine's work (intake, sending, look-ups) to other processes.
    pub workers: u32,
    /// How long a claimed job is held before another worker may take it again.
    pub job_lease_seconds: u32,
    /// Automated replies per instance per day (UTC) unless the instance sets its own.
    pub daily_reply_cap: u32,
    /// Replies of one automation to one person within an hour, at most: what stops two bots
    /// answering each other forever.
    pub loop_guard_per_hour: u32,
    /// Tries of one reply before it is recorded as failed.
    pub reply_max_attempts: u32,
    /// The first retry's delay; each further one doubles, with jitter.
    pub reply_retry_base_ms: u32,
    /// How long a DM whose send outcome was lost waits for its echo before it is sent again.
    pub reply_confirm_grace_seconds: u32,
    /// Send API calls per second per Instagram account (Meta allows 100).
    pub sends_per_second: u32,
    /// Private replies per hour per Instagram account (Meta allows 750).
    pub private_replies_per_hour: u32,
}

/// AES-256-GCM keys for Instagram tokens at rest. The first encrypts; all decrypt, so a key can
/// be rotated by putting the new one first.
#[derive(Clone)]
pub struct TokenKeys {
    pub keys: Vec<(String, [u8; 32])>,
}

impl fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<_> = self.keys.iter().map(|(id, _)| id.as_str()).collect();
        f.debug_struct("TokenKeys").field("ids", &ids).finish_non_exhaustive()
    }
}

/// The PEM files of the server's own TLS.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: std::path::PathBuf,
    pub key: std::path::PathBuf,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub listen_addr: SocketAddr,
    /// Where people reach the app, e.g. `https://insta.clerky.com.br`. Decides `Secure` cookies.
    pub public_url: String,
    pub database_url: SecretString,
    /// PostgreSQL connections this process may hold.
    pub database_max_connections: u32,
    pub mongodb_uri: SecretString,
    pub meta: MetaConfig,
    pub engine: EngineConfig,
    pub token_keys: TokenKeys,
    /// Keys the hash of session tokens, so a copy of the sessions table is useless.
    pub session_secret: SecretString,
    /// HS256 secret shared with the main Clerky backend; Bearer tokens are refused without it.
    pub clerky_jwt_secret: Option<SecretString>,
    /// What a Clerky token must say, when set: its issuer (`iss`) and audience (`aud`).
    pub clerky_jwt_issuer: Option<String>,
    pub clerky_jwt_audience: Option<String>,
    /// The longest a Clerky token may still have to live (`exp` from now), in seconds: a token
    /// minted for years is refused, so a leaked one stops working soon.
    pub clerky_jwt_max_lifetime_secs: u32,
    /// Instances a non-premium account may hold.
    pub free_instance_quota: u32,
    /// Minutes the automations leave a conversation alone after someone answered it by hand
    /// (0: never pause).
    pub human_pause_minutes: u32,
    /// A refused lead is tried again after this, doubling up to an hour, for 24 hours.
    pub lead_retry_base_secs: u32,
    /// Lead webhooks may point at loopback and private addresses, and at plain http (the demo
    /// and the tests; never in production, where a user's URL must not reach our own network).
    pub lead_webhook_allow_private: bool,
    /// The refresh job renews tokens that expire within this many days.
    pub token_refresh_within_days: u32,
    /// How often the refresh job runs, in minutes.
    pub token_refresh_every_minutes: u32,
    pub limits: Limits,
    /// Where the scheduled backups go; none without it.
    pub backup_dir: Option<std::path::PathBuf>,
    pub backup_every_hours: u32,
    /// Backups kept; older ones are deleted after each new one.
    pub backup_keep: usize,
    /// Where e-mail goes out (`smtp://host:port`, `smtps://user:pass@host:465`, or `smtp://...?tls=required`
    /// for STARTTLS); sign-up needs it, since an account is confirmed by e-mail.
    pub smtp_url: Option<SecretString>,
    /// The sender of every e-mail, e.g. `Insta-Clerky <no-reply@clerky.com.br>`.
    pub mail_from: String,
    /// Demo mode (`make run` without Meta): where people act as followers in the Meta sandbox,
    /// and where the e-mail the app sent can be read; shown in a banner on every page.
    pub demo_sandbox_url: Option<String>,
    pub demo_mail_url: Option<String>,
    /// The reverse proxies whose `X-Forwarded-For` names the client (none: the peer is the client).
    pub trusted_proxies: TrustedProxies,
    /// The server terminates TLS itself with this certificate chain and key (PEM files).
    pub tls: Option<TlsFiles>,
    /// With TLS: a plain-HTTP address that only redirects to the public https URL.
    pub http_redirect_addr: Option<SocketAddr>,
    /// `/metrics` on the app's address, for a scraper sending `Authorization: Bearer <token>`.
    pub metrics_token: Option<SecretString>,
    /// `/metrics` on an address of its own, without a token (a private network or loopback).
    pub metrics_addr: Option<SocketAddr>,
    pub log_json: bool,
}

impl Config {
    /// Reads the process environment, after loading `.env` if there is one.
    pub fn from_env() -> Result<Self, ConfigError> {
        // A missing .env is normal in production.
        let _ = dotenvy::dotenv();
        let vars: HashMap<String, String> = std::env::vars().collect();
        Self::from_vars(&vars)
    }

    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let env = Env(vars);
        let public_url = env.url("PUBLIC_URL", "the public base URL, like https://insta.example.com")?;
        let meta = MetaConfig {
            graph_version: env.parse("META_GRAPH_VERSION", "a Graph API version like v24.0", |v| {
                let digits = v.strip_prefix('v')?.strip_suffix(".0")?;
                (!digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())).then(|| v.to_owned())
            })?,
            app_id: env.parse("META_APP_ID", "the Instagram app id (digits)", |v| {
                (!v.is_empty() && v.chars().all(|c| c.is_ascii_digit())).then(|| v.to_owned())
            })?,
            app_secret: env.secret("META_APP_SECRET", "the Instagram app secret")?,
            redirect_uri: env.url("META_REDIRECT_URI", "the OAuth callback URL, ending in /api/instagram/callback")?,
            verify_token: env.secret("META_VERIFY_TOKEN", "the webhook verify token you typed in Meta's dashboard")?,
            authorize_url: env.url_or(
                "META_AUTHORIZE_URL",
                "https://www.instagram.com/oauth/authorize",
                "the Business Login authorize page URL",
            )?,
            api_base_url: env.url_or(
                "META_API_BASE_URL",
                "https://api.instagram.com",
                "the base URL of Instagram's token endpoint",
            )?,
            graph_base_url: env.url_or(
                "META_GRAPH_BASE_URL",
                "https://graph.instagram.com",
                "the Graph API base URL",
            )?,
            extra_webhook_secrets: env
                .get("META_WEBHOOK_EXTRA_SECRETS")
                .map(|v| {
                    v.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|s| SecretString::from(s.to_owned()))
                        .collect()
                })
                .unwrap_or_default(),
        };
        let engine = EngineConfig {
            webhook_max_bytes: usize::try_from(env.number_or("WEBHOOK_MAX_BYTES", 4 * 1024 * 1024)?)
                .unwrap_or(usize::MAX),
            ack_committers: env.number_or("ACK_COMMITTERS", 2)?.clamp(1, 32),
            ack_gather_micros: env.number_or("ACK_GATHER_MICROS", 500)?.min(100_000),
            workers: env.number_or("ENGINE_WORKERS", 2)?,
            job_lease_seconds: env.number_or("JOB_LEASE_SECONDS", 60)?.max(1),
            daily_reply_cap: env.number_or("DAILY_REPLY_CAP", 1000)?,
            loop_guard_per_hour: env.number_or("LOOP_GUARD_PER_HOUR", 10)?.max(1),
            reply_max_attempts: env.number_or("REPLY_MAX_ATTEMPTS", 6)?.max(1),
            reply_retry_base_ms: env.number_or("REPLY_RETRY_BASE_MS", 2000)?,
            reply_confirm_grace_seconds: env.number_or("REPLY_CONFIRM_GRACE_SECONDS", 120)?,
            sends_per_second: env.number_or("META_SENDS_PER_SECOND", 50)?.max(1),
            private_replies_per_hour: env.number_or("META_PRIVATE_REPLIES_PER_HOUR", 700)?.max(1),
        };
        let tls = match (env.get("TLS_CERT_FILE"), env.get("TLS_KEY_FILE")) {
            (Some(cert), Some(key)) if public_url.starts_with("https://") => {
                Some(TlsFiles { cert: cert.into(), key: key.into() })
            }
            (Some(_), Some(_)) => {
                return Err(ConfigError::Invalid { var: "PUBLIC_URL", expected: "an https:// URL when TLS is on" })
            }
            (None, None) => None,
            (None, Some(_)) => {
                return Err(ConfigError::Missing { var: "TLS_CERT_FILE", expected: "the certificate chain (PEM)" })
            }
            (Some(_), None) => {
                return Err(ConfigError::Missing { var: "TLS_KEY_FILE", expected: "the private key (PEM)" })
            }
        };
        let http_redirect_addr =
            env.optional_parse("HTTP_REDIRECT_ADDR", "an address like 0.0.0.0:80", |v| v.parse().ok())?;
        if http_redirect_addr.is_some() && tls.is_none() {
            return Err(ConfigError::Missing { var: "TLS_CERT_FILE", expected: "TLS on, for HTTP_REDIRECT_ADDR" });
        }
        Ok(Self {
            listen_addr: env
                .parse_or("LISTEN_ADDR", "127.0.0.1:3000", "an address like 0.0.0.0:3000", |v| v.parse().ok())?,
            public_url,
            engine,
            database_url: env.secret("DATABASE_URL", "a PostgreSQL URL like postgres://user@host:5432/db")?,
            database_max_connections: env.number_or("DATABASE_MAX_CONNECTIONS", 16)?.max(4),
            mongodb_uri: env.secret("MONGODB_URI", "a MongoDB URI like mongodb://host:27017/insta_clerky")?,
            meta,
            token_keys: env.parse(
                "TOKEN_ENCRYPTION_KEYS",
                "comma-separated id:key pairs, each key 32 bytes in base64 (openssl rand -base64 32)",
                parse_token_keys,
            )?,
            session_secret: env.parse(
                "SESSION_SECRET",
                "at least 32 random characters (openssl rand -base64 48)",
                |v| (v.len() >= 32).then(|| SecretString::from(v.to_owned())),
            )?,
            clerky_jwt_secret: env.optional_parse(
                "CLERKY_JWT_SECRET",
                "at least 32 characters, shared with the Clerky backend",
                |v| (v.len() >= 32).then(|| SecretString::from(v.to_owned())),
            )?,
            clerky_jwt_issuer: env.optional_parse("CLERKY_JWT_ISSUER", "the issuer Clerky writes in iss", non_empty)?,
            clerky_jwt_audience: env.optional_parse("CLERKY_JWT_AUDIENCE", "the audience in aud", non_empty)?,
            clerky_jwt_max_lifetime_secs: env.number_or("CLERKY_JWT_MAX_LIFETIME_SECS", 24 * 3600)?,
            free_instance_quota: env.number_or("FREE_INSTANCE_QUOTA", 1)?,
            human_pause_minutes: env.number_or("HUMAN_PAUSE_MINUTES", 60)?,
            lead_retry_base_secs: env.number_or("LEAD_RETRY_BASE_SECONDS", 30)?,
            lead_webhook_allow_private: env.parse_or("LEAD_WEBHOOK_ALLOW_PRIVATE", "false", "true or false", |v| {
                match v {
                    "true" => Some(true),
                    "false" => Some(false),
                    _ => None,
                }
            })?,
            token_refresh_within_days: env.number_or("TOKEN_REFRESH_WITHIN_DAYS", 30)?,
            token_refresh_every_minutes: env.number_or("TOKEN_REFRESH_EVERY_MINUTES", 60)?,
            backup_dir: env.optional_parse("BACKUP_DIR", "a directory", |v| non_empty(v).map(Into::into))?,
            backup_every_hours: env.number_or("BACKUP_EVERY_HOURS", 24)?,
            backup_keep: usize::try_from(env.number_or("BACKUP_KEEP", 7)?).unwrap_or(7),
            limits: Limits {
                sign_in_per_ip_per_minute: env.number_or("SIGN_IN_PER_IP_PER_MINUTE", 20)?,
                sign_in_per_account_per_minute: env.number_or("SIGN_IN_PER_ACCOUNT_PER_MINUTE", 5)?,
                sign_up_per_ip_per_hour: env.number_or("SIGN_UP_PER_IP_PER_HOUR", 10)?,
                sign_up_per_minute: env.number_or("SIGN_UP_PER_MINUTE", 30)?,
                calls_per_user_per_minute: env.number_or("CALLS_PER_USER_PER_MINUTE", 600)?,
                exports_per_user_per_minute: env.number_or("EXPORTS_PER_USER_PER_MINUTE", 10)?,
                api_calls_per_key_per_minute: env.number_or("API_CALLS_PER_KEY_PER_MINUTE", 120)?,
                sockets_per_user_per_minute: env.number_or("SOCKETS_PER_USER_PER_MINUTE", 30)?,
                unsigned_webhooks_per_ip_per_minute: env.number_or("UNSIGNED_WEBHOOKS_PER_IP_PER_MINUTE", 60)?,
            },
            smtp_url: env.optional_parse(
                "SMTP_URL",
                "an smtp:// or smtps:// URL of the outgoing mail server",
                |v| (v.starts_with("smtp://") || v.starts_with("smtps://")).then(|| SecretString::from(v.to_owned())),
            )?,
            mail_from: env.parse_or(
                "MAIL_FROM",
                "Insta-Clerky <no-reply@insta-clerky.local>",
                "a mailbox such as Insta-Clerky <no-reply@clerky.com.br>",
                |v| v.parse::<lettre::message::Mailbox>().ok().map(|_| v.to_owned()),
            )?,
            demo_sandbox_url: env.optional_parse("DEMO_SANDBOX_URL", "the Meta sandbox's address", valid_url)?,
            demo_mail_url: env.optional_parse("DEMO_MAIL_URL", "the mail catcher's page", valid_url)?,
            trusted_proxies: env
                .optional_parse(
                    "TRUSTED_PROXIES",
                    "comma-separated addresses or networks of your reverse proxies, like 10.0.0.0/8,::1",
                    TrustedProxies::parse,
                )?
                .unwrap_or_default(),
            tls,
            http_redirect_addr,
            metrics_token: env.optional_parse("METRICS_TOKEN", "at least 16 characters", |v| {
                (v.len() >= 16).then(|| SecretString::from(v.to_owned()))
            })?,
            metrics_addr: env.optional_parse("METRICS_ADDR", "an address like 127.0.0.1:9464", |v| v.parse().ok())?,
            log_json: env.parse_or("LOG_FORMAT", "text", "text or json", |v| match v {
                "text" => Some(false),
                "json" => Some(true),
                _ => None,
            })?,
        })
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

fn parse_token_keys(raw: &str) -> Option<TokenKeys> {
    let keys = raw
        .split(',')
        .map(|pair| {
            let (id, key) = pair.trim().split_once(':')?;
            let bytes: [u8; 32] = STANDARD.decode(key.trim()).ok()?.try_into().ok()?;
            let id = id.trim();
            (!id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                .then(|| (id.to_owned(), bytes))
        })
        .collect::<Option<Vec<_>>>()?;
    (!keys.is_empty()).then_some(TokenKeys { keys })
}

struct Env<'a>(&'a HashMap<String, String>);

impl Env<'_> {
    fn get(&self, var: &str) -> Option<&str> {
        self.0.get(var).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    fn parse<T>(
        &self,
        var: &'static str,
        expected: &'static str,
        f: impl Fn(&str) -> Option<T>,
    ) -> Result<T, ConfigError> {
        let raw = self.get(var).ok_or(ConfigError::Missing { var, expected })?;
        f(raw).ok_or(ConfigError::Invalid { var, expected })
    }

    fn optional_parse<T>(
        &self,
        var: &'static str,
        expected: &'static str,
        f: impl Fn(&str) -> Option<T>,
    ) -> Result<Option<T>, ConfigError> {
        self.get(var).map(|raw| f(raw).ok_or(ConfigError::Invalid { var, expected })).transpose()
    }

    fn parse_or<T>(
        &self,
        var: &'static str,
        default: &str,
        expected: &'static str,
        f: impl Fn(&str) -> Option<T>,
    ) -> Result<T, ConfigError> {
        f(self.get(var).unwrap_or(default)).ok_or(ConfigError::Invalid { var, expected })
    }

    fn secret(&self, var: &'static str, expected: &'static str) -> Result<SecretString, ConfigError> {
        self.parse(var, expected, |v| Some(SecretString::from(v.to_owned())))
    }

    fn url(&self, var: &'static str, expected: &'static str) -> Result<String, ConfigError> {
        self.parse(var, expected, valid_url)
    }

    fn url_or(&self, var: &'static str, default: &str, expected: &'static str) -> Result<String, ConfigError> {
        self.parse_or(var, default, expected, valid_url)
    }

    fn number_or(&self, var: &'static str, default: u32) -> Result<u32, ConfigError> {
        self.get(var)
            .map_or(Ok(default), |v| v.parse().map_err(|_| ConfigError::Invalid { var, expected: "a whole number" }))
    }
}

fn valid_url(v: &str) -> Option<String> {
    let rest = v.strip_prefix("https://").or_else(|| v.strip_prefix("http://"))?;
    let host = rest.split(['/', '?', '#']).next()?;
    (!host.is_empty() && !v.chars().any(char::is_whitespace)).then(|| v.trim_end_matches('/').to_owned())
}

fn non_empty(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete() -> HashMap<String, String> {
        [
            ("PUBLIC_URL", "http://127.0.0.1:3000"),
            ("DATABASE_URL", "postgres://localhost/x"),
            ("MONGODB_URI", "mongodb://localhost/x"),
            ("META_GRAPH_VERSION", "v24.0"),
            ("META_APP_ID", "1446559600506963"),
            ("META_APP_SECRET", "s3cret"),
            ("META_REDIRECT_URI", "http://127.0.0.1:3000/api/instagram/callback"),
            ("META_VERIFY_TOKEN", "verify"),
            ("TOKEN_ENCRYPTION_KEYS", "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="),
            ("SESSION_SECRET", "0123456789abcdef0123456789abcdef"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    fn error_with(var: &str, value: Option<&str>) -> String {
        let mut vars = complete();
        match value {
            Some(v) => vars.insert(var.to_owned(), v.to_owned()),
            None => vars.remove(var),
        };
        Config::from_vars(&vars).err().map(|e| e.to_string()).unwrap_or_default()
    }

    #[test]
    fn a_complete_environment_is_accepted_with_production_defaults() {
        let config = Config::from_vars(&complete()).expect("valid");
        assert_eq!(config.meta.graph_base_url, "https://graph.instagram.com");
        assert_eq!(config.free_instance_quota, 1);
        assert!(!config.secure_cookies());
        assert!(config.clerky_jwt_secret.is_none());
    }

    #[test]
    fn every_secret_is_required() {
        for var in [
            "DATABASE_URL",
            "MONGODB_URI",
            "META_APP_SECRET",
            "META_VERIFY_TOKEN",
            "TOKEN_ENCRYPTION_KEYS",
            "SESSION_SECRET",
        ] {
            let message = error_with(var, None);
            assert!(message.starts_with(&format!("{var} is not set: expected ")), "{message}");
        }
    }

    #[test]
    fn malformed_values_name_the_variable_and_the_expectation() {
        assert_eq!(
            error_with("META_GRAPH_VERSION", Some("24")),
            "META_GRAPH_VERSION is malformed: expected a Graph API version like v24.0"
        );
        assert!(error_with("META_APP_ID", Some("12a")).starts_with("META_APP_ID is malformed"));
        assert!(error_with("PUBLIC_URL", Some("ftp://x")).starts_with("PUBLIC_URL is malformed"));
        assert!(error_with("SESSION_SECRET", Some("short")).starts_with("SESSION_SECRET is malformed"));
        assert!(
            error_with("TOKEN_ENCRYPTION_KEYS", Some("k1:c2hvcnQ=")).starts_with("TOKEN_ENCRYPTION_KEYS is malformed")
        );
        assert!(error_with("FREE_INSTANCE_QUOTA", Some("-1")).starts_with("FREE_INSTANCE_QUOTA is malformed"));
        assert!(error_with("LOG_FORMAT", Some("xml")).starts_with("LOG_FORMAT is malformed"));
    }

    #[test]
    fn error_messages_are_one_line_and_debug_output_hides_secrets() {
        assert!(!error_with("SESSION_SECRET", None).contains('\n'));
        let debug = format!("{:?}", Config::from_vars(&complete()).expect("valid"));
        for secret in ["s3cret", "0123456789abcdef0123456789abcdef", "AAAAAAAA"] {
            assert!(!debug.contains(secret), "{secret} leaked into Debug");
        }
    }

    #[test]
    fn https_public_url_means_secure_cookies() {
        let mut vars = complete();
        vars.insert("PUBLIC_URL".into(), "https://insta.clerky.com.br/".into());
        let config = Config::from_vars(&vars).expect("valid");
        assert!(config.secure_cookies());
        assert_eq!(config.public_url, "https://insta.clerky.com.br");
    }

    #[test]
    fn tls_needs_both_files_and_an_https_public_url() {
        let mut vars = complete();
        vars.insert("TLS_CERT_FILE".into(), "/etc/insta-clerky/cert.pem".into());
        assert_eq!(
            Config::from_vars(&vars).err().map(|e| e.to_string()).unwrap_or_default(),
            "TLS_KEY_FILE is not set: expected the private key (PEM)"
        );
        vars.insert("TLS_KEY_FILE".into(), "/etc/insta-clerky/key.pem".into());
        assert!(Config::from_vars(&vars).is_err(), "an http:// public URL with TLS on");
        vars.insert("PUBLIC_URL".into(), "https://insta.clerky.com.br".into());
        vars.insert("HTTP_REDIRECT_ADDR".into(), "0.0.0.0:80".into());
        let config = Config::from_vars(&vars).expect("valid");
        assert!(config.tls.is_some() && config.http_redirect_addr.is_some());
        vars.remove("TLS_CERT_FILE");
        vars.remove("TLS_KEY_FILE");
        assert!(Config::from_vars(&vars).is_err(), "a redirect without TLS");
    }

    #[test]
    fn trusted_proxies_are_checked_when_read() {
        assert!(error_with("TRUSTED_PROXIES", Some("10.0.0.0/8, nonsense")).starts_with("TRUSTED_PROXIES is malformed"));
        assert!(Config::from_vars(&complete()).expect("valid").trusted_proxies.is_empty());
    }
}
