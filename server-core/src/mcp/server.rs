//! The MCP server one session talks to: the registry's organiser tools and the
//! resources, for the client the guard found.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, Implementation, InitializeResult,
    ListResourcesResult, ListToolsResult, PaginatedRequestParams, ProtocolVersion, ReadResourceRequestParams,
    ReadResourceResponse, ServerCapabilities, SubscribeRequestParams, ToolAnnotations,
    UnsubscribeRequestParams,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler};
use serde_json::{Map, Value, json};

use super::{McpClient, McpContext};
use crate::brain::engine::{DENIED, NOT_APPROVED_IN_TIME};
use crate::brain::tools::{self, Risk, Tool};
use crate::brain::types::{TaskRecord, TaskStatus};
use crate::brain::{Origin, PlanContext};

/// One MCP session's server. rmcp makes one per session; what it holds of its own is the
/// resources the client subscribed to.
#[derive(Clone)]
pub struct Organiser {
    pub(super) state: McpContext,
    pub(super) subscribed: Arc<Mutex<HashSet<String>>>,
    /// Whether this session's change notifications are being sent.
    pub(super) notifying: Arc<std::sync::atomic::AtomicBool>,
}

impl Organiser {
    pub fn new(state: McpContext) -> Self {
        Self { state, subscribed: Arc::default(), notifying: Arc::default() }
    }
}

/// The client the guard found for this request.
fn client(context: &RequestContext<RoleServer>) -> Result<McpClient, McpError> {
    context
        .extensions
        .get::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<McpClient>())
        .cloned()
        .ok_or_else(|| McpError::internal_error("the request came without a client", None))
}

/// A registry tool as MCP shows it: the same name, description and input schema the
/// models see, with hints from its risk.
fn definition(tool: &Tool) -> rmcp::model::Tool {
    let schema = match tool.input_schema() {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    let annotations =
        ToolAnnotations::new().read_only(tool.risk == Risk::Read).destructive(tool.risk == Risk::Destructive);
    let mut definition = rmcp::model::Tool::new(tool.name(), tool.description, Arc::new(schema));
    definition.annotations = Some(annotations);
    definition
}

/// What the caller reads for a task's end: its output, or why it did not run.
fn result_of(task: &TaskRecord) -> CallToolResult {
    let error = task.error.as_deref().unwrap_or("the task did not finish");
    match task.status {
        TaskStatus::Done => CallToolResult::structured(task.output.clone().unwrap_or(Value::Null)),
        TaskStatus::Cancelled if error.starts_with(DENIED) => CallToolResult::structured_error(json!({
            "outcome": "denied",
            "detail": format!("The user said no in ClawChat: {}", &error[DENIED.len()..]),
            "task_id": task.task.task_id,
        })),
        TaskStatus::Cancelled if error == NOT_APPROVED_IN_TIME => CallToolResult::structured_error(json!({
            "outcome": "timed_out",
            "detail": "Timed out: nobody approved it in ClawChat in time.",
            "task_id": task.task.task_id,
        })),
        _ => CallToolResult::structured_error(json!({
            "outcome": "failed",
            "detail": error,
            "task_id": task.task.task_id,
        })),
    }
}

impl ServerHandler for Organiser {
    fn get_info(&self) -> InitializeResult {
        let capabilities = ServerCapabilities::builder()
            .enable_tools()
            .enable_resources()
            .enable_resources_subscribe()
            .build();
        InitializeResult::new(capabilities)
            .with_protocol_version(ProtocolVersion::LATEST_WITH_INITIALIZE)
            .with_server_info(Implementation::new("clawchat", env!("CARGO_PKG_VERSION")).with_title("ClawChat"))
            .with_instructions(
                "The user's todos, calendar and memos in ClawChat. Dates are RFC 3339 with the user's offset, \
                 or YYYY-MM-DD for a whole day. Deletes wait until the user approves them in ClawChat.",
            )
    }

    /// The versions with sessions, in which resource subscriptions are made.
    fn supported_protocol_versions(&self) -> std::borrow::Cow<'static, [ProtocolVersion]> {
        std::borrow::Cow::Borrowed(ProtocolVersion::known_up_to(&ProtocolVersion::LATEST_WITH_INITIALIZE))
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        Ok(ListToolsResult::with_all_items(super::offered_tools().map(definition).collect()))
    }

    fn get_tool(&self, name: &str) -> Option<rmcp::model::Tool> {
        tools::by_name(name).filter(|t| super::offered(t)).map(definition)
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let client = client(&context)?;
        let Some(tool) = tools::by_name(&request.name).filter(|t| super::offered(t)) else {
            return Err(McpError::invalid_params(
                format!("there is no tool called {:?}", request.name),
                None,
            ));
        };
        let inputs = request.arguments.unwrap_or_default();
        tool.check_inputs(&inputs).map_err(|e| McpError::invalid_params(e, None))?;
        let engine = &self.state.engine;
        let Some(task) = TaskRecord::pending("t1".into(), tool.intent, inputs) else {
            return Err(McpError::invalid_params(
                format!("there is no tool called {:?}", request.name),
                None,
            ));
        };
        let stored = engine
            .persist_for(None, None, vec![task], Some(&client.name))
            .await
            .map_err(|e| McpError::internal_error(format!("the call could not be stored: {e}"), None))?;
        let ctx = PlanContext { origin: Origin::Mcp, conversation_id: None, requested_by: Some(client.name) };
        let outcome = engine.run(stored, ctx).await;
        let task =
            outcome.tasks.first().ok_or_else(|| McpError::internal_error("the task was lost", None))?;
        Ok(CallToolResponse::Complete(result_of(task)))
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, McpError> {
        Ok(ListResourcesResult::with_all_items(super::resources::list()))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, McpError> {
        Ok(super::resources::read(&self.state, &request.uri).await?.into())
    }

    #[allow(deprecated)]
    async fn subscribe(
        &self,
        request: SubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        super::resources::subscribe(self, &request.uri, context.peer)
    }

    #[allow(deprecated)]
    async fn unsubscribe(
        &self,
        request: UnsubscribeRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        self.subscribed.lock().unwrap_or_else(|p| p.into_inner()).remove(&request.uri);
        Ok(())
    }
}
