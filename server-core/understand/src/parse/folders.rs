//! The user's folders named in words: "open my downloads folder" opens it, "what's in
//! my documents" / "list the files on my desktop" lists it, and "run git status in
//! ~/code/app" runs the command there. Each is a host tool, so each waits for the
//! user's yes where it executes.

use std::sync::LazyLock;

use regex::Regex;

use super::Plan;
use super::rules::rx;
use crate::intent::Intent;

/// A folder said in words or as a path.
const FOLDER: &str = r"(?:(?:my|the)\s+)?(?:(?P<named>desktop|documents|downloads|home|pictures|photos|music|videos|movies)(?:\s+(?:folder|directory|dir))?|(?P<path>~(?:/[^\s]*)?|/[^\s]+))";

static OPEN: LazyLock<Regex> = LazyLock::new(|| {
    rx(&format!(r"^(?:open|show|go to|browse|pull up|bring up)(?: up)?(?: me)?\s+{FOLDER}$"))
});

static LIST: LazyLock<Regex> = LazyLock::new(|| {
    rx(&format!(
        r"^(?:(?:list|show(?: me)?|display|give me)(?: all)?(?: of)?(?: the| my)?\s+(?:files|contents|stuff|things|folders|documents)(?: that are)?\s+(?:in|on|inside|of|under)|(?:(?:show|tell) me )?what(?:'s| is| are)(?: all)?(?: the)?(?: files| stuff)?\s+(?:in|on|inside)|what files are\s+(?:in|on))\s+{FOLDER}$"
    ))
});

static RUN_IN: LazyLock<Regex> = LazyLock::new(|| {
    rx(&format!(r"^(?:run|execute)(?: the command)?\s*:?\s+(?P<cmd>.+?)\s+(?:in|inside|from)\s+{FOLDER}$"))
});

/// The folder a match names, as a path the host understands.
fn folder(c: &regex::Captures<'_>, t: &str) -> Option<String> {
    if let Some(p) = c.name("path") {
        return t.get(p.range()).map(str::to_string);
    }
    let named = match c.name("named")?.as_str() {
        "desktop" => "Desktop",
        "documents" => "Documents",
        "downloads" => "Downloads",
        "pictures" | "photos" => "Pictures",
        "music" => "Music",
        "videos" | "movies" => "Videos",
        _ => return Some("~".to_string()),
    };
    Some(format!("~/{named}"))
}

/// Whether a path names a file by its extension ("plan.md"). A folder's name has none;
/// a name that is all extension ("~/.config") may be either, and listing shows both.
fn names_file(path: &str) -> bool {
    let last = path.rsplit('/').next().unwrap_or(path);
    match last.rsplit_once('.') {
        Some(("", _)) => false,
        Some((_, ext)) => (1..=8).contains(&ext.len()) && ext.chars().all(|c| c.is_ascii_alphanumeric()),
        None => false,
    }
}

/// A path made safe to put in a shell command: home-relative paths keep `~` outside the
/// quotes so the shell expands it.
fn quoted(path: &str) -> String {
    let (home, rest) = match path.strip_prefix("~/") {
        Some(rest) => ("~/", rest),
        None if path == "~" => return "~".to_string(),
        None => ("", path),
    };
    if rest.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-')) {
        format!("{home}{rest}")
    } else {
        format!("{home}'{}'", rest.replace('\'', r"'\''"))
    }
}

pub(super) fn folder_tool(t: &str, l: &str) -> Option<Plan> {
    if let Some(c) = OPEN.captures(l) {
        return Some(Plan::new(Intent::OpenApp, 0.85).with("target", folder(&c, t)?));
    }
    if let Some(c) = LIST.captures(l) {
        let path = folder(&c, t)?;
        // "show me what's in ~/notes/plan.md": a file's contents are read, not listed.
        if names_file(&path) {
            return Some(Plan::new(Intent::FileRead, 0.85).with("path", path));
        }
        let command = format!("ls -la {}", quoted(&path));
        return Some(Plan::new(Intent::ExecutorShell, 0.85).with("command", command));
    }
    let c = RUN_IN.captures(l)?;
    let cmd = t.get(c.name("cmd")?.range())?.trim().trim_matches('`');
    if !super::rules::is_shell_command(&cmd.to_ascii_lowercase()) {
        return None;
    }
    let command = format!("cd {} && {cmd}", quoted(&folder(&c, t)?));
    Some(Plan::new(Intent::ExecutorShell, 0.85).with("command", command))
}

#[cfg(test)]
mod tests {
    use super::{names_file, quoted};

    #[test]
    fn a_path_with_an_extension_names_a_file() {
        assert!(names_file("~/Documents/plan.md"));
        assert!(names_file("/etc/hosts.allow"));
        assert!(!names_file("~/.config"));
        assert!(!names_file("~/Documents"));
        assert!(!names_file("~"));
        assert!(!names_file("~/code/app"));
        assert!(!names_file("~/my.folder.with.a very long tail"));
    }

    #[test]
    fn a_folder_in_a_command_is_quoted_unless_plain() {
        assert_eq!(quoted("~/code/app"), "~/code/app");
        assert_eq!(quoted("~"), "~");
        assert_eq!(quoted("~/My Files"), "~/'My Files'");
        assert_eq!(quoted("/tmp/it's"), r"'/tmp/it'\''s'");
    }
}
