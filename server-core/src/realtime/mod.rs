//! `/ws`: the realtime channel of the desktop window and a paired phone.
//!
//! A connection authenticates (token in the query, or an `auth` frame within 5 seconds),
//! then receives every [`ServerEvent`] of the bus as `{"type", "data"}` frames and may send
//! the contract's client frames. The exception is an answer's `stream_chunk`: it goes to
//! the connection whose message it answers alone (the others get the answer whole in its
//! `stream_end`). A connection may name itself (`connection_id` in the query or the `auth`
//! frame), so that a message sent over REST naming it has its answer streamed there.
//!
//! A connection that sends `client:register {tools}` runs those host tools: the tasks go
//! to it alone as `task:execute` or `task:batch`, and its `task:result` resolves them (see
//! [`crate::brain::hosts`] for who runs a tool when several could).
//!
//! Each connection has an outbound queue bounded by the bytes waiting in it: a client
//! that cannot keep up is dropped with a reason, and never slows the assistant or the
//! other connections. The queue has two lanes: the frames of the answers to the
//! connection's own messages (and its replies and tasks) are written ahead of the copies
//! every connection gets, so its own answer never waits behind other answers (see
//! [`hub`] for when the copies go out). A token that expires closes its socket at the next heartbeat; one
//! whose login ends (logout, a revoked device) at once.

mod actions;
mod frames;
mod hub;
mod outbox;
#[cfg(feature = "fuzzing")]
pub use frames::parse as parse_frame;
pub mod socketio;

use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use futures::stream::{SplitSink, SplitStream};
use futures::{SinkExt as _, StreamExt as _};
use serde::Deserialize;

pub use frames::ClientFrame;
use hub::{Hub, frame};
use outbox::{Outbox, OutboxReader, outbox};

use crate::auth::{Auth, AuthUser};
use crate::brain::hosts::{ConnectionHost, TaskSender, host_tools};
use crate::brain::types::TaskRecord;
use crate::brain::{Approval, AssistantContext, pqh};
use crate::bus::{Bus, ConnectionId, ServerEvent};
use crate::infra::config::Settings;
use crate::infra::db::new_id;
use crate::infra::error::Error;
use crate::infra::transport::AllowedHosts;
use crate::protocol::CONNECTION_ID_RULE;

/// How long a connection may stay unauthenticated.
pub const AUTH_TIMEOUT: Duration = Duration::from_secs(5);
/// The largest frame a client may send.
pub const MAX_FRAME: usize = 64 * 1024;
/// What a connection reads into at a time. tungstenite zero-fills this much on every
/// connection's first read, so its 128 KiB default would be most of an idle connection's
/// memory; frames larger than this still arrive whole.
const READ_BUFFER: usize = 4 * 1024;
/// Frames are batched up to this many bytes before they are written to the socket.
const WRITE_BUFFER: usize = 16 * 1024;
/// Frames a connection's writer sends in one batch before it flushes.
const WRITE_BATCH: usize = 64;

/// Close codes in the private range, so a client can tell why it was dropped.
pub mod close {
    pub const UNAUTHORIZED: u16 = 4401;
    pub const AUTH_TIMEOUT: u16 = 4408;
    pub const TOO_SLOW: u16 = 4429;
    pub const IDLE: u16 = 4410;
}

#[derive(Debug, Deserialize)]
pub struct WsParams {
    pub token: Option<String>,
    pub connection_id: Option<String>,
}

/// An authenticated connection: who, with which token, under which name.
struct Authenticated {
    user: AuthUser,
    token: String,
    name: ConnectionId,
}

/// The name a client gave its connection, or a fresh one; `None` if the given one is not a
/// name (see [`crate::protocol::connection_id`]).
fn connection_name(given: Option<&str>) -> Option<ConnectionId> {
    match given {
        Some(name) => crate::protocol::connection_id(name),
        None => Some(ConnectionId::from(new_id())),
    }
}

/// What `/ws` and Socket.IO use: the assistant (messages, approvals, host tools), the
/// token check, the bus every connection follows, the settings (allowed origins, the
/// heartbeat), and the protected API without its token check, which an action card's
/// button runs through as the connection's user (the socket checked the token).
#[derive(Clone, Debug)]
pub struct RealtimeContext {
    pub assistant: AssistantContext,
    pub auth: Arc<Auth>,
    pub bus: Bus,
    pub settings: Arc<Settings>,
    pub api: Router,
}

pub fn router() -> Router<RealtimeContext> {
    Router::new().route("/ws", get(upgrade)).layer(Extension(Arc::new(Hub::default())))
}

