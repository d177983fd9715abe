//! The hand-written rules: high-precision overrides for what the classifier has no
//! labels for (host tools, searches, memos, delegation), and the organiser rules that
//! extract params once the classifier has decided what is asked.

use std::ops::Range;
use std::sync::LazyLock;

use chrono::{DateTime, SecondsFormat};
use chrono_tz::Tz;
use regex::Regex;
use serde_json::Value;

use super::{Plan, lead_len, never};
use crate::intent::Intent;
use crate::when::{self, Found, Grain};

// ---------------------------------------------------------------------------
// Helpers shared by the rules

pub(super) fn rx(p: &str) -> Regex {
    Regex::new(p).unwrap_or_else(|e| bad_pattern(&e))
}

/// A constant pattern the regex crate refused (a name given to two groups, say): the
/// crate's tests fail on it; a build in use matches nothing rather than stop.
#[allow(clippy::panic)]
fn bad_pattern(e: &regex::Error) -> Regex {
    if cfg!(test) {
        panic!("a constant pattern does not compile: {e}");
    }
    never()
}

/// Starts like a question or a request to be told something.
static QUESTION: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:what|what's|whats|when|when's|where|which|who|how|is|are|am|do|does|did|have (?:i|you|we)|has|will|was|were|any|anything|tell me|show|list|read|check|review|view|display|see|give me|go over|go through|let me (?:see|know|hear)|i (?:want|need|would like|'d like) to (?:see|know|hear|check|review)|i need to know|can i see|could i see|repeat|describe|recite|open my|pull up|bring up|look at|search|find|confirm|how's|how is|should i|did you|at what|provide|hear|walk me through|speak|iterate|recite|go through|look to see|look if|i (?:want|need|would like|'d like) to (?:hear|go over)|please tell|tell my|what are|let me hear|i had)\b|\b(?:is|are) what$|\?$",
    )
});

/// A sentence that tells rather than asks: a subject and a verb in the past, or the
/// present of being, having and going.
/// "I should book a checkup", "we need to plan the party": the user's own task, never
/// a question about the calendar.
static OWN_NEED: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:i|we)(?: really| still| also| probably| definitely)? (?:need|have|must|should|ought|gotta|got|'ve got|'d better|'ll have)\b",
    )
});

static STATEMENT: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:i|we|he|she|they|it)(?:'ve| have| had|'d)?(?: just| already| finally| now)? (?:\w+ed|paid|bought|sent|made|wrote|got|took|gave|sold|brought|went|ran|found|fed|rang|met|told|put|read|cut|did|saw|spoke|left|forgot|heard|was|were|had|came|began|overran)|(?:just|finally|already) \w+ed|(?:my|our|the|his|her|their|that|this) [\w' -]+? (?:is|are|was|were|went|has|have|had|got|said|says|looks|looked|seems|seemed|ran|overran|ended|finished|lasted|dragged|began|started|got cancelled)) ",
    )
});

pub(super) fn is_question(l: &str) -> bool {
    QUESTION.is_match(l)
}

/// A clause that asks for something new to be kept: a reminder or a task whose own
/// words may remove or cancel ("set a reminder to remove the stickers", "remind me to
/// cancel the trial"). What such a clause says is the new item's content, never a
/// command to delete.
static NEW_ITEM: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:remind (?:me|us)\b|(?:set|add|create|make|put in|give me|schedule|i need|i want|i'd like)(?: up)?(?: me)? (?:a|an|another|one more|one|new) (?:new |quick )?(?:reminder|task|todo|to-do|to do)\b|(?:don'?t|do not) (?:let me )?forget\b|remember to\b)",
    )
});

pub(super) fn asks_for_new_item(l: &str) -> bool {
    NEW_ITEM.is_match(l)
}

/// The value of a found date for a given param: a bare date for day-or-coarser
/// values (a day-level due date), a full RFC 3339 instant otherwise.
pub(super) fn date_value(f: &Found, at: &DateTime<Tz>) -> String {
    if f.grain >= Grain::Day && at.format("%H:%M:%S").to_string() == "00:00:00" {
        at.format("%Y-%m-%d").to_string()
    } else {
        at.to_rfc3339_opts(SecondsFormat::Secs, false)
    }
}

pub(super) fn rfc(at: &DateTime<Tz>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// The span a found value names, as the `start_time` and `end_time` of a calendar read
/// or clear: the period the phrase names where it names one ("this evening" is 18:00 to
/// midnight, "before 11am" runs from now, "after 2pm" to the end of that day), else the
/// value to the end of its day, week, month or year ("tomorrow", "next week").
pub(super) fn with_span(plan: Plan, f: &Found, now: DateTime<Tz>) -> Plan {
    let (from, to) = match f.period {
        Some(p) => {
            let to =
                p.to.or_else(|| p.from.filter(|_| f.grain <= Grain::Hour).and_then(|from| next_day(&from)));
            let mut from = p.from.unwrap_or(now);
            if let Some(to) = to.filter(|t| *t <= from) {
                // "before 9am" asked at noon: that morning.
                from = to
                    .date_naive()
                    .and_time(chrono::NaiveTime::MIN)
                    .and_local_timezone(to.timezone())
                    .earliest()
                    .unwrap_or(to);
            }
            (from, to)
        }
        None => (f.start, period_end(f)),
    };
    let plan = plan.with("start_time", rfc(&from));
    match to {
        Some(to) => plan.with("end_time", rfc(&to)),
        None => plan,
    }
}

/// The start of the day after `at`'s.
fn next_day(at: &DateTime<Tz>) -> Option<DateTime<Tz>> {
    when::localize(at.timezone(), at.date_naive().succ_opt()?.and_time(chrono::NaiveTime::MIN))
}

/// End of the period a found value denotes, for query ranges.
pub(super) fn period_end(f: &Found) -> Option<DateTime<Tz>> {
    if let Some(e) = f.end {
        return Some(e);
    }
    let tz = f.start.timezone();
    let d = f.start.date_naive();
    let next = match f.grain {
        Grain::Day => d.succ_opt()?,
        Grain::Week => d + chrono::Duration::weeks(1),
        Grain::Month => d.checked_add_months(chrono::Months::new(1))?,
        Grain::Quarter => d.checked_add_months(chrono::Months::new(3))?,
        Grain::Year => d.checked_add_months(chrono::Months::new(12))?,
        _ => return None,
    };
    when::localize(tz, next.and_time(chrono::NaiveTime::MIN))
}

/// `l` with the phrases `cut` blanked out by spaces: every other word stays where it was
/// said, so offsets into `l` hold in it.
pub(super) fn blanked(l: &str, cut: &[Range<usize>]) -> String {
    let mut out = l.to_string();
    for c in cut.iter().filter(|c| l.get((*c).clone()).is_some()) {
        out.replace_range(c.clone(), &" ".repeat(c.len()));
    }
    out
}

/// Whether what was found is still to come: a time after now, or a day (week, month)
/// not yet over ("send it by end of day" said at noon).
pub(super) fn still_ahead(f: &Found, now: DateTime<Tz>) -> bool {
    f.start > now || f.grain >= Grain::Day && period_end(f).is_some_and(|end| end > now)
}

/// How late a todo may be due to count for the period a question names: the last day
/// of a day, week or month ("what's due this week" is due by Sunday; the tool reads a
/// bare date as the whole day), else the end of the span.
/// When a todo said for a time is due: that time, or for a week, month or year already
/// under way ("renew the insurance this month") its last day, never a day gone by.
pub(super) fn due_on(f: &Found, now: DateTime<Tz>) -> String {
    if f.grain >= Grain::Week && f.start < now { due_by(f) } else { date_value(f, &f.start) }
}

pub(super) fn due_by(f: &Found) -> String {
    match period_end(f) {
        Some(end) if f.grain >= Grain::Day => {
            let last = end.date_naive().pred_opt().unwrap_or(end.date_naive()).max(f.start.date_naive());
            last.format("%Y-%m-%d").to_string()
        }
        Some(end) => rfc(&end),
        None => date_value(f, &f.start),
    }
}

/// A title that only points at an item ("it", "that", "everything") or at many ("all of
/// today's tasks", "every reminder"): no one item to look up.
pub(super) fn only_pointed(title: &str) -> bool {
    let low = title.to_ascii_lowercase();
    matches!(low.as_str(), "it" | "that" | "this" | "them" | "everything" | "all")
        || ["all ", "every ", "everything "].iter().any(|w| low.starts_with(w))
}

/// Find dates in a clause: the resolved value and the spans to cut from titles.
fn dates(t: &str, now: DateTime<Tz>) -> Option<(Found, Vec<Range<usize>>)> {
    super::slots::dates(t, now, when::Lang::ENGLISH)
}

static EDGE_JUNK: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:a|an|the|my|our|some|new|another|that|to|for|about|of|on|at|in|by|from|called|named|titled|labelled|labeled|saying|that says|me|please|,|:|-)\s+)+|(?:\s+(?:on|at|in|for|by|before|after|from|to|until|till|due|of|the|and|please|for me|thanks|thank you|now|instead|then|sometime|some time|at some point|whenever|when i (?:can|get (?:a |the )?(?:chance|minute|moment))|'\s*time|\x{2019}\s*time|(?:is|are|was|were|will be)(?: (?:booked|scheduled|set|planned|happening|coming))?|,|:|-))+$",
    )
});

/// Clean a title cut out of the user's words: drop date phrases, edge filler,
/// and surrounding quotes, but keep everything else verbatim.
pub(super) fn tidy(t: &str, range: Range<usize>, cut: &[Range<usize>]) -> Option<String> {
    let mut s = String::new();
    let mut pos = range.start;
    let mut spans: Vec<&Range<usize>> =
        cut.iter().filter(|c| c.start < range.end && c.end > range.start).collect();
    spans.sort_by_key(|c| c.start);
    for c in spans {
        if c.start > pos {
            s.push_str(t.get(pos..c.start.min(range.end))?);
            s.push(' ');
        }
        pos = pos.max(c.end);
    }
    if pos < range.end {
        s.push_str(t.get(pos..range.end)?);
    }
    // Direction marks and zero-width characters steer how a text is shown, not what it
    // says: a title keeps none of them (a stray override would flip the rest of a list).
    s.retain(|c| !matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}'));
    let mut s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    for _ in 0..4 {
        let low = s.to_ascii_lowercase();
        let (a, b) = match EDGE_JUNK.find(&low) {
            // A capitalised lead word is part of a name ("The 5th Wave"), not filler.
            Some(m) if m.start() == 0 && m.end() > 0 && !s.chars().next().is_some_and(char::is_uppercase) => {
                (m.end(), low.len())
            }
            Some(m) if m.end() == low.len() && m.start() > 0 => (0, m.start()),
            _ => break,
        };
        s = s.get(a..b).unwrap_or("").trim().to_string();
    }
    let s = s.trim_matches(|c: char| matches!(c, '"' | '\'' | '“' | '”' | ',' | '.' | ':' | ' ')).to_string();
    (!s.is_empty()).then_some(s)
}

fn cap(c: &regex::Captures<'_>, name: &str) -> Option<Range<usize>> {
    c.name(name).map(|m| m.range())
}

/// What no classifier label covers, each rule precise enough to win outright: host
/// tools, searches, the briefing's own phrasings, memos, and calendar items named by
/// their time ("cancel my 3 o'clock").
pub(super) fn overrides(t: &str, l: &str, now: DateTime<Tz>) -> Option<Plan> {
    super::folders::folder_tool(t, l)
        .or_else(|| host_tool(t, l))
        .or_else(|| web_search(t, l))
        .or_else(|| local_search(t, l))
        .or_else(|| briefing(l))
        .or_else(|| memo(t, l))
        .or_else(|| super::at_time::event_at_time(t, l, now))
        .or_else(|| due_told(t, l, now))
}

/// The organiser rules: once the classifier has said what is asked, the params they
/// find (a timer's length, "my next meeting", a list item, a range to look at).
/// `asked`: the clause was said with a question mark (which `t` and `l` no longer have).
pub(super) fn organiser(t: &str, l: &str, now: DateTime<Tz>, asked: bool) -> Option<Plan> {
    super::shift::shift(t, l, now)
        .or_else(|| todo_edit(t, l))
        .or_else(|| todo_add(t, l, now))
        .or_else(|| timer(t, l, now))
        .or_else(|| alarm(t, l, now))
        .or_else(|| reminder(t, l, now))
        .or_else(|| list(t, l, now))
        .or_else(|| ran_out(t, l))
        .or_else(|| notification(t, l, now))
        .or_else(|| mark_day(t, l, now))
        .or_else(|| super::block::block_time(t, l, now))
        .or_else(|| event(t, l, now, asked))
        .or_else(|| super::block::ranged(t, l, now, asked))
        .or_else(|| nudge(t, l, now))
        .or_else(|| agenda_question(l, now))
}

// ---------------------------------------------------------------------------
// Host tools

static PATH: &str = r#"(?P<path>(?:~|\.{1,2})?/[^\s"']+|[\w.-]+/[^\s"']+|[\w-]+\.(?:txt|md|markdown|json|csv|log|yaml|yml|toml|py|rs|js|ts|html|css|sh|conf|cfg|ini|xml|pdf|doc|docx|org|rst|sql|env))"#;

/// The folder a file is said to be in: "notes.txt on my desktop".
static PLACE: &str = r"(?:\s+(?:on|in|from|to|into) (?:my |the )?(?P<place>desktop|documents|downloads|home)(?: folder| directory)?)?";

static FILE_READ: LazyLock<Regex> = LazyLock::new(|| {
    rx(&format!(
        r"^(?:read|show|cat|open|display|print|view|load|get)(?: me)?(?: out)?(?: the)?(?: contents? of| text of)?(?: the)?(?: file| document)?\s+{PATH}{PLACE}$"
    ))
});

static FILE_CREATE: LazyLock<Regex> = LazyLock::new(|| {
    rx(&format!(
        r"^(?:create|make|write|save|new)(?: a)?(?: new)?(?: text)? file(?: called| named)?\s+{PATH}{PLACE}(?:\s+(?:with|containing|saying|that says|with the text|with content)\s*:?\s+(?P<content>.+))?$"
    ))
});

/// The path as said, in the folder named beside it ("~/Desktop/notes.txt").
fn placed(path: &str, c: &regex::Captures<'_>) -> String {
    let folder = match c.name("place").map(|p| p.as_str()) {
        Some("desktop") => "~/Desktop/",
        Some("documents") => "~/Documents/",
        Some("downloads") => "~/Downloads/",
        Some("home") => "~/",
        _ => return path.to_string(),
    };
    if path.contains('/') { path.to_string() } else { format!("{folder}{path}") }
}

static FILE_WRITE: LazyLock<Regex> = LazyLock::new(|| {
    rx(&format!(
        r"^(?:write|save|put)\s+(?P<content>.+?)\s+(?:to|into|in)(?: a)?(?: new)?(?: the)?(?: file)?\s+{PATH}$"
    ))
});

static SHELL: LazyLock<Regex> = LazyLock::new(|| {
    rx(r"^(?:run|execute|exec)(?: the)?(?: shell| terminal)?(?: command)?\s*:?\s+(?P<cmd>.+)$")
});

/// Whether `cmd_low` opens with a command line's program ("git status", "`make`").
pub(super) fn is_shell_command(cmd_low: &str) -> bool {
    SHELL_CMD.is_match(cmd_low)
}

