//! The SQH task engine: runs a plan, a graph of tasks linked by `depends_on`.
//!
//! Every task is stored (`agent_tasks`) before it runs and after every change, so a crash
//! loses nothing: at start-up, tasks that were running are marked failed with a reason and
//! pending ones run again. Independent tasks run in parallel; a task starts when all it
//! depends on are done, and gets their outputs through placeholders in its inputs
//! (`"{{t1}}"` is the whole output of t1, `"{{t1.content}}"` one field of it). A failed,
//! denied or timed-out task fails or cancels its dependants, never the server.
//!
//! Server tools run in-process ([`super::actions`]); host tools go to the [`HostExecutor`]
//! that [`super::hosts`] picks for the tool (the desktop shell, or a client over Socket.IO
//! or `/ws` that registered it). Host tools that write, delete or
//! execute wait in `awaiting_approval` until the [`ApprovalGate`] says yes; so does any
//! tool that changes something in a plan made after reading text the user did not write
//! ([`asks_first`]).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};
use tokio::task::JoinSet;

use super::actions::{self, ToolError};
use super::approvals::{Approval, ApprovalGate, approval_reason};
use super::hosts::HostExecutor;
use super::placeholders::{has_placeholder, rename_placeholders, resolve_placeholders};
use super::tools::{self, Risk};
use super::types::{Target, TaskRecord, TaskSpec, TaskStatus};
use crate::bus::{ActionCard, Bus, ServerEvent};
use crate::infra::db::{Db, new_id, now_ms};

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// How long one server or host task may run.
    pub task_timeout: Duration,
    /// How long a task waits for the user's yes before it is cancelled.
    pub approval_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self { task_timeout: Duration::from_secs(60), approval_timeout: Duration::from_secs(300) }
    }
}

/// How a denied task's error starts (the user's reason follows).
pub const DENIED: &str = "denied: ";
/// The error of a task nobody approved before [`Limits::approval_timeout`].
pub const NOT_APPROVED_IN_TIME: &str = "nobody approved it in time";

/// What a plan runs for: where it came from and the conversation it answers.
#[derive(Debug, Clone)]
pub struct PlanContext {
    pub origin: Origin,
    pub conversation_id: Option<String>,
    /// The MCP client that asked, by its name, which the approval card shows.
    pub requested_by: Option<String>,
}

/// Where a plan came from, which decides how careful the engine is with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Typed or said by the user on this computer.
    User,
    /// Planned by the model from what the user wrote, with no text from elsewhere in what
    /// it read: every host tool needs approval, even a read; organiser actions run.
    Model,
    /// Proposed after reading text the user did not write (a file, a memo, an event, a web
    /// page, a tool's result): every host tool needs approval, and so does every tool that
    /// writes, deletes or executes, organiser actions included.
    Untrusted,
    /// Asked from a paired phone, not at this computer: every host tool needs approval.
    Phone,
    /// Called by another app on this computer over MCP: host tools are never offered, and
    /// every delete waits for the user's yes (as does any change to many items).
    Mcp,
}

/// Whether `task` waits for the user's yes before it runs, in a plan from `origin`.
/// `fed` says its inputs are filled from another task's output (`{{t1.content}}`): such
/// data may fill what a task creates (the user asked for that), but never choose, without
/// a yes, what a task changes, deletes or runs.
pub fn asks_first(task: &TaskRecord, origin: Origin, fed: bool) -> bool {
    let Some(tool) = tools::for_intent(task.task.tool) else { return false };
    let changes = tool.risk != Risk::Read;
    let creates = tool.intent.adds_item();
    tool.needs_approval()
        || actions::is_bulk_delete(task)
        || (fed && changes && !creates)
        || match origin {
            Origin::User => false,
            Origin::Model => tool.target == Target::Host,
            Origin::Untrusted => tool.target == Target::Host || changes,
            Origin::Phone => tool.target == Target::Host,
            Origin::Mcp => tool.target == Target::Host || tool.risk == Risk::Destructive,
        }
}

#[derive(Clone)]
pub struct Engine {
    pub db: Db,
    pub tz: chrono_tz::Tz,
    pub bus: Bus,
    pub limits: Limits,
    pub approvals: Arc<dyn ApprovalGate>,
    /// Who runs each host tool.
    pub hosts: Arc<super::hosts::Hosts>,
    pub web: actions::WebSearch,
    /// The configured model, if any: background work (`delegate_task`) needs one.
    pub model: Option<Arc<super::model::Model>>,
    /// The host policy in force: with `auto_read` off, host reads ask first too.
    pub host_policy: tokio::sync::watch::Receiver<super::hosts::HostPolicy>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("limits", &self.limits).finish_non_exhaustive()
    }
}

