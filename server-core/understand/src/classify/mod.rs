//! A small learned intent classifier: which organiser request (if any) a sentence is.
//!
//! Multinomial logistic regression over word and character n-grams ([`features`]),
//! trained by `cargo run --release -p clawchat-understand --example train_intent`
//! on public data (CLINC150, SLURP) plus phrasing templates (`data/templates.txt`),
//! and stored in `model/intent.bin` ([`model`]). The weights are compiled in and
//! loaded once. Host tools, web search and files are not labels here: rules handle them.

pub mod features;
pub mod model;

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::intent::Intent;
use model::Model;

/// What a sentence asks of the organiser. Serialised in snake_case.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Label {
    /// Anything that is not an organiser request: talk, questions, weather, music,
    /// date and time questions, out-of-scope requests.
    Chat,
    AddTodo,
    AddEvent,
    AskTodos,
    AskEvents,
    DoneTodo,
    DropTodo,
    DropEvent,
    EditTodo,
    EditEvent,
    Briefing,
    AddMemo,
    AskMemos,
}

impl Label {
    /// Every label, in the model's order.
    pub const ALL: [Label; 13] = [
        Label::Chat,
        Label::AddTodo,
        Label::AddEvent,
        Label::AskTodos,
        Label::AskEvents,
        Label::DoneTodo,
        Label::DropTodo,
        Label::DropEvent,
        Label::EditTodo,
        Label::EditEvent,
        Label::Briefing,
        Label::AddMemo,
        Label::AskMemos,
    ];

    /// The snake_case name, as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Chat => "chat",
            Label::AddTodo => "add_todo",
            Label::AddEvent => "add_event",
            Label::AskTodos => "ask_todos",
            Label::AskEvents => "ask_events",
            Label::DoneTodo => "done_todo",
            Label::DropTodo => "drop_todo",
            Label::DropEvent => "drop_event",
            Label::EditTodo => "edit_todo",
            Label::EditEvent => "edit_event",
            Label::Briefing => "briefing",
            Label::AddMemo => "add_memo",
            Label::AskMemos => "ask_memos",
        }
    }

    /// The label named `name` (snake_case), if any.
    pub fn from_name(name: &str) -> Option<Label> {
        Label::ALL.into_iter().find(|l| l.as_str() == name)
    }

    /// The contract intent this label stands for.
    pub fn intent(self) -> Intent {
        match self {
            Label::Chat => Intent::GeneralChat,
            Label::AddTodo => Intent::CreateTodo,
            Label::AddEvent => Intent::CreateEvent,
            Label::AskTodos => Intent::QueryTodos,
            Label::AskEvents => Intent::QueryEvents,
            Label::DoneTodo => Intent::CompleteTodo,
            Label::DropTodo => Intent::DeleteTodo,
            Label::DropEvent => Intent::DeleteEvent,
            Label::EditTodo => Intent::UpdateTodo,
            Label::EditEvent => Intent::UpdateEvent,
            Label::Briefing => Intent::DailyBriefing,
            Label::AddMemo => Intent::CreateMemo,
            Label::AskMemos => Intent::QueryMemos,
        }
    }

    /// True for labels that write or delete (add, done, drop, edit).
    pub fn is_action(self) -> bool {
        self.intent().is_action()
    }
}

/// The classifier's answer for one sentence.
#[derive(Clone, Debug, PartialEq)]
pub struct Prediction {
    /// The most probable label (before any threshold: compare `p` with [`TAU`]).
    pub label: Label,
    /// Its probability.
    pub p: f32,
    /// Every label with its softmax probability, most probable first.
    pub probs: Vec<(Label, f32)>,
}

/// Confidence below which a caller should treat a prediction as [`Label::Chat`].
///
/// Chosen on held-out data with the whole parser, not the classifier alone (whose
/// false actions at 0.3 are 1.4% of CLINC150 validation; the parser's checks bring them
/// under 1%): of 0.3, 0.4 and 0.5 run through `tests/eval/score.py`, 0.3 handled most of
/// CLINC validation at the same false-action rate.
pub const TAU: f32 = 0.3;

static MODEL_BYTES: &[u8] = include_bytes!("../../model/intent.bin");

static MODEL: LazyLock<Option<Model>> = LazyLock::new(|| Model::from_bytes(MODEL_BYTES));

/// True when the compiled-in weights load (they always should; a broken file makes
/// every sentence [`Label::Chat`]).
pub fn model_loaded() -> bool {
    MODEL.as_ref().is_some_and(|m| m.labels == Label::ALL.len())
}

/// Classifies one sentence. Any text is fine (empty, huge, emoji, any script); only
/// the first [`features::MAX_TOKENS`] tokens are read.
pub fn classify(text: &str) -> Prediction {
    let probs: Vec<f32> = match MODEL.as_ref() {
        Some(m) if m.labels == Label::ALL.len() => m.probs(text),
        _ => Label::ALL.iter().map(|&l| if l == Label::Chat { 1.0 } else { 0.0 }).collect(),
    };
    let mut ranked: Vec<(Label, f32)> = Label::ALL.into_iter().zip(probs).collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let (label, p) = ranked.first().copied().unwrap_or((Label::Chat, 1.0));
    Prediction { label, p, probs: ranked }
}

/// The label a caller should act on: the prediction, or [`Label::Chat`] below [`TAU`].
pub fn decide(text: &str) -> Label {
    let pred = classify(text);
    if pred.p >= TAU { pred.label } else { Label::Chat }
}
