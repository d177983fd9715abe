//! Host tools: files, shell commands and apps to open.

use std::sync::LazyLock;

use regex::Regex;

use super::shared::{cap, rx};
use crate::intent::Intent;
use crate::parse::Plan;

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
pub(in crate::parse) fn is_shell_command(cmd_low: &str) -> bool {
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
pub(in crate::parse) fn opened_to_read(t: &str, l: &str) -> Option<Plan> {
    static OPEN_TO_READ: LazyLock<Regex> = LazyLock::new(|| {
        rx(&format!(
            r"^(?:please )?open(?: up)? {PATH}{PLACE} and (?:read|show)(?: me)? (?:it|its contents|what it says)(?: to me| out(?: loud)?| aloud)?[.!]?$"
        ))
    });
    let c = OPEN_TO_READ.captures(l)?;
    let path = placed(t.get(cap(&c, "path")?)?, &c);
    Some(Plan::new(Intent::FileRead, 0.9).with("path", path))
}

pub(super) fn host_tool(t: &str, l: &str) -> Option<Plan> {
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

/// The constant patterns of this file, for the test that each compiles.
#[cfg(test)]
pub(super) fn patterns() -> Vec<&'static LazyLock<Regex>> {
    vec![&FILE_READ, &FILE_CREATE, &FILE_WRITE, &SHELL, &SHELL_CMD, &OPEN_APP]
}