/// The outcome of a plan: every task in its final state, in plan order.
#[derive(Debug, Clone)]
pub struct PlanOutcome {
    pub tasks: Vec<TaskRecord>,
}

impl Engine {
    pub fn new(
        db: Db,
        tz: chrono_tz::Tz,
        bus: Bus,
        approvals: Arc<dyn ApprovalGate>,
        web: actions::WebSearch,
    ) -> Self {
        Self {
            db,
            tz,
            bus,
            limits: Limits::default(),
            approvals,
            hosts: Arc::default(),
            web,
            model: None,
            host_policy: tokio::sync::watch::Sender::new(super::hosts::HostPolicy::default()).subscribe(),
        }
    }

    /// Installs (or with `None`, removes) the native executor for host tools: the
    /// desktop app's. Connections that register tools come before it ([`super::hosts`]).
    pub fn set_host_executor(&self, host: Option<Arc<dyn HostExecutor>>) {
        self.hosts.set_native(host);
    }

    /// Gives the plan's tasks permanent ids (rewriting `depends_on` and placeholders) and
    /// stores them, all in one transaction, before anything runs.
    pub async fn persist(
        &self,
        conversation_id: Option<&str>,
        message_id: Option<&str>,
        plan: Vec<TaskRecord>,
    ) -> crate::infra::error::Result<Vec<TaskRecord>> {
        self.persist_for(conversation_id, message_id, plan, None).await
    }