static SHELL_CMD: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:`[^`]+`|(?:ls|cat|git|npm|npx|yarn|pnpm|cargo|rustc|python|python3|pip|pip3|node|echo|mkdir|rmdir|rm|cp|mv|pwd|df|du|ps|top|htop|grep|find|curl|wget|make|docker|kubectl|ssh|scp|tar|zip|unzip|chmod|chown|touch|head|tail|less|wc|sort|uniq|whoami|uptime|date|uname|ping|brew|apt|apt-get|systemctl|journalctl|go|java|ffmpeg|sed|awk|which|env|export|kill|free|ifconfig|ip|netstat|lsof|tree|bash|sh|zsh)\b|\./)",
    )
});

static OPEN_APP: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:open|launch|start|fire up|bring up|run)(?: up)?(?: the| my)?\s+(?P<app>[\w .+-]+?)(?P<suffix> app| application| program)?$",
    )
});

/// Desktop applications the host client can be expected to know by name. Anything
/// else needs the word "app" ("open the Foo app").
const KNOWN_APPS: &[&str] = &[
    "firefox",
    "chrome",
    "google chrome",
    "chromium",
    "safari",
    "edge",
    "brave",
    "opera",
    "terminal",
    "iterm",
    "iterm2",
    "konsole",
    "vscode",
    "vs code",
    "visual studio code",
    "code",
    "slack",
    "discord",
    "spotify",
    "zoom",
    "teams",
    "microsoft teams",
    "outlook",
    "thunderbird",
    "finder",
    "calculator",
    "notepad",
    "textedit",
    "word",
    "excel",
    "powerpoint",
    "obsidian",
    "gimp",
    "vlc",
    "steam",
    "telegram",
    "whatsapp",
    "signal",
    "libreoffice",
    "settings",
    "system settings",
    "system preferences",
    "file manager",
    "files",
    "nautilus",
    "explorer",
    "file explorer",
    "intellij",
    "pycharm",
    "xcode",
    "android studio",
    "postman",
    "figma",
    "notion",
    "evernote",
    "blender",
    "inkscape",
    "audacity",
    "keynote",
    "pages",
    "numbers",
    "mail",
    "photos",
    "preview",
    "activity monitor",
    "task manager",
    "sublime",
    "sublime text",
    "vim",
    "emacs",
    "kate",
    "gedit",
    "okular",
    "evince",
    "skype",
    "dropbox",
    "1password",
    "bitwarden",
    "clawchat",
];

/// "open ~/notes/plan.md and read it to me": a file opened to be read is read, one
/// request however its "and" reads.
pub(super) fn opened_to_read(t: &str, l: &str) -> Option<Plan> {
    static OPEN_TO_READ: LazyLock<Regex> = LazyLock::new(|| {
        rx(&format!(
            r"^(?:please )?open(?: up)? {PATH}{PLACE} and (?:read|show)(?: me)? (?:it|its contents|what it says)(?: to me| out(?: loud)?| aloud)?[.!]?$"
        ))
    });
    let c = OPEN_TO_READ.captures(l)?;
    let path = placed(t.get(cap(&c, "path")?)?, &c);
    Some(Plan::new(Intent::FileRead, 0.9).with("path", path))
}

fn host_tool(t: &str, l: &str) -> Option<Plan> {
    if let Some(c) = FILE_READ.captures(l) {
        let path = placed(t.get(cap(&c, "path")?)?, &c);
        return Some(Plan::new(Intent::FileRead, 0.9).with("path", path));
    }
    if let Some(c) = FILE_CREATE.captures(l) {
        let path = placed(t.get(cap(&c, "path")?)?, &c);
        let plan = Plan::new(Intent::FileCreate, 0.9).with("path", path);
        let content = cap(&c, "content").and_then(|r| t.get(r)).map(str::to_string);
        return Some(plan.with("content", content.unwrap_or_default()));
    }
    if let Some(c) = FILE_WRITE.captures(l) {
        let path = t.get(cap(&c, "path")?)?;
        let content = t.get(cap(&c, "content")?)?;
        return Some(Plan::new(Intent::FileCreate, 0.85).with("path", path).with("content", content));
    }
    if let Some(c) = SHELL.captures(l) {
        let r = cap(&c, "cmd")?;
        let cmd_low = l.get(r.clone())?;
        if is_shell_command(cmd_low) {
            let cmd = t.get(r)?.trim().trim_matches('`').to_string();
            return Some(Plan::new(Intent::ExecutorShell, 0.85).with("command", cmd));
        }
    }
    if let Some(c) = OPEN_APP.captures(l) {
        let r = cap(&c, "app")?;
        let name = l.get(r.clone())?.trim();
        let explicit = c.name("suffix").is_some();
        let known = KNOWN_APPS.contains(&name);
        let words = name.split_whitespace().count();
        if known || (explicit && words <= 3 && !is_domain_word(name)) {
            let app = t.get(r)?.trim();
            return Some(Plan::new(Intent::OpenApp, if known { 0.9 } else { 0.75 }).with("target", app));
        }
    }
    None
}

fn is_domain_word(name: &str) -> bool {
    name.split_whitespace().any(|w| {
        matches!(
            w,
            "calendar"
                | "list"
                | "lists"
                | "todo"
                | "todos"
                | "reminders"
                | "alarm"
                | "alarms"
                | "timer"
                | "notes"
                | "memos"
                | "email"
                | "emails"
        )
    })
}

// ---------------------------------------------------------------------------
// Search and briefing

static WEB_SEARCH: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:search|look|check)(?: up)?(?: on)? (?:the )?(?:web|internet|online|google|net)(?: for)?|google|bing|duckduckgo|search online for|web search(?: for)?|search the web for|look up online|find (?:me )?(?:on|online|on the web|on the internet))\s+(?P<q>.+)$|^(?:look up|search for|search)\s+(?P<q2>.+?)\s+(?:online|on the web|on the internet|on google)$|^(?:look up|search for)\s+(?P<q3>.+)$",
    )
});

fn web_search(t: &str, l: &str) -> Option<Plan> {
    let c = WEB_SEARCH.captures(l)?;
    let r = cap(&c, "q").or_else(|| cap(&c, "q2")).or_else(|| cap(&c, "q3"))?;
    let q = l.get(r.clone())?;
    // "search my notes for X" is a local search, handled elsewhere.
    let personal = q.starts_with("my ") || q.contains(" my ");
    if LOCAL_SEARCH.is_match(l) || personal {
        return None;
    }
    let query = tidy(t, r, &[])?;
    let conf = if c.name("q3").is_some() { 0.7 } else { 0.9 };
    Some(Plan::new(Intent::WebSearch, conf).with("query", query))
}

static LOCAL_SEARCH: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:find|search|look (?:through|in)|search through|look for|dig up)(?: for)?(?: all)?(?: of)? (?:my|the) (?:notes?|memos?|todos?|tasks?|events?|messages?|chats?|conversations?|stuff|things|files?|reminders?)(?: and (?:notes?|memos?|todos?|tasks?|events?))?\s*(?:about|on|for|mentioning|regarding|with|that mention|related to|containing|called|named|titled)\s+(?P<q>.+)$|^(?:search|look through) my (?:notes?|memos?|todos?|tasks?|events?|messages?|stuff)(?: for)?\s+(?P<q2>.+)$|^search (?:for )?(?P<q3>.+?) in my (?:notes?|memos?|todos?|tasks?|events?|messages?|stuff)$|^(?:find|search|search through|look through|look for|dig up)(?: for)? (?:everything|anything|all(?: my stuff)?|my stuff)(?: (?:i have|i've got|we have|i saved|saved|stored))?\s*(?:about|on|for|mentioning|regarding|related to|to do with|with|that mentions?)?\s+(?P<q4>.+)$",
    )
});

fn local_search(t: &str, l: &str) -> Option<Plan> {
    let c = LOCAL_SEARCH.captures(l)?;
    let r = cap(&c, "q").or_else(|| cap(&c, "q2")).or_else(|| cap(&c, "q3")).or_else(|| cap(&c, "q4"))?;
    let query = tidy(t, r, &[])?;
    Some(Plan::new(Intent::Search, 0.85).with("query", query))
}

static BRIEFING: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:give|read|show|send|get)(?: me)? (?:my |the |a |today's )?(?:daily |morning |evening )?(?:briefing|brief|summary|rundown|overview|digest)(?: for today| of (?:the|my) day)?|brief me|(?:daily|morning) (?:briefing|brief|summary)|briefing|my (?:daily )?briefing|what's on(?: for)? today|whats on(?: for)? today|what is on(?: for)? today|what's (?:up|happening|going on) today|what does (?:my|the) day look like(?: today)?|how does (?:my|the) day look(?: today)?|what's my day (?:like|look like)|how(?:'s| is) my day (?:looking|shaping up)|what (?:do i have|have i got|have i) (?:on |going on |planned )?today|what(?:'s| is) on my plate(?: (?:for )?today)?|(?:summari[sz]e|summary of) (?:my|the) day|catch me up|what's (?:on )?my agenda(?: for)? today|plan (?:for|of) (?:the|my) day|(?:tell|talk) me (?:about|through) (?:my|the) day(?: today| ahead)?|walk me through (?:my|the) day(?: today| ahead)?|(?:what|anything) (?:do|should) i (?:need to )?know (?:about |for )?(?:today|my day|the day(?: ahead)?))$",
    )
});

fn briefing(l: &str) -> Option<Plan> {
    BRIEFING.is_match(l).then(|| Plan::new(Intent::DailyBriefing, 0.85))
}

static DELEGATE: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:please\s+)?(?:research|investigate|look into|dig into|compile|put together|prepare|draft|work out|figure out|compare)\s+.+\s+and\s+(?:then\s+)?(?:summari[sz]e|report|write|draft|send|give|make|compile|list|compare|recommend|tell)\b.*|(?:delegate|hand off|have an agent|ask an agent to|in the background,?)\s+.+|(?:research|investigate|do (?:some )?research on)\s+.+)$",
    )
});

pub(super) fn delegate(t: &str, l: &str) -> Option<Plan> {
    let lead = lead_len(l);
    let lr = l.get(lead..)?.trim_end_matches(['.', '!', '?', ' ']);
    if !DELEGATE.is_match(lr) {
        return None;
    }
    let desc = t.get(lead..lead + lr.len())?.to_string();
    let title: String = desc.chars().take(80).collect();
    Some(Plan::new(Intent::DelegateTask, 0.8).with("title", title).with("description", desc))
}

// ---------------------------------------------------------------------------
// Memos

static MEMO_CREATE: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:take|make|write|jot|save|add|create|start|new|keep)(?: down)?(?: me)? (?:a |an )?(?:quick |new |short )?(?:note|memo)(?: (?:for me|to self))?(?:\s*(?:that|saying|:|-|about|of|to remember|reading|with)\s*|\s+)?(?P<c>.+)?|(?:note to self|memo to self|note|jot down|write down|note down|memo)(?: that|\s*[:-])?\s+(?P<c2>.+)|(?:write|jot|note|put|get) (?:this|that|it) down\s*[:,-]\s*(?P<c7>.+)|remember that\s+(?P<c3>.+)|(?:save|store|keep|file) (?P<c4>.+?) (?:as|in|to) (?:a |my )?(?:note|memo|notes|memos)|(?:save|store|keep|remember) (?:this|that)\s*[:-]\s*(?P<c5>.+)|remember (?P<c6>(?:my|our|the) [\w' -]+? (?:is|are|was|were|goes|lives) .+))$",
    )
});

static MEMO_QUERY: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"\b(?:my|the|any|all|what|which) (?:notes|memos|note|memo)\b|\bnotes? (?:i|that i) (?:took|made|wrote)|\bwhat did i (?:note|write down|jot)",
    )
});

static MEMO_UPDATE: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:update|edit|change|modify|fix|rewrite) (?:my |the )?(?:note|memo) (?:about |on |called |titled |named )?(?P<q>.+?)(?: (?:to say|to read|to|with|saying)\s+(?P<c>.+))?$|^(?:update|edit|change|modify|fix|rewrite) (?:my |the |that )(?P<q2>[\w' -]+?) (?:note|memo)(?: (?:to say|to read|so (?:it|that it) (?:says|reads)|to|with|saying)\s+(?P<c2>.+))?$",
    )
});

static MEMO_DELETE: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:delete|remove|trash|erase|discard|get rid of|forget|scrap|drop|bin|ditch|toss|throw (?:away|out)) (?:my |the |that )?(?:note|memo)s? (?:about |on |called |titled |named |regarding )?(?P<q>.+)$|^(?:delete|remove|trash|erase|discard|get rid of|forget|scrap|drop|bin|ditch|toss|throw (?:away|out)) (?:my |the |that )(?P<q2>[\w' -]+?) (?:note|memo)$",
    )
});

/// "write that down", "note this": a note of something said before, which a request
/// alone cannot hold (in a compound, "read the file and save it as a memo", the step
/// before gives it).
pub(super) fn pointed_note(content: &str) -> bool {
    static POINTED: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:(?:please )?(?:write|jot|note|put|save|get|keep|remember|store)\s+)?(?:this|that|it)(?:\s+down)?$",
        )
    });
    POINTED.is_match(&content.to_ascii_lowercase())
}

fn memo(t: &str, l: &str) -> Option<Plan> {
    let names_memo = l.contains("note") || l.contains("memo");
    let about_calendar = l.contains("calendar");
    // Lists and calendars own "write down X on my list"; only an explicit note or
    // memo outside a calendar sentence stays here.
    if about_calendar || (LIST_NOUN.is_match(l) && !names_memo) {
        return None;
    }
    if let Some(c) = MEMO_DELETE.captures(l) {
        let q = tidy(t, cap(&c, "q").or_else(|| cap(&c, "q2"))?, &[])?;
        return Some(Plan::new(Intent::DeleteMemo, 0.85).with("query", q));
    }
    if let Some(c) = MEMO_UPDATE.captures(l) {
        let q = tidy(t, cap(&c, "q").or_else(|| cap(&c, "q2"))?, &[])?;
        // The new text as said: its first word too ("to say the code is 4321").
        let content = cap(&c, "c")
            .or_else(|| cap(&c, "c2"))
            .and_then(|r| t.get(r))
            .map(|s| s.trim().trim_matches(['"', '\'', ':']).trim().to_string())
            .filter(|s| !s.is_empty());
        return Some(Plan::new(Intent::UpdateMemo, 0.8).with("query", q).with_opt("content", content));
    }
    if let Some(c) = MEMO_CREATE.captures(l) {
        let r = ["c", "c2", "c3", "c4", "c5", "c6", "c7"].iter().find_map(|n| cap(&c, n));
        let content = r
            .and_then(|r| t.get(r))
            .map(|s| s.trim().trim_matches(['"', '\'', ':']).trim().to_string())
            .filter(|s| !s.is_empty());
        let Some(content) = content else {
            // "make a note" with nothing to note: ask, don't store an empty memo.
            return None;
        };
        let title: String = content.split_whitespace().take(8).collect::<Vec<_>>().join(" ");
        return Some(Plan::new(Intent::CreateMemo, 0.85).with("title", title).with("content", content));
    }
    // "find notes mentioning the garage": the notes looked through, asked as an order.
    static NOTES_SOUGHT: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:find|search|show|show me|look for|look through|pull up|get|list)(?: all)? (?:(?:my|the|any) )?(?:notes|memos)\b",
        )
    });
    if is_question(l) && MEMO_QUERY.is_match(l) || NOTES_SOUGHT.is_match(l) {
        let q = MEMO_ABOUT.captures(l).and_then(|c| cap(&c, "q")).and_then(|r| tidy(t, r, &[]));
        return Some(Plan::new(Intent::QueryMemos, 0.8).with_opt("query", q));
    }
    recall(t, l).or_else(|| kept_fact(t, l)).or_else(|| put_away(t, l)).or_else(|| saved_asked(t, l))
}

/// "do I have Jess's number saved", "have we got the alarm code written down": whether
/// a thing is kept is a look in the memos for it.
fn saved_asked(t: &str, l: &str) -> Option<Plan> {
    static SAVED: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:do|did|have) (?:i|we) (?:got |have )?(?:(?:the|my|our|a|an) )?(?P<what>[\w' -]+?) (?:saved|stored|written down|noted(?: down)?|jotted down|on file|in my notes|in a note)$",
        )
    });
    let what = SAVED.captures(l)?.name("what")?.range();
    Some(Plan::new(Intent::QueryMemos, 0.75).with("query", t.get(what)?.trim().to_string()))
}

/// "where did I park", "where did we leave the spare keys": where a thing was put is
/// what a note keeps; the thing, or the putting ("park") where no thing is named.
fn put_away(t: &str, l: &str) -> Option<Plan> {
    static WHERE: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^where (?:did|do|have) (?:i|we) (?P<verb>put|leave|left|park|parked|hide|hid|store|stash|keep) ?(?:(?:the|my|our) )?(?P<what>[\w' -]+?)?(?:\s+(?:last time|again|this time))?$",
        )
    });
    let c = WHERE.captures(l)?;
    let said = match c.name("what") {
        Some(w) => t.get(w.range())?.trim().to_string(),
        None if c.name("verb")?.as_str().starts_with("park") => "park".to_string(),
        None => return None,
    };
    Some(Plan::new(Intent::QueryMemos, 0.75).with("query", said))
}