/// A browser page on another site must not drive the local server: its `Origin` must name
/// a host this server answers to (or a configured CORS origin). Clients that send no
/// `Origin` (native apps, scripts) are not browsers and pass.
pub(crate) fn origin_allowed(headers: &HeaderMap, allowed: &AllowedHosts, cors: &[String]) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else {
        return true;
    };
    if cors.iter().any(|c| c.trim().eq_ignore_ascii_case(origin)) {
        return true;
    }
    match origin.split_once("://") {
        Some(("http" | "https", authority)) => allowed.allows(authority.trim_end_matches('/')),
        _ => false,
    }
}

async fn upgrade(
    State(state): State<RealtimeContext>,
    Extension(allowed): Extension<Arc<AllowedHosts>>,
    Extension(hub): Extension<Arc<Hub>>,
    headers: HeaderMap,
    Query(params): Query<WsParams>,
    ws: WebSocketUpgrade,
) -> Response {
    if !origin_allowed(&headers, &allowed, &state.settings.cors_origins) {
        tracing::warn!(origin = ?headers.get(header::ORIGIN), "refused a WebSocket from a foreign origin");
        return Error::Forbidden {
            code: "origin_not_allowed",
            detail: "this page may not open ClawChat's socket".into(),
        }
        .into_response();
    }
    let user = match params.token.as_deref().filter(|t| !t.is_empty()) {
        Some(token) => match state.auth.tokens.verify_access(token) {
            Ok(user) => Some((user, token.to_owned())),
            Err(e) => return e.into_response(),
        },
        None => None,
    };
    let Some(name) = connection_name(params.connection_id.as_deref()) else {
        return Error::invalid("connection_id", CONNECTION_ID_RULE).into_response();
    };
    let user = user.map(|(user, token)| Authenticated { user, token, name });
    ws.max_message_size(MAX_FRAME)
        .max_frame_size(MAX_FRAME)
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
        .on_upgrade(move |socket| connection(state, hub, socket, user))
}

fn error_frame(code: &str, detail: impl Into<String>) -> Message {
    frame(&ServerEvent::Error { code: code.into(), detail: detail.into() })
}

fn closing(code: u16, reason: &'static str) -> Message {
    Message::Close(Some(CloseFrame { code, reason: Utf8Bytes::from_static(reason) }))
}

/// The user, token and name of a connection: from the upgrade's query, else from an `auth`
/// frame within [`AUTH_TIMEOUT`]. `None` (after telling the client why) ends the connection.
async fn authenticate(
    state: &RealtimeContext,
    sink: &mut SplitSink<WebSocket, Message>,
    stream: &mut SplitStream<WebSocket>,
    user: Option<Authenticated>,
) -> Option<Authenticated> {
    let closed = |code, why: &'static str| async move {
        let _ = sink.send(closing(code, why)).await;
        None
    };
    match user {
        Some(u) => Some(u),
        None => match tokio::time::timeout(AUTH_TIMEOUT, stream.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => match frames::parse(&text) {
                Ok(ClientFrame::Auth { token, connection_id }) => {
                    match (state.auth.tokens.verify_access(&token), connection_name(connection_id.as_deref()))
                    {
                        (Ok(user), Some(name)) => Some(Authenticated { user, token, name }),
                        (Err(_), _) => closed(close::UNAUTHORIZED, "invalid or expired token").await,
                        (Ok(_), None) => closed(close::UNAUTHORIZED, "connection_id: not a name").await,
                    }
                }
                _ => closed(close::UNAUTHORIZED, "authenticate first").await,
            },
            Ok(_) => None,
            Err(_) => closed(close::AUTH_TIMEOUT, "no authentication within 5 seconds").await,
        },
    }
}

/// The one writer of a socket's sending half: sends what is queued in batches and flushes
/// once per batch, so a burst of events costs a few writes, not one per frame.
async fn write_batches(mut sink: SplitSink<WebSocket, Message>, mut rx: OutboxReader) {
    // One deadline per batch, not per frame: a client that takes none of a batch in
    // 10 s is gone, and a per-frame timer read the clock millions of times in a burst.
    let limit = Duration::from_secs(10);
    while let Some(first) = rx.recv().await {
        let batch = async {
            let mut next = Some(first);
            let mut sent = 0;
            while let Some(message) = next.take() {
                let is_close = matches!(message, Message::Close(_));
                sink.feed(message).await?;
                if is_close {
                    return Ok(false);
                }
                sent += 1;
                if sent < WRITE_BATCH {
                    next = rx.try_recv();
                }
            }
            sink.flush().await?;
            Ok::<bool, axum::Error>(true)
        };
        if !matches!(tokio::time::timeout(limit, batch).await, Ok(Ok(true))) {
            break;
        }
    }
    let _ = sink.close().await;
}