    /// As [`Engine::persist`], recording who asked for the plan (an MCP client's name) in
    /// the task history.
    pub async fn persist_for(
        &self,
        conversation_id: Option<&str>,
        message_id: Option<&str>,
        plan: Vec<TaskRecord>,
        requested_by: Option<&str>,
    ) -> crate::infra::error::Result<Vec<TaskRecord>> {
        let renames: HashMap<String, String> =
            plan.iter().map(|t| (t.task.task_id.clone(), new_id())).collect();
        let mut out = Vec::with_capacity(plan.len());
        let mut tx = self.db.write.begin().await?;
        let now = now_ms();
        for mut record in plan {
            let old = record.task.task_id.clone();
            record.task.task_id = renames.get(&old).cloned().unwrap_or_else(new_id);
            record.task.depends_on =
                record.task.depends_on.iter().filter_map(|d| renames.get(d).cloned()).collect();
            record.task.inputs = rename_placeholders(record.task.inputs, &renames);
            // The registry, not the planner, decides where a tool runs.
            if let Some(tool) = tools::for_intent(record.task.tool) {
                record.target = tool.target;
            }
            record.status = TaskStatus::Pending;
            let (tool, inputs) = (record.task.tool.as_str(), record.task.inputs.to_string());
            let depends_on = serde_json::to_string(&record.task.depends_on).unwrap_or_else(|_| "[]".into());
            sqlx::query!(
                "INSERT INTO agent_tasks (id, conversation_id, message_id, tool, inputs, depends_on, status, target,
                     requested_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)",
                record.task.task_id,
                conversation_id,
                message_id,
                tool,
                inputs,
                depends_on,
                record.target,
                requested_by,
                now,
                now
            )
            .execute(&mut *tx)
            .await?;
            out.push(record);
        }
        tx.commit().await?;
        Ok(out)
    }

    /// Runs stored tasks to the end. Never fails as a whole: each task's fate is in its
    /// record.
    pub async fn run(&self, tasks: Vec<TaskRecord>, ctx: PlanContext) -> PlanOutcome {
        let order: Vec<String> = tasks.iter().map(|t| t.task.task_id.clone()).collect();
        let mut state: HashMap<String, TaskRecord> =
            tasks.into_iter().map(|t| (t.task.task_id.clone(), t)).collect();
        let mut running: JoinSet<(String, Result<Value, Finish>)> = JoinSet::new();
        // Which plan task each spawned job runs, for the one case its result never comes
        // back: a panic.
        let mut jobs: HashMap<tokio::task::Id, String> = HashMap::new();

        loop {
            self.cancel_doomed(&mut state).await;

            let ready: Vec<TaskRecord> = state
                .values()
                .filter(|t| t.status == TaskStatus::Pending)
                .filter(|t| {
                    t.task
                        .depends_on
                        .iter()
                        .all(|d| state.get(d).is_some_and(|r| r.status == TaskStatus::Done))
                })
                .cloned()
                .collect();
            let starting = self.mark_running(&mut state, ready).await;
            // All stored first, then started together, so the host tasks among them reach
            // a client in one `task:batch`.
            for (task, fed) in starting {
                let id = task.task.task_id.clone();
                let engine = self.clone();
                let ctx = ctx.clone();
                let job_task = id.clone();
                let handle = running.spawn(async move {
                    let result = engine.execute(task, &ctx, fed).await;
                    (id, result)
                });
                jobs.insert(handle.id(), job_task);
            }

            match running.join_next_with_id().await {
                Some(Ok((job, (id, result)))) => {
                    jobs.remove(&job);
                    self.finish(&mut state, &id, result).await;
                }
                Some(Err(join_error)) => {
                    // A panicking tool is a bug, but it must not take the plan down with it.
                    // A task cancelled because the runtime is shutting down is no crash; the
                    // restart marks what was running as interrupted.
                    let reason = if join_error.is_panic() {
                        tracing::error!(error = %join_error, "a task panicked");
                        "the task crashed"
                    } else {
                        tracing::warn!(error = %join_error, "a task was stopped before it finished");
                        "the task was stopped before it finished"
                    };
                    if let Some(id) = jobs.remove(&join_error.id()) {
                        self.finish(&mut state, &id, Err(Finish::Failed(reason.into()))).await;
                    }
                }
                None => break,
            }
        }
        PlanOutcome { tasks: order.into_iter().filter_map(|id| state.remove(&id)).collect() }
    }

    /// Cancels the pending tasks whose dependencies can no longer succeed, and those that
    /// depend on them in turn.
    async fn cancel_doomed(&self, state: &mut HashMap<String, TaskRecord>) {
        let mut changed = true;
        while changed {
            changed = false;
            let doomed: Vec<(String, String)> = state
                .values()
                .filter(|t| t.status == TaskStatus::Pending)
                .filter_map(|t| {
                    t.task.depends_on.iter().find_map(|d| match state.get(d).map(|r| r.status) {
                        Some(TaskStatus::Failed | TaskStatus::Cancelled) | None => Some((
                            t.task.task_id.clone(),
                            format!("skipped: task {d} it depends on did not finish"),
                        )),
                        _ => None,
                    })
                })
                .collect();
            for (id, reason) in doomed {
                self.finish(state, &id, Err(Finish::Cancelled(reason))).await;
                changed = true;
            }
        }
    }

    /// Resolves the placeholders of `ready` tasks, stores them as running and returns each
    /// with whether its inputs came from another task's output.
    async fn mark_running(
        &self,
        state: &mut HashMap<String, TaskRecord>,
        ready: Vec<TaskRecord>,
    ) -> Vec<(TaskRecord, bool)> {
        let mut starting = Vec::with_capacity(ready.len());
        for mut task in ready {
            let fed = has_placeholder(&task.task.inputs);
            let inputs = resolve_placeholders(&task.task.inputs, state);
            task.task.inputs = inputs;
            let id = task.task.task_id.clone();
            if let Some(t) = state.get_mut(&id) {
                t.task.inputs = task.task.inputs.clone();
                t.status = TaskStatus::Running;
            }
            self.store_status(&task.task.task_id, TaskStatus::Running, Some(&task.task.inputs), None, None)
                .await;
            starting.push((task, fed));
        }
        starting
    }

    async fn execute(&self, task: TaskRecord, ctx: &PlanContext, fed: bool) -> Result<Value, Finish> {
        let Some(tool) = tools::for_intent(task.task.tool) else {
            return Err(Finish::Failed(format!("there is no tool called {:?}", task.task.tool.as_str())));
        };
        // The inputs are resolved by now, so the card shows the true command or path.
        let reads_ask = tool.target == Target::Host && !self.host_policy.borrow().auto_read;
        if reads_ask || asks_first(&task, ctx.origin, fed) {
            let reason = match &ctx.requested_by {
                Some(app) => format!("{app} asks over MCP: {}", approval_reason(&task)),
                None => approval_reason(&task),
            };
            self.store_status(&task.task.task_id, TaskStatus::AwaitingApproval, None, None, None).await;
            let mut asking = task.clone();
            asking.status = TaskStatus::AwaitingApproval;
            let answer =
                tokio::time::timeout(self.limits.approval_timeout, self.approvals.request(asking, reason))
                    .await;
            match answer {
                Ok(Approval::Approved) => {
                    self.store_status(&task.task.task_id, TaskStatus::Running, None, None, None).await;
                }
                Ok(Approval::Denied(why)) => {
                    let why = if why.trim().is_empty() { "you said no".to_owned() } else { why };
                    return Err(Finish::Cancelled(format!("{DENIED}{why}")));
                }
                Err(_) => return Err(Finish::Cancelled(NOT_APPROVED_IN_TIME.into())),
            }
        }
        let work = async {
            match tool.target {
                Target::Server => {
                    actions::run_server_tool(self, tool, &task.task.inputs, ctx).await.map_err(|e| match e {
                        ToolError::Failed(msg) => Finish::Failed(msg),
                        ToolError::Ambiguous { .. } | ToolError::NotFound(_) => Finish::Failed(e.to_string()),
                    })
                }
                Target::Host => match self.hosts.for_tool(tool.intent) {
                    Some(host) => host.execute(task.clone()).await.map_err(|e| Finish::Failed(e.to_string())),
                    None => Err(Finish::Failed(format!(
                        "{} runs on your computer, and no desktop app or client that runs it is connected",
                        tool.name()
                    ))),
                },
            }
        };
        match tokio::time::timeout(self.limits.task_timeout, work).await {
            Ok(result) => result,
            Err(_) => {
                Err(Finish::Failed(format!("timed out after {} s", self.limits.task_timeout.as_secs())))
            }
        }
    }

    async fn finish(&self, state: &mut HashMap<String, TaskRecord>, id: &str, result: Result<Value, Finish>) {
        let (status, output, error) = match result {
            Ok(output) => (TaskStatus::Done, Some(output), None),
            Err(Finish::Failed(e)) => (TaskStatus::Failed, None, Some(e)),
            Err(Finish::Cancelled(e)) => (TaskStatus::Cancelled, None, Some(e)),
        };
        self.store_status(id, status, None, output.as_ref(), error.as_deref()).await;
        if let Some(t) = state.get_mut(id) {
            t.status = status;
            t.output = output;
            t.error = error;
        }
    }

    /// Stores a task's new state and tells every client. A failed write is logged, not
    /// fatal: the in-memory plan goes on, and start-up recovery settles the row.
    async fn store_status(
        &self,
        id: &str,
        status: TaskStatus,
        inputs: Option<&Value>,
        output: Option<&Value>,
        error: Option<&str>,
    ) {
        let (inputs_text, output_text, now) =
            (inputs.map(Value::to_string), output.map(Value::to_string), now_ms());
        let result = sqlx::query!(
            "UPDATE agent_tasks SET status = ?, inputs = coalesce(?, inputs), output = ?, error = ?, updated_at = ?
             WHERE id = ?",
            status,
            inputs_text,
            output_text,
            error,
            now,
            id
        )
        .execute(&self.db.write)
        .await;
        if let Err(e) = result {
            tracing::error!(task = id, error = %e, "could not store a task's state");
        }
        self.bus.publish(ServerEvent::TaskUpdate {
            task_id: id.to_owned(),
            status,
            output: output.cloned(),
            error: error.map(str::to_owned),
        });
    }

    /// After a restart: running tasks failed (we cannot know how far they got), pending
    /// ones and those waiting for approval run again. Returns the plans resumed.
    pub async fn recover(&self) -> crate::infra::error::Result<usize> {
        if self.db.read_only {
            // Nothing can run or be marked failed on a database that cannot be written.
            return Ok(0);
        }
        let now = now_ms();
        sqlx::query!(
            "UPDATE agent_tasks SET status = 'failed', error = 'interrupted: ClawChat stopped while it ran', updated_at = ?
             WHERE status = 'running'",
            now
        )
        .execute(&self.db.write)
        .await?;
        // An MCP client's call is answered on its connection, which the stop closed: a call
        // not yet run is not run later, when nobody waits for it.
        sqlx::query!(
            "UPDATE agent_tasks SET status = 'cancelled', error = 'interrupted: ClawChat stopped before it ran',
                 updated_at = ? WHERE requested_by IS NOT NULL AND status IN ('pending', 'awaiting_approval')",
            now
        )
        .execute(&self.db.write)
        .await?;
        let rows = sqlx::query!(
            r#"SELECT id, conversation_id, message_id, tool, inputs, depends_on, status AS "status: TaskStatus",
                   target AS "target: crate::protocol::Target", output, error
               FROM agent_tasks
               WHERE message_id IN (SELECT DISTINCT message_id FROM agent_tasks WHERE status IN ('pending', 'awaiting_approval'))
               ORDER BY seq"#
        )
        .fetch_all(&self.db.read)
        .await?;
        let mut plans: Vec<(Option<String>, Option<String>, Vec<TaskRecord>)> = Vec::new();
        for row in rows {
            let message_id = row.message_id;
            let conversation_id = row.conversation_id;
            let name = row.tool;
            let Some(tool) = tools::named(&name) else {
                // Only the registry's names are ever stored; a row with another cannot run.
                tracing::warn!(tool = %name, "a stored task names no tool; left as it is");
                continue;
            };
            let record = TaskRecord {
                task: TaskSpec {
                    task_id: row.id,
                    tool,
                    inputs: serde_json::from_str(&row.inputs).unwrap_or(Value::Object(Map::new())),
                    depends_on: serde_json::from_str(&row.depends_on).unwrap_or_default(),
                },
                // A task that waited for approval is asked again.
                status: match row.status {
                    TaskStatus::AwaitingApproval | TaskStatus::Running => TaskStatus::Pending,
                    settled => settled,
                },
                target: row.target,
                output: row.output.and_then(|o| serde_json::from_str(&o).ok()),
                error: row.error,
            };
            match plans.last_mut() {
                Some((m, _, tasks)) if *m == message_id => tasks.push(record),
                _ => plans.push((message_id, conversation_id, vec![record])),
            }
        }
        let count = plans.len();
        for (_, conversation_id, tasks) in plans {
            // Who made the plan is not stored: assume the model did, and that it read text
            // the user did not write if its conversation holds any.
            let foreign = match &conversation_id {
                Some(c) => super::model::read_foreign_text(&self.db.read, c).await?,
                None => false,
            };
            let origin = super::model::origin(foreign);
            let engine = self.clone();
            tokio::spawn(async move {
                engine.run(tasks, PlanContext { origin, conversation_id: None, requested_by: None }).await;
            });
        }
        Ok(count)
    }
}

