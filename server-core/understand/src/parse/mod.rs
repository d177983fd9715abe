//! Rule-based, deterministic English intent parser.
//!
//! The design goal is asymmetric: a wrongly guessed write or delete costs the user
//! far more than "I didn't catch that", so every write needs an explicit verb and a
//! recognisable object (a list, a reminder, an alarm, a calendar item, a file...),
//! while read-only intents (queries, search, briefing) may be inferred more freely.
//!
//! Matching runs on an ASCII-lowercased copy of the text. ASCII lowercasing never
//! changes byte lengths, so every offset found in the copy is valid in the original,
//! and titles are cut from the original to keep the user's own words and casing.

use std::ops::Range;
use std::sync::LazyLock;

use chrono::DateTime;
use chrono_tz::Tz;
use regex::Regex;
use serde_json::{Map, Value};

use crate::intent::Intent;
use crate::when::Lang;

mod at_time;
mod block;
mod build;
mod decide;
mod folders;
mod frames;
mod past;
mod repeat;
mod restate;
mod rules;
mod shift;
mod slots;
mod talk;
#[cfg(test)]
mod tests;
mod typed;

pub use at_time::AT_TIME;
pub use shift::{MOST_SHIFT_MINUTES, SHIFT_MINUTES};

/// What the parser makes of one utterance: the intent of its first (or only) request,
/// that request's params, how sure it is, and the plan's steps in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Parsed {
    pub intent: Intent,
    pub params: Map<String, Value>,
    /// 0.0 ..= 1.0; how sure the parser is that `intent` and `params` are right.
    pub confidence: f32,
    pub steps: Vec<Step>,
}

/// One step of a plan: a tool to call with its inputs, after the steps it depends on.
///
/// Ids are `"t1"`, `"t2"`, ... in plan order. An input may be exactly one placeholder
/// (`"{{t1.content}}"`) standing for an earlier step's output.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub id: String,
    pub intent: Intent,
    pub inputs: Map<String, Value>,
    pub depends_on: Vec<String>,
}

impl Parsed {
    /// The "I did not catch that" answer: conversation, no steps.
    pub fn chat(confidence: f32) -> Self {
        Parsed { intent: Intent::GeneralChat, params: Map::new(), confidence, steps: Vec::new() }
    }
}

impl Step {
    /// A step for `intent`, or none for plain conversation, which needs no tool.
    fn new(id: String, intent: Intent, inputs: Map<String, Value>) -> Option<Self> {
        intent.tool().map(|_| Step { id, intent, inputs, depends_on: Vec::new() })
    }
}

/// Parse one utterance into an intent, its params and the task plan, reading dates in
/// English.
pub fn parse(text: &str, now: DateTime<Tz>) -> Parsed {
    parse_in(text, now, Lang::ENGLISH)
}

/// The same, reading dates in `lang` too (the request's words stay English).
///
/// Parsed on the crate's one parsing thread, whichever thread calls; a parse that panics
/// gives the answer for a text nothing was understood in.
pub fn parse_in(text: &str, now: DateTime<Tz>, lang: Lang) -> Parsed {
    let text = text.to_owned();
    crate::worker::run(move || parse_here(&text, now, lang), || Parsed::chat(0.3))
}

fn parse_here(text: &str, now: DateTime<Tz>, lang: Lang) -> Parsed {
    let text = text.trim();
    if text.is_empty() || text.len() > 2000 {
        return Parsed::chat(0.0);
    }
    let text = typed::spelled_out(text);
    let text = text.as_ref();
    let low = text.to_ascii_lowercase();

    // Delegation keeps its own "and ..." ("research X and summarise them").
    if let Some(plan) = rules::delegate(text, &low).or_else(|| rules::opened_to_read(text, &low)) {
        return single(plan);
    }
    let segments = split_compound(&low);
    if segments.len() > 1 {
        return compound(text, &low, &segments, now, lang);
    }
    match segment(text, &low, now, lang) {
        Some(plan) => single(plan),
        None => Parsed::chat(0.3),
    }
}

