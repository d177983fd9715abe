//! The primary query handler: store the message, answer at once, plan, and hand the plan
//! to the task engine.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::json;

use super::engine::{Origin, PlanContext};
use super::inbox::Incoming;
use super::types::{ParseResult, Target, TaskRecord};
use super::{AssistantContext, answer, model};
use crate::bus::{ActionCard, Bus, ConnectionId, PqhResponse, ServerEvent, WaitingForStart};
use crate::infra::db::new_id;
use crate::infra::error::{Checks, Result};

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
    /// The `/ws` connection that asked: the answer's chunks go to it alone.
    pub asker: Option<ConnectionId>,
    /// Counts this message among those waiting for their answer's `stream_start` until
    /// the start is published.
    pub waiting: Option<Arc<WaitingForStart>>,
}

/// Validates and stores the user's message, creating the conversation when none is named.
/// When this returns, the message is on disk: whatever fails later, it is not lost.
pub async fn accept(
    state: &AssistantContext,
    conversation_id: Option<String>,
    content: String,
) -> Result<Accepted> {
    Checks::default().required_text("content", &content, MAX_MESSAGE_CHARS).finish()?;
    let (conversation_id, new_conversation) = match conversation_id.filter(|c| !c.trim().is_empty()) {
        Some(id) => (id, None),
        None => (new_id(), Some(content.trim().chars().take(60).collect())),
    };
    let waiting = state.brain.engine.bus.waiting().hold();
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
    Ok(Accepted {
        message_id,
        conversation_id,
        reply_id: new_id(),
        content,
        from_phone: false,
        asker: None,
        waiting: Some(Arc::new(waiting)),
    })
}

