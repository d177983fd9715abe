//! Who runs each host tool: the executor registry, and the [`HostPolicy`] they run under.
//!
//! Host tools (`file_read`, `file_create`, `open_app`, `executor_shell`) run on the user's
//! machine, by one of two kinds of executor:
//!
//! - the **native** executor, installed by the desktop app (or a test) with
//!   [`Hosts::set_native`]; at most one, and it may run any host tool it says it can;
//! - **connections** that registered the tools they run (`client:register {tools}` over
//!   Socket.IO or `/ws`), each a [`RemoteHost`].
//!
//! Precedence, per tool: the most recently registered connection that still runs it, then
//! the connection registered before it, and so on, then the native executor. A connection
//! that registers again replaces its own earlier registration. When a connection leaves,
//! its tools fall back to whoever is next in that order, and the tasks it was sent and had
//! not answered fail at once with the reason, instead of waiting for the task timeout.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::approvals::Awaiting;
use super::types::{Intent, Target, TaskRecord};

/// Which folders host tools may touch, and whether reading needs no approval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
pub struct HostPolicy {
    /// Absolute folders (or `~/...`); empty means the computer's default (the home folder
    /// unless `CLAWCHAT_ALLOWED_FOLDERS` names others).
    pub allowed_folders: Vec<String>,
    /// When false, a host tool that only reads asks first too.
    pub auto_read: bool,
}

/// Until the user saves one: the default folders, reads inside them without asking.
impl Default for HostPolicy {
    fn default() -> Self {
        Self { allowed_folders: Vec::new(), auto_read: true }
    }
}

/// Runs host tools on the user's machine.
pub trait HostExecutor: Send + Sync + 'static {
    /// Whether this executor can run `tool` now (a connected desktop, a registered client).
    fn can_run(&self, tool: Intent) -> bool;
    /// Runs the task; `Ok` is the tool's output object.
    fn execute(&self, task: TaskRecord) -> BoxFuture<'static, Result<Value, HostError>>;
}

/// Why a host tool did not give an output. Every kind becomes the task's error, shown to
/// the user as it reads, so each message is written for a person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HostError {
    /// The host's rules forbid it (a path outside the allowed folders, too many bytes).
    #[error("{0}")]
    Refused(String),
    /// The tool ran and failed (a missing file, a command that could not start).
    #[error("{0}")]
    Failed(String),
    /// This executor does not run that tool.
    #[error("the desktop does not run {}", .0.as_str())]
    Unsupported(Intent),
    /// The tool's thread ended without an answer.
    #[error("the tool stopped unexpectedly: {0}")]
    Crashed(String),
    /// The connection that was running it left before it answered.
    #[error("{}", GONE)]
    Gone,
}

/// A registered connection's executor, under the id of its registration.
type Registered = (u64, Arc<dyn HostExecutor>);

#[derive(Default)]
struct Table {
    native: Option<Arc<dyn HostExecutor>>,
    /// Per tool, the connections that registered it, oldest first.
    by_tool: HashMap<Intent, Vec<Registered>>,
    next_id: u64,
}

/// The registry the task engine asks for each host task's executor.
#[derive(Default)]
pub struct Hosts {
    table: Mutex<Table>,
}

impl std::fmt::Debug for Hosts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let table = self.table();
        f.debug_struct("Hosts")
            .field("native", &table.native.is_some())
            .field("tools", &table.by_tool.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// A connection's place in the registry; dropping it takes its tools back.
#[must_use = "the registration ends when this is dropped"]
pub struct HostRegistration {
    hosts: Weak<Hosts>,
    id: u64,
}

impl std::fmt::Debug for HostRegistration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostRegistration").field("id", &self.id).finish()
    }
}

impl Drop for HostRegistration {
    fn drop(&mut self) {
        if let Some(hosts) = self.hosts.upgrade() {
            let mut table = hosts.table();
            for executors in table.by_tool.values_mut() {
                executors.retain(|(id, _)| *id != self.id);
            }
            table.by_tool.retain(|_, executors| !executors.is_empty());
        }
    }
}

impl Hosts {
    fn table(&self) -> MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Installs (or with `None`, removes) the native executor, the last resort for every
    /// host tool.
    pub fn set_native(&self, executor: Option<Arc<dyn HostExecutor>>) {
        self.table().native = executor;
    }