/// What one clause asks for.
#[derive(Clone, Debug)]
struct Plan {
    intent: Intent,
    params: Map<String, Value>,
    confidence: f32,
}

impl Plan {
    fn new(intent: Intent, confidence: f32) -> Self {
        Plan { intent, params: Map::new(), confidence }
    }

    fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.params.insert(key.to_string(), value.into());
        self
    }

    fn with_opt(self, key: &str, value: Option<String>) -> Self {
        match value.filter(|v| !v.is_empty()) {
            Some(v) => self.with(key, v),
            None => self,
        }
    }
}

fn single(plan: Plan) -> Parsed {
    let steps = Step::new("t1".to_string(), plan.intent, plan.params.clone()).into_iter().collect();
    Parsed { intent: plan.intent, params: plan.params, confidence: plan.confidence, steps }
}

// ---------------------------------------------------------------------------
// Compound requests

static THEN_SPLIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\s*(?:,\s*)?\b(?:and then|and also|and afterwards|after that|then)\b\s*|\s*;\s*")
        .unwrap_or_else(|_| never())
});

static AND_VERB: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\s*,?\s*\band\s+(?:please\s+)?(?:read|open|launch|run|execute|save|store|create|add|remind|set|schedule|search|google|delete|remove|write|put|note|book|show|list|mark|cancel|look up)\b",
    )
    .unwrap_or_else(|_| never())
});

/// A regex that matches nothing; used only if a literal pattern failed to compile,
/// which the tests rule out.
pub(super) fn never() -> Regex {
    Regex::new(r"[^\s\S]").unwrap_or_else(|_| unreachable_regex())
}

#[allow(clippy::panic)]
fn unreachable_regex() -> Regex {
    // `[^\s\S]` is a valid pattern; reaching this would be a regex crate bug.
    panic!("regex engine rejected a constant pattern")
}

/// Byte ranges of the clauses of "X and then Y" / "X, then Y" / "X and save it".
fn split_compound(low: &str) -> Vec<Range<usize>> {
    let mut cuts: Vec<Range<usize>> = THEN_SPLIT.find_iter(low).map(|m| m.range()).collect();
    for m in AND_VERB.find_iter(low) {
        // Cut before "and", keep the verb in the next clause.
        let and_pos = low.get(m.range()).and_then(|s| s.find("and")).map(|p| m.start() + p);
        if let Some(p) = and_pos {
            // "go ahead and delete it", "try and add": one request, not two.
            let before = low.get(..p).unwrap_or("").trim_end();
            let light = ["go ahead", "try", "be sure", "come", "please", "so", "find", "locate"]
                .iter()
                .any(|w| before.ends_with(w));
            if !light && !cuts.iter().any(|c| c.contains(&p)) {
                cuts.push(m.start()..p + 3);
            }
        }
    }
    cuts.sort_by_key(|c| c.start);
    let mut out = Vec::new();
    let mut start = 0;
    for c in cuts {
        if c.start > start {
            out.push(start..c.start);
        }
        start = start.max(c.end);
    }
    if start < low.len() {
        out.push(start..low.len());
    }
    out.retain(|r| low.get(r.clone()).is_some_and(|s| !s.trim().is_empty()));
    out
}

/// A clause about a todo list: a write of a named item, or reading a list.
fn names_list(p: &Plan) -> bool {
    match p.intent {
        Intent::CreateTodo | Intent::DeleteTodo | Intent::CompleteTodo => p.params.contains_key("title"),
        Intent::QueryTodos => !p.params.contains_key("query"),
        _ => false,
    }
}

/// "put papayas on it" -> "put papayas": drop a trailing pronoun place.
fn strip_it(s: &str) -> &str {
    let s = s.trim_end_matches(['.', '!', '?', ' ', ',']);
    for tail in [" on it", " to it", " from it", " off it", " too", " as well", ", please", " please"] {
        if let Some(x) = s.strip_suffix(tail) {
            return x;
        }
    }
    s
}

