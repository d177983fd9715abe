//! The primary query handler: store the message, answer at once, plan, and hand the plan
//! to the task engine.

use chrono::Utc;
use serde_json::json;

use super::engine::{Origin, PlanContext};
use super::inbox::Incoming;
use super::types::{ParseResult, Target, TaskRecord};
use super::{answer, model};
use crate::bus::{ActionCard, PqhResponse, ServerEvent};
use crate::db::new_id;
use crate::error::{Checks, Result};
use crate::state::AppState;

pub const MAX_MESSAGE_CHARS: usize = 20_000;

/// A stored user message, and the id its answer will have.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub message_id: String,
    pub conversation_id: String,
    pub reply_id: String,
    pub content: String,
    /// Asked from a paired phone: no host tool runs without the user's yes.
    pub from_phone: bool,
}

/// Validates and stores the user's message, creating the conversation when none is named.
/// When this returns, the message is on disk: whatever fails later, it is not lost.
pub async fn accept(state: &AppState, conversation_id: Option<String>, content: String) -> Result<Accepted> {
    Checks::default().required_text("content", &content, MAX_MESSAGE_CHARS).finish()?;
    let (conversation_id, new_conversation) = match conversation_id.filter(|c| !c.trim().is_empty()) {
        Some(id) => (id, None),
        None => (new_id(), Some(content.trim().chars().take(60).collect())),
    };
    let message_id = new_id();
    state
        .brain
        .inbox
        .store(Incoming {
            message_id: message_id.clone(),
            conversation_id: conversation_id.clone(),
            new_conversation,
            content: content.clone(),
        })
        .await?;
    Ok(Accepted { message_id, conversation_id, reply_id: new_id(), content, from_phone: false })
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
            format!("{}({})", t.task.tool.as_str(), args.join(", "))
        })
        .collect::<Vec<_>>()
        .join(" -> ")
}

async fn answer_message(state: &AppState, acc: Accepted) -> Result<()> {
    let engine = &state.brain.engine;
    let bus = &engine.bus;
    bus.publish(ServerEvent::StreamStart {
        message_id: acc.reply_id.clone(),
        conversation_id: acc.conversation_id.clone(),
    });
    let now = Utc::now().with_timezone(&state.tz);

    // The model plans when one is configured and answers; otherwise, or when it fails
    // before saying anything, the built-in parser does, and the answer says why.
    let mut chunk = 0u32;
    let mut said = String::new();
    let mut cut_short = None;
    let (parsed, provider, fallback_reason, origin) = match &engine.model {
        Some(model) => {
            let history = model::history(&state.db.read, &acc.conversation_id, model.history_chars).await?;
            let foreign = model::read_foreign_text(&state.db.read, &acc.conversation_id).await?;
            match model.turn(engine, history, &acc.reply_id).await {
                Ok(turn) => {
                    chunk = turn.chunks;
                    said = turn.text;
                    cut_short = turn.cut_short;
                    // A model's plan may echo text it read (a file, a memo, a page): every
                    // host tool in it waits for the user's yes, and once the conversation
                    // holds text the user did not write, so does every change.
                    (
                        turn.plan,
                        model.provider.name().to_owned(),
                        turn.cut_short.map(str::to_owned),
                        model::origin(foreign),
                    )
                }
                Err(e) => {
                    tracing::info!(reason = e.reason_code(), error = %e, "the model did not answer; using the built-in parser");
                    (
                        super::parse(&acc.content, now, state.runtime.language()),
                        "builtin".to_owned(),
                        Some(e.reason_code().to_owned()),
                        Origin::User,
                    )
                }
            }
        }
        None => (
            super::parse(&acc.content, now, state.runtime.language()),
            "builtin".to_owned(),
            None,
            Origin::User,
        ),
    };
    let origin = if acc.from_phone && origin == Origin::User { Origin::Phone } else { origin };
    let immediate = if said.trim().is_empty() {
        let words = answer::immediate(&parsed, now);
        bus.publish(ServerEvent::StreamChunk {
            message_id: acc.reply_id.clone(),
            content: words.clone(),
            index: chunk,
        });
        chunk += 1;
        words
    } else if cut_short.is_some() {
        let note = " (The model stopped before it finished.)";
        bus.publish(ServerEvent::StreamChunk {
            message_id: acc.reply_id.clone(),
            content: note.into(),
            index: chunk,
        });
        chunk += 1;
        format!("{said}{note}")
    } else {
        said
    };
    let tasks = engine.persist(Some(&acc.conversation_id), Some(&acc.reply_id), parsed.tasks.clone()).await?;
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
        provider,
        fallback_reason,
    })));

    let ctx = PlanContext { origin, conversation_id: Some(acc.conversation_id.clone()) };
    if tasks.is_empty() {
        return finish(state, &acc.conversation_id, &acc.reply_id, &immediate, &intent, vec![]).await;
    }
    // Stored tasks carry the registry's target, so `target` alone tells a host tool.
    let waits_for_user = tasks.iter().any(|t| {
        t.target == Target::Host
            || super::engine::asks_first(t, origin, super::engine::has_placeholder(&t.task.inputs))
    });
    if waits_for_user {
        // Host tools and bulk deletes may wait minutes for the user's yes: answer now,
        // report when the plan is done.
        finish(state, &acc.conversation_id, &acc.reply_id, &immediate, &intent, vec![]).await?;
        let state = state.clone();
        let conversation_id = acc.conversation_id.clone();
        tokio::spawn(async move {
            let engine = &state.brain.engine;
            let outcome = engine.run(tasks, ctx).await;
            let text = answer::results(&outcome.tasks).unwrap_or_else(|| "Done.".into());
            let posted = engine
                .post_message(&conversation_id, &text, "task_result", |id| cards(id, &outcome.tasks))
                .await;
            if let Err(e) = posted {
                tracing::error!(error = %e, "could not store a plan's result");
            }
        });
        return Ok(());
    }
    // Organiser actions take milliseconds: finish them inside this answer.
    let outcome = engine.run(tasks, ctx).await;
    let mut text = immediate;
    if let Some(extra) = answer::results(&outcome.tasks) {
        bus.publish(ServerEvent::StreamChunk {
            message_id: acc.reply_id.clone(),
            content: format!(" {extra}"),
            index: chunk,
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
    state.brain.engine.close_message(conversation_id, message_id, text, intent, cards).await
}
