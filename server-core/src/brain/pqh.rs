//! The primary query handler: store the message, answer at once, plan, and hand the plan
//! to the task engine.

use chrono::Utc;
use serde_json::{Value, json};

use super::answer;
use super::engine::Origin;
use super::parse;
use super::types::{ParseResult, Target, TaskRecord};
use crate::bus::{ActionCard, PqhResponse, ServerEvent};
use crate::chat::{self, Role};
use crate::db::{new_id, now_ms};
use crate::error::{Checks, Error, Result};
use crate::state::AppState;

pub const MAX_MESSAGE_CHARS: usize = 20_000;

/// A stored user message, and the id its answer will have.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub message_id: String,
    pub conversation_id: String,
    pub reply_id: String,
    pub content: String,
}

/// Validates and stores the user's message, creating the conversation when none is named.
/// When this returns, the message is on disk: whatever fails later, it is not lost.
pub async fn accept(state: &AppState, conversation_id: Option<String>, content: String) -> Result<Accepted> {
    Checks::default().required_text("content", &content, MAX_MESSAGE_CHARS).finish()?;
    let db = &state.db.write;
    let conversation_id = match conversation_id.filter(|c| !c.trim().is_empty()) {
        Some(id) => {
            let exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM conversations WHERE id = ?")
                .bind(&id)
                .fetch_optional(db)
                .await?;
            exists.ok_or(Error::NotFound("conversation"))?;
            id
        }
        None => {
            let title: String = content.trim().chars().take(60).collect();
            chat::insert_conversation(db, state.tz, &title, "chat").await?.id
        }
    };
    let message_id = store_message(state, &conversation_id, None, Role::User, &content, None, &[]).await?;
    Ok(Accepted { message_id, conversation_id, reply_id: new_id(), content })
}

async fn store_message(
    state: &AppState,
    conversation_id: &str,
    id: Option<&str>,
    role: Role,
    content: &str,
    intent: Option<&str>,
    cards: &[Value],
) -> Result<String> {
    let id = id.map_or_else(new_id, str::to_owned);
    let now = now_ms();
    let mut tx = state.db.write.begin().await?;
    sqlx::query(
        "INSERT INTO messages (id, conversation_id, role, content, intent, action_cards, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(conversation_id)
    .bind(role)
    .bind(content)
    .bind(intent)
    .bind(Value::Array(cards.to_vec()).to_string())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE conversations SET updated_at = ? WHERE id = ?")
        .bind(now)
        .bind(conversation_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// Answers an accepted message in the background; every step is published on the bus.
pub fn respond(state: AppState, accepted: Accepted) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let conversation_id = accepted.conversation_id.clone();
        let reply_id = accepted.reply_id.clone();
        if let Err(e) = answer_message(&state, accepted).await {
            tracing::error!(error = %e, "answering a message failed");
            state.brain.engine.bus.publish(ServerEvent::Error {
                code: "assistant_failed".into(),
                detail: "I couldn't finish answering that; your message is saved.".into(),
            });
            let text = "Sorry, something went wrong while I worked on that. Your message is saved; please try again.";
            let _ = finish(&state, &conversation_id, &reply_id, text, "general_chat", vec![]).await;
        }
    })
}

/// The plan the built-in parser makes; a model-backed planner slots in here later.
fn plan(text: &str, state: &AppState) -> (ParseResult, &'static str, Option<String>) {
    let now = Utc::now().with_timezone(&state.tz);
    (parse::parse(text, now), "builtin", None)
}

fn thought(p: &ParseResult) -> String {
    if p.tasks.is_empty() {
        return "no action: conversation".into();
    }
    p.tasks
        .iter()
        .map(|t| {
            let args: Vec<String> = t
                .task
                .inputs
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| {
                            format!("{k}={}", v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                        })
                        .collect()
                })
                .unwrap_or_default();
            format!("{}({})", t.task.tool, args.join(", "))
        })
        .collect::<Vec<_>>()
        .join(" -> ")
}