static PRONOUN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:it|that|this|them|those|these|the (?:result|results|output|contents?|file|text|summary))$",
    )
    .unwrap_or_else(|_| never())
});

fn compound(text: &str, low: &str, segments: &[Range<usize>], now: DateTime<Tz>, lang: Lang) -> Parsed {
    let mut clauses = Vec::new();
    for r in segments {
        let (Some(t), Some(l)) = (text.get(r.clone()), low.get(r.clone())) else {
            return Parsed::chat(0.3);
        };
        clauses.push((t, l, read(t, l, now, lang, false).filter(|p| p.intent != Intent::GeneralChat)));
    }
    // "add corn to my shopping list and remove wine", "remove wine and add beer to
    // my shopping list", "open my list and delete eggs": a clause that names no
    // list refers to the list a neighbouring clause names.
    let first_pass: Vec<Option<Plan>> = clauses.iter().map(|c| c.2.clone()).collect();
    let mut plans = Vec::new();
    for (idx, (t, l, plan)) in clauses.iter().enumerate() {
        let mut plan = plan.clone();
        if plan.is_none() {
            let before = idx.checked_sub(1).and_then(|i| first_pass.get(i)).and_then(Option::as_ref);
            let after = first_pass.get(idx + 1).and_then(Option::as_ref);
            let neighbour = before.filter(|p| names_list(p)).or_else(|| after.filter(|p| names_list(p)));
            if let Some(list_plan) = neighbour {
                let tt = format!("{} on the list", strip_it(t));
                let ll = format!("{} on the list", strip_it(l));
                plan = read(&tt, &ll, now, lang, false).filter(|p| {
                    matches!(p.intent, Intent::CreateTodo | Intent::DeleteTodo | Intent::CompleteTodo)
                        && p.params.contains_key("title")
                });
                if let Some(p) = plan.as_mut() {
                    if let Some(tags) = list_plan.params.get("tags") {
                        p.params.insert("tags".to_string(), tags.clone());
                    }
                }
            }
        }
        if plan.is_none() {
            plan = segment(t, l, now, lang).filter(|p| p.intent != Intent::GeneralChat);
        }
        // Every clause must be understood; a half-understood request is not acted on.
        match plan {
            Some(p) => plans.push(p),
            None => return Parsed::chat(0.3),
        }
    }
    // "open my shopping list and add eggs": showing the list first adds nothing.
    let writes_list = plans
        .iter()
        .any(|p| matches!(p.intent, Intent::CreateTodo | Intent::DeleteTodo | Intent::CompleteTodo));
    if writes_list && plans.len() > 1 {
        plans.retain(|p| p.intent != Intent::QueryTodos);
        if plans.len() == 1 {
            if let Some(p) = plans.pop() {
                return single(p);
            }
        }
    }
    let mut tasks = Vec::new();
    let mut confidence: f32 = 1.0;
    for (idx, plan) in plans.iter().enumerate() {
        let id = format!("t{}", idx + 1);
        let mut inputs = plan.params.clone();
        let mut depends = Vec::new();
        if idx > 0 {
            let prev = format!("t{idx}");
            // A title of "it" is named after the earlier step's file, or left to
            // the engine; only content-like inputs take the earlier output.
            let title_is_pronoun = inputs
                .get("title")
                .and_then(Value::as_str)
                .is_some_and(|s| PRONOUN.is_match(s.trim().to_ascii_lowercase().as_str()));
            if title_is_pronoun {
                let file_name = plans
                    .get(idx - 1)
                    .and_then(|p| p.params.get("path"))
                    .and_then(Value::as_str)
                    .and_then(|p| p.rsplit('/').next())
                    .map(str::to_string);
                match file_name {
                    Some(name) => {
                        inputs.insert("title".to_string(), Value::String(name));
                    }
                    None => {
                        inputs.remove("title");
                    }
                }
            }
            for value in inputs.values_mut() {
                let refers =
                    value.as_str().is_some_and(|s| PRONOUN.is_match(s.trim().to_ascii_lowercase().as_str()));
                if refers {
                    *value = Value::String(format!("{{{{{prev}.content}}}}"));
                    if !depends.contains(&prev) {
                        depends.push(prev.clone());
                    }
                }
            }
        }
        confidence = confidence.min(plan.confidence);
        if let Some(mut step) = Step::new(id, plan.intent, inputs) {
            step.depends_on = depends;
            tasks.push(step);
        }
    }
    let first = plans.first().cloned().unwrap_or_else(|| Plan::new(Intent::GeneralChat, 0.3));
    Parsed {
        intent: first.intent,
        params: first.params,
        confidence: ((confidence * 0.95 * 100.0).round() / 100.0).clamp(0.0, 1.0),
        steps: tasks,
    }
}