/// "what's the wifi password", "what was Kim's shoe size", "remind me of the gate
/// code": a thing people keep written down, asked after, is looked for in the memos by
/// its name (the little words left out, since every word must match).
fn kept_fact(t: &str, l: &str) -> Option<Plan> {
    static KEPT: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:what(?:'s| is| was| were| are)|remind me(?: of| what)?|tell me|whats)\s+(?:the |my |our )?(?P<q>(?:[\w'-]+ ){0,3}?(?:password|passcode|pin|pin number|code|combination|number|address|postcode|post code|zip code|size|username|login|reg|registration|account number|sort code|serial number|policy number|reference|booking reference|membership number))(?:\s+(?:for|at|of|on) (?:the |my |our )?(?P<of>[\w' -]+?))?(?:\s+again)?$",
        )
    });
    const LITTLE: &[&str] = &["a", "an", "the", "my", "our", "your", "of", "for", "at", "on"];
    // "the address of the event on the 1st" is the calendar's.
    let c = KEPT.captures(l).filter(|_| !EVENT_NOUN.is_match(l))?;
    let said: Vec<&str> = [c.name("q"), c.name("of")]
        .into_iter()
        .flatten()
        .filter_map(|m| t.get(m.range()))
        .flat_map(str::split_whitespace)
        .filter(|w| !LITTLE.contains(&w.to_ascii_lowercase().as_str()))
        .collect();
    // "what's the number" names nothing to look for.
    if said.len() < 2 {
        return None;
    }
    Some(Plan::new(Intent::QueryMemos, 0.75).with("query", said.join(" ")))
}

/// "what's the gate code I saved", "where did I say the spare key was": a question
/// about something the user once told or wrote down is a look in their memos, for the
/// words it asks about.
fn recall(t: &str, l: &str) -> Option<Plan> {
    static RECALL: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"\b(?:(?:that |which )?(?:i|we) (?:saved|stored|kept|wrote(?: down)?|noted(?: down)?|jotted(?: down)?|put down|gave you|told you(?: about)?|mentioned)|did (?:i|we) (?:say|write(?: down)?|note(?: down)?|save|store|jot(?: down)?|mention|tell you))\b",
        )
    });
    static ASKING: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:(?:can you )?(?:remind me|tell me) )?(?:what|where|which|when|who|how)(?:'s| is| was| are| were)?\b",
        )
    });
    static TRAILING: LazyLock<Regex> =
        LazyLock::new(|| rx(r"(?:\s+(?:was|is|were|are|again|earlier|before))+\s*[?.!]*$"));
    let m = RECALL.find(l)?;
    let ask = ASKING
        .find(l)
        .filter(|_| is_question(l) || l.starts_with("remind me") || l.starts_with("tell me"))?;
    // What is asked about: the words between the question word and the recalling verb,
    // or after it ("what did I write down about the boiler").
    let before = ask.end()..m.start();
    let after = m.end()..l.len();
    let pick = |r: std::ops::Range<usize>| {
        let end = r.start + TRAILING.find(l.get(r.clone())?).map_or(r.len(), |x| x.start());
        tidy(t, r.start..end, &[]).filter(|q| !q.is_empty())
    };
    let q = pick(before).or_else(|| pick(after).map(|q| q.trim_start_matches("about ").to_string()));
    Some(Plan::new(Intent::QueryMemos, 0.75).with_opt("query", q))
}

static MEMO_ABOUT: LazyLock<Regex> =
    LazyLock::new(|| rx(r"\b(?:about|on|regarding|for|mentioning)\s+(?P<q>.+)$"));

// ---------------------------------------------------------------------------
// Timers, alarms, reminders

static DELETE_VERB: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"\b(?:delete|remove|cancel|call off|called off|clear|cleared|deleted|removed|cancelled|canceled|erase|erased|wipe|scrap|drop|^bin|discard|get rid of|no longer (?:want|need)|take (?:.+ )?(?:off|out)|turn off|switch off|disable|deactivate|unset|scratch (?:.+ )?off|empty|purge|don't need|no longer need|(?:don'?t|do not) want (?:this|that|my|the))\b",
    )
});

/// "take the dentist off my calendar", "scratch the gym out": the item said between a
/// verb and its particle, where the match of [`DELETE_VERB`] holds it.
fn split_verb_item(l: &str, m: &regex::Match<'_>) -> Option<Range<usize>> {
    let said = m.as_str();
    let verb = ["take ", "scratch "].iter().find(|v| said.starts_with(**v))?;
    let particle = [" off", " out"].iter().find(|p| said.ends_with(**p))?;
    let item = m.start() + verb.len()..m.end() - particle.len();
    l.get(item.clone()).filter(|i| !i.trim().is_empty()).map(|_| item)
}

/// "the meeting with the accountant is cancelled", "friday's golf got called off": a
/// thing called off, told as news, is said before the verb, with at most its day or a
/// new clause after it. The item's words, or `None` when the sentence is not so.
fn called_off_before(l: &str, m: &regex::Match<'_>, cut: &[Range<usize>]) -> Option<Range<usize>> {
    static PARTICIPLE: LazyLock<Regex> =
        LazyLock::new(|| rx(r"^(?:cancell?ed|called off|deleted|removed|scrapped)$"));
    static TOLD: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:(?:oh|ugh|so|well|ok|okay|fyi|btw|heads up|apparently|sadly|looks like|just so you know)[,:!]?\s+)*(?P<item>.+?)(?:'s|\s+(?:is|are|was|were|has|have|had|got|gets|'ve|'s))?(?:\s+(?:now|just|been|all|officially|definitely))*\s*$",
        )
    });
    static AFTER: LazyLock<Regex> = LazyLock::new(|| {
        rx(r"^(?:[,.!;:-]|(?:so|and|but|too|again|now|unfortunately|sadly|apparently|by the way)\b|$)")
    });
    static NOT_ITEM: LazyLock<Regex> = LazyLock::new(|| {
        rx(r"^(?:i|we|you|they|he|she|it|that|this|someone|somebody|everything|what|which|who)$")
    });
    if !PARTICIPLE.is_match(m.as_str()) {
        return None;
    }
    // What follows, with its dates taken out, must be nothing, or a new clause.
    let after: String = l
        .get(m.end()..)?
        .char_indices()
        .filter(|(i, _)| !cut.iter().any(|c| c.contains(&(m.end() + i))))
        .map(|(_, ch)| ch)
        .collect();
    if !AFTER.is_match(after.trim_start()) {
        return None;
    }
    let c = TOLD.captures(l.get(..m.start())?)?;
    let item = c.name("item")?;
    (!NOT_ITEM.is_match(item.as_str().trim())).then(|| item.range())
}

/// What an item is marked as when it is done: "mark the stamps as bought".
const DONE_WORDS: &str = "done|complete|completed|finished|bought|purchased|paid|picked up";

static COMPLETE_VERB: LazyLock<Regex> = LazyLock::new(|| {
    rx(&format!(
        r"\b(?:(?:check|cross|tick|mark|strike) (?:.+ )?off|cross out|strike out|mark (?:.+ )?(?:as )?(?:{DONE_WORDS})|\bi (?:just |already )?(?:finished|completed|did|am done with)|is (?:done|finished|complete)|are (?:done|finished|complete)|complete (?:the |my )?(?:task|todo|item))\b"
    ))
});

static UPDATE_VERB: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:change|update|move|reschedule|rename|edit|modify|push|bump|postpone|shift|delay|bring forward|make)\b",
    )
});

static CREATE_VERB: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"\b(?:add|put|set|setup|create|make|schedule|book|new|include|insert|write|jot|place|enter|log|pencil|mark|start|need|want|get|arrange|organi[sz]e|plan|would like|'d like|save|remember|program|give me)\b",
    )
});

static TIMER: LazyLock<Regex> =
    LazyLock::new(|| rx(r"\b(?:timer|timers|countdown|count down|counting down)\b"));

fn timer(t: &str, l: &str, now: DateTime<Tz>) -> Option<Plan> {
    if !TIMER.is_match(l) {
        return None;
    }
    if DELETE_VERB.is_match(l) {
        return Some(Plan::new(Intent::DeleteTodo, 0.8).with("title", "Timer"));
    }
    let asks = is_question(l) && !l.starts_with("set") || l.contains("left on") || l.contains("remaining");
    if asks {
        return Some(Plan::new(Intent::QueryTodos, 0.75).with("query", "Timer"));
    }
    // "a 10 minute timer": the length said before the word rings that long from now.
    let due = dates(t, now).map(|(f, _)| f.start).or_else(|| {
        let minutes = super::shift::amount_minutes(l)?;
        now.checked_add_signed(chrono::Duration::minutes(minutes))
    });
    let mut plan = Plan::new(Intent::CreateTodo, if due.is_some() { 0.9 } else { 0.75 })
        .with("title", "Timer")
        .with("tags", vec![Value::from("timer")]);
    if let Some(at) = due {
        plan = plan.with("due_date", rfc(&at));
    }
    Some(plan)
}

static ALARM: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"\b(?:alarms?|alarm clock|wake me|wake-up call|wake up call|wakeup call|wake me up|wake up alarm|woken up|waken me|be woken|ring my phone|ring me)\b|^(?:i (?:want|need|have) to |i'd like to |i would like to )?(?:wake up|get up) (?:at|by|tomorrow|in)\b",
    )
});

static ALARM_LABEL: LazyLock<Regex> =
    LazyLock::new(|| rx(r"\b(?:label(?:l)?ed|called|named|titled|for|to)\s+(?P<label>(?:[a-z']+\s*){1,5})$"));

fn alarm(t: &str, l: &str, now: DateTime<Tz>) -> Option<Plan> {
    // "test the smoke alarms", "the car alarm went off": a thing, not a clock.
    static THING: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"\b(?:smoke|fire|car|burglar|house|security|co|carbon monoxide) alarms?\b|\balarm (?:system|panel|company)\b",
        )
    });
    if !ALARM.is_match(l) || THING.is_match(l) {
        return None;
    }
    let when = dates(t, now);
    if DELETE_VERB.is_match(l) && !l.starts_with("set") {
        let mut plan = Plan::new(Intent::DeleteTodo, 0.8).with("title", "Alarm");
        if let Some((f, _)) = &when {
            plan = plan.with("due_date", due_on(f, now));
        }
        return Some(plan);
    }
    if UPDATE_VERB.is_match(l) && when.is_some() && !l.starts_with("make") {
        let mut plan = Plan::new(Intent::UpdateTodo, 0.75).with("title", "Alarm");
        if let Some((f, _)) = &when {
            plan = plan.with("due_date", rfc(&f.start));
        }
        return Some(plan);
    }
    let wake = l.contains("wake") || l.contains("get up");
    let creates = CREATE_VERB.is_match(l)
        || wake
        || l.contains("go off")
        || l.contains("ring")
        || l.contains("turn on")
        || l.contains("activate")
        || l.contains("enable");
    let asks = is_question(l) && !(l.starts_with("wake") || l.starts_with("i want to wake"));
    if asks || !creates && when.is_none() {
        let mut plan = Plan::new(Intent::QueryTodos, 0.75).with("query", "Alarm");
        if let Some((f, _)) = &when {
            plan = plan.with("due_date", due_on(f, now));
        }
        return Some(plan);
    }
    // An alarm with a label ("set an alarm to work out") keeps the label.
    let mut title = "Alarm".to_string();
    if let Some(c) = ALARM_LABEL.captures(l) {
        if let Some(r) = cap(&c, "label") {
            let cut: Vec<Range<usize>> = when.as_ref().map(|w| w.1.clone()).unwrap_or_default();
            if let Some(label) = tidy(t, r, &cut) {
                let lw = label.to_ascii_lowercase();
                if !lw.starts_with("me") && !lw.contains("alarm") && when::find(&label, now).is_none() {
                    title = format!("Alarm: {label}");
                }
            }
        }
    }
    // "an alarm at 6:15 on weekdays": how often it rings.
    let repeats = super::repeat::find(l, now).map(|r| r.rule);
    let mut plan = Plan::new(Intent::CreateTodo, if when.is_some() { 0.9 } else { 0.7 })
        .with("title", title)
        .with("tags", vec![Value::from("alarm")])
        .with_opt("recurrence_rule", repeats);
    // "set an alarm for 7": a bare hour is the next 7 o'clock, as clocks mean it.
    let at = when.map(|(f, _)| f.start).or_else(|| {
        let h = ALARM_HOUR.captures(l)?.name("h")?;
        bare_hour(h.as_str(), now).map(|f| f.start)
    });
    if let Some(at) = at.map(|at| if wake { morning(at, l, now) } else { at }) {
        plan = plan.with("due_date", rfc(&at));
    }
    Some(plan)
}

/// "wake me up at 6" said at noon: waking is in the morning, so an hour said without
/// "pm" or a part of the day is the next such morning hour, not this evening's.
fn morning(at: DateTime<Tz>, l: &str, now: DateTime<Tz>) -> DateTime<Tz> {
    use chrono::Timelike;
    static LATER: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"(?:\d\s*|\b)p\.?m\b|\b(?:evening|tonight|afternoon|night|noon|midnight)\b|\b(?:1[3-9]|2[0-3])[:.h]\d{2}\b",
        )
    });
    if !(13..24).contains(&at.hour()) || LATER.is_match(l) {
        return at;
    }
    let half = chrono::Duration::hours(12);
    let am = at.checked_sub_signed(half).unwrap_or(at);
    if am > now { am } else { at.checked_add_signed(half).unwrap_or(at) }
}

static ALARM_HOUR: LazyLock<Regex> =
    LazyLock::new(|| rx(r"\b(?:for|at)\s+(?P<h>\d{1,2}(?::\d{2})?)(?:\s+(?:o'?clock|sharp))?$"));

static REMIND: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"\b(?:remind|reminder|reminders|reminded|set a remainder|don'?t let me forget|do not let me forget|don'?t forget|do not forget)\b|^remember (?:to|me to)\b|^remember\b.*\b(?:today|tonight|tomorrow|monday|tuesday|wednesday|thursday|friday|saturday|sunday|next|at \w+|on the)\b|^i (?:need|want|would like|'d like) to (?:be|get) (?:notified|alerted) (?:to|that|about)\b",
    )
});

/// A reminder's bare hour: "reminder for 6 to ...", "reminder at 7:30pm to ...".
const REMINDER_AT: &str = r"reminder (?:for|at) (?P<h>\d{1,2}(?:[:.]\d{2})?(?: ?[ap]m)?) to";

static REMIND_HOUR: LazyLock<Regex> = LazyLock::new(|| rx(&format!(r"\b{REMINDER_AT}\b")));

static REMIND_BODY: LazyLock<Regex> = LazyLock::new(|| {
    rx(&format!(
        r"\b(?:{REMINDER_AT}|(?:don'?t|do not) (?:let me )?forget(?: to| about)?|^remember(?: me)?(?: to)?|(?:be|get|getting|being) (?:reminded|notified|alerted)(?: to| that| about| of)?|remind(?:er)?s?(?: (?:me|us|him|her|them))?(?: (?:to|that|about|of|for|regarding))|set a remainder(?: at [\w ]+?)? to|(?:set|create|make|add|new|give me|open up|put in)(?: up)? (?:a |an |another |the )?(?:new )?reminder(?: for me)?(?: (?:to|that|about|of|for|regarding|called|named|saying))?|reminder(?: (?:to|that|about|of|for|regarding|called|named|saying|,|:)))\s*(?P<body>.+)$",
    ))
});

static REMIND_QUERY_BODY: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^remind me (?:of )?(?:what|the things|everything|my (?:list|reminders|tasks|todos))\b|^remind me (?:of |about )?(?:the |today's )?(?:date|time|day)\b|^can you remind me the\b",
    )
});

