//! The assistant: the built-in parser and date resolver, the tool registry, the PQH that
//! answers at once and plans, and the SQH task engine that runs the plan.
//!
//! One message, end to end: [`pqh::accept`] stores the user's words (so nothing is lost
//! whatever happens next) and [`pqh::respond`] takes it from there: `stream_start` goes
//! out at once, the planner (the built-in [`parse`] of `clawchat-understand`) turns the words into a
//! [`types::ParseResult`], the tasks are stored and announced in a `query-result`, the
//! [`engine`] runs them, and the answer with its action cards is stored as the
//! assistant's message before `stream_end`.

pub mod actions;
pub mod answer;
pub mod approvals;
pub mod cards;
pub mod cli;
pub mod engine;
pub mod hosts;
pub mod inbox;
pub mod model;
pub mod moves;
pub mod placeholders;
pub mod pqh;
pub mod routes;
pub mod speech;
pub mod tools;
pub mod types;
pub mod voice;

use std::sync::Arc;

use chrono::DateTime;
use chrono_tz::Tz;
pub use clawchat_understand::when;

pub use approvals::{Approval, ApprovalGate, BusApprovals, PendingApprovals};
pub use engine::{Engine, Origin, PlanContext};
pub use hosts::{HostError, HostExecutor};

/// The built-in parser's plan for one line, as tasks ready to store and run.
pub fn parse(text: &str, now: DateTime<Tz>, lang: clawchat_understand::Lang) -> types::ParseResult {
    clawchat_understand::parse_in(text, now, lang).into()
}

/// What the assistant's routes and channels use: the brain itself, the store, the zone
/// "now" is read in, and the language dates are read in (as the settings change it).
#[derive(Clone, Debug)]
pub struct AssistantContext {
    pub brain: std::sync::Arc<Brain>,
    pub db: crate::infra::db::Db,
    pub tz: Tz,
    pub language: tokio::sync::watch::Receiver<clawchat_understand::Lang>,
}

/// What the rest of the server holds of the assistant.
#[derive(Debug, Clone)]
pub struct Brain {
    pub engine: Engine,
    /// Answers to approval requests arrive here, from any channel.
    pub approvals: Arc<PendingApprovals>,
    /// The speech-to-text service for voice queries, when one is configured.
    pub stt: Option<voice::Stt>,
    /// Stores incoming user messages, a burst in one commit.
    pub inbox: inbox::Inbox,
}