async fn connection(state: RealtimeContext, hub: Arc<Hub>, socket: WebSocket, user: Option<Authenticated>) {
    let (mut sink, mut stream) = socket.split();

    // Nothing is processed before authentication.
    let Some(Authenticated { user, token, name }) = authenticate(&state, &mut sink, &mut stream, user).await
    else {
        return;
    };
    // A paired phone's messages never run a host tool without the user's yes.
    let from_phone = crate::auth::devices::is_phone(&state.assistant.db.read, &user.family_id).await;

    // One writer owns the socket's sending half; everything else queues to it. It sends
    // what is waiting in batches and flushes once per batch, so a burst of events costs a
    // few writes, not one per frame.
    let (tx, rx) = outbox();
    let writer = tokio::spawn(write_batches(sink, rx));

    let registration = hub.register(&state.bus, tx.clone(), name.clone());
    let mut live = Live { state: &state, tx: &tx, token: &token, name: &name, from_phone, host: None };
    live.run(&mut stream, &registration.too_slow).await;
    // The tasks this connection owes fail now, and its tools go back to whoever is next.
    if let Some(host) = live.host.take() {
        host.host.gone();
    }
    drop(registration);
    drop(tx);
    let _ = writer.await;
}

/// An authenticated `/ws` connection, while it lasts.
struct Live<'a> {
    state: &'a RealtimeContext,
    tx: &'a Outbox,
    token: &'a str,
    name: &'a ConnectionId,
    /// A paired phone's messages never run a host tool without the user's yes.
    from_phone: bool,
    /// The host tools this connection runs, once it registered some.
    host: Option<ConnectionHost>,
}

