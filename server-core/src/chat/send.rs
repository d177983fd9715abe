//! Sending a message to the assistant: `/api/chat/send` (the answer follows over the
//! realtime channel) and `/api/chat/stream` (the answer as server-sent events). The
//! assistant stores, answers and plans ([`pqh::accept`], [`pqh::respond`]); this is the
//! HTTP side.

use std::convert::Infallible;

use axum::Extension;
use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures::Stream;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::auth::AuthUser;
use crate::brain::AssistantContext;
use crate::brain::pqh;
use crate::bus::{ConnectionId, ServerEvent};
use crate::infra::error::responses::{InvalidValues, MalformedJson, NotJson, NotLoggedIn};
use crate::infra::error::{Checks, ErrorBody, Result};
use crate::infra::extract::Json;
use crate::protocol::{CONNECTION_ID_RULE, connection_id};

#[derive(ts_rs::TS, Debug, Deserialize, ToSchema)]
pub struct SendMessage {
    /// Leave out to start a new conversation.
    #[serde(default)]
    pub conversation_id: Option<String>,
    #[schema(min_length = 1, max_length = 20000, pattern = r"\S")]
    pub content: String,
    /// The `connection_id` of the asking client's `/ws` connection: the answer's
    /// `stream_chunk` frames go there alone. Left out, no `/ws` connection gets them; every
    /// connection still gets the answer's `stream_start`, action cards and `stream_end`.
    #[serde(default)]
    #[ts(optional)]
    #[schema(min_length = 1, max_length = 64, pattern = r"^[!-~]+$")]
    pub connection_id: Option<String>,
}

impl SendMessage {
    /// The `/ws` connection the answer streams to, checked before anything is stored.
    fn asker(&self) -> Result<Option<ConnectionId>> {
        let Some(given) = self.connection_id.as_deref() else { return Ok(None) };
        let name = connection_id(given);
        Checks::default().check(name.is_some(), "connection_id", CONNECTION_ID_RULE).finish()?;
        Ok(name)
    }
}

#[derive(ts_rs::TS, Debug, Serialize, ToSchema)]
pub struct Delivered {
    /// The stored user message.
    pub message_id: String,
    pub conversation_id: String,
    /// The assistant message the answer will be stored as.
    pub reply_id: String,
    /// Always `delivered`.
    pub status: &'static str,
}

pub(super) fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    AssistantContext: FromRef<S>,
{
    OpenApiRouter::new().routes(routes!(send)).routes(routes!(stream))
}

/// Send a message to the assistant. It is stored before this answers; the reply streams
/// over the realtime channel (its chunks to the `/ws` connection named by `connection_id`).
#[utoipa::path(post, path = "/api/chat/send", tag = "chat", request_body = SendMessage, security(("bearer" = [])),
    responses(
        (status = 202, description = "Stored; the answer follows over the realtime channel", body = Delivered),
        MalformedJson,
        NotLoggedIn,
        (status = 404, description = "No such conversation", body = ErrorBody),
        NotJson,
        InvalidValues,
    ))]
async fn send(
    State(state): State<AssistantContext>,
    Extension(user): Extension<AuthUser>,
    Json(req): Json<SendMessage>,
) -> Result<(StatusCode, Json<Delivered>)> {
    let asker = req.asker()?;
    let mut accepted = pqh::accept(&state, req.conversation_id, req.content).await?;
    accepted.from_phone = crate::auth::devices::is_phone(&state.db.read, &user.family_id).await;
    accepted.asker = asker;
    let delivered = Delivered {
        message_id: accepted.message_id.clone(),
        conversation_id: accepted.conversation_id.clone(),
        reply_id: accepted.reply_id.clone(),
        status: "delivered",
    };
    pqh::respond(state, accepted);
    Ok((StatusCode::ACCEPTED, Json(delivered)))
}

/// One server-sent event of `/api/chat/stream`, as the OpenAPI document describes it.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct StreamEvent {
    /// A JSON object (see the route), or `[DONE]` at the end.
    data: String,
    /// The event name, when the server gives one.
    event: Option<String>,
    id: Option<String>,
    retry: Option<u64>,
}

/// Send a message and read the answer as server-sent events: first
/// `{"conversation_id", "message_id"}`, then `{"token"}` per chunk, `{"action_card"}` per
/// card, then `[DONE]`.
#[utoipa::path(post, path = "/api/chat/stream", tag = "chat", request_body = SendMessage, security(("bearer" = [])),
    responses(
        (status = 200, description = "text/event-stream of the answer", content_type = "text/event-stream", body = StreamEvent),
        MalformedJson,
        NotLoggedIn,
        (status = 404, description = "No such conversation", body = ErrorBody),
        NotJson,
        InvalidValues,
    ))]
async fn stream(
    State(state): State<AssistantContext>,
    Extension(user): Extension<AuthUser>,
    Json(req): Json<SendMessage>,
) -> Result<Sse<impl Stream<Item = std::result::Result<SseEvent, Infallible>>>> {
    let asker = req.asker()?;
    let mut accepted = pqh::accept(&state, req.conversation_id, req.content).await?;
    accepted.from_phone = crate::auth::devices::is_phone(&state.db.read, &user.family_id).await;
    accepted.asker = asker;
    // Subscribe before the answer starts, so not one event is missed.
    let events = state.brain.engine.bus.subscribe();
    let reply_id = accepted.reply_id.clone();
    let first = json!({"conversation_id": accepted.conversation_id, "message_id": reply_id, "user_message_id": accepted.message_id});
    pqh::respond(state, accepted);

    enum Phase {
        Opening(Value),
        Streaming,
        Done,
    }
    let s = futures::stream::unfold((Phase::Opening(first), events), move |(phase, mut rx)| {
        let reply_id = reply_id.clone();
        async move {
            match phase {
                Phase::Opening(first) => {
                    Some((Ok(SseEvent::default().data(first.to_string())), (Phase::Streaming, rx)))
                }
                Phase::Done => None,
                Phase::Streaming => loop {
                    match rx.recv().await {
                        Ok(event) if event.message_id() == Some(reply_id.as_str()) => match event.as_ref() {
                            ServerEvent::StreamChunk { content, .. } => {
                                let data = json!({"token": content}).to_string();
                                return Some((Ok(SseEvent::default().data(data)), (Phase::Streaming, rx)));
                            }
                            ServerEvent::ActionCard(card) => {
                                let data = json!({"action_card": card}).to_string();
                                return Some((Ok(SseEvent::default().data(data)), (Phase::Streaming, rx)));
                            }
                            ServerEvent::StreamEnd { .. } => {
                                return Some((Ok(SseEvent::default().data("[DONE]")), (Phase::Done, rx)));
                            }
                            _ => {}
                        },
                        Ok(_) | Err(RecvError::Lagged(_)) => {}
                        Err(RecvError::Closed) => return None,
                    }
                },
            }
        }
    });
    Ok(Sse::new(s).keep_alive(KeepAlive::default()))
}