fn reminder(t: &str, l: &str, now: DateTime<Tz>) -> Option<Plan> {
    // "do you remember my name" asks what the assistant knows, not what is kept.
    let of_me = l.contains("you remember") && !l.contains("what");
    let recall = l.contains("remember") && (is_question(l) || l.contains("what")) && !of_me;
    if recall && !l.starts_with("remember") {
        // "what did I want to remember?" reads the reminders.
        return Some(Plan::new(Intent::QueryTodos, 0.7));
    }
    if !REMIND.is_match(l) {
        return None;
    }
    // "set a reminder for 6 to take the bins out": a bare hour said of the reminder.
    let when = dates(t, now).or_else(|| {
        let h = REMIND_HOUR.captures(l)?.name("h")?;
        let f = when::find(&format!("at {}", h.as_str()), now)?;
        Some((f, vec![h.range()]))
    });
    if LIST_NOUN.is_match(l) && (l.contains("list") || l.contains("to do") || l.contains("todo")) {
        // "what's on my reminder list" is about the list.
        return None;
    }
    if REMIND_QUERY_BODY.is_match(l) || is_question(l) && l.contains("remember") && !of_me {
        if l.contains("date") || l.contains("time") || l.contains(" day") {
            return None;
        }
        return Some(Plan::new(Intent::QueryTodos, 0.7));
    }
    let cut = when.as_ref().map(|w| w.1.clone()).unwrap_or_default();
    let title = REMIND_BODY.captures(l).and_then(|c| tidy(t, cap(&c, "body")?, &cut)).or_else(|| {
        // "I need to take out the trash, please remind me"
        let c = REMIND_AFTER.captures(l)?;
        tidy(t, cap(&c, "body")?, &cut)
    });
    if DELETE_VERB.is_match(l) && !l.starts_with("remind") && !asks_for_new_item(l) {
        let target = title.clone().or_else(|| when.as_ref().map(|_| "reminder".to_string()));
        let target = target?;
        return Some(Plan::new(Intent::DeleteTodo, 0.8).with("title", target));
    }
    // "when I get home remind me to defrost the mince": a condition, not a question.
    static ON_CONDITION: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:when|once|as soon as|after|before|if|whenever) (?:i|we|i'm|we're)\b[^?]*?,?\s*remind (?:me|us) to\b",
        )
    });
    let asks = is_question(l)
        && !ON_CONDITION.is_match(l)
        && !l.starts_with("remind")
        && !l.starts_with("set ")
        && !l.starts_with("give me")
        && !l.starts_with("add ");
    if asks {
        let q = REMINDER_ABOUT.captures(l).and_then(|c| cap(&c, "q")).and_then(|r| tidy(t, r, &cut));
        let mut plan = Plan::new(Intent::QueryTodos, 0.8).with_opt("query", q);
        if let Some((f, _)) = &when {
            plan = plan.with("due_date", due_by(f));
        }
        return Some(plan);
    }
    if UPDATE_VERB.is_match(l) && !l.starts_with("make") {
        // "move the gym reminder to 7:30": the reminder is named before the word.
        static NAMED: LazyLock<Regex> =
            LazyLock::new(|| rx(r"\b(?:the|my|our|that) (?P<name>[\w' -]+?) reminder\b"));
        let named = || NAMED.captures(l).and_then(|c| tidy(t, cap(&c, "name")?, &cut));
        let title = title.or_else(named);
        let mut plan = Plan::new(Intent::UpdateTodo, 0.7).with_opt("title", title);
        if let Some((f, _)) = &when {
            plan = plan.with("due_date", due_on(f, now));
        }
        return Some(plan);
    }
    let title = title.unwrap_or_else(|| "Reminder".to_string());
    let mut plan =
        Plan::new(Intent::CreateTodo, if title == "Reminder" { 0.7 } else { 0.9 }).with("title", title);
    if let Some((f, _)) = &when {
        plan = plan.with("due_date", due_on(f, now));
    }
    Some(with_priority(plan, l))
}

static REMIND_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:i (?:need|have|want|got) to |i've got to |i gotta |i must )?(?P<body>.+?)[\s,]*(?:so |and |please |can you |could you )*remind me(?: about it| of it| to do it| later)?$",
    )
});

static REMINDER_ABOUT: LazyLock<Regex> =
    LazyLock::new(|| rx(r"\breminders? (?:set )?(?:to|for|about|of)\s+(?P<q>.+)$|\bis (?P<q2>.+?) on my\b"));

static PRIORITY: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"\b(?:(?P<u>urgent|asap|urgently)|(?P<h>high[- ]priority|important|top priority)|(?P<lo>low[- ]priority))\b",
    )
});

fn with_priority(plan: Plan, l: &str) -> Plan {
    match PRIORITY.captures(l) {
        Some(c) if c.name("u").is_some() => plan.with("priority", "urgent"),
        Some(c) if c.name("h").is_some() => plan.with("priority", "high"),
        Some(c) if c.name("lo").is_some() => plan.with("priority", "low"),
        _ => plan,
    }
}

// ---------------------------------------------------------------------------
// Lists and todos

static LIST_NOUN: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"\b(?:(?P<kind>shopping|grocery|groceries|to ?do|to-do|todo|task|tasks|errands?|reminders?|packing|christmas|holiday|birthday|party|vacation|wish|chores?|work|school|home|house)\s+lists?|lists? (?:of|for) (?:things to do|tasks|reminders|things to buy|groceries|shopping|chores)|list of things (?:to|i need to) (?:do|complete|buy|get)|to ?do's|to-dos|todos|to dos|shopping cart|(?:to|on|onto|from|off) (?:the |my |our )?groceries$|my tasks|(?:my|the|our) (?:chores|errands)$|my list|the list|a list|new list|lists|list|checklist|task)\b",
    )
});

pub(super) static NOT_TODO_LIST: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"\b(?:play ?list|contacts?|favou?rites?|mailing|songs?|music|tracks?|albums?|emails?|stations?|podcasts?|playlists?|movies?|watch ?list|reading list|top (?:ten|five|\d+)|numbers|transactions?|trains?|stats|statistics|tiger|celebrit)",
    )
});

fn list_kind(l: &str) -> Option<String> {
    let c = LIST_NOUN.captures(l)?;
    let kind = c.name("kind").map(|m| m.as_str()).unwrap_or("");
    let tag = match kind {
        "shopping" | "grocery" | "groceries" => "shopping",
        "" if l.contains("shopping cart") || l.ends_with("groceries") => "shopping",
        // A list of the user's own naming: "my travel list".
        "" => match super::slots::named_list(l) {
            Some("grocery" | "groceries") => "shopping",
            Some(name) => name,
            None => "",
        },
        k if k.contains("do") || k.starts_with("task") || k.starts_with("reminder") => "",
        k => k,
    };
    Some(tag.to_string())
}

/// The words that name a list of the user's todos: "my shopping list", "the to-dos",
/// "my chores".
const LIST_PLACES: &str =
    r"list|lists|to ?do list|to-do list|todo list|to ?dos|to-dos|todos|tasks|chores|errands|cart|checklist";

static LIST_ADD: LazyLock<Regex> = LazyLock::new(|| {
    rx(&format!(
        r"^(?:(?:add|put|include)\s+(?:to|on) (?:my|the) (?:[\w']+\s+){{0,3}}?(?:list|to ?do list|to-do list|todo list)(?:\s*[:,\-]\s*|\s+)(?P<item3>.+)$|(?:please )?(?:add|put|include|insert|place|stick|write|jot|mark|pop|throw|toss)(?: down)?(?: an item| item)?\s+(?P<item>.+?)\s+(?:to|on|onto|in|into|under|at)(?: the| my| our| a)?(?: new)?\s+(?:[\w']+\s+){{0,3}}?(?:groceries$|{LIST_PLACES}|list of (?:things to do|tasks|reminders|things to buy|groceries|chores)|list of things (?:to|i need to) (?:do|complete|buy|get))\b.*$|on my (?:[\w']+\s+){{0,3}}?(?:list|to ?do list|to-do list|todo list)(?: of [\w ]+?)?,?\s+(?:please\s+)?(?:add|put|include)\s+(?P<item2>.+)$|(?:i need|i want|i'd like|i would like|i need to have|make sure)\s+(?P<item4>.+?)\s+(?:added |put )?(?:to|on) (?:my|the) (?:[\w']+\s+){{0,3}}?(?:list|to ?do list|to-do list|todo list)\b.*$|(?:my|the) (?:[\w']+\s+){{0,3}}?list (?:should|needs to|must) (?:have|include|contain)\s+(?P<item5>.+?)(?: on it| in it)?$|(?:create|make|start|add|new)(?: me)? (?:a |an |another )?(?:new )?(?:todo|to-do|to do|task|item)(?: item)?(?: called| named| titled| to|:|,)?\s+(?P<item6>.+)$|(?:add|put|write down)\s+(?P<item7>.+)$|(?P<item8>.+?)\s+(?:needs|has|have|need) to (?:be|go)(?: added| put)?\s+(?:to|on|onto|in|into) (?:my|the|our) (?:[\w']+\s+){{0,3}}?(?:list|to ?do list|to-do list|todo list|list of things to do)\b.*$)"
    ))
});

static LIST_NEW: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:please )?(?:create|make|start|build|set up|open|new|add)(?: me| up)? (?:a |an |another |one more )?(?:new )?(?:(?P<name1>[\w' ]+?) )?(?:list|lists|checklist)(?: for me)?(?: (?:called|named|titled|for|of)\s*(?P<name2>.*))?|new list)$",
    )
});

static LIST_REMOVE_ITEM: LazyLock<Regex> = LazyLock::new(|| {
    rx(&format!(
        r"^(?:(?:please )?(?:(?:delete|remove|cancel|erase|drop|take|get rid of|clear|scratch|strike)(?: out| off)?\s+(?P<item>.+?)\s+(?:off|from|out of|on)|(?:cross|scratch|strike|check|tick|mark)(?: out| off)\s+(?P<item_b>.+?)\s+(?:from|on|in)|(?:cross|scratch|strike|check|tick|mark)\s+(?P<item_c>.+?)\s+(?:off|out of))(?: of)?(?: the| my| our| this)?\s+(?:[\w']+\s+){{0,3}}?(?:groceries$|{LIST_PLACES}|list of (?:things to do|tasks|reminders|things to buy|groceries|chores))\b.*)$"
    ))
});

static LIST_QUERY_ITEM: LazyLock<Regex> = LazyLock::new(|| {
    rx(&format!(
        r"^(?:is|are|does|do|did i (?:put|add|include))\s+(?:there (?:any |a |an )?)?(?P<item>.+?)\s+(?:on|in|included in|part of)\s+(?:the|my|our)\s+(?:[\w']+\s+){{0,3}}?(?:{LIST_PLACES}|list of [\w ]+)\b"
    ))
});

static WHOLE_LIST: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:everything|every (?:item|thing|task|one)|all(?: the)?(?: items| things| tasks)?|the (?:whole|entire) list|it all)\b|(?:the|my|our|this|that)?\s*(?:[\w']+\s+){0,3}?(?:list|lists|to ?do list|to-do list|todo list|to ?dos|to-dos|todos|tasks|checklist|list of [\w ]+)$|(?:the |my )?(?:last|first|second|third) (?:item|line|entry|one)$|(?:an |the |this |that )?item(?: \w+)?$|(?:a|the|my|this|that)?\s*(?:[\w']+\s+){0,3}?(?:list|to ?do list|to-do list|todo list)(?:\s.*)?$)",
    )
});

/// A list cleared: all of it, or ("clear my completed tasks") only what is done, which
/// the words must say, since the two differ in everything that is deleted.
fn clearing(what: &str) -> Plan {
    static DONE_ONES: LazyLock<Regex> = LazyLock::new(|| {
        rx(r"\b(?:completed|complete|done|finished|checked(?: off)?|ticked(?: off)?|crossed(?: off| out)?)\b")
    });
    let plan = Plan::new(Intent::DeleteTodo, 0.75).with("query", "*");
    if DONE_ONES.is_match(what) { plan.with("completed", true) } else { plan }
}

/// "the completed tasks", "all my done items", "everything I've checked off": the done
/// part of a list, said as the thing removed.
static DONE_PART: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:all\s+)?(?:(?:of\s+)?(?:my|the|our)\s+)?(?:completed|done|finished|checked(?: off)?|ticked(?: off)?)\s+(?:items|tasks|todos|to-?dos|to dos|ones|things|entries|reminders)$|^everything (?:i'?ve |i have |that'?s |that is )?(?:completed|done|finished|checked off|ticked off)$",
    )
});

fn list(t: &str, l: &str, now: DateTime<Tz>) -> Option<Plan> {
    // "clear completed tasks" names the list by its done part alone.
    let done_part = || {
        DELETE_VERB.find(l).filter(|m| m.start() == 0).is_some_and(|m| {
            let rest = l.get(m.end()..).unwrap_or("").trim();
            DONE_PART.is_match(rest.strip_prefix("out ").unwrap_or(rest))
        })
    };
    let kind = list_kind(l).or_else(|| done_part().then(String::new))?;
    if NOT_TODO_LIST.is_match(l) {
        return None;
    }
    let when = dates(t, now);
    let cut: Vec<Range<usize>> = when.as_ref().map(|w| w.1.clone()).unwrap_or_default();
    let tags = |plan: Plan| {
        if kind.is_empty() { plan } else { plan.with("tags", vec![Value::from(kind.clone())]) }
    };
    let is_q = is_question(l);

    // Removing or completing an item: "take milk off my list", "cross out bread".
    if let Some(c) = LIST_REMOVE_ITEM.captures(l) {
        let r = cap(&c, "item").or_else(|| cap(&c, "item_b")).or_else(|| cap(&c, "item_c"))?;
        let verb_complete = COMPLETE_VERB.is_match(l) && !l.contains("delete") && !l.contains("remove");
        let item = l.get(r.clone())?;
        if WHOLE_LIST.is_match(item) || DONE_PART.is_match(item) {
            if verb_complete {
                return None;
            }
            return Some(tags(clearing(item)));
        }
        let title = tidy(t, r, &cut)?;
        let title = resolve_that(title, l)?;
        if verb_complete && only_pointed(&title) {
            return None;
        }
        let intent = if verb_complete { Intent::CompleteTodo } else { Intent::DeleteTodo };
        return Some(tags(Plan::new(intent, 0.85).with("title", title)));
    }
    // "clear my list", "delete my to do list", "remove item three".
    if DELETE_VERB.is_match(l) && !is_q {
        // Only a clause that opens with the clearing: "the eggs, take them off my list"
        // names one item, not the list.
        let opens = |m: &regex::Match<'_>| {
            matches!(l.get(..m.start()).unwrap_or("").trim(), "" | "i" | "we" | "i really" | "we really")
        };
        if let Some(m) = DELETE_VERB.find(l).filter(opens) {
            let rest = l.get(m.end()..)?.trim();
            let rest = rest.strip_prefix("out ").unwrap_or(rest);
            if WHOLE_LIST.is_match(rest) || DONE_PART.is_match(rest) || rest.is_empty() {
                return Some(tags(clearing(rest)));
            }
        }
        return None;
    }
    if COMPLETE_VERB.is_match(l) && !is_q {
        let title = COMPLETE_ITEM.captures(l).and_then(|c| cap(&c, "item")).and_then(|r| tidy(t, r, &cut));
        let title = resolve_that(title?, l)?;
        if only_pointed(&title) {
            return None;
        }
        return Some(tags(Plan::new(Intent::CompleteTodo, 0.8).with("title", title)));
    }
    // "is milk on my shopping list"; "is X on the list, if not add it" is an add.
    let add_anyway = l.contains("if not") && (l.contains("add") || l.contains("put"));
    if let Some(c) = LIST_QUERY_ITEM.captures(l) {
        let item = cap(&c, "item").and_then(|r| tidy(t, r, &cut));
        if add_anyway {
            let item = item?;
            return Some(tags(Plan::new(Intent::CreateTodo, 0.75).with("title", item)));
        }
        return Some(tags(Plan::new(Intent::QueryTodos, 0.85).with_opt("query", item)));
    }
    if !is_q || l.starts_with("add") || l.starts_with("put") {
        if let Some(c) = LIST_ADD.captures(l) {
            let r = ["item", "item2", "item3", "item4", "item5", "item6", "item7", "item8"]
                .iter()
                .find_map(|n| cap(&c, n))?;
            let item = tidy(t, r, &cut)?;
            let item = resolve_that(item, l)?;
            let il = item.to_ascii_lowercase();
            if QUESTIONISH.is_match(&il) {
                return Some(tags(Plan::new(Intent::QueryTodos, 0.7)));
            }
            if NOT_TODO_LIST.is_match(&il) || WHOLE_LIST.is_match(&il) && !il.contains(' ') {
                return None;
            }
            let mut plan = Plan::new(Intent::CreateTodo, 0.9).with("title", item);
            if let Some((f, _)) = &when {
                plan = plan.with("due_date", due_on(f, now));
            }
            return Some(with_priority(tags(plan), l));
        }
        if let Some(c) = LIST_NEW.captures(l) {
            let name = cap(&c, "name2")
                .or_else(|| cap(&c, "name1"))
                .and_then(|r| tidy(t, r, &cut))
                .filter(|n| !matches!(n.to_ascii_lowercase().as_str(), "new" | "a" | "my"));
            let title = name.map(|n| format!("{n} list")).unwrap_or_else(|| "New list".to_string());
            return Some(tags(Plan::new(Intent::CreateTodo, 0.7).with("title", title)));
        }
    }
    if UPDATE_VERB.is_match(l) && !is_q && l.contains(" to ") {
        return None;
    }
    // Anything else about a list reads it.
    let mut plan = Plan::new(Intent::QueryTodos, if is_q { 0.85 } else { 0.7 });
    if let Some((f, _)) = &when {
        plan = plan.with("due_date", due_by(f));
    }
    Some(tags(plan))
}

