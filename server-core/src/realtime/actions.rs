//! `action_response` over `/ws`: a button of an action card (`undo`, `complete`, `open`,
//! `edit`) pressed on the socket instead of through its REST call. The card stored with
//! the message names the call; it runs through the very handlers the REST call reaches,
//! and the connection gets `action_result` with their answer, or an `error` frame with
//! the same code and detail REST would have answered.

use axum::body::Body;
use axum::http::{Method, Request, header};
use serde_json::Value;
use tower::ServiceExt as _;

use super::RealtimeContext;
use crate::bus::ServerEvent;

/// The only calls a card makes: on the organiser's items.
const CARD_PATHS: [&str; 3] = ["/api/todos", "/api/events", "/api/memos"];
/// The largest answer read back (an item is a few kilobytes).
const MAX_ANSWER: usize = 1024 * 1024;

/// Why an action could not be done: the `error` frame's code and detail.
pub(super) type Refusal = (String, String);

fn refusal(code: &str, detail: String) -> Refusal {
    (code.to_owned(), detail)
}

/// Presses `action` on the cards of message `message_id`. `params.path` picks one
/// button when several cards offer the action; `params.body` is the change an `edit`
/// button (which carries none) sends.
pub(super) async fn respond(
    state: &RealtimeContext,
    message_id: &str,
    action: &str,
    params: &Value,
) -> Result<ServerEvent, Refusal> {
    let cards = crate::features::conversations::action_cards(&state.assistant.db.read, message_id)
        .await
        .map_err(|e| refusal("action_failed", e.to_string()))?
        .ok_or_else(|| refusal("no_such_message", format!("there is no message {message_id}")))?;
    let button = pick(&cards, action, params.get("path").and_then(Value::as_str))?;
    let path = button.get("path").and_then(Value::as_str).unwrap_or_default();
    let method = button.get("method").and_then(Value::as_str).unwrap_or("GET");
    let method = Method::from_bytes(method.as_bytes())
        .map_err(|_| refusal("no_such_action", format!("the card's {action} has no valid method")))?;
    if !CARD_PATHS.iter().any(|p| path == *p || path.strip_prefix(p).is_some_and(|r| r.starts_with('/'))) {
        return Err(refusal(
            "no_such_action",
            format!("{action} on this card is not something the socket does"),
        ));
    }
    let body = button.get("body").or_else(|| params.get("body")).filter(|b| !b.is_null());
    let (status, answer) = call(state, method, path, body).await?;
    if (200..300).contains(&status) {
        return Ok(ServerEvent::ActionResult {
            message_id: message_id.to_owned(),
            action: action.to_owned(),
            status,
            body: answer,
        });
    }
    let code = answer.get("code").and_then(Value::as_str).unwrap_or("action_failed");
    let detail = answer.get("detail").and_then(Value::as_str).map_or_else(
        || format!("{action} answered {status}"),
        |d| format!("{action} could not be done: {d}"),
    );
    Err(refusal(code, detail))
}

/// The one button named `action` among the message's cards (the one at `path` when given).
fn pick<'a>(cards: &'a [Value], action: &str, path: Option<&str>) -> Result<&'a Value, Refusal> {
    let buttons = cards.iter().filter_map(|c| c.get("actions").and_then(Value::as_array)).flatten();
    let named: Vec<&Value> =
        buttons.filter(|b| b.get("action").and_then(Value::as_str) == Some(action)).collect();
    let paths = |list: &[&Value]| -> Vec<String> {
        list.iter().filter_map(|b| b.get("path").and_then(Value::as_str)).map(str::to_owned).collect()
    };
    let chosen: Vec<&Value> = match path {
        Some(p) => {
            named.iter().copied().filter(|b| b.get("path").and_then(Value::as_str) == Some(p)).collect()
        }
        None => named.clone(),
    };
    match chosen.as_slice() {
        [one] => Ok(one),
        [] => {
            let offered: Vec<&str> = cards
                .iter()
                .filter_map(|c| c.get("actions").and_then(Value::as_array))
                .flatten()
                .filter_map(|b| b.get("action").and_then(Value::as_str))
                .collect();
            Err(refusal(
                "no_such_action",
                format!("this message's cards offer no {action:?}; they offer {offered:?}"),
            ))
        }
        several => Err(refusal(
            "ambiguous_action",
            format!("several cards offer {action:?}: send params.path, one of {:?}", paths(several)),
        )),
    }
}

/// Makes the card's REST call in-process, as the connection's logged-in user (the socket
/// checked the token), and returns the status and JSON answer.
async fn call(
    state: &RealtimeContext,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> Result<(u16, Value), Refusal> {
    let failed = |e: String| refusal("action_failed", e);
    let mut request = Request::builder().method(method).uri(path);
    let body = match body {
        Some(b) => {
            request = request.header(header::CONTENT_TYPE, "application/json");
            Body::from(b.to_string())
        }
        None => Body::empty(),
    };
    let request = request.body(body).map_err(|e| failed(e.to_string()))?;
    let response = match state.api.clone().oneshot(request).await {
        Ok(r) => r,
        Err(never) => match never {},
    };
    let status = response.status().as_u16();
    let bytes =
        axum::body::to_bytes(response.into_body(), MAX_ANSWER).await.map_err(|e| failed(e.to_string()))?;
    let answer =
        if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).unwrap_or(Value::Null) };
    Ok((status, answer))
}