impl Live<'_> {
    /// Answers frames until the client leaves, falls silent, falls behind or its login
    /// ends; the frame that says why is queued before it returns.
    async fn run(&mut self, stream: &mut SplitStream<WebSocket>, too_slow: &tokio::sync::Notify) {
        let state = self.state;
        let mut revocations = state.auth.tokens.watch_revocations();
        // A login that ended since the token was checked is caught on the first turn.
        revocations.mark_changed();
        // A connection silent for three heartbeats is gone.
        let mut heartbeat = tokio::time::interval(Duration::from_secs(state.settings.ws_heartbeat.max(1)));
        heartbeat.tick().await;
        let mut silent_beats = 0u8;
        loop {
            tokio::select! {
                // A login ended somewhere (a device revoked, a logout): if it was this one,
                // the socket closes now.
                Ok(()) = revocations.changed() => {
                    if state.auth.tokens.verify_access(self.token).is_err() {
                        let _ = self.tx.push(closing(close::UNAUTHORIZED, "this login has ended")).await;
                        break;
                    }
                }
                () = too_slow.notified() => {
                    let _ = self.tx.push(closing(close::TOO_SLOW, "too slow: reconnect and catch up")).await;
                    break;
                }
                incoming = stream.next() => {
                    silent_beats = 0;
                    if self.receive(incoming).await.is_break() {
                        break;
                    }
                }
                _ = heartbeat.tick() => {
                    silent_beats += 1;
                    if self.beat(silent_beats).await.is_break() {
                        break;
                    }
                }
            }
        }
    }

    /// One read from the socket.
    async fn receive(&mut self, incoming: Option<Result<Message, axum::Error>>) -> ControlFlow<()> {
        match incoming {
            Some(Ok(Message::Text(text))) => {
                let asker = Asker { name: self.name, from_phone: self.from_phone };
                handle(self.state, self.tx, &mut self.host, &text, asker).await;
            }
            Some(Ok(Message::Binary(_))) => {
                let _ = self.tx.try_push(error_frame("unsupported_frame", "frames are JSON text"));
            }
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
            Some(Ok(Message::Close(_))) | None => return ControlFlow::Break(()),
            Some(Err(e)) => {
                tracing::debug!(error = %e, "WebSocket read failed");
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    }

    /// A heartbeat, the `silent_beats`-th since the client last sent anything.
    async fn beat(&self, silent_beats: u8) -> ControlFlow<()> {
        // A token that expired or whose login ended closes the socket.
        if self.state.auth.tokens.verify_access(self.token).is_err() {
            let _ = self.tx.push(closing(close::UNAUTHORIZED, "the token expired or was revoked")).await;
            return ControlFlow::Break(());
        }
        if silent_beats > 3 {
            let _ = self.tx.push(closing(close::IDLE, "no traffic; reconnect when needed")).await;
            return ControlFlow::Break(());
        }
        if self.tx.try_push(Message::Ping(Default::default())).is_err() {
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    }
}

/// Tasks reach a `/ws` connection through its own queue, never through the bus: only the
/// connection that runs the tool gets them.
struct WsSender(Outbox);

impl TaskSender for WsSender {
    fn send(&self, tasks: &[TaskRecord]) -> bool {
        let event = match tasks {
            [one] => ServerEvent::TaskExecute(Box::new(one.clone())),
            many => ServerEvent::TaskBatch(many.to_vec()),
        };
        self.0.try_push(frame(&event)).is_ok()
    }
}

/// `client:register`: the names must be host tools; a second registration replaces the
/// first (the tasks sent under it fail).
fn register(
    state: &RealtimeContext,
    tx: &Outbox,
    host: &mut Option<ConnectionHost>,
    tools: Vec<String>,
) -> Result<(), Message> {
    let refuse = |not_host: Vec<&String>| {
        error_frame(
            "unknown_tool",
            format!("client:register takes host tool names; not host tools: {not_host:?}"),
        )
    };
    let tools = host_tools(&tools).map_err(refuse)?;
    if tools.is_empty() {
        return Err(refuse(Vec::new()));
    }
    let connection =
        ConnectionHost::register(&state.assistant.brain.engine.hosts, tools, WsSender(tx.clone()));
    if let Some(previous) = host.replace(connection) {
        previous.host.gone();
    }
    Ok(())
}

/// What a message sent over a connection carries of it.
struct Asker<'a> {
    name: &'a ConnectionId,
    /// A paired phone's messages never run a host tool without the user's yes.
    from_phone: bool,
}

async fn handle(
    state: &RealtimeContext,
    tx: &Outbox,
    host: &mut Option<ConnectionHost>,
    text: &str,
    asker: Asker<'_>,
) {
    let reply = |m: Message| {
        let _ = tx.try_push(m);
    };
    match frames::parse(text) {
        Err(detail) => reply(error_frame("bad_frame", detail)),
        Ok(ClientFrame::Auth { .. }) => {}
        Ok(ClientFrame::Ping) => reply(frame(&ServerEvent::Pong {})),
        Ok(ClientFrame::SendMessage { conversation_id, content }) => {
            match pqh::accept(&state.assistant, conversation_id, content).await {
                // The answer's chunks come here alone; every connection gets its start,
                // cards and end.
                Ok(mut accepted) => {
                    accepted.from_phone = asker.from_phone;
                    accepted.asker = Some(asker.name.clone());
                    drop(pqh::respond(state.assistant.clone(), accepted))
                }
                Err(e) => reply(error_frame("message_refused", e.to_string())),
            }
        }
        Ok(ClientFrame::TaskApprove { task_id }) => {
            if !state.assistant.brain.approvals.answer(&task_id, Approval::Approved) {
                reply(error_frame("no_such_approval", format!("no task {task_id} waits for approval")));
            }
        }
        Ok(ClientFrame::TaskDeny { task_id, reason }) => {
            if !state.assistant.brain.approvals.answer(&task_id, Approval::Denied(reason.unwrap_or_default()))
            {
                reply(error_frame("no_such_approval", format!("no task {task_id} waits for approval")));
            }
        }
        Ok(ClientFrame::ClientRegister { tools }) => {
            if let Err(refused) = register(state, tx, host, tools) {
                reply(refused);
            }
        }
        Ok(ClientFrame::TaskResult { task_id, result }) => match host {
            None => reply(error_frame(
                "not_a_host",
                format!("this connection runs no host tools, so it was not waiting for {task_id}"),
            )),
            // Only the connection a task was sent to may settle it.
            Some(h) => {
                if !h.host.answer(&task_id, result) {
                    reply(error_frame(
                        "no_such_task",
                        format!("no task {task_id} was sent to this connection and waits for its result"),
                    ));
                }
            }
        },
        Ok(ClientFrame::ActionResponse { message_id, action, params }) => {
            reply(match actions::respond(state, &message_id, &action, &params).await {
                Ok(result) => frame(&result),
                Err((code, detail)) => error_frame(&code, detail),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_must_name_a_host_we_answer_to() {
        let allowed = AllowedHosts::new(&["127.0.0.1:8000".parse().unwrap()], &[]);
        let mut h = HeaderMap::new();
        assert!(origin_allowed(&h, &allowed, &[]), "no Origin: not a browser");
        h.insert(header::ORIGIN, "http://localhost:8000".parse().unwrap());
        assert!(origin_allowed(&h, &allowed, &[]));
        h.insert(header::ORIGIN, "https://evil.example".parse().unwrap());
        assert!(!origin_allowed(&h, &allowed, &[]));
        assert!(origin_allowed(&h, &allowed, &["https://evil.example".into()]), "unless configured");
        h.insert(header::ORIGIN, "null".parse().unwrap());
        assert!(!origin_allowed(&h, &allowed, &[]));
    }
}