/// "we're out of toilet roll", "running low on dish soap", "we need more bin bags":
/// a thing of the house run out of goes on the shopping list. Time, money and the like
/// run out too, and are talk.
fn ran_out(t: &str, l: &str) -> Option<Plan> {
    static OUT: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:(?:we|i)(?:'re| are|'m| am)? (?:all |completely |totally |nearly |almost |running |getting )?(?:out of|low on)|(?:we|i)(?:'ve| have)?(?: just| nearly| almost)? (?:run|ran) (?:out of|low on)|(?:we|i)(?:'re| are|'m| am) running (?:out of|low on)|(?:we|i)(?:'re| are|'m| am) out of|we need (?:more|some more)|running (?:out of|low on)|there'?s no (?:more )?)\s+(?P<x>[\w' -]+?)(?:\s+(?:again|now|left|at home|in the house))?$",
        )
    });
    static NOT_GOODS: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:the |my |our )?(?:time|patience|money|cash|energy|ideas?|luck|space|room|storage|battery|charge|options|breath|sleep|rest|help|steam|gas|petrol|fuel|data|credit|budget|holidays?|leave|excuses|things|stuff|it|that|this|them)\b|\b(?:with|so|and|but|because|for|to|then|since|as)\b",
        )
    });
    let c = OUT.captures(l)?;
    let x = c.name("x")?;
    // One thing, not a sentence going on ("out of paint so take the painting off").
    if NOT_GOODS.is_match(x.as_str()) {
        return None;
    }
    let item = tidy(t, x.range(), &[])?;
    Some(Plan::new(Intent::CreateTodo, 0.75).with("title", item).with("tags", vec![Value::from("shopping")]))
}

static QUESTIONISH: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"\b(?:what|whats|what's|tell|know|see|hear|read|if|whether|how|which|show|look|anything|everything)\b|\bcheck(?:\s|$)",
    )
});

static COMPLETE_ITEM: LazyLock<Regex> = LazyLock::new(|| {
    rx(&format!(
        r"^(?:(?:check|cross|tick|mark|strike)(?: off)?\s+(?P<item>.+?)(?:\s+(?:off|(?:as )?(?:{DONE_WORDS})))|(?:i )?(?:just )?(?:finished|completed|did|am done with)\s+(?P<item2>.+?))(?:\s+(?:on|from|in) (?:my|the) .*)?$",
    ))
});

/// "I ran out of Cheerios so add that to the list": a bare "that"/"it" points at
/// the thing named earlier in the same sentence. Without a clear antecedent we
/// do not guess.
fn resolve_that(title: String, l: &str) -> Option<String> {
    let lt = title.to_ascii_lowercase();
    if !matches!(lt.as_str(), "that" | "it" | "this" | "them" | "those") {
        return Some(title);
    }
    let c = RAN_OUT.captures(l)?;
    c.name("x").map(|m| m.as_str().trim().to_string())
}

static RAN_OUT: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"(?:ran out of|out of|need more|need some|we need|i need|low on|used up|finished the)\s+(?P<x>[\w' ]+?)\s*(?:,|so|and|\.|;)",
    )
});

// ---------------------------------------------------------------------------
// Calendar

/// Visits one books with a person or a practice ("physio thursday 4pm", "cancel my
/// haircut"): each is a calendar thing, whatever verb comes with it.
pub(super) const VISITS: &str = r"(?:football|soccer|rugby|hockey|netball|basketball|swim(?:ming)?|cricket|tennis|athletics|team) training|haircuts?|hair appointments?|physio|physiotherapy|therapy|therapist|counsell?ing|massages?|vet|chiropractor|chiro|optician|optometrist|eye (?:test|exam)|manicure|pedicure|facial|tutoring|ultrasound|blood test|x-ray|mri|vaccination|flu shot|orthodontist|dermatologist|p(?:a)?ediatrician";

/// Whether the words name a calendar thing ("the brunch with Nadia", "my physio").
pub(super) fn names_event(s: &str) -> bool {
    EVENT_NOUN.is_match(s)
}

static EVENT_NOUN: LazyLock<Regex> = LazyLock::new(|| {
    rx(&format!(
        r"\b(?:{VISITS}|(?:a|the|my|our|weekly|quick) catch[- ]?ups?|calendar|calender|calander|calandar|schedule|schedules|scheduled|agenda|diary|events?|meetings?|mettings?|appointments?|appt|meet (?:with|up)|meet the|conferences?|interviews?|(?:daily|weekly|team|conference|video|zoom|sales|client|work) calls?|call with|classes|lessons|sessions|lunch with|dinner with|breakfast with|brunch with|coffee with|drinks with|date with|party|parties|birthday|wedding|anniversary|class|lesson|session|standup|stand-up|sync|1:1|one on one|doctor'?s?|dentist'?s?|checkup|check-up|reservation at|game|match|concert|(?:the|a|our|my) show|shows|(?:the|a|our|my|school) plays?|recital|practice|rehearsal|ceremony|celebration|holiday|vacation|trip|flight|visit|offsite|off-site|retreat|meetup|meet-up|reunion|graduation|funeral|(?:baby|bridal) shower|sleepover|playdate|fundraiser|webinar|seminar|workshop|presentation|review|exam|test|deadline|payday|bill|programs?|programmes?|tournaments?|festivals?|gigs?|(?:movie|game|date|poker|trivia|quiz|karaoke|bingo|board game|girls'?|guys'?|family|pizza|taco|wine|open mic) nights?|parents'? evening|open (?:day|evening)|sports day|prize giving|school (?:fair|fete|disco|trip)|fete|housewarming|(?:a|the|our|my) (?:bbq|barbecue|cookout|picnic)|christening|baptism|bar mitzvah|bat mitzvah|(?:leaving|hen|stag) (?:do|party|drinks)|(?:baby|bridal) showers?|book club|choir|rehearsals?)\b"
    ))
});

/// Event nouns strong enough to carry a create or delete without the word
/// "calendar"; weaker ones (trip, flight, bill) need the calendar mentioned.
static STRONG_EVENT: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"\b(?:calendar|calender|calander|calandar|schedule|agenda|diary|events?|meetings?|mettings?|appointments?|appt|meet (?:with|up)|(?:a|the|my|our|weekly|quick) catch[- ]?ups?|conferences?|interviews?|calls?|lunch|dinner|breakfast|brunch|party|birthday|wedding|anniversary|class|lesson|session|standup|stand-up|1:1|one on one|checkup|check-up|webinar|seminar|workshop|presentation|exam|test|rehearsal|practice|ceremony|holiday|date night|parents'? evening|open (?:day|evening)|sports day|(?:leaving|hen|stag) (?:do|party|drinks)|housewarming|book club)\b",
    )
});

static NOT_EVENT: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"\b(?:taxi|uber|lyft|cab|ride|ticket|tickets|table|hotel|room service|flight status|car|oil change|playlist|song|email|text message|restaurant|reservation|reservations|account|card|bank|train|bus)\b",
    )
});

/// Whether the clause is about a booking another service keeps (a table, a ride, a
/// hotel room, tickets) and names nothing of the user's calendar.
pub(super) fn booked_elsewhere(l: &str) -> bool {
    NOT_EVENT.is_match(l) && !l.contains("calendar") && !l.contains("meeting") && !l.contains("appointment")
}

static EVENT_CREATE: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:schedule|book|add|put|create|make|set(?: up)?|setup|arrange|organi[sz]e|plan|pencil(?: in)?|enter|insert|mark|block(?: off| out)?|reserve|get|sign me up for|note|log|hook me up with|new (?:calendar )?(?:event|entry|appointment))\b|(?:i (?:need|want|would like|'d like) (?:a|an|to (?:schedule|book|add|set up|have|put|create|make|go to|attend))|i have (?:a|an) (?:meeting|appointment|call|event)|(?:in|on|to) (?:the |my )?calend[ae]r,? (?:put|add|mark|schedule|enter)|(?:i )?(?:need|want) to meet|i (?:have|need) to meet|let'?s meet|meet with|i'?m going to|i will be|i am going to|today needs to be marked|mark (?:my|the) calendar|go to|attend|(?:need|want) (?:a|an) (?:meeting|appointment|call)))",
    )
});

static EVENT_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:schedule|book|add|put|create|make|set(?: up)?|setup|arrange|organi[sz]e|plan|pencil(?: in)?|enter|insert|mark|block(?: off| out)?|reserve|get|sign me up for|note|log|hook me up with|new (?:calendar )?(?:event|entry|appointment)\s*[:-]?)(?: me)?(?: up)?(?: down)?(?: in)?|i (?:need|want|would like|'d like) (?:to (?:schedule|book|add|set up|have|put|create|make|go to|attend) )?|i have|(?:in|on|to) (?:the |my )?calend[ae]r,? (?:put|add|mark|schedule|enter)(?: that)?|(?:i )?(?:need|want|have) to|let'?s|i'?m going to|i will be|i am going to)\s+(?P<title>.+)$",
    )
});

static CAL_TAIL: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:a|an|the|new) )*(?:calendar )?(?:event|entry|appointment)\s*[:-]\s*|\s+(?:to|on|in|into|onto|for|from|off|off of|out of)\s+(?:the |my |our |this )?(?:calend[ae]rs?|schedules?|agenda|diary)\b(?:\s+(?:for|on|at))?|\s+(?:in|on|to) (?:the |my )?calend[ae]r\b|^(?:the |my )?calend[ae]r (?:for |entry (?:for )?)?|\s+(?:with the following people|for me|please)$|\s+(?:set|add|save|create|make|put) (?:the|an|this|that|it)(?: event| entry| in| down| up)?$",
    )
});

static LOCATION: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"\s+(?:at|in)\s+(?P<loc>(?:the |my )?(?:[\w']+ ){0,3}?(?:office|room|cafe|café|restaurant|park|gym|school|hospital|clinic|library|church|hall|center|centre|bar|pub|house|home|studio|building|campus|station|airport))\b",
    )
});

/// Questions that are not about the user's calendar whatever nouns they hold: who did
/// something, asked with nobody of the user's in it ("who won the game last night"),
/// and whether the user did something ("did I pay the phone bill?", which the todos
/// answer). Whether one has, had or booked a thing is the calendar's.
fn not_calendar_question(l: &str) -> bool {
    static WHO: LazyLock<Regex> = LazyLock::new(|| rx(r"^who(?:'s|'d| is| was| did| won| will)?\b"));
    static USER: LazyLock<Regex> = LazyLock::new(|| rx(r"\b(?:i|me|my|we|us|our)\b"));
    static DID_I: LazyLock<Regex> = LazyLock::new(|| {
        rx(r"^(?:did|have|has) (?:i|we)(?: already| ever| actually| really| even)? (?P<verb>[a-z]+)")
    });
    if WHO.is_match(l) && !USER.is_match(l) {
        return true;
    }
    // "where should I go on holiday", "what should we get for the party": advice asked,
    // not the calendar read.
    static ADVICE: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:where|what|which|how)?\s*(?:should|shall|could) (?:i|we) (?:go|get|buy|wear|bring|take|do|make|cook|eat|drink|say|write|give|pack|plan|visit|see)\b",
        )
    });
    static CALENDAR: LazyLock<Regex> =
        LazyLock::new(|| rx(r"\b(?:calendar|schedule|diary|agenda|free|busy|available)\b"));
    if ADVICE.is_match(l) && !CALENDAR.is_match(l) {
        return true;
    }
    DID_I.captures(l).and_then(|c| c.name("verb")).is_some_and(|v| {
        !matches!(
            v.as_str(),
            "have"
                | "had"
                | "got"
                | "get"
                | "a"
                | "an"
                | "any"
                | "anything"
                | "schedule"
                | "scheduled"
                | "book"
                | "booked"
                | "plan"
                | "planned"
                | "put"
                | "add"
                | "added"
        )
    })
}

/// Whether every calendar thing in `item` stands after a word that makes it a time
/// ("the whiteboard before the meeting", "the chairs after the party").
fn only_when(item: &str) -> bool {
    let mut nouns = EVENT_NOUN.find_iter(item).peekable();
    nouns.peek().is_some() && nouns.all(|m| says_when(&item[..m.start()]))
}

/// Whether the words before a calendar noun make it a time ("... before the", "after
/// our", "in time for the").
pub(super) fn says_when(before: &str) -> bool {
    static TIMED: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"\b(?:before|after|during|until|till|ahead of|in time for|by the end of|at the end of)\s+(?:the|my|our|this|that|a|an)\s+(?:[\w'-]+\s+){0,2}$",
        )
    });
    TIMED.is_match(before)
}

/// The calendar's own general words, and kinds of things said in the plural: on a day
/// they ask what is there ("meetings tomorrow", "classes on monday").
static CALENDAR_WORD: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:calend[ae]r|calandar|schedules?|scheduled|agenda|diary|events?|meetings?|mettings?|appointments?|appt|classes|lessons|sessions|programs?|programmes?|shows|parties|gigs|tournaments|festivals)$",
    )
});

/// Whether the words before a calendar noun name the thing ("soccer practice", "the
/// board meeting", "our quarterly review") rather than start a sentence ("what
/// meeting", "I have practice", "call the dentist"): at most three words, a determiner
/// only first, and none that asks, tells of someone or opens an errand.
pub(super) fn names_thing(before: &str) -> bool {
    names_in(before, 3)
}

/// [`names_thing`] for up to `most` words.
pub(super) fn names_in(before: &str, most: usize) -> bool {
    static NOT_NAME: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:i|i'm|im|we|we're|you|he|she|they|it|me|us|is|are|was|were|am|be|do|does|did|don't|have|has|had|can|could|will|would|should|must|what|whats|what's|when|where|which|who|how|why|any|no|not|to|for|at|in|on|of|about|from|after|before|with|there|here|then|and|or|but|if|schedule|book|add|put|create|make|set|plan|arrange|organi[sz]e|pencil|enter|insert|mark|block|reserve|new|log|note|cancel|delete|remove|move|change|reschedule|push|call|email|text|ring|phone|skip|miss|missed|prep|prepare|pay|buy|get|find|check|confirm|remember|remind|tell|ask|show|see|need|want|like|go|going)$",
        )
    });
    static DETERMINER: LazyLock<Regex> =
        LazyLock::new(|| rx(r"^(?:a|an|the|my|our|your|his|her|their|this|that)$"));
    let words: Vec<&str> = before.split_whitespace().collect();
    // After a determiner a word that could be a verb is a noun ("the book club").
    let owned = words.first().is_some_and(|w| DETERMINER.is_match(w));
    words.len() <= most
        && words
            .iter()
            .enumerate()
            .all(|(i, w)| (!NOT_NAME.is_match(w) || owned && i > 0) && (i == 0 || !DETERMINER.is_match(w)))
        && words.iter().all(|w| w.chars().all(|c| c.is_alphanumeric() || matches!(c, '\'' | '-' | '&' | ':')))
}

