//! The training and evaluation rows: public data with its labels mapped onto ours, and
//! the sentences generated from `data/templates.txt`.

use std::fs;
use std::path::Path;

use clawchat_understand::Intent;
use clawchat_understand::classify::Label;
use clawchat_understand::classify::features::tokens;
use serde_json::Value;

/// One labelled sentence.
#[derive(Clone, Debug)]
pub struct Row {
    pub text: String,
    /// The public label (`clinc_intent` / `slurp_intent`), or `template`.
    pub source: String,
    /// `in_domain`, `oos_sample`, ...; `template` for generated rows.
    pub group: String,
    pub label: Label,
}

impl Row {
    /// The intents the public table accepts for this row, or `None` when the row is a
    /// negative (not in the organiser's domain, or a date/time question).
    pub fn accepted(&self) -> Option<&'static [Intent]> {
        if self.group.starts_with("in_domain") { accepted(&self.source) } else { None }
    }
}

/// Reads a JSONL file of the shared evaluation set.
pub fn load(path: &Path) -> Result<Vec<Row>, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut rows = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let v: Value =
            serde_json::from_str(line).map_err(|e| format!("{}:{}: {e}", path.display(), n + 1))?;
        let field = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let text = field("text");
        let source =
            if v.get("clinc_intent").is_some() { field("clinc_intent") } else { field("slurp_intent") };
        let group = field("group");
        let label = map_label(&source, &group, &text);
        rows.push(Row { text, source, group, label });
    }
    Ok(rows)
}

/// Our label for a public row (the mapping is documented in the example's main file).
pub fn map_label(source: &str, group: &str, text: &str) -> Label {
    if !group.starts_with("in_domain") {
        return Label::Chat;
    }
    let words = tokens(text);
    match source {
        "calendar_set" | "schedule_meeting" => {
            if has_prefix(&words, "remind") {
                Label::AddTodo
            } else {
                Label::AddEvent
            }
        }
        "calendar_query" | "calendar" | "meeting_schedule" => Label::AskEvents,
        "calendar_remove" => Label::DropEvent,
        "calendar_update" => {
            if removes(&words) || clears(&words) {
                Label::DropEvent
            } else if edits(&words) {
                Label::EditEvent
            } else {
                Label::AddEvent
            }
        }
        "lists_createoradd" | "shopping_list_update" | "todo_list_update" | "reminder_update" => {
            if removes(&words) || clears(&words) {
                Label::DropTodo
            } else if checks_off(&words) {
                Label::DoneTodo
            } else {
                Label::AddTodo
            }
        }
        "lists_query" | "todo_list" | "shopping_list" | "reminder" | "alarm_query" => Label::AskTodos,
        "lists_remove" | "alarm_remove" => Label::DropTodo,
        "alarm_set" | "alarm" | "timer" => Label::AddTodo,
        _ => Label::Chat,
    }
}

fn has(words: &[String], w: &str) -> bool {
    words.iter().any(|x| x == w)
}

fn has_prefix(words: &[String], p: &str) -> bool {
    words.iter().any(|x| x.starts_with(p))
}

/// `a` followed (anywhere later) by `b`, as in "take lunch off my calendar".
fn then(words: &[String], a: &str, b: &str) -> bool {
    words.iter().position(|x| x == a).is_some_and(|i| words[i + 1..].iter().any(|x| x == b))
}

/// remove / delete / erase / cancel / nix / scratch / undo / get rid of / take .. off
/// / take .. away / cross .. off|out / no longer.
fn removes(w: &[String]) -> bool {
    ["remove", "delete", "erase", "cancel", "nix", "scratch", "undo"].iter().any(|x| has_prefix(w, x))
        || then(w, "get", "rid")
        || then(w, "take", "off")
        || then(w, "take", "away")
        || then(w, "cross", "off")
        || then(w, "cross", "out")
        || then(w, "no", "longer")
}

/// clear / clean out / keep .. open: emptying a day or a list.
fn clears(w: &[String]) -> bool {
    has_prefix(w, "clear") || has(w, "open")
}

