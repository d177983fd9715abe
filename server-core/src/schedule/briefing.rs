//! The daily briefing job: today's events, due and overdue todos and pinned memos, put
//! into words by the model when one answers, else by the built-in summary, and stored as
//! an assistant message in the Briefings conversation (which `/api/today` shows).

use std::time::Duration;

use chrono_tz::Tz;

use crate::brain::model::Model;
use crate::chat::{Role, insert_message};
use crate::db::{Db, new_id, now_ms};
use crate::error::Result;
use crate::llm::{ChatMessage, ChatRequest};

/// How long the model may take over a briefing before the built-in summary is used.
const MODEL_TIMEOUT: Duration = Duration::from_secs(20);

/// A briefing as stored.
#[derive(Debug, Clone)]
pub struct Made {
    pub conversation_id: String,
    pub message_id: String,
    pub text: String,
    /// `builtin`, or the model service that wrote it.
    pub provider: String,
}

/// Makes today's briefing as of `now` and stores it.
pub async fn make(db: &Db, tz: Tz, model: Option<&Model>, now: i64) -> Result<Made> {
    let today = crate::today::load_at(&db.read, tz, now).await?;
    let builtin = crate::brain::briefing::compose(&today);
    let (text, provider) = match model {
        Some(model) => match by_model(model, &today).await {
            Some(text) => (text, model.provider.name().to_owned()),
            None => (builtin, "builtin".to_owned()),
        },
        None => (builtin, "builtin".to_owned()),
    };
    let conversation_id = briefings_conversation(db, tz).await?;
    let message_id = new_id();
    insert_message(
        &db.write,
        &conversation_id,
        &message_id,
        Role::Assistant,
        &text,
        Some("daily_briefing"),
        &[],
    )
    .await?;
    Ok(Made { conversation_id, message_id, text, provider })
}

async fn by_model(model: &Model, today: &crate::today::Today) -> Option<String> {
    let facts = serde_json::to_string(today).ok()?;
    let request = ChatRequest::new(vec![
        ChatMessage::system(
            "You write the user's daily briefing: a short, friendly paragraph covering today's events \
             (with times), the todos due today, the overdue todos and the pinned memos, from the JSON \
             given. Mention nothing that is not in it. Plain text, no lists, no markdown.",
        ),
        ChatMessage::user(facts),
    ])
    .with_temperature(0.3);
    match tokio::time::timeout(MODEL_TIMEOUT, model.provider.complete(request)).await {
        Ok(Ok(done)) if !done.content.trim().is_empty() => Some(done.content.trim().to_owned()),
        Ok(Ok(_)) => None,
        Ok(Err(e)) => {
            tracing::info!(error = %e, "the model did not write the briefing; using the built-in summary");
            None
        }
        Err(_) => {
            tracing::info!("the model took too long over the briefing; using the built-in summary");
            None
        }
    }
}

/// The one Briefings conversation, created on first use.
async fn briefings_conversation(db: &Db, tz: Tz) -> Result<String> {
    let found: Option<String> =
        sqlx::query_scalar("SELECT id FROM conversations WHERE kind = 'briefings' ORDER BY seq LIMIT 1")
            .fetch_optional(&db.write)
            .await?;
    match found {
        Some(id) => Ok(id),
        None => Ok(crate::chat::insert_conversation(&db.write, tz, "Briefings", "briefings").await?.id),
    }
}

/// A briefing made now, on demand (the `daily_briefing` intent).
pub async fn make_now(db: &Db, tz: Tz, model: Option<&Model>) -> Result<Made> {
    make(db, tz, model, now_ms()).await
}
