//! Socket.IO at `/socket.io/` for edge clients written for the AI-assistant protocol
//! (socket.io-client 4, python-socketio 5).
//!
//! The same event model as `/ws`, seen through Socket.IO's event names: the handshake
//! carries `auth: {token}`; `send-user-text-query` and `send-user-voice-query` go to the
//! assistant; `query-result`, `task:update`, `notification` and `error` come back from the
//! bus. A connection that sends `client:register {tools}` runs those host tools
//! (acknowledged with `{status: "registered", tools}` when the client asks for an ack; see
//! [`crate::brain::hosts`] for who runs a tool when several could): the engine sends it
//! `task:execute` or `task:batch` and waits for its `task:result`. A client that never
//! registered hears once, with the first plan that has a host task, how to receive them
//! (`error {code: "not_registered"}`).

use std::sync::{Arc, Mutex};

use serde::Deserialize;
use serde_json::{Value, json};
use socketioxide::SocketIo;
use socketioxide::extract::{AckSender, SocketRef, State, TryData};
use socketioxide::handler::ConnectHandler as _;
use socketioxide::layer::SocketIoLayer;
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;

use super::RealtimeContext;
use super::origin_allowed;
use crate::brain::hosts::{ConnectionHost, TaskSender, host_tools};
use crate::brain::tools::TOOLS;
use crate::brain::types::{Target, TaskRecord};
use crate::brain::{pqh, voice};
use crate::bus::ServerEvent;
use crate::infra::transport::AllowedHosts;

/// The bus events an edge client hears, by their Socket.IO names.
const FORWARDED: [&str; 6] =
    ["query-result", "task:execute", "task:batch", "task:update", "notification", "error"];

#[derive(Debug, Deserialize)]
struct Handshake {
    token: String,
}

#[derive(Debug, Deserialize)]
struct TextQuery {
    query: String,
    #[serde(default)]
    conversation_id: Option<String>,
}

#[derive(Debug, Deserialize)]
struct VoiceQuery {
    audio: String,
    #[serde(rename = "mimeType")]
    mime_type: String,
    #[serde(default)]
    conversation_id: Option<String>,
}

#[derive(Debug, Deserialize)]
struct TaskResult {
    task_id: String,
    result: Value,
}

#[derive(Debug, Deserialize)]
struct Register {
    tools: Vec<String>,
}