// ---------------------------------------------------------------------------
// One clause

static LEAD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:(?:hey|ok|okay|hi)\s+)?(?:olly|siri|alexa|assistant|clawchat|claw)\b[\s,]*|^(?:hey|ok|okay|hi)\s+google\b[\s,]*|^google,\s*|^(?:please|pls|kindly|just|so|ok|okay|now|hey|also|yes|and|actually|basically|right|wait|oops|sorry|never ?mind|scratch that)\b[\s,]*|^(?:can|could|would|will)\s+(?:you|u)(?:\s+please)?\s+|^i\s+(?:want|need|would like|'d like|wish)\s+(?:for\s+)?(?:you\s+)?to\s+(?:please\s+)?(?:go ahead and\s+)?|^i'd\s+like\s+(?:you\s+)?to\s+|^(?:go ahead and|let's|lets|help me|i need you to|make sure to|make sure you|be sure to|see if you can|would you be able to|could you be able to|are you able to|is it possible to|i was wondering if you could)\s+|^(?:find|locate|look up|search) and\s+",
    )
    .unwrap_or_else(|_| never())
});

/// "can we move my 1:1 to thursday", "shall we push the standup back": a change asked
/// of the calendar as a suggestion is the command. The verb itself is left in place.
static ASKED_TOGETHER: LazyLock<Regex> = LazyLock::new(|| {
    rules::rx(
        r"^(?P<lead>(?:can|could|shall)\s+we\s+(?:please\s+)?)(?:move|reschedule|push|pull|bring|shift|bump|postpone|change|cancel|call off|delete|remove|add|put|schedule|book|set up|block|make (?:the|my|our|it|that|this))\b",
    )
});

/// Strip wake words and politeness so the main verb comes first. Returns the
/// byte offset where the request proper starts.
pub(super) fn lead_len(low: &str) -> usize {
    let mut at = 0;
    for _ in 0..6 {
        let rest = low.get(at..).unwrap_or("");
        let skip = LEAD
            .find(rest)
            .filter(|m| {
                let after = rest.get(m.end()..).unwrap_or("");
                !own_need(m.as_str(), after) && !gives_up(m.as_str(), after)
            })
            .map(|m| m.end())
            .or_else(|| EMPHATIC_DO.captures(rest).and_then(|c| c.name("lead")).map(|m| m.end()))
            .or_else(|| ASKED_TOGETHER.captures(rest).and_then(|c| c.name("lead")).map(|m| m.end()));
        match skip {
            Some(n) if n > 0 => at += n,
            _ => break,
        }
    }
    at
}

/// "I need to set the table" tells of the user's own task, which keeps its verb; "I need
/// to add milk to my list" asks the assistant, like "I want to ..." and "I need you to ...".
fn own_need(lead: &str, rest: &str) -> bool {
    static NEED: LazyLock<Regex> = LazyLock::new(|| rules::rx(r"^i\s+need\s+to\s+$"));
    static ASKS: LazyLock<Regex> = LazyLock::new(|| {
        rules::rx(
            r"^(?:add|put|create|schedule|remind|show|tell|find|delete|remove|cancel|mark|change|move|update|rename|reschedule|list|see|hear|note|write down|jot down|look up|search|check (?:off|my|what|if|whether)|set (?:a|an|up|my)|make (?:a|an) (?:note|reminder|task|todo|to-do|event|appointment|entry))\b",
        )
    });
    NEED.is_match(lead) && !ASKS.is_match(rest)
}

