//! What a client can read without calling a tool: Today, the open todos, this week's
//! events and the memos, each as JSON at a `clawchat://` address. A client that subscribes
//! to one is told when it changes (`notifications/resources/updated`), from the same bus
//! events the app's own windows follow.

use std::sync::atomic::Ordering;

use rmcp::model::{ReadResourceResult, Resource, ResourceContents, ResourceUpdatedNotificationParam};
use rmcp::service::Peer;
use rmcp::{ErrorData as McpError, RoleServer};
use serde_json::json;

use super::McpContext;
use super::server::Organiser;
use crate::bus::Module;
use crate::infra::time::{from_ms, start_of_day};
use crate::protocol::ServerEvent;

/// Each resource: its address, name, description, and the data whose change changes it.
const RESOURCES: &[(&str, &str, &str, &[Module])] = &[
    (
        "clawchat://today",
        "Today",
        "Today at a glance: events, todos due today and overdue, pinned memos",
        &[Module::Todos, Module::Events, Module::Memos],
    ),
    (
        "clawchat://todos/open",
        "Open todos",
        "Todos not done yet, soonest due first (up to 20)",
        &[Module::Todos],
    ),
    (
        "clawchat://events/week",
        "This week's events",
        "Events from today through the next seven days",
        &[Module::Events],
    ),
    (
        "clawchat://memos",
        "Memos",
        "Memos, pinned first, then the latest changed (up to 20)",
        &[Module::Memos],
    ),
];

pub(super) fn list() -> Vec<Resource> {
    RESOURCES
        .iter()
        .map(|(uri, name, description, _)| {
            Resource::new(*uri, *name).with_description(*description).with_mime_type("application/json")
        })
        .collect()
}

fn unknown(uri: &str) -> McpError {
    McpError::resource_not_found(format!("there is no resource {uri:?}"), Some(json!({ "uri": uri })))
}

fn failed(e: crate::infra::error::Error) -> McpError {
    tracing::error!(error = %e, "an MCP resource could not be read");
    McpError::internal_error("the store could not be read just now", None)
}

pub(super) async fn read(state: &McpContext, uri: &str) -> Result<ReadResourceResult, McpError> {
    let (db, tz) = (&state.db.read, state.tz);
    let value = match uri {
        "clawchat://today" => json!(crate::features::today::load(&state.db.pages, tz).await.map_err(failed)?),
        "clawchat://todos/open" => {
            json!({ "todos": crate::features::todos::open_todos(db, tz, None, None).await.map_err(failed)? })
        }
        "clawchat://events/week" => {
            let today = from_ms(crate::infra::db::now_ms(), tz).date_naive();
            let from = start_of_day(today, tz);
            let to = today.checked_add_days(chrono::Days::new(7)).map_or(from, |d| start_of_day(d, tz));
            let events = crate::features::events::events_between(
                db,
                tz,
                from.timestamp_millis(),
                to.timestamp_millis(),
            )
            .await
            .map_err(failed)?;
            json!({ "from": from.to_rfc3339(), "to": to.to_rfc3339(), "events": events })
        }
        "clawchat://memos" => {
            json!({ "memos": crate::features::memos::memos_matching(db, tz, None).await.map_err(failed)? })
        }
        other => return Err(unknown(other)),
    };
    Ok(ReadResourceResult::new(vec![
        ResourceContents::text(value.to_string(), uri).with_mime_type("application/json"),
    ]))
}

/// Subscribes this session to `uri`; the first subscription starts following the bus for
/// it, until the session ends (a notification can no longer be sent).
pub(super) fn subscribe(session: &Organiser, uri: &str, peer: Peer<RoleServer>) -> Result<(), McpError> {
    if !RESOURCES.iter().any(|(known, ..)| *known == uri) {
        return Err(unknown(uri));
    }
    session.subscribed.lock().unwrap_or_else(|p| p.into_inner()).insert(uri.to_owned());
    if session.notifying.swap(true, Ordering::AcqRel) {
        return Ok(());
    }
    let mut events = session.state.bus.subscribe();
    let subscribed = session.subscribed.clone();
    tokio::spawn(async move {
        loop {
            // `None`: events were missed, so everything may have changed.
            let module = match events.recv().await {
                Ok(event) => match &*event {
                    ServerEvent::ModuleDataChanged { module } => Some(*module),
                    _ => continue,
                },
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => None,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            };
            let changed: Vec<String> = {
                let subscribed = subscribed.lock().unwrap_or_else(|p| p.into_inner());
                RESOURCES
                    .iter()
                    .filter(|(uri, _, _, follows)| {
                        module.is_none_or(|m| follows.contains(&m)) && subscribed.contains(*uri)
                    })
                    .map(|(uri, ..)| (*uri).to_owned())
                    .collect()
            };
            for uri in changed {
                if peer.notify_resource_updated(ResourceUpdatedNotificationParam::new(uri)).await.is_err() {
                    // The session is gone.
                    return;
                }
            }
        }
    });
    Ok(())
}