impl Engine {
    /// Stores an assistant message, then tells the clients: cards first, `stream_end` last,
    /// so a client that sees the end can fetch the message and find it complete.
    pub async fn close_message(
        &self,
        conversation_id: &str,
        message_id: &str,
        text: &str,
        intent: &str,
        cards: Vec<ActionCard>,
    ) -> crate::infra::error::Result<()> {
        let stored: Vec<Value> = cards
            .iter()
            .map(
                |c| serde_json::json!({"card_type": c.card_type, "payload": c.payload, "actions": c.actions}),
            )
            .collect();
        crate::features::conversations::insert_message(
            &self.db.write,
            conversation_id,
            message_id,
            crate::features::conversations::Role::Assistant,
            text,
            Some(intent),
            &stored,
        )
        .await?;
        for card in cards {
            self.bus.publish(ServerEvent::ActionCard(card));
        }
        self.bus.publish(ServerEvent::StreamEnd {
            message_id: message_id.to_owned(),
            full_content: text.to_owned(),
            intent: intent.to_owned(),
        });
        Ok(())
    }

    /// A whole new assistant message at once (a plan's report, background work's result):
    /// started, stored and closed. No connection asked for it, so it streams no chunks:
    /// its `stream_end` carries the text. `cards` are built for its id.
    pub async fn post_message(
        &self,
        conversation_id: &str,
        text: &str,
        intent: &str,
        cards: impl FnOnce(&str) -> Vec<ActionCard>,
    ) -> crate::infra::error::Result<String> {
        let message_id = new_id();
        self.bus.publish(ServerEvent::StreamStart {
            message_id: message_id.clone(),
            conversation_id: conversation_id.to_owned(),
            to: None,
        });
        let cards = cards(&message_id);
        self.close_message(conversation_id, &message_id, text, intent, cards).await?;
        Ok(message_id)
    }

    /// Posts the result of background work: a message in its conversation (when it has
    /// one), streamed to open clients, and a notification.
    pub async fn report_background(&self, conversation_id: Option<&str>, ref_id: &str, text: &str) {
        if let Some(conversation) = conversation_id {
            if let Err(e) = self.post_message(conversation, text, "delegate_task", |_| vec![]).await {
                tracing::error!(error = %e, "could not store a background result");
            }
        }
        self.bus.publish(ServerEvent::Notification {
            title: "Background task finished".into(),
            body: text.chars().take(200).collect(),
            kind: "task_done".into(),
            ref_id: Some(ref_id.to_owned()),
            conversation_id: conversation_id.map(str::to_owned),
        });
    }
}

enum Finish {
    Failed(String),
    Cancelled(String),
}