/// Answers an accepted message in the background; every step is published on the bus.
pub fn respond(state: AssistantContext, accepted: Accepted) -> tokio::task::JoinHandle<()> {
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

/// What the planner made of a message, and what the model already said about it.
struct Plan {
    parsed: ParseResult,
    /// `builtin`, or the model's server and name.
    provider: String,
    /// Why the built-in parser planned instead of the model, or why the model stopped early.
    fallback_reason: Option<String>,
    origin: Origin,
    /// The text the model streamed, and in how many chunks.
    said: String,
    chunks: u32,
    /// The model stopped before it finished.
    cut_short: bool,
}

async fn answer_message(state: &AssistantContext, mut acc: Accepted) -> Result<()> {
    let engine = &state.brain.engine;
    let bus = &engine.bus;
    bus.publish(ServerEvent::StreamStart {
        message_id: acc.reply_id.clone(),
        conversation_id: acc.conversation_id.clone(),
        to: acc.asker.clone(),
    });
    acc.waiting = None;
    let now = Utc::now().with_timezone(&state.tz);
    let plan = make_plan(state, &acc, now).await?;
    let origin = if acc.from_phone && plan.origin == Origin::User { Origin::Phone } else { plan.origin };
    let mut chunk = plan.chunks;
    let immediate = first_words(bus, &acc, &plan, now, &mut chunk);
    let tasks =
        engine.persist(Some(&acc.conversation_id), Some(&acc.reply_id), plan.parsed.tasks.clone()).await?;
    let intent = plan.parsed.intent.as_str().to_owned();
    announce(bus, &acc, plan, &immediate, &tasks);

    let ctx = PlanContext { origin, conversation_id: Some(acc.conversation_id.clone()), requested_by: None };
    if tasks.is_empty() {
        return finish(state, &acc.conversation_id, &acc.reply_id, &immediate, &intent, vec![]).await;
    }
    if waits_for_user(&tasks, origin) {
        // Host tools and bulk deletes may wait minutes for the user's yes: answer now,
        // report when the plan is done.
        finish(state, &acc.conversation_id, &acc.reply_id, &immediate, &intent, vec![]).await?;
        report_when_done(state.clone(), acc.conversation_id.clone(), tasks, ctx);
        return Ok(());
    }
    // Organiser actions take milliseconds: finish them inside this answer.
    let outcome = engine.run(tasks, ctx).await;
    let mut text = immediate;
    if let Some(extra) = answer::results(&outcome.tasks) {
        say(bus, &acc, format!(" {extra}"), chunk);
        text = format!("{text} {extra}");
    }
    let cards = cards(&acc.reply_id, &outcome.tasks);
    finish(state, &acc.conversation_id, &acc.reply_id, &text, &intent, cards).await
}

/// The model plans when one is configured and answers; otherwise, or when it fails before
/// saying anything, the built-in parser does, and the answer says why.
async fn make_plan(state: &AssistantContext, acc: &Accepted, now: DateTime<Tz>) -> Result<Plan> {
    let engine = &state.brain.engine;
    let builtin = |fallback_reason| Plan {
        parsed: super::parse(&acc.content, now, *state.language.borrow()),
        provider: "builtin".to_owned(),
        fallback_reason,
        origin: Origin::User,
        said: String::new(),
        chunks: 0,
        cut_short: false,
    };
    let Some(model) = &engine.model else {
        return Ok(builtin(None));
    };
    let history = model::history(&state.db.read, &acc.conversation_id, model.history_chars).await?;
    let foreign = model::read_foreign_text(&state.db.read, &acc.conversation_id).await?;
    let turn = match model.turn(engine, history, &acc.reply_id, acc.asker.as_ref()).await {
        Ok(turn) => turn,
        Err(e) => {
            tracing::info!(reason = e.reason_code(), error = %e, "the model did not answer; using the built-in parser");
            return Ok(builtin(Some(e.reason_code().to_owned())));
        }
    };
    // A model that answers an organiser request in words, without calling a tool (small
    // models do, and so does any model behind a chat template that leaves the tools out),
    // has done nothing: the built-in parser's plan runs after what the model said.
    if turn.plan.tasks.is_empty() {
        let parsed = super::parse(&acc.content, now, *state.language.borrow());
        if !parsed.tasks.is_empty() {
            tracing::info!(
                intent = parsed.intent.as_str(),
                "the model called no tool; the built-in parser acts"
            );
            return Ok(Plan {
                parsed,
                provider: "builtin".to_owned(),
                fallback_reason: Some(model::CALLED_NO_TOOL.to_owned()),
                origin: Origin::User,
                said: turn.text,
                chunks: turn.chunks,
                cut_short: turn.cut_short.is_some(),
            });
        }
    }
    // A model's plan may echo text it read (a file, a memo, a page): every host tool in it
    // waits for the user's yes, and once the conversation holds text the user did not
    // write, so does every change.
    Ok(Plan {
        parsed: turn.plan,
        provider: model.label(),
        fallback_reason: turn.cut_short.map(str::to_owned),
        origin: model::origin(foreign),
        said: turn.text,
        chunks: turn.chunks,
        cut_short: turn.cut_short.is_some(),
    })
}

/// The answer's first words: what the model said (noting when it stopped early, and
/// followed by the built-in answer when the built-in parser acted on the message after the
/// model called no tool), or, when it said nothing, the built-in answer, streamed now.
fn first_words(bus: &Bus, acc: &Accepted, plan: &Plan, now: DateTime<Tz>, chunk: &mut u32) -> String {
    let mut said = |words: String| {
        say(bus, acc, words.clone(), *chunk);
        *chunk += 1;
        words
    };
    if plan.said.trim().is_empty() {
        return said(answer::immediate(&plan.parsed, now));
    }
    let mut words = plan.said.clone();
    if plan.cut_short {
        words.push_str(&said(" (The model stopped before it finished.)".into()));
    }
    if plan.fallback_reason.as_deref() == Some(model::CALLED_NO_TOOL) {
        words.push_str(&said(format!(" {}", answer::immediate(&plan.parsed, now))));
    }
    words
}

/// Streams one chunk of the answer to the connection that asked.
fn say(bus: &Bus, acc: &Accepted, content: String, index: u32) {
    bus.publish(ServerEvent::chunk(&acc.reply_id, content, index, acc.asker.as_ref()));
}

/// Tells the clients what was understood and which tasks were stored: the `query-result`.
fn announce(bus: &Bus, acc: &Accepted, plan: Plan, immediate: &str, tasks: &[TaskRecord]) {
    bus.publish(ServerEvent::QueryResult(Box::new(PqhResponse {
        message_id: acc.reply_id.clone(),
        conversation_id: acc.conversation_id.clone(),
        intent: plan.parsed.intent.as_str().to_owned(),
        answer: immediate.to_owned(),
        voice: super::speech::speakable(immediate),
        thought: thought(&plan.parsed),
        requested_tool: tasks.iter().map(|t| json!({"tool": t.task.tool, "inputs": t.task.inputs})).collect(),
        tasks: tasks.to_vec(),
        provider: plan.provider,
        fallback_reason: plan.fallback_reason,
    })));
}

/// Whether a task of the plan may wait for the user: a host tool, or one the rules say to
/// ask about first.
fn waits_for_user(tasks: &[TaskRecord], origin: Origin) -> bool {
    // Stored tasks carry the registry's target, so `target` alone tells a host tool.
    tasks.iter().any(|t| {
        t.target == Target::Host
            || super::engine::asks_first(t, origin, super::placeholders::has_placeholder(&t.task.inputs))
    })
}

/// Runs a plan that may wait for the user in the background, and posts its result as a
/// message of its own when it is done.
fn report_when_done(
    state: AssistantContext,
    conversation_id: String,
    tasks: Vec<TaskRecord>,
    ctx: PlanContext,
) {
    tokio::spawn(async move {
        let engine = &state.brain.engine;
        let outcome = engine.run(tasks, ctx).await;
        let text = answer::results(&outcome.tasks).unwrap_or_else(|| "Done.".into());
        let posted =
            engine.post_message(&conversation_id, &text, "task_result", |id| cards(id, &outcome.tasks)).await;
        if let Err(e) = posted {
            tracing::error!(error = %e, "could not store a plan's result");
        }
    });
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
    state: &AssistantContext,
    conversation_id: &str,
    message_id: &str,
    text: &str,
    intent: &str,
    cards: Vec<ActionCard>,
) -> Result<()> {
    state.brain.engine.close_message(conversation_id, message_id, text, intent, cards).await
}
