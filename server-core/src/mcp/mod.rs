//! MCP (the Model Context Protocol): other AI apps on this computer read and change the
//! user's todos, calendar and memos, under the same rules as the assistant.
//!
//! - [`clients`]: the apps allowed in, each with a token of its own
//!   (`/api/mcp/clients`), and revoking one, which ends its open sessions at once.
//! - [`transport`]: Streamable HTTP at `/mcp` on the app's own listener, behind the MCP
//!   switch in Settings and the client's bearer token; and where the running app records
//!   its address for the stdio bridge.
//! - [`server`]: the MCP server itself: the organiser tools of the one registry
//!   ([`crate::brain::tools`]), run by the task engine as tasks of their own, so deletes
//!   wait for the user's yes on the approval card and each call is in the task history
//!   under the client's name.
//! - [`resources`]: Today, open todos, this week's events and memos, with change
//!   notifications.
//! - [`bridge`]: `clawchat-server mcp`, what a desktop MCP client launches: stdio in,
//!   the running app's `/mcp` out.
//!
//! One call, end to end: the client POSTs a `tools/call` to `/mcp`; the guard checks that
//! MCP is on and finds the client by its token; rmcp's session hands the call to
//! [`server::Organiser`], which checks the arguments against the tool's schema, stores a
//! task requested by that client and runs it on the engine with [`Origin::Mcp`]; the
//! answer (or "denied", or "timed out") goes back as the tool's result.
//!
//! [`Origin::Mcp`]: crate::brain::Origin::Mcp

pub mod bridge;
pub mod clients;
mod resources;
pub mod server;
pub mod transport;

pub use clients::{McpClient, Revocations};
pub use transport::{ADDRESS_FILE, router};

use std::sync::Arc;

use chrono_tz::Tz;

use crate::brain::Engine;
use crate::brain::tools::{Namespace, Tool};
use crate::brain::types::Target;
use crate::bus::Bus;
use crate::features::settings::Runtime;
use crate::infra::db::Db;

/// What MCP uses: the store and the zone (its resources and its client list), the bus
/// (resource subscriptions follow it), the task engine (a tool call is a task), the
/// switch in force (`Runtime::mcp_enabled`) and the clients with a request open.
#[derive(Clone, Debug)]
pub struct McpContext {
    pub db: Db,
    pub tz: Tz,
    pub bus: Bus,
    pub engine: Engine,
    pub runtime: Arc<Runtime>,
    pub mcp: Arc<Revocations>,
}

/// Whether a tool of the registry is offered over MCP: the organiser's own (todos,
/// events, memos, search, Today). Host tools (files, apps, shell) and work that leaves the
/// computer (web search, background work) never are.
pub fn offered(tool: &Tool) -> bool {
    tool.target == Target::Server
        && matches!(
            tool.namespace,
            Namespace::Todo | Namespace::Calendar | Namespace::Memo | Namespace::Search
        )
}

/// The tools offered over MCP, in the registry's order.
pub fn offered_tools() -> impl Iterator<Item = &'static Tool> {
    crate::brain::tools::TOOLS.iter().filter(|t| offered(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_organiser_tools_are_offered() {
        let names: Vec<&str> = offered_tools().map(Tool::name).collect();
        for host in ["file_read", "file_create", "open_app", "executor_shell", "web_search", "delegate_task"]
        {
            assert!(!names.contains(&host), "{host} must not be offered");
        }
        for organiser in
            ["create_todo", "delete_todo", "create_event", "query_memos", "search", "daily_briefing"]
        {
            assert!(names.contains(&organiser), "{organiser} must be offered");
        }
    }
}
