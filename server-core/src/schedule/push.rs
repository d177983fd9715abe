//! Expo push: every notification to every registered push token, through Expo's push
//! HTTP API (`POST {EXPO_PUSH_URL}` with a JSON array of messages).
//!
//! Messages go in batches of at most [`BATCH`] (Expo's limit per request). A batch
//! answered 429 or 5xx, or lost on the way, is sent again after an exponentially growing
//! pause. Expo answers one ticket per message, in order; a token whose ticket says
//! `DeviceNotRegistered` belongs to an app that was uninstalled, and is removed.

use std::time::Duration;

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::notifier::{Notification, Notifier};
use crate::infra::db::Db;

/// Expo accepts at most this many messages per request.
pub const BATCH: usize = 100;
pub const DEFAULT_URL: &str = "https://exp.host/--/api/v2/push/send";

#[derive(Debug, Clone)]
pub struct ExpoPush {
    pub url: String,
    pub db: Db,
    pub client: reqwest::Client,
    /// The first pause before sending a batch again; each further one doubles it.
    pub backoff: Duration,
    /// Tries per batch, the first included.
    pub attempts: u32,
}

#[derive(Debug, Serialize)]
struct Message<'a> {
    to: &'a str,
    title: &'a str,
    body: &'a str,
    sound: &'static str,
    data: Value,
}

#[derive(Debug, Deserialize)]
struct Answer {
    #[serde(default)]
    data: Vec<Ticket>,
}

#[derive(Debug, Deserialize)]
struct Ticket {
    status: String,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    details: Option<TicketDetails>,
}

#[derive(Debug, Deserialize)]
struct TicketDetails {
    #[serde(default)]
    error: Option<String>,
}

/// What one send did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PushReport {
    /// Requests made, retries included.
    pub requests: usize,
    /// Messages Expo accepted.
    pub accepted: usize,
    /// Tokens removed because their device is no longer registered.
    pub removed: Vec<String>,
    /// Batches given up on after every try.
    pub failed_batches: usize,
}

impl ExpoPush {
    pub fn new(db: Db, url: impl Into<String>) -> Self {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        Self { url: url.into(), db, client, backoff: Duration::from_millis(500), attempts: 5 }
    }

    /// Sends `batch` to every registered token and waits for Expo's answers.
    pub async fn send(&self, batch: &[Notification]) -> anyhow::Result<PushReport> {
        let tokens: Vec<String> =
            sqlx::query_scalar!(r#"SELECT token AS "token!" FROM push_tokens ORDER BY token"#)
                .fetch_all(&self.db.read)
                .await?;
        let mut report = PushReport::default();
        if tokens.is_empty() || batch.is_empty() {
            return Ok(report);
        }
        let messages: Vec<Message<'_>> = batch
            .iter()
            .flat_map(|n| {
                tokens.iter().map(move |t| Message {
                    to: t,
                    title: &n.title,
                    body: &n.body,
                    sound: "default",
                    data: json!({ "notification_id": n.id, "kind": n.kind, "ref_id": n.ref_id }),
                })
            })
            .collect();
        let mut gone = Vec::new();
        for chunk in messages.chunks(BATCH) {
            match self.send_chunk(chunk, &mut report.requests).await {
                Some(tickets) => {
                    for (message, ticket) in chunk.iter().zip(&tickets) {
                        if ticket.status == "ok" {
                            report.accepted += 1;
                        } else if ticket.details.as_ref().and_then(|d| d.error.as_deref())
                            == Some("DeviceNotRegistered")
                        {
                            gone.push(message.to.to_owned());
                        } else {
                            tracing::warn!(
                                message = ticket.message.as_deref().unwrap_or(""),
                                "Expo refused a push message"
                            );
                        }
                    }
                }
                None => report.failed_batches += 1,
            }
        }
        gone.sort();
        gone.dedup();
        if !gone.is_empty() {
            let gone_json = Value::from(gone.clone()).to_string();
            sqlx::query!(
                "DELETE FROM push_tokens WHERE token IN (SELECT value FROM json_each(?))",
                gone_json
            )
            .execute(&self.db.write)
            .await?;
        }
        report.removed = gone;
        Ok(report)
    }

    /// One batch, tried until Expo takes it or the tries run out.
    async fn send_chunk(&self, chunk: &[Message<'_>], requests: &mut usize) -> Option<Vec<Ticket>> {
        let mut pause = self.backoff;
        for attempt in 1..=self.attempts.max(1) {
            *requests += 1;
            let retry = match self.client.post(&self.url).json(chunk).send().await {
                Ok(answer) => {
                    let status = answer.status();
                    if status.is_success() {
                        match answer.json::<Answer>().await {
                            Ok(a) => return Some(a.data),
                            Err(e) => {
                                tracing::warn!(error = %e, "Expo's answer was not understood");
                                return None;
                            }
                        }
                    }
                    let text = answer.text().await.unwrap_or_default();
                    tracing::warn!(%status, body = %text, attempt, "Expo did not take a push batch");
                    status.as_u16() == 429 || status.is_server_error()
                }
                Err(e) => {
                    tracing::warn!(error = %e, attempt, "Expo could not be reached");
                    true
                }
            };
            if !retry {
                return None;
            }
            if attempt < self.attempts {
                tokio::time::sleep(pause).await;
                pause = pause.saturating_mul(2);
            }
        }
        None
    }
}

impl Notifier for ExpoPush {
    fn name(&self) -> &str {
        "expo"
    }

    /// Sends in a task of its own: retries with backoff must not hold up the engine.
    fn deliver<'a>(&'a self, batch: &'a [Notification]) -> BoxFuture<'a, anyhow::Result<()>> {
        let this = self.clone();
        let batch = batch.to_vec();
        Box::pin(async move {
            tokio::spawn(async move {
                if let Err(e) = this.send(&batch).await {
                    tracing::warn!(error = %e, "push delivery failed");
                }
            });
            Ok(())
        })
    }
}