    /// Makes `executor` the first choice for `tools` until the registration is dropped.
    pub fn register(
        self: &Arc<Self>,
        tools: impl IntoIterator<Item = Intent>,
        executor: Arc<dyn HostExecutor>,
    ) -> HostRegistration {
        let mut table = self.table();
        let id = table.next_id;
        table.next_id += 1;
        for tool in tools {
            table.by_tool.entry(tool).or_default().push((id, executor.clone()));
        }
        HostRegistration { hosts: Arc::downgrade(self), id }
    }

    /// The executor that runs `tool` now, by the precedence above.
    pub fn for_tool(&self, tool: Intent) -> Option<Arc<dyn HostExecutor>> {
        let table = self.table();
        let registered = table.by_tool.get(&tool).into_iter().flatten().rev().map(|(_, e)| e);
        registered.chain(table.native.iter()).find(|e| e.can_run(tool)).cloned()
    }
}

/// The host tools `names` name, or the names that are not host tools: a connection may
/// register only host tools.
pub fn host_tools(names: &[String]) -> Result<Vec<Intent>, Vec<&String>> {
    let host = |name: &str| super::tools::by_name(name).filter(|tool| tool.target == Target::Host);
    let not_host: Vec<&String> = names.iter().filter(|n| host(n).is_none()).collect();
    if not_host.is_empty() {
        Ok(names.iter().filter_map(|n| host(n)).map(|tool| tool.intent).collect())
    } else {
        Err(not_host)
    }
}

/// A connection (Socket.IO or `/ws`) registered as the executor of its tools: the
/// executor the engine uses, and its place in the registry, which ends when this is
/// dropped (the connection left or registered again).
pub struct ConnectionHost {
    pub host: Arc<RemoteHost>,
    _registration: HostRegistration,
}

impl ConnectionHost {
    /// Registers a connection that runs `tools` (found with [`host_tools`]) and is reached
    /// through `sender`.
    pub fn register(hosts: &Arc<Hosts>, tools: Vec<Intent>, sender: impl TaskSender) -> Self {
        let host = Arc::new(RemoteHost::new(tools, sender));
        let registration = hosts.register(host.tools(), host.clone());
        Self { host, _registration: registration }
    }
}

/// How a [`RemoteHost`] reaches its connection: the transport's way to send
/// `task:execute` (one task) or `task:batch` (several). False when the connection cannot
/// take it (closed, or too far behind).
pub trait TaskSender: Send + Sync + 'static {
    fn send(&self, tasks: &[TaskRecord]) -> bool;
}

/// Why tasks sent to a connection fail when it leaves before answering.
pub const GONE: &str = "the client that runs this tool disconnected before it answered";

/// A connection that runs host tools: tasks go out through its [`TaskSender`], and only
/// the `task:result` of a task this connection was sent resolves it.
pub struct RemoteHost {
    inner: Arc<Remote>,
}

struct Remote {
    sender: Box<dyn TaskSender>,
    tools: HashSet<Intent>,
    pending: Awaiting<Value>,
    /// Tasks handed over in the same moment, sent together as one `task:batch`.
    outgoing: Mutex<Vec<TaskRecord>>,
    gone: AtomicBool,
}

impl RemoteHost {
    pub fn new(tools: impl IntoIterator<Item = Intent>, sender: impl TaskSender) -> Self {
        Self {
            inner: Arc::new(Remote {
                sender: Box::new(sender),
                tools: tools.into_iter().collect(),
                pending: Awaiting::default(),
                outgoing: Mutex::new(Vec::new()),
                gone: AtomicBool::new(false),
            }),
        }
    }

    /// The tools it registered, sorted by name.
    pub fn tools(&self) -> Vec<Intent> {
        let mut tools: Vec<Intent> = self.inner.tools.iter().copied().collect();
        tools.sort_by_key(|t| t.as_str());
        tools
    }

    /// Delivers the connection's `task:result`; false when this connection was not sent
    /// that task (or already answered it), in which case nothing changes.
    pub fn answer(&self, task_id: &str, result: Value) -> bool {
        self.inner.pending.answer(task_id, result)
    }

