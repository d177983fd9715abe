//! One-time codes by e-mail, when SMTP is configured (`SMTP_HOST` and the rest; STARTTLS
//! unless `SMTP_TLS` says otherwise). Without it, codes are shown to the owner on the
//! desktop (the [`super::OtpSink`]).

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor};

use crate::infra::config::Settings;

/// How long connecting, logging in and sending may take together.
const SEND_TIMEOUT: Duration = Duration::from_secs(20);

/// How the connection to the SMTP server is protected (`SMTP_TLS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain connection upgraded with STARTTLS, which the server must offer (the default).
    StartTls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
    /// No encryption at all: only for a relay on this computer.
    None,
}

impl SmtpTls {
    pub fn parse(value: &str) -> anyhow::Result<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "" | "starttls" => Ok(Self::StartTls),
            "tls" | "ssl" | "smtps" => Ok(Self::Tls),
            "none" | "off" => Ok(Self::None),
            other => anyhow::bail!("SMTP_TLS {other:?} must be starttls, tls or none"),
        }
    }
}

/// Sends one-time codes through the configured SMTP server.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    host: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("host", &self.host).field("from", &self.from.to_string()).finish()
    }
}

impl Mailer {
    /// The mailer the settings describe, or `None` when `SMTP_HOST` is not set.
    pub fn from_settings(s: &Settings) -> anyhow::Result<Option<Self>> {
        let Some(host) = s.smtp_host.as_deref().map(str::trim).filter(|h| !h.is_empty()) else {
            return Ok(None);
        };
        let from = s.smtp_from.as_deref().or(s.smtp_user.as_deref()).unwrap_or_default();
        let from: Mailbox = from.trim().parse().map_err(|_| {
            anyhow::anyhow!(
                "SMTP_FROM {from:?} must be an address such as \"ClawChat <clawchat@example.com>\""
            )
        })?;
        let tls = SmtpTls::parse(s.smtp_tls.as_deref().unwrap_or(""))?;
        let builder = match tls {
            SmtpTls::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)?,
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)?,
            SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
        };
        let mut builder = builder.port(s.smtp_port).timeout(Some(SEND_TIMEOUT));
        if let Some(user) = s.smtp_user.as_deref().filter(|u| !u.is_empty()) {
            builder = builder
                .credentials(Credentials::new(user.to_owned(), s.smtp_password.clone().unwrap_or_default()));
        }
        Ok(Some(Self { transport: builder.build(), from, host: host.to_owned() }))
    }

    /// Mails `code` to `to`; the error says why it could not, for a person.
    pub async fn send_code(&self, to: &str, code: &str) -> Result<(), String> {
        let to: Mailbox = to.parse().map_err(|e| format!("{to} is not an address a mail can go to: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(format!("Your ClawChat sign-in code: {code}"))
            .header(ContentType::TEXT_PLAIN)
            .body(format!(
                "Your ClawChat sign-in code is {code}\n\nIt is valid for 5 minutes. If you did not ask for it, \
                 you can ignore this mail.\n"
            ))
            .map_err(|e| format!("the mail could not be written: {e}"))?;
        match tokio::time::timeout(SEND_TIMEOUT, self.transport.send(message)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(describe(&e, &self.host)),
            Err(_) => Err(format!("the mail server {} did not answer within 20 s", self.host)),
        }
    }
}

/// What went wrong, in words: a refused login, an unreachable server, a refused mail.
fn describe(e: &lettre::transport::smtp::Error, host: &str) -> String {
    let code = e.status().map(|c| c.to_string());
    match code.as_deref() {
        Some("535" | "534" | "530" | "454") => {
            format!("the mail server {host} refused the login (SMTP_USER / SMTP_PASSWORD): {e}")
        }
        Some(_) => format!("the mail server {host} refused the mail: {e}"),
        None => format!("the mail server {host} could not be reached: {e}"),
    }
}