#[derive(Debug)]
struct Refused(String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The Socket.IO service, to be layered onto the app's router.
pub fn layer(state: RealtimeContext) -> SocketIoLayer {
    let (layer, io) =
        SocketIo::builder().max_payload(voice::MAX_BODY_BYTES as u64).with_state(state).build_layer();
    io.ns("/", on_connect.with(authenticate));
    layer
}

/// Refuses the connection (a `connect_error` for the client) unless its page may talk to
/// us and it brings a valid token.
async fn authenticate(
    s: SocketRef,
    State(state): State<RealtimeContext>,
    TryData(auth): TryData<Handshake>,
) -> Result<(), Refused> {
    let parts = s.req_parts();
    // The Host check puts the allowed hosts on every request it lets through; without
    // them nothing can be checked, so nothing is let in.
    let origin_ok = parts
        .extensions
        .get::<Arc<AllowedHosts>>()
        .is_some_and(|allowed| origin_allowed(&parts.headers, allowed, &state.settings.cors_origins));
    if !origin_ok {
        return Err(Refused("origin_not_allowed: this page may not open ClawChat's socket".into()));
    }
    let token = auth.map_err(|_| Refused("unauthorized: send auth: {token: <access_token>}".into()))?.token;
    let user = state.auth.tokens.verify_access(&token).map_err(|e| Refused(format!("unauthorized: {e}")))?;
    // A paired phone's requests never run a host tool without the user's yes.
    let from_phone = crate::auth::devices::is_phone(&state.assistant.db.read, &user.family_id).await;
    s.extensions.insert(Login { token: Arc::from(token.as_str()), from_phone });
    // Subscribe now, before any handler can publish an answer; the forwarder starts once
    // connected and delivers what was published meanwhile.
    s.extensions.insert(EarlyEvents(Arc::new(Mutex::new(Some(state.bus.subscribe())))));
    register_handlers(&s);
    Ok(())
}

/// The login a connection authenticated with: its access token, checked again whenever
/// a login ends, and whether it belongs to a paired phone.
#[derive(Clone)]
struct Login {
    token: Arc<str>,
    from_phone: bool,
}

fn from_phone(s: &SocketRef) -> bool {
    s.extensions.get::<Login>().is_some_and(|l| l.from_phone)
}

/// The bus subscription made at authentication, handed to the forwarder on connect.
#[derive(Clone)]
struct EarlyEvents(Arc<Mutex<Option<broadcast::Receiver<Arc<ServerEvent>>>>>);

fn emit_error(s: &SocketRef, code: &str, detail: impl Into<String>) {
    let _ = s.emit("error", &json!({"code": code, "detail": detail.into()}));
}

/// Once connected: everything the assistant publishes, under the names edge clients know.
/// When the connection's login ends (logout, a revoked device) it is disconnected at once.
async fn on_connect(s: SocketRef, State(state): State<RealtimeContext>) {
    let subscribed =
        s.extensions.get::<EarlyEvents>().and_then(|e| e.0.lock().unwrap_or_else(|p| p.into_inner()).take());
    let Some(mut events) = subscribed else { return };
    let Some(Login { token, .. }) = s.extensions.get::<Login>() else { return };
    let mut revocations = state.auth.tokens.watch_revocations();
    // A login that ended since the handshake's check is caught on the first turn.
    revocations.mark_changed();
    let socket = s.clone();
    tokio::spawn(async move {
        let mut told_to_register = false;
        loop {
            let event = tokio::select! {
                event = events.recv() => event,
                Ok(()) = revocations.changed() => {
                    if state.auth.tokens.verify_access(&token).is_err() {
                        emit_error(&socket, "token_revoked", "this login has ended; log in again");
                        let _ = socket.disconnect();
                        break;
                    }
                    continue;
                }
            };
            match event {
                Ok(event) => {
                    let Ok(Value::Object(mut frame)) = serde_json::to_value(event.as_ref()) else { continue };
                    let name = frame.get("type").and_then(Value::as_str).unwrap_or_default().to_owned();
                    if FORWARDED.contains(&name.as_str()) {
                        let data = frame.remove("data").unwrap_or(Value::Null);
                        if socket.emit(name, &data).is_err() && !socket.connected() {
                            break;
                        }
                    }
                    told_to_register = told_to_register || tell_to_register(&socket, &event);
                }
                Err(RecvError::Lagged(_)) => {
                    emit_error(&socket, "too_slow", "this client fell behind; reconnect and catch up");
                    let _ = socket.disconnect();
                    break;
                }
                Err(RecvError::Closed) => break,
            }
            if !socket.connected() {
                break;
            }
        }
    });
}

/// A client written for servers that sent host tasks to every client hears nothing when
/// a plan has one and it never registered: the first time, it is told how to get them.
/// Returns whether it was told.
fn tell_to_register(socket: &SocketRef, event: &ServerEvent) -> bool {
    let ServerEvent::QueryResult(result) = event else { return false };
    let registered = socket.extensions.get::<Arc<ConnectionHost>>().is_some();
    if registered || !result.tasks.iter().any(|t| t.target == Target::Host) {
        return false;
    }
    let host: Vec<&str> = TOOLS.iter().filter(|t| t.target == Target::Host).map(|t| t.name()).collect();
    emit_error(
        socket,
        "not_registered",
        format!(
            "this plan has a task that runs on a computer, and host tasks go only to clients that \
             registered for them: emit client:register {{tools: [...]}} with the tools this client \
             runs (any of {host:?}) to receive them as task:execute, and answer each with task:result"
        ),
    );
    true
}

/// Registers the event handlers. Called from [`authenticate`], before the client hears it
/// is connected: socketioxide runs the connect handler after sending CONNECT, so events a
/// client sends at once would otherwise find no handler and be dropped.
fn register_handlers(s: &SocketRef) {
    s.on(
        "send-user-text-query",
        async |s: SocketRef, State(state): State<RealtimeContext>, TryData(q): TryData<TextQuery>| match q {
            Ok(q) => match pqh::accept(&state.assistant, q.conversation_id, q.query).await {
                Ok(mut accepted) => {
                    accepted.from_phone = from_phone(&s);
                    drop(pqh::respond(state.assistant, accepted))
                }
                Err(e) => emit_error(&s, "message_refused", e.to_string()),
            },
            Err(e) => emit_error(&s, "bad_frame", e.to_string()),
        },
    );

    s.on(
        "send-user-voice-query",
        async |s: SocketRef, State(state): State<RealtimeContext>, TryData(q): TryData<VoiceQuery>| {
            let q = match q {
                Ok(q) => q,
                Err(e) => return emit_error(&s, "bad_frame", e.to_string()),
            };
            match voice::accept(&state.assistant, q.conversation_id, &q.audio, &q.mime_type).await {
                Ok(mut accepted) => {
                    accepted.from_phone = from_phone(&s);
                    drop(pqh::respond(state.assistant, accepted))
                }
                Err(e) => emit_error(&s, voice_code(&e), e.to_string()),
            }
        },
    );

    s.on("client:register", on_register);

    // Leaving ends the registration, and the tasks sent to this client fail now.
    s.on_disconnect(async |s: SocketRef| {
        if let Some(host) = s.extensions.remove::<Arc<ConnectionHost>>() {
            host.host.gone();
        }
    });

    s.on("task:result", async |s: SocketRef, TryData(r): TryData<TaskResult>| {
        let Ok(result) = r else {
            return emit_error(&s, "bad_frame", "task:result takes {task_id, result}");
        };
        let delivered = s
            .extensions
            .get::<Arc<ConnectionHost>>()
            .is_some_and(|h| h.host.answer(&result.task_id, result.result));
        if !delivered {
            emit_error(&s, "no_such_task", format!("no task {} waits for this client", result.task_id));
        }
    });
}

/// `client:register {tools}`: this client runs those host tools from now on; the ack says
/// which.
async fn on_register(
    s: SocketRef,
    State(state): State<RealtimeContext>,
    TryData(r): TryData<Register>,
    ack: AckSender,
) {
    let Ok(register) = r else {
        return emit_error(&s, "bad_frame", "client:register takes {tools: [names]}");
    };
    let tools = match host_tools(&register.tools) {
        Ok(tools) => tools,
        Err(unknown) => {
            return emit_error(&s, "unknown_tool", format!("not host tools: {unknown:?}"));
        }
    };
    let connection =
        ConnectionHost::register(&state.assistant.brain.engine.hosts, tools, SocketSender(s.clone()));
    let answer = json!({"status": "registered", "tools": connection.host.tools()});
    // A second registration replaces the first: its tasks fail, its tools go.
    if let Some(previous) = s.extensions.get::<Arc<ConnectionHost>>() {
        previous.host.gone();
    }
    s.extensions.insert(Arc::new(connection));
    // Each event runs as its own task, so a query sent right after the registration may be
    // planned first; a client that needs certainty waits for this ack.
    let _ = ack.send(&answer);
}

/// The `error` code an edge client hears for a voice query that could not be taken.
fn voice_code(e: &crate::infra::error::Error) -> &'static str {
    use crate::infra::error::Error;
    match e {
        Error::Unconfigured { code, .. } | Error::Upstream { code, .. } => code,
        Error::PayloadTooLarge { .. } => "audio_too_large",
        Error::UnsupportedMediaType(_) => "unsupported_audio_type",
        Error::Invalid { .. } => "bad_audio",
        _ => "message_refused",
    }
}

/// Tasks reach a Socket.IO client as `task:execute` (one) or `task:batch` (several).
struct SocketSender(SocketRef);

impl TaskSender for SocketSender {
    fn send(&self, tasks: &[TaskRecord]) -> bool {
        let sent = match tasks {
            [one] => self.0.emit("task:execute", one),
            many => self.0.emit("task:batch", many),
        };
        sent.is_ok()
    }
}