/// change / move / reschedule / edit / update / rename / postpone / push .. back.
fn edits(w: &[String]) -> bool {
    ["change", "move", "reschedule", "edit", "update", "rename", "postpone", "shift"]
        .iter()
        .any(|x| has_prefix(w, x))
        || then(w, "push", "back")
}

/// check .. off / mark .. done|complete.
fn checks_off(w: &[String]) -> bool {
    then(w, "check", "off") || then(w, "mark", "done") || then(w, "mark", "complete")
}

/// The accepted intents of the public table, by source label.
pub fn accepted(source: &str) -> Option<&'static [Intent]> {
    use Intent::*;
    const WRITES: &[Intent] =
        &[CreateTodo, UpdateTodo, CompleteTodo, DeleteTodo, CreateEvent, UpdateEvent, DeleteEvent];
    Some(match source {
        "calendar_set" | "schedule_meeting" => &[CreateEvent, CreateTodo],
        "calendar_query" | "calendar" | "meeting_schedule" => &[QueryEvents, QueryTodos, DailyBriefing],
        "calendar_remove" => &[DeleteEvent, DeleteTodo],
        "calendar_update" => WRITES,
        "lists_createoradd" | "shopping_list_update" | "todo_list_update" | "reminder_update" => {
            &[CreateTodo, UpdateTodo, CompleteTodo, DeleteTodo]
        }
        "lists_query" | "todo_list" | "shopping_list" | "reminder" => &[QueryTodos],
        "lists_remove" => &[DeleteTodo, CompleteTodo],
        "alarm_set" | "alarm" | "timer" => &[CreateTodo, CreateEvent],
        "alarm_query" => &[QueryTodos, QueryEvents],
        "alarm_remove" => &[DeleteTodo, DeleteEvent],
        _ => return None,
    })
}

/// A tiny deterministic generator (SplitMix64), so no dependency and no global seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Generates the template sentences: each `label: pattern` line yields up to
/// `per_template` distinct sentences with its `{slot}`s filled from `@slot:` lists
/// (values separated by `|`, an empty value allowed). Same file, same sentences.
pub fn templates(path: &Path, per_template: usize) -> Result<Vec<Row>, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut slots: Vec<(String, Vec<String>)> = Vec::new();
    let mut patterns: Vec<(Label, String)> = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (head, body) = line.split_once(':').ok_or(format!("templates:{}: no ':'", n + 1))?;
        if let Some(name) = head.strip_prefix('@') {
            let values = body.split('|').map(|v| v.trim().to_string()).collect();
            slots.push((name.trim().to_string(), values));
        } else {
            let label = Label::from_name(head.trim()).ok_or(format!("templates:{}: label {head}", n + 1))?;
            patterns.push((label, body.trim().to_string()));
        }
    }
    let mut rows = Vec::new();
    for (i, (label, pattern)) in patterns.iter().enumerate() {
        let mut rng = Rng(0x5EED_0000 + i as u64);
        let mut seen: Vec<String> = Vec::new();
        for _ in 0..per_template * 3 {
            if seen.len() >= per_template {
                break;
            }
            let s = fill(pattern, &slots, &mut rng).map_err(|e| format!("template {pattern}: {e}"))?;
            if !seen.contains(&s) {
                seen.push(s);
            }
        }
        rows.extend(seen.into_iter().map(|text| Row {
            text,
            source: "template".into(),
            group: "template".into(),
            label: *label,
        }));
    }
    Ok(rows)
}

fn fill(pattern: &str, slots: &[(String, Vec<String>)], rng: &mut Rng) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').ok_or("unclosed {")? + open;
        let name = &rest[open + 1..close];
        let values =
            slots.iter().find(|(n, _)| n == name).map(|(_, v)| v).ok_or(format!("no slot {name}"))?;
        out.push_str(&values[rng.below(values.len())]);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    Ok(out.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// `(text, contract intent)` pairs of the project's everyday phrasing set, measured
/// only (never trained on).
pub fn load_everyday(path: &Path) -> Result<Vec<(String, String)>, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut rows = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
        let field = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        rows.push((field("text"), field("intent")));
    }
    Ok(rows)
}