fn event(t: &str, l: &str, now: DateTime<Tz>, asked: bool) -> Option<Plan> {
    // "cancel tonight's yoga": a day's own thing called off is on the calendar, whatever
    // it is called ("cancel my subscription tomorrow" may be an errand for tomorrow).
    static CALLED_OFF: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:please )?(?:cancel|call off) (?:my |the )?(?:(?:this|next) )?(?:today|tonight|tomorrow|(?:mon|tues|wednes|thurs|fri|satur|sun)day|morning|afternoon|evening|weekend)'s\b",
        )
    });
    let when = dates(t, now);
    let called_off = CALLED_OFF.is_match(l) && when.is_some();
    if !(EVENT_NOUN.is_match(l) || called_off) || not_calendar_question(l) || super::decide::names_todo(l) {
        return None;
    }
    let cut: Vec<Range<usize>> = when.as_ref().map(|w| w.1.clone()).unwrap_or_default();
    // "I need to know what is on my calendar" reads, whatever verbs it contains.
    // A clause led by a command verb is a command even when it says "everything".
    // "review the budget every friday" opens like "review my week" but keeps a routine.
    let is_q = is_question(l) && !super::decide::routine_order(l, now)
        || QUESTIONISH.is_match(l) && !COMMAND_START.is_match(l);
    // A visit is the calendar thing of its clause: a strong word beside it ("make sure I
    // call the vet") is what is done about it, not a second thing.
    static VISIT: LazyLock<Regex> = LazyLock::new(|| rx(&format!(r"^(?:{VISITS})$")));
    let mut nouns = EVENT_NOUN.find_iter(l).peekable();
    let visits_only = nouns.peek().is_some() && nouns.all(|m| VISIT.is_match(m.as_str()));
    let strong = STRONG_EVENT.is_match(l) && !visits_only;
    let not_event = booked_elsewhere(l);

    // Deletes: explicit verb plus an item that is clearly a calendar entry.
    if let Some(m) = DELETE_VERB.find(l) {
        // "cancel the dentist on tuesday": a weaker calendar word will do when the day
        // of the item is said too.
        let told = called_off_before(l, &m, &cut);
        // "the eye exam was cancelled": a visit told as called off names itself.
        if !is_q && (strong || when.is_some() || visits_only && told.is_some()) && !not_event {
            let rest = split_verb_item(l, &m).or_else(|| told.clone()).unwrap_or(m.end()..l.len());
            // "erase the whiteboard before the meeting": the calendar thing only says
            // when; the thing erased is no event.
            if only_when(l.get(rest.clone())?) {
                return None;
            }
            // "delete the event X": the kind word names the list, not the item.
            let title = tidy_event_title(t, rest.clone(), &cut).map(|s| match s.get(..6) {
                Some(head) if head.eq_ignore_ascii_case("event ") => s[6..].to_owned(),
                _ => s,
            });
            // "delete my next meeting": the soonest one, whatever it is called, or the soonest
            // of those named ("cancel my next dentist appointment").
            if let Some(c) = NEXT_EVENT.captures(&l[rest.clone()]) {
                let what = c.name("what").map(|w| rest.start + w.start()..rest.start + w.end());
                let title = what
                    .and_then(|w| tidy(t, w, &cut))
                    .filter(|w| !GENERIC_EVENT.is_match(&w.to_ascii_lowercase()));
                return Some(
                    Plan::new(Intent::DeleteEvent, 0.8).with("target", "next").with_opt("title", title),
                );
            }
            let mut plan = Plan::new(Intent::DeleteEvent, 0.8);
            // "the meeting is cancelled" names one meeting, not the calendar.
            let everything = told.is_none()
                && title.as_deref().map(|s| WHOLE_CAL.is_match(&s.to_ascii_lowercase())).unwrap_or(true);
            if everything {
                if when.is_none()
                    && title.is_none()
                    && !l.contains("calendar")
                    && !l.contains("schedule")
                    && !l.contains("meeting")
                    && !l.contains("event")
                {
                    return None;
                }
                plan = plan.with("query", "*");
            } else {
                plan = plan.with_opt("title", title);
            }
            if let Some((f, _)) = &when {
                plan = with_span(plan, f, now);
            }
            return Some(plan);
        }
        if !is_q {
            return None;
        }
    }
    // Updates: "move my meeting with Sam to 4pm", "reschedule the dentist to Friday".
    // A move changes nothing for good, so a weaker calendar word will do ("move the
    // dentist to thursday"); the item's own time ("my 3pm call") names which one.
    if UPDATE_VERB.is_match(l) && !is_q && !not_event && !l.starts_with("make") && !renames_other(l) {
        let c = EVENT_UPDATE.captures(l)?;
        let item = cap(&c, "item")?;
        let title = tidy_event_title(t, item.clone(), &cut).filter(|title| !only_pointed(title))?;
        let mut plan = Plan::new(Intent::UpdateEvent, 0.75).with("title", title);
        if let Some(r) = cap(&c, "to") {
            let new_part = t.get(r.clone())?;
            if let Some(f) = new_time(new_part, t.get(item)?, now) {
                // A day alone is said as a day: the event keeps its time of day.
                plan = plan.with("start_time", date_value(&f, &f.start));
                if let Some(e) = f.end {
                    plan = plan.with("end_time", date_value(&f, &e));
                }
            } else if l.starts_with("rename") {
                let nt = tidy(t, r, &[])?;
                plan = plan.with("new_title", nt);
            } else {
                return None;
            }
        }
        return Some(plan);
    }
    // "I have a flight on the 15th": telling the assistant of a dated plan.
    let dated_plan = when.is_some() && I_HAVE_EVENT.is_match(l);
    // "drinks with the team friday 6pm", "the dentist tomorrow at 3": a calendar thing
    // said first, at a time of day and with no verb, is one to keep; so is one with
    // somebody on a day ("lunch with Dev tomorrow").
    // Asked with a question mark ("practice tomorrow?"), it is looked up.
    // A thing of its own on a day is one too ("date night saturday", "mom's birthday
    // june 3"); the calendar's general words on a day ask ("meetings tomorrow").
    // News of it ("soccer practice was great on saturday") is no new one.
    static NEWS_VERB: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"\b(?:is|are|was|were|isn'?t|wasn'?t|aren'?t|weren'?t|went|got|gets|has|had|have|been|did|does|do|will|won'?t|can'?t|'s)\b",
        )
    });
    let named = named_noun(l, &cut);
    // "Sam's birthday party is on the 21st at 6pm": a thing said to be at a time, and
    // nothing else said of it, is one to keep.
    let said_at = |m: &regex::Match<'_>| placed_at(l, m, when.as_ref(), now);
    let placed = named.and_then(|m| said_at(&m));
    let noun = named.filter(|m| !NEWS_VERB.is_match(&l[m.end()..]) || placed.is_some());
    let told = !is_q
        && !asked
        && noun.is_some_and(|m| {
            when.as_ref().is_some_and(|(f, _)| {
                // "the team offsite april 3 to 5": a thing of its own over some days.
                let over_days = f.end.is_some() && !CALENDAR_WORD.is_match(m.as_str());
                f.grain <= Grain::Hour
                    || f.grain == Grain::Day && over_days
                    || f.grain == Grain::Day
                        && f.end.is_none()
                        && (l.contains(" with ")
                            || !CALENDAR_WORD.is_match(m.as_str())
                            || placed.is_some() && own_name(blanked(l, &cut).get(..m.start()).unwrap_or("")))
            })
        })
        && (!STATEMENT.is_match(l) || placed.is_some());
    // "I need a holiday": a thing wished for, with no time, nobody to see and no
    // calendar named, is no entry ("I want a meeting to be scheduled" is one).
    static WISHED: LazyLock<Regex> =
        LazyLock::new(|| rx(r"^i (?:really |just )?(?:need|want|would like|'d like) (?:a|an) [\w' -]+$"));
    static BOOKED: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"\b(?:with|calendar|meeting|appointment|call|event|session|slot|reservation|schedul\w*|book\w*)\b",
        )
    });
    let wished = WISHED.is_match(l) && when.is_none() && !BOOKED.is_match(l);
    let creates = !is_q
        && ((EVENT_CREATE.is_match(l) || ADDED_TO_CAL.is_match(l)) && strong || dated_plan || told)
        && !not_event
        && !wished;
    if creates {
        let title = EVENT_TITLE
            .captures(l)
            .and_then(|c| cap(&c, "title"))
            .or_else(|| {
                let c = ADDED_TO_CAL.captures(l)?;
                cap(&c, "title").or_else(|| cap(&c, "title2"))
            })
            .or_else(|| {
                // "I've got a dentist appointment on the 14th": what the user has.
                let what = I_HAVE_EVENT.captures(l)?.name("what")?;
                Some(what.start()..l.len())
            })
            .or_else(|| told.then_some(0..placed.unwrap_or(l.len())))
            .and_then(|r| tidy_event_title(t, r, &cut));
        // "meeting from 6 to 8 on thursday": the kind said alone names the event.
        let kind = title.as_deref().and_then(|s| {
            let s = s.to_ascii_lowercase();
            let last = s.rsplit(' ').next().filter(|_| s.split(' ').count() <= 2)?;
            Some(match last {
                "meeting" => "Meeting",
                "appointment" => "Appointment",
                _ => return None,
            })
        });
        let title = title.filter(|s| {
            let s = s.to_ascii_lowercase();
            !WHOLE_CAL.is_match(&s) && !matches!(s.as_str(), "it" | "that" | "this")
        });
        let title = title.or(kind.map(str::to_string)).unwrap_or_else(|| "Event".to_string());
        let mut plan =
            Plan::new(Intent::CreateEvent, if when.is_some() { 0.9 } else { 0.75 }).with("title", title);
        if let Some((f, _)) = &when {
            plan = plan.with("start_time", date_value(f, &f.start));
            if let Some(e) = f.end {
                plan = plan.with("end_time", date_value(f, &e));
            }
        }
        if let Some(c) = LOCATION.captures(t.to_ascii_lowercase().as_str()) {
            if let Some(r) = cap(&c, "loc") {
                plan = plan.with_opt("location", tidy(t, r, &[]));
            }
        }
        return Some(plan);
    }
    if !is_q && !l.starts_with("what") && CREATE_VERB.is_match(l) && !not_event {
        // A write verb we could not pin to a calendar item: do not guess. How urgent it
        // is may be said first ("high priority book the venue for the party").
        static URGENCY: LazyLock<Regex> = LazyLock::new(|| {
            rx(r"^(?:(?:top|high|low)[- ]priority|urgent(?:ly)?|asap|important)\b[\s:,!-]*")
        });
        let first = l.get(URGENCY.find(l).map_or(0, |m| m.end())..).unwrap_or("");
        let first = first.split_whitespace().next().unwrap_or("");
        if matches!(first, "add" | "put" | "schedule" | "book" | "create" | "make" | "set") {
            return None;
        }
    }
    // A statement about one's day is news, not a question ("my meeting went well",
    // "I paid the gas bill"): the rest of the parser decides what it is.
    if !is_q
        && (STATEMENT.is_match(l)
            || OWN_NEED.is_match(l)
            || super::decide::FACT.is_match(l)
            || super::decide::nothing_to_make(l))
    {
        return None;
    }
    // An errand done for a calendar thing ("text mom happy birthday tomorrow", "buy a
    // gift for the party"): not a calendar read.
    static ERRAND: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:text|call|email|phone|ring|message|buy|get|pick up|send|bring|order|wrap|bake|cook|make|prepare|prep|wish|write|print|pack|clean|decorate|rsvp|pay|renew|return|study|revise|practi[cs]e|train|plan|get ready)\b",
        )
    });
    if !is_q && ERRAND.is_match(l) && named.is_none() || super::decide::routine_order(l, now) {
        return None;
    }
    // A visit alone is read where it is asked of on a day or asked when ("is the vet
    // tomorrow?", "what time is my haircut"): "do I need a vaccination for spain" and
    // "next month I should get a haircut" ask nothing of the calendar.
    static ASKS_WHEN: LazyLock<Regex> = LazyLock::new(|| rx(r"^(?:when|what time|what day|which day)\b"));
    if visits_only && !((is_q || asked) && (when.is_some() || ASKS_WHEN.is_match(l))) {
        return None;
    }
    // Read the calendar.
    let mut plan = Plan::new(Intent::QueryEvents, if is_q { 0.85 } else { 0.7 });
    if let Some((f, _)) = &when {
        plan = with_span(plan, f, now);
    }
    if let Some(c) = EVENT_QUERY_ABOUT.captures(l) {
        if let Some(r) = cap(&c, "q") {
            plan = plan.with_opt("query", tidy(t, r, &cut));
        }
    }
    if !plan.params.contains_key("query") {
        plan = plan.with_opt("query", asked_when(t, l, &cut));
    }
    Some(plan)
}

/// Where the verb begins when what follows `from` says only that the thing is at a time
/// still to come: "is on the 21st at 6pm", "'s at 7:45 on friday" (the date phrases are
/// `cut`). A deadline is a task's, not a thing of its own to keep.
fn placed_at(
    l: &str,
    noun: &regex::Match<'_>,
    when: Option<&(Found, Vec<Range<usize>>)>,
    now: DateTime<Tz>,
) -> Option<usize> {
    let (f, cut) = when?;
    if noun.as_str() == "deadline" || !still_ahead(f, now) {
        return None;
    }
    let from = noun.end();
    let all = blanked(l, cut);
    let left = all.get(from..)?;
    let dated = cut.iter().any(|c| c.start >= from);
    // Each word with where it starts; the thing's name may go on a word or two past its
    // noun ("birthday party").
    let mut words = Vec::new();
    let mut at = 0;
    for w in left.split_whitespace() {
        let start = left.get(at..)?.find(w)? + at;
        at = start + w.len();
        words.push((start, w));
    }
    let verb = words.iter().take(3).position(|(_, w)| matches!(*w, "is" | "are" | "'s"))?;
    let name_goes_on = words[..verb].iter().all(|(_, w)| w.chars().all(|c| c.is_alphanumeric() || c == '\''));
    let only_when = words[verb + 1..]
        .iter()
        .all(|(_, w)| matches!(*w, "on" | "at" | "in" | "from" | "for" | "this" | "next"));
    (dated && name_goes_on && only_when).then(|| from + words[verb].0)
}

/// Whether the words before a calendar word name which one ("the book club meeting"),
/// beyond whose it is ("my meeting").
fn own_name(before: &str) -> bool {
    before.split_whitespace().any(|w| !matches!(w, "a" | "an" | "the" | "my" | "our" | "this" | "that"))
}

/// Whether the clause tells of a calendar thing at a time and says nothing else of it
/// ("my mom's birthday is on june 12"): news of one to keep, which no reading of it as a
/// question overrules.
pub(super) fn placed_event(t: &str, l: &str, now: DateTime<Tz>) -> bool {
    if is_question(l) {
        return false;
    }
    let when = dates(t, now);
    let cut = when.as_ref().map(|w| w.1.clone()).unwrap_or_default();
    named_noun(l, &cut).is_some_and(|m| placed_at(l, &m, when.as_ref(), now).is_some())
}

/// The calendar thing said as a name ("soccer practice", "the board meeting"): its noun,
/// when the words before it name it. The time may come first ("tomorrow at noon lunch
/// with Jake"): those words are read without the date phrases `cut`.
fn named_noun<'l>(l: &'l str, cut: &[Range<usize>]) -> Option<regex::Match<'l>> {
    EVENT_NOUN.find(l).filter(|m| names_thing(blanked(l, cut).get(..m.start()).unwrap_or("")))
}

/// The new time of a move: "to friday at 10", or a bare hour ("push my 3pm meeting to
/// 4"), which is the next such hour after the item's own time when it says one.
fn new_time(new_part: &str, item: &str, now: DateTime<Tz>) -> Option<Found> {
    // "move the gym to the evening": the part of the day of the item's own day.
    static THE_PART: LazyLock<Regex> =
        LazyLock::new(|| rx(r"^the (?P<part>morning|afternoon|evening|night)\b"));
    let new_part = &*THE_PART.replace(new_part, "this $part");
    // The item says whose hour it is: "move dinner with Sam to 8" is the evening's.
    let sentence = format!("{item} {new_part}");
    // "move tomorrow's lunch with Dana to 1pm": an hour alone goes on the item's own day.
    static DAY_SAID: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"\b(?:today|tonight|tomorrow|yesterday|(?:mon|tues|wednes|thurs|fri|satur|sun)day|next|week|month|\d+(?:st|nd|rd|th)|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)|/",
        )
    });
    let item_at = when::find(item, now).map(|f| f.start);
    let item_day = item_at
        .filter(|at| at.date_naive() != now.date_naive())
        .and_then(|at| when::midnight(now.timezone(), at.date_naive()));
    if let Some(f) = when::find(new_part, now) {
        let on_its_day = item_day.filter(|_| f.grain <= Grain::Hour && !DAY_SAID.is_match(new_part));
        if let Some((day, g)) = on_its_day.and_then(|day| Some((day, when::find(new_part, day)?))) {
            return Some(when::as_meant(g, new_part, &sentence, day));
        }
        return Some(when::as_meant(f, new_part, &sentence, now));
    }
    meant_hour(new_part, item_at.unwrap_or(now), &sentence, now)
}

/// [`bare_hour`] as the sentence around it means it: the evening's 8 beside a dinner.
pub(super) fn meant_hour(
    words: &str,
    from: DateTime<Tz>,
    sentence: &str,
    now: DateTime<Tz>,
) -> Option<Found> {
    bare_hour(words, from).map(|f| when::as_meant(f, words, sentence, now))
}