    /// The connection left: every task it still owes fails now with [`GONE`], and no new
    /// one is given to it.
    pub fn gone(&self) {
        self.inner.gone.store(true, Ordering::Release);
        self.inner.pending.close();
    }
}

impl Remote {
    fn flush(&self) {
        let batch = std::mem::take(&mut *self.outgoing.lock().unwrap_or_else(|p| p.into_inner()));
        if !batch.is_empty() && !self.sender.send(&batch) {
            for task in &batch {
                self.pending.withdraw(&task.task.task_id);
            }
        }
    }
}

impl HostExecutor for RemoteHost {
    fn can_run(&self, tool: Intent) -> bool {
        !self.inner.gone.load(Ordering::Acquire) && self.inner.tools.contains(&tool)
    }

    fn execute(&self, task: TaskRecord) -> BoxFuture<'static, Result<Value, HostError>> {
        let rx = self.inner.pending.wait_for(&task.task.task_id);
        let first = {
            let mut outgoing = self.inner.outgoing.lock().unwrap_or_else(|p| p.into_inner());
            outgoing.push(task);
            outgoing.len() == 1
        };
        if first {
            // Independent tasks of a plan are started together: let the others that are
            // ready join this one, so the client gets them in one `task:batch`.
            let remote = self.inner.clone();
            tokio::spawn(async move {
                tokio::task::yield_now().await;
                remote.flush();
            });
        }
        Box::pin(async move {
            let result = rx.await.map_err(|_| HostError::Gone)?;
            // A client reports failure as {error: "..."}; anything else is the output.
            match result.get("error").and_then(Value::as_str) {
                Some(error) if !error.is_empty() => Err(HostError::Failed(error.to_owned())),
                _ => Ok(result),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Named(&'static str, bool);

    impl HostExecutor for Named {
        fn can_run(&self, _tool: Intent) -> bool {
            self.1
        }

        fn execute(&self, _task: TaskRecord) -> BoxFuture<'static, Result<Value, HostError>> {
            let name = self.0;
            Box::pin(async move { Ok(Value::String(name.into())) })
        }
    }

    async fn who(hosts: &Hosts, tool: Intent) -> Option<Value> {
        let task: TaskRecord = serde_json::from_value(serde_json::json!({
            "task": {"task_id": "t", "tool": tool, "inputs": {}, "depends_on": []},
            "status": "running", "target": "host", "output": null, "error": null
        }))
        .unwrap();
        Some(hosts.for_tool(tool)?.execute(task).await.unwrap())
    }

    #[tokio::test]
    async fn the_latest_connection_wins_and_leaving_falls_back_in_order() {
        let hosts = Arc::new(Hosts::default());
        assert_eq!(who(&hosts, Intent::FileRead).await, None);
        hosts.set_native(Some(Arc::new(Named("native", true))));
        assert_eq!(who(&hosts, Intent::FileRead).await, Some("native".into()));

        let a = hosts.register([Intent::FileRead], Arc::new(Named("a", true)));
        let b = hosts.register([Intent::FileRead, Intent::OpenApp], Arc::new(Named("b", true)));
        assert_eq!(who(&hosts, Intent::FileRead).await, Some("b".into()));
        assert_eq!(who(&hosts, Intent::OpenApp).await, Some("b".into()));
        assert_eq!(who(&hosts, Intent::FileCreate).await, Some("native".into()), "not registered: native");
        drop(b);
        assert_eq!(who(&hosts, Intent::FileRead).await, Some("a".into()));
        assert_eq!(who(&hosts, Intent::OpenApp).await, Some("native".into()));
        drop(a);
        assert_eq!(who(&hosts, Intent::FileRead).await, Some("native".into()));
    }

    #[tokio::test]
    async fn an_executor_that_cannot_run_now_is_passed_over() {
        let hosts = Arc::new(Hosts::default());
        hosts.set_native(Some(Arc::new(Named("native", true))));
        let _away = hosts.register([Intent::FileRead], Arc::new(Named("away", false)));
        assert_eq!(who(&hosts, Intent::FileRead).await, Some("native".into()));
        hosts.set_native(None);
        assert_eq!(who(&hosts, Intent::FileRead).await, None);
    }
}
