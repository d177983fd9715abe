//! The intents the contract knows: the one list the parser, the planner, the tool
//! registry and the generated TypeScript all read.

use serde::{Deserialize, Serialize};

/// Every intent the contract knows. Serialised in snake_case, exactly as listed there.
#[derive(ts_rs::TS, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    GeneralChat,
    CreateTodo,
    QueryTodos,
    UpdateTodo,
    DeleteTodo,
    CompleteTodo,
    CreateEvent,
    QueryEvents,
    UpdateEvent,
    DeleteEvent,
    CreateMemo,
    QueryMemos,
    UpdateMemo,
    DeleteMemo,
    Search,
    DailyBriefing,
    DelegateTask,
    WebSearch,
    OpenApp,
    FileRead,
    FileCreate,
    ExecutorShell,
}

impl Intent {
    /// The contract name, as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Intent::GeneralChat => "general_chat",
            Intent::CreateTodo => "create_todo",
            Intent::QueryTodos => "query_todos",
            Intent::UpdateTodo => "update_todo",
            Intent::DeleteTodo => "delete_todo",
            Intent::CompleteTodo => "complete_todo",
            Intent::CreateEvent => "create_event",
            Intent::QueryEvents => "query_events",
            Intent::UpdateEvent => "update_event",
            Intent::DeleteEvent => "delete_event",
            Intent::CreateMemo => "create_memo",
            Intent::QueryMemos => "query_memos",
            Intent::UpdateMemo => "update_memo",
            Intent::DeleteMemo => "delete_memo",
            Intent::Search => "search",
            Intent::DailyBriefing => "daily_briefing",
            Intent::DelegateTask => "delegate_task",
            Intent::WebSearch => "web_search",
            Intent::OpenApp => "open_app",
            Intent::FileRead => "file_read",
            Intent::FileCreate => "file_create",
            Intent::ExecutorShell => "executor_shell",
        }
    }

    /// Name of the tool that carries out this intent; `None` for plain conversation,
    /// which needs no task at all.
    pub fn tool(self) -> Option<&'static str> {
        match self {
            Intent::GeneralChat => None,
            other => Some(other.as_str()),
        }
    }

    /// A new todo, event or memo: what the organiser makes (a file made on the host is
    /// not one).
    pub fn adds_item(self) -> bool {
        matches!(self, Intent::CreateTodo | Intent::CreateEvent | Intent::CreateMemo)
    }

    /// True for intents that change stored data or act on the host. The evaluation
    /// counts these as "actions"; everything else only reads or talks.
    pub fn is_action(self) -> bool {
        !matches!(
            self,
            Intent::GeneralChat
                | Intent::WebSearch
                | Intent::Search
                | Intent::QueryTodos
                | Intent::QueryEvents
                | Intent::QueryMemos
                | Intent::DailyBriefing
        )
    }
}