/// "4", "4:30": an hour said bare, the next one after `from`.
pub(super) fn bare_hour(words: &str, from: DateTime<Tz>) -> Option<Found> {
    let words = words.trim();
    let bare = !words.is_empty() && words.len() <= 5 && words.chars().all(|c| c.is_ascii_digit() || c == ':');
    bare.then(|| when::find(&format!("at {words}"), from)).flatten()
}

/// Writes phrased around the calendar rather than led by a verb: "I have to add
/// the farm trip to my calendar", "the staff meeting needs to be added to my calendar".
static ADDED_TO_CAL: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"\b(?:add|put|schedule|enter|pencil in|write down|mark)\s+(?P<title>.+?)\s+(?:to|on|in|into) (?:the |my |our )?calend[ae]r\b|^(?P<title2>.+?)\s+(?:needs|has|have|need) to be (?:added|put|scheduled) (?:to|on|in|into) (?:the |my |our )?calend[ae]r\b|\b(?:add|added|put) (?:to|on|in) (?:the |my )?calend[ae]r\b|^(?:i (?:have|need|must|want|would like|'d like) to |i must |i need |i want )(?:have )?(?:add|put|schedule|book)\b",
    )
});

static I_HAVE_EVENT: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^i(?: have|'ve got| got) (?:a|an|my) (?P<what>(?:[\w']+ ){0,2}?(?:meeting|appointment|call|event|birthday|party|flight|class|lesson|interview|exam|test|dinner|lunch|breakfast|date|trip|game|concert|wedding|recital|rehearsal|practice|checkup|check-up))\b",
    )
});

static MARK_DAY: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:mark|flag|block(?: off| out)?)\s+(?P<d>.+?)\s+as\s+(?:my |a |an |the )?(?P<t>.+)|(?P<d2>.+?)\s+(?:needs|has|have|need) to be (?:marked|flagged|blocked(?: off| out)?) as\s+(?:my |a |an |the )?(?P<t2>.+))$",
    )
});

/// "mark Friday as my day off", "today needs to be marked as a rest day": an
/// all-day entry, when what is marked is itself a date.
fn mark_day(t: &str, l: &str, now: DateTime<Tz>) -> Option<Plan> {
    let c = MARK_DAY.captures(l)?;
    let d = cap(&c, "d").or_else(|| cap(&c, "d2"))?;
    let title = cap(&c, "t").or_else(|| cap(&c, "t2"))?;
    let day_text = t.get(d.clone())?;
    let f = when::find(day_text, now)?;
    // The whole marked phrase must be the date ("mark this email as read" is not).
    let rest = format!("{}{}", day_text.get(..f.span.start)?, day_text.get(f.span.end..)?);
    if !rest.trim().trim_start_matches("the ").trim().is_empty() {
        return None;
    }
    let title = tidy(t, title, &[])?;
    let end = period_end(&f);
    let mut plan =
        Plan::new(Intent::CreateEvent, 0.8).with("title", title).with("start_time", date_value(&f, &f.start));
    if let Some(e) = f.end.or(end).filter(|_| f.grain >= Grain::Day) {
        plan = plan.with("end_time", date_value(&f, &e));
    }
    Some(plan)
}

static NOTIFICATION: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:set|create|add|make|new|give me|send me|schedule)(?: up)?\s+)?(?:a |an |another )?(?:new )?(?:notification|alert) (?:of|for|about|on) (?:the |my |a |an |our )?(?P<t>.+)$",
    )
});

/// "notification of the budget meeting on Wednesday", "new alert for the call in
/// two hours": a reminder with a time.
fn notification(t: &str, l: &str, now: DateTime<Tz>) -> Option<Plan> {
    let c = NOTIFICATION.captures(l)?;
    let (f, cut) = dates(t, now)?;
    let title = tidy(t, cap(&c, "t")?, &cut)?;
    Some(Plan::new(Intent::CreateTodo, 0.75).with("title", title).with("due_date", due_on(&f, now)))
}

static COMMAND_START: LazyLock<Regex> = LazyLock::new(|| {
    rx(r"^(?:add|put|remove|delete|clear|cancel|erase|wipe|get rid of|schedule|book|create)\b")
});

static WHOLE_CAL: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:all|every|everything|any)(?: of)?(?: my| the)?(?: calendar)?(?: events?| meetings?| appointments?| entries| data| information)?(?: and (?:schedules?|information))?|(?:my |the |this )?(?:entire |whole )?(?:calendar|schedule|day|week|agenda|calendar events?)|(?:an |the |that |this )?(?:event|meeting|appointment)|(?:the )?(?:next|last|past|previous|upcoming) (?:event|meeting|appointment)s?)$",
    )
});

/// "my next meeting", "the upcoming dentist appointment": the item after "next".
static NEXT_EVENT: LazyLock<Regex> =
    LazyLock::new(|| rx(r"^\s*(?:my\s+|the\s+|our\s+)?(?:very\s+)?(?:next|upcoming)\s+(?P<what>\S.*?)\s*$"));

/// Words that name an event without telling which one.
static GENERIC_EVENT: LazyLock<Regex> = LazyLock::new(|| {
    rx(r"^(?:calendar\s+)?(?:event|meeting|appointment|entry|thing)s?(?:\s+on\s+(?:my|the)\s+calendar)?$")
});

static EVENT_UPDATE: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:change|update|move|reschedule|rename|edit|modify|push|bump|postpone|shift|delay|bring forward)(?: back)?\s+(?P<item>.+?)\s+(?:to|until|till|for)\s+(?P<to>.+)$",
    )
});

static EVENT_QUERY_ABOUT: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"\b(?:my|the) (?P<q>(?:meeting|appointment|call|lunch|dinner|event) with [\w ]+?)(?:\s+(?:today|tomorrow|on|at|this|next|scheduled|start|begin)\b|$)|\b(?:event|meeting|appointment) (?:called|titled|named) (?P<q2>[\w' ]+)",
    )
});

fn tidy_event_title(t: &str, r: Range<usize>, cut: &[Range<usize>]) -> Option<String> {
    let raw = t.get(r.clone())?;
    let low = raw.to_ascii_lowercase();
    // Drop "to my calendar" and similar, keeping everything the user said about the item.
    let mut extra: Vec<Range<usize>> = cut.to_vec();
    // A date said as a possessive ("tomorrow's dentist appointment") takes its "'s" along.
    for c in cut {
        let after = t.get(c.end..).unwrap_or_default();
        if let Some(apostrophe) = ["'s", "\u{2019}s"].iter().find(|a| after.starts_with(**a)) {
            extra.push(c.end..c.end + apostrophe.len());
        }
    }
    for m in CAL_TAIL.find_iter(&low) {
        extra.push(r.start + m.start()..r.start + m.end());
    }
    if let Some(c) = LOCATION.captures(&low) {
        if let Some(m) = c.get(0) {
            extra.push(r.start + m.start()..r.start + m.end());
        }
    }
    tidy(t, r, &extra)
}

// ---------------------------------------------------------------------------
// Explicit edits of one item: "mark X as done", "check off X", "rename the todo X to Y"

static MARK_DONE: LazyLock<Regex> = LazyLock::new(|| {
    rx(&format!(
        r"^(?:mark|set)\s+(?:the\s+|my\s+)?(?:todo\s+|task\s+|item\s+)?(?P<item>.+?)\s+(?:as\s+)?(?:{DONE_WORDS})$",
    ))
});

/// Verbs that only make sense for list items; "complete" and "finish" need the word
/// "todo" or "task", since "finish the essay" is a plan, not a request to tick a box.
static CHECK_OFF: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:check|tick|cross)\s+off|(?:complete|finish)\s+(?:the\s+|my\s+)?(?:todo|task))\s+(?:the\s+|my\s+)?(?P<item>.+)$",
    )
});

/// "tick the gas bill off": the item between the verb and "off".
static CHECK_OFF_AFTER: LazyLock<Regex> =
    LazyLock::new(|| rx(r"^(?:check|tick|cross)\s+(?:the\s+|my\s+)?(?P<item>.+?)\s+off$"));

/// "make the passport renewal task urgent", "set pay rent to high priority", "change the
/// priority of the tax return to low", "raise the priority of the boiler service".
static REPRIORITISE: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:make|set|mark|change|switch|turn|bump|update)\s+(?P<item>.+?)\s+(?:(?:up\s+|down\s+)?(?:to|as|at)\s+)?(?:an?\s+)?(?P<level>urgent|high|low|medium|normal|top|highest|lowest|important)(?:\s+prio(?:rity)?)?|(?:change|set|make|update|mark|switch)\s+(?:the\s+)?prio(?:rity)?\s+(?:of|for|on)\s+(?P<item2>.+?)\s+(?:to|as)\s+(?P<level2>urgent|high|low|medium|normal|top|highest|lowest)|(?P<way>raise|lower|bump up|increase|decrease|drop|reduce)\s+(?:the\s+)?prio(?:rity)?\s+(?:of|for|on)\s+(?P<item3>.+?))$",
    )
});

/// A priority said as a change of an item: the todo by its title, and the new level.
fn reprioritise(t: &str, l: &str) -> Option<Plan> {
    static NAMED: LazyLock<Regex> = LazyLock::new(|| rx(r#"\b(?:task|todo|to-do|item)\b|^['"‘“]"#));
    let c = REPRIORITISE.captures(l)?;
    let item = c.name("item").or_else(|| c.name("item2")).or_else(|| c.name("item3"))?;
    // "set a warning for when my account runs low": a level said without the word
    // "priority" changes only an item named as a todo; "urgent" says it whatever is named.
    let bare = c.name("level").is_some_and(|v| v.as_str() != "urgent") && !l.contains("prio");
    if bare && !NAMED.is_match(item.as_str())
        || item.as_str().starts_with("a ")
        || item.as_str().starts_with("an ")
    {
        return None;
    }
    let level = match c.name("level").or_else(|| c.name("level2")).map(|m| m.as_str()) {
        Some("urgent") => "urgent",
        Some("low" | "lowest") => "low",
        Some("medium" | "normal") => "medium",
        Some(_) => "high",
        None if c
            .name("way")
            .is_some_and(|w| matches!(w.as_str(), "lower" | "decrease" | "drop" | "reduce")) =>
        {
            "low"
        }
        None => "high",
    };
    static KIND: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:the\s+)?prio(?:rity)?\s+(?:of|for|on)\s+(?:the\s+|my\s+)?|^(?:the|my|our)\s+(?:(?:task|todo|to-do|item)\s+)?|\s+(?:task|todo|to-do|item)$",
        )
    });
    let said = t.get(item.range())?;
    let title = tidy(
        said,
        0..said.len(),
        &KIND.find_iter(&said.to_ascii_lowercase()).map(|m| m.range()).collect::<Vec<_>>(),
    )?;
    // "make it urgent", "set the alarm to high": nothing named to look up.
    if only_pointed(&title)
        || matches!(title.to_ascii_lowercase().as_str(), "alarm" | "volume" | "the volume")
    {
        return None;
    }
    Some(Plan::new(Intent::UpdateTodo, 0.8).with("title", title).with("priority", level))
}

static RENAME: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^rename\s+(?:the\s+|my\s+)?(?:(?P<kind>todo|task|event|memo|note)\s+(?P<old>.+?)|(?P<old2>.+?)\s+(?P<kind2>todo|task|event|memo|note|reminder|alarm)|(?P<old3>[^\s/]+(?:\s+[^\s/]+){0,5}?))\s+(?:to|as)\s+(?P<new>.+)$",
    )
});

/// "rename the photos folder to italy": a rename of a thing outside the organiser.
pub(super) fn renames_other(l: &str) -> bool {
    l.starts_with("rename") && NOT_AN_ITEM.is_match(l)
}

/// What is renamed on the computer or elsewhere, not in the organiser.
static NOT_AN_ITEM: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"\b(?:files?|folders?|director(?:y|ies)|playlists?|contacts?|accounts?|network|wifi|wi-fi|device|phone|computer|laptop|printer|album|photos?|pictures?|documents?|channel|group|chat|server|branch|repo(?:sitory)?|variable|column|sheet|tab)\b|\.\w{1,4}$",
    )
});

/// "add a todo to buy milk tomorrow", "new task: file the taxes", "add todo call Ana".
static ADD_TODO: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:please\s+)?(?:add|create|make|put|new|schedule|set(?:\s+up)?|log|enter|jot(?:\s+down)?|write(?:\s+down)?|open)\s+(?:a\s+|an\s+|one\s+)?(?:new\s+|quick\s+|recurring\s+|repeating\s+|regular\s+)*(?:todo|to-do|to do|task)(?:\s+item)?(?:\s*:\s*|\s+(?:to|for|called|saying|that says)\s+|\s+)(?P<item>.+)$",
    )
});

fn todo_add(t: &str, l: &str, now: DateTime<Tz>) -> Option<Plan> {
    let c = ADD_TODO.captures(l)?;
    let r = c.name("item")?.range();
    // "make a to do list for the trip" is about a list, not an item called "list ...".
    let item = l.get(r.clone())?;
    if item.starts_with("list") || item.starts_with("app") || is_question(l) {
        return None;
    }
    let when = dates(t, now);
    let cut: Vec<Range<usize>> = when.as_ref().map(|w| w.1.clone()).unwrap_or_default();
    let title = tidy(t, r, &cut)?;
    let mut plan = Plan::new(Intent::CreateTodo, 0.85).with("title", title);
    if let Some((f, _)) = &when {
        plan = plan.with("due_date", due_on(f, now));
    }
    Some(plan)
}

/// "my essay is due friday at 5", "I have a tax return due on the 31st", "the library
/// books are due back monday": a thing told as due on a day still ahead is a deadline
/// to keep, named by the thing.
fn due_told(t: &str, l: &str, now: DateTime<Tz>) -> Option<Plan> {
    static DUE: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:(?:i|we)(?: have| have got|'ve got| got) (?P<had>.+?)|(?P<told>(?:my|our|the|his|her|their) [\w' -]+?|[\w'-]+(?: [\w'-]+)?)(?: is| are|'s| will be))\s+due(?: back| in| on| by)?(?:\s+(?P<part>date|time|day))?\b",
        )
    });
    static NOT_THING: LazyLock<Regex> = LazyLock::new(|| {
        rx(r"^(?:it|this|that|something|anything|nothing|everything|(?:a |an )?(?:baby|period))$")
    });
    if is_question(l) {
        return None;
    }
    let c = DUE.captures(l).filter(|c| c.name("part").is_none())?;
    let r = c.name("had").or_else(|| c.name("told"))?.range();
    let (f, cut) = dates(t, now)?;
    if !still_ahead(&f, now) {
        return None;
    }
    let title = tidy(t, r, &cut).filter(|s| !only_pointed(s) && !NOT_THING.is_match(&s.to_lowercase()))?;
    Some(Plan::new(Intent::CreateTodo, 0.8).with("title", title).with("due_date", due_on(&f, now)))
}

fn todo_edit(t: &str, l: &str) -> Option<Plan> {
    if let Some(c) = RENAME.captures(l) {
        // The kind said before the item ("the task X") or after it ("my gym todo").
        let said = c.name("old").or_else(|| c.name("old2")).or_else(|| c.name("old3"))?;
        let quotes: &[char] = &['"', '\'', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}'];
        let old = t.get(said.range())?.trim().trim_matches(quotes).trim();
        let new = t.get(c.name("new")?.range())?.trim().trim_matches(quotes).trim();
        if old.is_empty() || new.is_empty() {
            return None;
        }
        // "rename 'clean garage' to ...": no kind said, a calendar thing is an event and
        // anything else a todo; a thing of the computer or the phone is neither.
        let kind = c.name("kind").or_else(|| c.name("kind2")).map(|k| k.as_str());
        let kind = match kind {
            Some(k) => k,
            None if NOT_AN_ITEM.is_match(said.as_str()) => return None,
            None if EVENT_NOUN.is_match(said.as_str()) => "event",
            None => "todo",
        };
        let plan = match kind {
            "event" => Plan::new(Intent::UpdateEvent, 0.85).with("title", old),
            "memo" | "note" => Plan::new(Intent::UpdateMemo, 0.85).with("query", old),
            _ => Plan::new(Intent::UpdateTodo, 0.85).with("title", old),
        };
        return Some(plan.with("new_title", new));
    }
    if let Some(plan) = reprioritise(t, l) {
        return Some(plan);
    }
    let c = MARK_DONE
        .captures(l)
        .or_else(|| CHECK_OFF.captures(l))
        .or_else(|| CHECK_OFF_AFTER.captures(l))
        .or_else(|| TOLD_DONE.captures(l))
        .or_else(|| GOT_DONE.captures(l))?;
    let item = super::slots::before_list(t.get(c.name("item")?.range())?.trim());
    if item.is_empty() || only_pointed(item) || WHOLE_LIST.is_match(&item.to_ascii_lowercase()) {
        return None;
    }
    Some(Plan::new(Intent::CompleteTodo, 0.85).with("title", item))
}