/// "never mind the haircut" gives the haircut up, which is the request; "never mind, add
/// eggs" only steers the talk.
fn gives_up(lead: &str, rest: &str) -> bool {
    static NEVER_MIND: LazyLock<Regex> = LazyLock::new(|| rules::rx(r"^never ?mind\s+$"));
    static THING: LazyLock<Regex> = LazyLock::new(|| rules::rx(r"^(?:about|the|my|our)\b"));
    NEVER_MIND.is_match(lead) && THING.is_match(rest)
}

/// "do remove the next event": an emphatic "do" before a command verb is not a
/// question. The verb itself is left in place.
static EMPHATIC_DO: LazyLock<Regex> = LazyLock::new(|| {
    rules::rx(
        r"^(?P<lead>do\s+(?:please\s+)?)(?:remove|delete|add|put|set|cancel|clear|create|schedule|book|erase|make)\b",
    )
});

fn segment(text: &str, low: &str, now: DateTime<Tz>, lang: Lang) -> Option<Plan> {
    read(text, low, now, lang, true).filter(|p| {
        let content = p.params.get("content").and_then(Value::as_str).unwrap_or("");
        !(p.intent == Intent::CreateMemo && rules::pointed_note(content))
    })
}

/// One clause: the overrides, the organiser rules, and (with `slot_first`) the
/// classifier reading of what the rules did not understand; a question of the past read
/// as one ([`past`]).
fn read(text: &str, low: &str, now: DateTime<Tz>, lang: Lang, slot_first: bool) -> Option<Plan> {
    let lead = lead_len(low.trim());
    understood(text, low, now, lang, slot_first)
        .filter(|p| !talk::told_of_the_past(p, low.trim().get(lead..).unwrap_or(""), now))
        .map(|p| past::asked_of_past(p, low.trim(), now))
        .map(|p| decide::briefing_of_another_day(p, text, low, now, lang))
}

fn understood(text: &str, low: &str, now: DateTime<Tz>, lang: Lang, slot_first: bool) -> Option<Plan> {
    let text = text.trim();
    let low = low.trim();
    let asked = text.ends_with('?');
    let lead = lead_len(low);
    let (t, l) = (text.get(lead..)?, low.get(lead..)?);
    let t = t.trim_end_matches(['.', '!', '?', ' ']);
    let l = l.get(..t.len())?;
    if l.is_empty() {
        return None;
    }
    if talk::asks_nothing(l) {
        return None;
    }
    if let Some((t2, l2)) = restate::restated_clause(t, l, now, lang) {
        return read(&t2, &l2, now, lang, slot_first);
    }
    if let Some(plan) = rules::overrides(t, l, now) {
        return Some(plan);
    }
    let rule = rules::organiser(t, l, now, asked)
        .filter(|p| {
            !matches!(p.intent, Intent::CreateTodo | Intent::CreateEvent) || !decide::nothing_to_make(l)
        })
        .map(|p| decide::recast(p, t, l, now, lang));
    // A rule that knows the words ask for nothing it can do ("make the call an hour
    // long") has the last say: conversation.
    if let Some(plan) = rule.as_ref().filter(|p| p.intent == Intent::GeneralChat) {
        return Some(plan.clone());
    }
    if let Some(plan) = rule.clone().and_then(|p| decide::checked(p, low, l)) {
        if slot_first {
            // Said with a question mark ("meeting at 4?"), nothing is made of it.
            let other =
                decide::overrule(&plan, low, t, l, now, lang).filter(|p| !(asked && p.intent.adds_item()));
            if let Some(other) = other {
                return Some(other);
            }
        }
        return Some(decide::polish(plan, t, l, now, lang));
    }
    // Said with a question mark, nothing is made of it ("the dentist is at 3?").
    slot_first
        .then(|| decide::clause(low, t, l, now, lang, rule))
        .flatten()
        .filter(|p| !(asked && p.intent.adds_item()))
}