async fn answer_message(state: &AppState, acc: Accepted) -> Result<()> {
    let bus = &state.brain.engine.bus;
    bus.publish(ServerEvent::StreamStart {
        message_id: acc.reply_id.clone(),
        conversation_id: acc.conversation_id.clone(),
    });

    let (parsed, provider, fallback_reason) = plan(&acc.content, state);
    let now = Utc::now().with_timezone(&state.tz);
    let immediate = answer::immediate(&parsed, now);
    let tasks = state
        .brain
        .engine
        .persist(Some(&acc.conversation_id), Some(&acc.reply_id), parsed.tasks.clone())
        .await?;
    let intent = parsed.intent.as_str().to_owned();
    bus.publish(ServerEvent::QueryResult(Box::new(PqhResponse {
        message_id: acc.reply_id.clone(),
        conversation_id: acc.conversation_id.clone(),
        intent: intent.clone(),
        answer: immediate.clone(),
        voice: answer::voice(&immediate),
        thought: thought(&parsed),
        requested_tool: tasks.iter().map(|t| json!({"tool": t.task.tool, "inputs": t.task.inputs})).collect(),
        tasks: tasks.clone(),
        provider: provider.to_owned(),
        fallback_reason,
    })));
    bus.publish(ServerEvent::StreamChunk {
        message_id: acc.reply_id.clone(),
        content: immediate.clone(),
        index: 0,
    });

    if tasks.is_empty() {
        return finish(state, &acc.conversation_id, &acc.reply_id, &immediate, &intent, vec![]).await;
    }
    if tasks.iter().any(|t| t.target == Target::Host) {
        // Host tools may wait minutes for the user's yes: answer now, report when done.
        finish(state, &acc.conversation_id, &acc.reply_id, &immediate, &intent, vec![]).await?;
        let state = state.clone();
        let conversation_id = acc.conversation_id.clone();
        tokio::spawn(async move {
            let outcome = state.brain.engine.run(tasks, Origin::User).await;
            let text = answer::results(&outcome.tasks).unwrap_or_else(|| "Done.".into());
            let follow_up = new_id();
            state.brain.engine.bus.publish(ServerEvent::StreamStart {
                message_id: follow_up.clone(),
                conversation_id: conversation_id.clone(),
            });
            state.brain.engine.bus.publish(ServerEvent::StreamChunk {
                message_id: follow_up.clone(),
                content: text.clone(),
                index: 0,
            });
            let cards = cards(&follow_up, &outcome.tasks);
            if let Err(e) = finish(&state, &conversation_id, &follow_up, &text, "task_result", cards).await {
                tracing::error!(error = %e, "could not store a plan's result");
            }
        });
        return Ok(());
    }
    // Organiser actions take milliseconds: finish them inside this answer.
    let outcome = state.brain.engine.run(tasks, Origin::User).await;
    let mut text = immediate;
    if let Some(extra) = answer::results(&outcome.tasks) {
        bus.publish(ServerEvent::StreamChunk {
            message_id: acc.reply_id.clone(),
            content: format!(" {extra}"),
            index: 1,
        });
        text = format!("{text} {extra}");
    }
    let cards = cards(&acc.reply_id, &outcome.tasks);
    finish(state, &acc.conversation_id, &acc.reply_id, &text, &intent, cards).await
}

fn cards(message_id: &str, tasks: &[TaskRecord]) -> Vec<ActionCard> {
    tasks
        .iter()
        .filter_map(super::actions::card_for)
        .map(|(card_type, payload, actions)| ActionCard {
            message_id: message_id.to_owned(),
            card_type,
            payload,
            actions,
        })
        .collect()
}

/// Stores the assistant's message, then tells the clients: cards first, `stream_end` last,
/// so a client that sees the end can fetch the message and find it complete.
async fn finish(
    state: &AppState,
    conversation_id: &str,
    message_id: &str,
    text: &str,
    intent: &str,
    cards: Vec<ActionCard>,
) -> Result<()> {
    let stored: Vec<Value> = cards
        .iter()
        .map(|c| json!({"card_type": c.card_type, "payload": c.payload, "actions": c.actions}))
        .collect();
    store_message(state, conversation_id, Some(message_id), Role::Assistant, text, Some(intent), &stored)
        .await?;
    let bus = &state.brain.engine.bus;
    for card in cards {
        bus.publish(ServerEvent::ActionCard(card));
    }
    bus.publish(ServerEvent::StreamEnd {
        message_id: message_id.to_owned(),
        full_content: text.to_owned(),
        intent: intent.to_owned(),
    });
    Ok(())
}