/// "the electricity bill has been paid", "groceries are bought": an errand told as done,
/// its thing first. Only verbs that finish an errand: "the car is fixed" is one, "the
/// meeting was long" is not.
static TOLD_DONE: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:the|my|our)\s+)?(?P<item>[\w' -]+?)(?:\s+(?:is|are|has been|have been|was|were|got|'s)|(?:'s|\u{2019}s|'re)(?:\s+been)?)\s+(?:now\s+|all\s+|just\s+|finally\s+|already\s+)*(?:done|finished|completed|paid(?: off)?|bought|sent(?: off)?|booked|submitted|filed|renewed|returned|posted|mailed|picked up|dropped off|taken out|put out|sorted(?: out)?|handled|taken care of|cleaned|washed|fixed|repaired|serviced|delivered|collected|replaced|installed|ordered|signed|printed|packed|watered|mowed|vacuumed|hoovered)$",
    )
});

/// "got the birthday present sorted", "I've had the boiler serviced", "finally got the
/// car fixed": an errand told as done by having it done.
static GOT_DONE: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:i|we)(?:'ve| have)? )?(?:just |finally |already |now )?(?:got|had|gotten) (?:the |my |our )?(?P<item>[\w' -]+?) (?:all |finally )?(?:sorted(?: out)?|finished|fixed|repaired|serviced|booked|paid(?: off)?|cleaned|washed|renewed|delivered|installed|replaced|signed|printed|posted|sent(?: off)?|submitted|mowed)$",
    )
});

// ---------------------------------------------------------------------------
// Requests without a domain word

static NUDGE: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:alert|notify|ping|buzz|nudge|warn) me\b(?:.*?\b(?:to|that|about)\s+(?P<body>.+)|.*)|(?:tell me to|let me know to)\s+(?P<body2>.+)|let me know (?:in|at|after)\b.*)$",
    )
});

/// "alert me in 20 minutes", "let me know in 15 minutes", "tell me to take out
/// the trash in an hour": a reminder when a future time is given.
fn nudge(t: &str, l: &str, now: DateTime<Tz>) -> Option<Plan> {
    // Every nudge says "me"; the dates are read only for a clause that does.
    if !l.split_whitespace().any(|w| w == "me") {
        return None;
    }
    let (f, cut) = dates(t, now)?;
    if f.start <= now {
        return None;
    }
    // "in 20 minutes tell me to check the oven": the time said first.
    let from = cut
        .iter()
        .find(|r| l.get(..r.start).is_some_and(|head| head.trim().is_empty()))
        .map_or(0, |r| l.len() - l.get(r.end..).unwrap_or("").trim_start_matches([' ', ',']).len());
    let c = NUDGE.captures(l.get(from..)?)?;
    let title = cap(&c, "body")
        .or_else(|| cap(&c, "body2"))
        .map(|r| r.start + from..r.end + from)
        .and_then(|r| tidy(t, r, &cut))
        .unwrap_or_else(|| "Reminder".to_string());
    Some(Plan::new(Intent::CreateTodo, 0.75).with("title", title).with("due_date", due_on(&f, now)))
}

static SHOPPING_Q: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:do|what do|what else do|is there anything) (?:i|we) need\b.*\b(?:buy|get|pick up|store|shop|shopping|grocer\w*|market)\b",
    )
});

/// "what are my current alerts", "show me my notifications": the reminders.
static MY_ALERTS_Q: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:what|what's|whats|which|show|list|read|tell me|do i have)\b.*\b(?:my|any) (?:[\w']+ )?(?:alerts|notifications)$",
    )
});

static AGENDA: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:what|what's|whats|do|does|is|are|am|anything|any|tell me|show me)\b.*?\b(?:(?:do|have) i (?:got |have )?(?:going on|planned|scheduled|on|booked|to do|lined up|coming up)|i have (?:going on|planned|scheduled|on|booked|to do|lined up|coming up)|(?:happening|going on|coming up|planned|scheduled)\b.*\b(?:today|tonight|tomorrow|week|weekend|month|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|am i (?:free|busy|available|doing|supposed)|i (?:have|got) (?:anything|something|plans|a date|to meet|to be|(?:any|some)where to be|any ?place to be)|(?:my|the) (?:day|morning|afternoon|evening|week|weekend) look|(?:happening|going on|planned|in the books) (?:on|for|this|next|tomorrow|today))\b|^(?:am i (?:free|busy|available)|what's happening|what is happening|what's on|what is on) |^how (?:busy|packed|full|booked(?: up)?|hectic|slammed|swamped|free)\b.*\b(?:am i|is my|are my|'s my|will i be|i am)\b",
    )
});

/// "When is my flight", "what time is the school play": a thing of the user's asked
/// after by name.
static WHEN_MINE: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:when|what time)(?:'s| is| are| does| do)\s+(?:(?:my|our)\s+(?P<q>[\w' -]+?)|(?P<q2>[a-z]+'s\s+[\w' -]+?)|the\s+(?P<q3>[\w' -]+?))(?:\s+(?:start|starts|begin|begins|end|ends|finish|finishes))?$",
    )
});

/// "when is my flight", "what time is Sam's party": the user's own thing asked after,
/// its name without the date phrases `cut`. ("when is easter" is no thing of theirs;
/// "when is my next free afternoon" asks for a gap, not a thing.)
fn asked_when(t: &str, l: &str, cut: &[Range<usize>]) -> Option<String> {
    let gap =
        ["free", "busy", "available", "spare", "open"].iter().any(|w| l.split_whitespace().any(|x| x == *w));
    let c = WHEN_MINE.captures(l).filter(|_| !gap)?;
    // "when's the dentist": a thing said with "the" is the user's when it is a calendar
    // thing ("when is the world cup" is not).
    let the = c.name("q3").filter(|q| EVENT_NOUN.is_match(q.as_str()));
    let q = c.name("q").or_else(|| c.name("q2")).or(the)?;
    let q = tidy(t, q.range(), cut)?;
    // What is said of the thing after its name ("the party scheduled", "the hockey game
    // start", "the meeting I have with John") is no word of its title.
    static SAID_OF: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"\s+(?:(?:is|are)\s+)?(?:due|scheduled|planned|booked|set|happening|start|starts|starting|begin|begins|end|ends|finish|finishes)\b.*$",
        )
    });
    static MINE: LazyLock<Regex> =
        LazyLock::new(|| rx(r"\s+(?:that\s+)?(?:i|we)\s+(?:have|'ve got|got|had)\b"));
    let q = match MINE.find(&q.to_ascii_lowercase()) {
        Some(m) => format!("{}{}", q.get(..m.start())?, q.get(m.end()..)?),
        None => q,
    };
    let low = q.to_ascii_lowercase();
    let from = ["next ", "upcoming "].iter().find(|w| low.starts_with(**w)).map_or(0, |w| w.len());
    let to = SAID_OF.find(&low).map_or(low.len(), |m| m.start()).max(from);
    let thing = low.get(from..to)?;
    // "my next meeting" names no one thing to look for.
    if GENERIC_EVENT.is_match(thing) || WHOLE_CAL.is_match(thing) {
        return None;
    }
    q.get(from..to).map(str::to_string)
}

/// "what haven't I done yet", "anything overdue", "what am I behind on", "open tasks":
/// a question of what is still to do asks of the todos, however it names them.
fn todos_left(l: &str) -> bool {
    static ASKED: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:what|what's|whats|what is|what are|which|show|list|any|anything|is there|are there|have i|do i have|did i|tell me|give me|remind me)\b",
        )
    });
    // Not done, said of the user, or a word for what is still open.
    static LEFT: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"\b(?:(?:haven'?t i|have i not|didn'?t i|did i not|i haven'?t|i have not|i didn'?t|i did not)\s+(?:yet\s+)?(?:done|do|finish|finished|complete|completed|got (?:round|around) to|get (?:round|around) to|gotten (?:round|around) to|ticked off|checked off|started|sorted)|outstanding|pending|overdue|unfinished|incomplete|undone|not (?:yet )?(?:done|finished|complete|completed)|still (?:open|to do|to be done|pending)|left to do|(?:am i|i'm) behind (?:on|with)|(?:have i|did i) (?:missed|miss) (?:any |a )?(?:deadlines?|due dates?)|(?:should|do|shall) i (?:work on|do|tackle|start on|focus on) (?:next|first)|(?:have i|did i|i've) (?:finished|finish|done|do|completed|complete|ticked off|got through|get through) (?:everything|it all|all (?:of )?(?:my|the) (?:tasks|todos|to-?dos|jobs|errands|chores|stuff)|my (?:tasks|todos|to-?dos|list|jobs|errands|chores)))\b",
        )
    });
    // "open tasks", "my overdue items please": the todos named by what they still are.
    static NAMED: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:show (?:me )?)?(?:my |all |all my |the |any )?(?:open|overdue|pending|outstanding|unfinished|incomplete|late|undone)\s+(?:tasks|todos|to-?dos|items|jobs|things|stuff|errands|chores)(?:\s+please)?$",
        )
    });
    NAMED.is_match(l) || ASKED.is_match(l) && LEFT.is_match(l)
}

/// "What do I have going on next week?", "am I free on Friday?": reading the agenda.
fn agenda_question(l: &str, now: DateTime<Tz>) -> Option<Plan> {
    if MY_ALERTS_Q.is_match(l) {
        return Some(Plan::new(Intent::QueryTodos, 0.7));
    }
    // "what do I need to get done": the errands, not the shopping.
    static GET_DONE: LazyLock<Regex> =
        LazyLock::new(|| rx(r"\bget (?:done|finished|sorted|through|on with)\b"));
    if SHOPPING_Q.is_match(l) && !GET_DONE.is_match(l) {
        return Some(Plan::new(Intent::QueryTodos, 0.7).with("tags", vec![Value::from("shopping")]));
    }
    // "is there anything due today", "do I have anything due friday": what is due is
    // on the todo list.
    static DUE_Q: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:is there|are there|do i have|have i got|anything|something|what's|what is|whats)\b(?:\s+\w+){0,3}?\s+due\b",
        )
    });
    // "show me my low priority chores", "which errands are left": a question that names
    // the todos asks of them.
    static TODOS_Q: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:show|list|what|what's|whats|what are|which|give me|tell me|read|display|any)\b(?:\s+[\w']+){0,5}?\s+(?:tasks|todos|to-?dos|chores|errands)\b",
        )
    });
    // "anything urgent?", "what's important today", "any high priority stuff I'm
    // forgetting": the todos asked of by their priority.
    static PRESSING_Q: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:what's|what is|whats|what|anything|any|is there anything|is anything|are there any|do i have anything|have i got anything|show me|show)(?: else)?(?: really| very| super)? (?:urgent|important|pressing|critical|high[- ]priority|top[- ]priority)(?: (?:stuff|things?|tasks?|items?|jobs?|todos?|to-?dos?))?(?: (?:for |on )?(?:today|tonight|tomorrow|this (?:morning|afternoon|evening|week|weekend)|next week))?(?: (?:that )?(?:i'm|i am|i've been) (?:forgetting|missing|overlooking)| (?:left|pending|open|due|coming up|on my (?:list|plate)))?$",
        )
    });
    if DUE_Q.is_match(l) || TODOS_Q.is_match(l) || todos_left(l) || PRESSING_Q.is_match(l) {
        let when = when::find(l, now);
        return Some(super::build::todos_due(Plan::new(Intent::QueryTodos, 0.75), when.as_ref(), l, now));
    }
    // The dates are read only for a question of that form.
    if WHEN_MINE.is_match(l) {
        let found = dates(l, now);
        let cut: Vec<Range<usize>> = found.as_ref().map(|w| w.1.clone()).unwrap_or_default();
        if let Some(q) = asked_when(l, l, &cut) {
            let plan = Plan::new(Intent::QueryEvents, 0.75).with("query", q);
            return Some(match &found {
                Some((f, _)) => with_span(plan, f, now),
                None => plan,
            });
        }
    }
    // "what's the plan for tomorrow", "any clashes on wednesday": the plans of a day.
    static PLANS: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:what's|what is|whats|what are|what're) (?:the|my|our) plans? (?:for|on|this|next|tomorrow|today|tonight)\b|^(?:any|are there any|do i have any|have i got any|is there a) (?:clash|clashes|conflicts?|double[ -]?bookings?|overlaps?)\b",
        )
    });
    // "is the plumber coming tomorrow", "are the Smiths visiting on sunday": whether a
    // thing is on a day is a look at that day.
    static ON_A_DAY: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:is|are) (?:the |my |our )?[\w' -]+? (?:coming|coming over|coming round|visiting|arriving|booked|happening|still on)\b",
        )
    });
    // "is the new series coming out on friday" is no visit.
    let visit = ON_A_DAY.find(l).is_some_and(|m| !l[m.end()..].trim_start().starts_with("out"));
    if visit {
        if let Some(f) = when::find(l, now) {
            return Some(with_span(Plan::new(Intent::QueryEvents, 0.7), &f, now));
        }
    }
    if PLANS.is_match(l) && !AGENDA.is_match(l) {
        // A day's plans are its briefing; another day's, that day's calendar (which the
        // parser makes of any briefing asked of another day).
        if l.contains("plan") {
            return Some(Plan::new(Intent::DailyBriefing, 0.7));
        }
        let plan = Plan::new(Intent::QueryEvents, 0.7);
        return Some(match when::find(l, now) {
            Some(f) => with_span(plan, &f, now),
            None => plan,
        });
    }
    if !AGENDA.is_match(l) {
        return None;
    }
    // "what do I have to get done by friday": the errands.
    let to_do = ["to do", "get done", "to finish", "get finished", "to sort"].iter().any(|w| l.contains(w));
    let mut plan = Plan::new(if to_do { Intent::QueryTodos } else { Intent::QueryEvents }, 0.7);
    if let Some(f) = when::find(l, now) {
        if to_do {
            plan = plan.with("due_date", due_by(&f));
        } else {
            plan = with_span(plan, &f, now);
        }
    }
    Some(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_regexes_compile() {
        for re in [
            &QUESTION,
            &EDGE_JUNK,
            &FILE_READ,
            &FILE_CREATE,
            &FILE_WRITE,
            &SHELL,
            &SHELL_CMD,
            &OPEN_APP,
            &WEB_SEARCH,
            &LOCAL_SEARCH,
            &BRIEFING,
            &DELEGATE,
            &MEMO_CREATE,
            &MEMO_QUERY,
            &MEMO_UPDATE,
            &MEMO_DELETE,
            &MEMO_ABOUT,
            &DELETE_VERB,
            &COMPLETE_VERB,
            &UPDATE_VERB,
            &CREATE_VERB,
            &TIMER,
            &ALARM,
            &ALARM_LABEL,
            &REMIND,
            &REMIND_BODY,
            &REMIND_QUERY_BODY,
            &REMINDER_ABOUT,
            &PRIORITY,
            &LIST_NOUN,
            &NOT_TODO_LIST,
            &LIST_ADD,
            &LIST_NEW,
            &LIST_REMOVE_ITEM,
            &LIST_QUERY_ITEM,
            &WHOLE_LIST,
            &COMPLETE_ITEM,
            &RAN_OUT,
            &EVENT_NOUN,
            &STRONG_EVENT,
            &NOT_EVENT,
            &EVENT_CREATE,
            &EVENT_TITLE,
            &CAL_TAIL,
            &LOCATION,
            &WHOLE_CAL,
            &EVENT_UPDATE,
            &EVENT_QUERY_ABOUT,
            &NUDGE,
            &AGENDA,
            &COMMAND_START,
            &I_HAVE_EVENT,
            &MARK_DAY,
            &CHECK_OFF_AFTER,
            &NEW_ITEM,
            &REMIND_HOUR,
            &NOTIFICATION,
            &MY_ALERTS_Q,
        ] {
            assert_ne!(re.as_str(), never().as_str());
        }
    }
}
