//! E-mail to the people who use the app, over SMTP: the link that confirms an address, and the
//! note that an address already has an account. Written in the reader's language.
use super::config::Config;
use crate::{domain::user::Email, i18n::Locale};
use lettre::{
    message::{header::ContentType, Mailbox},
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};
use secrecy::ExposeSecret;

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("the mail server refused or could not be reached: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("the message cannot be built: {0}")]
    Build(String),
}

/// Sends through the configured SMTP server.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    public_url: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The transport holds the server's credentials.
        f.debug_struct("Mailer").field("from", &self.from).finish_non_exhaustive()
    }
}

/// What an e-mail says.
pub enum Mail<'a> {
    /// The link that confirms a new account's address, then brings the person to `next`.
    Confirm { name: &'a str, token: &'a str, next: &'a str },
    /// Someone signed up with an address that has an account: tell its owner, link to sign in.
    AlreadyRegistered,
    /// A notification about one of the person's instances.
    Notice(&'a crate::domain::notification::Notification),
}

impl Mailer {
    /// The mailer of `config`, or `None` when no SMTP server is configured.
    pub fn from_config(config: &Config) -> Result<Option<Self>, MailError> {
        let Some(url) = &config.smtp_url else { return Ok(None) };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())?
            .timeout(Some(std::time::Duration::from_secs(15)))
            .build();
        let from =
            config.mail_from.parse().map_err(|e: lettre::address::AddressError| MailError::Build(e.to_string()))?;
        Ok(Some(Self { transport, from, public_url: config.public_url.trim_end_matches('/').to_owned() }))
    }

    pub async fn send(&self, to: &Email, locale: Locale, mail: &Mail<'_>) -> Result<(), MailError> {
        let (subject, body) = self.compose(locale, mail);
        let to: Mailbox =
            to.as_str().parse().map_err(|e: lettre::address::AddressError| MailError::Build(e.to_string()))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| MailError::Build(e.to_string()))?;
        self.transport.send(message).await?;
        Ok(())
    }

    fn compose(&self, locale: Locale, mail: &Mail<'_>) -> (String, String) {
        let site = &self.public_url;
        let link = |token: &str, next: &str| {
            let next = if next == "/instances" {
                String::new()
            } else {
                format!("&next={}", crate::domain::url::encode(next))
            };
            format!("{site}/confirm-email?token={token}{next}")
        };
        match (mail, locale) {
            (Mail::Confirm { name, token, next }, Locale::PtBr) => (
                "Confirme seu e-mail no Insta-Clerky".to_owned(),
                format!(
                    "Olá, {name}!\n\nPara ativar sua conta no Insta-Clerky, abra este link e confirme:\n\n{}\n\n\
                     O link vale por 24 horas. Se não foi você, ignore este e-mail.",
                    link(token, next)
                ),
            ),
            (Mail::Confirm { name, token, next }, Locale::En) => (
                "Confirm your e-mail on Insta-Clerky".to_owned(),
                format!(
                    "Hello, {name}!\n\nTo activate your Insta-Clerky account, open this link and confirm:\n\n{}\n\n\
                     The link is valid for 24 hours. If it was not you, ignore this e-mail.",
                    link(token, next)
                ),
            ),
            (Mail::AlreadyRegistered, Locale::PtBr) => (
                "Você já tem uma conta no Insta-Clerky".to_owned(),
                format!(
                    "Alguém tentou criar uma conta no Insta-Clerky com este e-mail, que já tem uma.\n\n\
                     Para entrar: {site}/sign-in\n\nSe não foi você, ignore este e-mail: nada mudou na sua conta."
                ),
            ),
            (Mail::Notice(notification), locale) => {
                let (title, text) = crate::i18n::notice_text(locale, notification);
                let (open, why) = match locale {
                    Locale::PtBr => ("Abrir", "Você recebe este e-mail porque ativou este aviso; desative em"),
                    Locale::En => ("Open", "You get this e-mail because this notice is on; turn it off at"),
                };
                (
                    format!("Insta-Clerky: {title}"),
                    format!("{text}\n\n{open}: {site}{}\n\n{why} {site}/notifications", notification.link()),
                )
            }
            (Mail::AlreadyRegistered, Locale::En) => (
                "You already have an Insta-Clerky account".to_owned(),
                format!(
                    "Someone tried to create an Insta-Clerky account with this e-mail, which already has one.\n\n\
                     To sign in: {site}/sign-in\n\nIf it was not you, ignore this e-mail: nothing changed in your account."
                ),
            ),
        }
    }
}
