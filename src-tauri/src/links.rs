//! `clawchat://` links from other apps. A link only opens something for the user to
//! confirm: `clawchat://add?text=...` fills quick add, `clawchat://todo/<id>` and
//! `clawchat://event/<id>` open the item's editor; nothing is saved until the user says
//! so. Anything else is refused with a message for the user, never acted on.

use tauri::AppHandle;
use tauri_plugin_deep_link::DeepLinkExt as _;
use url::Url;

use crate::{quick_add, shell};

/// The scheme, as `tauri.conf.json` registers it.
pub const SCHEME: &str = "clawchat";

/// The most text a link may put in quick add.
const MAX_TEXT: usize = 2000;

/// What a link asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// Quick add, filled with this text.
    Add(String),
    /// The todo with this id, in its editor.
    Todo(String),
    /// The event with this id, in its editor.
    Event(String),
}

impl Link {
    /// Where the main window shows it, for the links that open an item.
    pub fn page(&self) -> Option<String> {
        match self {
            Link::Add(_) => None,
            Link::Todo(id) => Some(format!("todos?open={id}")),
            Link::Event(id) => Some(format!("calendar?open={id}")),
        }
    }
}

const FORMS: &str = "ClawChat opens clawchat://add?text=..., clawchat://todo/<id> and clawchat://event/<id>";

/// Whether a command-line argument is meant as a link (well formed or not).
pub fn is_link(arg: &str) -> bool {
    arg.get(..SCHEME.len() + 1).is_some_and(|p| p.eq_ignore_ascii_case("clawchat:"))
}

/// Whether `arg` is meant as a link but is no address at all (the deep-link plugin
/// passes such arguments over).
pub fn unreadable(arg: &str) -> bool {
    is_link(arg) && Url::parse(arg.trim()).is_err()
}

/// Reads a link; the error says, for the user, what is wrong with it.
pub fn parse(raw: &str) -> Result<Link, String> {
    let url =
        Url::parse(raw.trim()).map_err(|e| format!("the link is not a valid address ({e}). {FORMS}."))?;
    if url.scheme() != SCHEME {
        return Err(format!("{} is not a ClawChat link. {FORMS}.", url.scheme()));
    }
    let segments: Vec<&str> = url.path().trim_matches('/').split('/').filter(|s| !s.is_empty()).collect();
    match (url.host_str().unwrap_or_default(), segments.as_slice()) {
        ("add", []) => {
            let text = url.query_pairs().find(|(k, _)| k == "text").map(|(_, v)| v.into_owned());
            let text = text.unwrap_or_default();
            if text.chars().count() > MAX_TEXT {
                return Err(format!("the text to add is longer than {MAX_TEXT} characters"));
            }
            Ok(Link::Add(text))
        }
        ("todo", [id]) => valid_id(id).map(Link::Todo),
        ("event", [id]) => valid_id(id).map(Link::Event),
        _ => Err(format!("this link asks for something ClawChat does not do. {FORMS}.")),
    }
}

/// Opens what `raw` asks for, or the main window with the reason it cannot.
pub fn open(app: &AppHandle, raw: &str) {
    tracing::info!("a clawchat:// link arrived");
    match parse(raw) {
        Ok(Link::Add(text)) => {
            if let Err(e) = quick_add::open(app, Some(&text)) {
                tracing::error!(error = %e, "quick add did not open");
            }
        }
        Ok(link) => shell::show_main_at(app, &link.page().unwrap_or_default()),
        Err(reason) => {
            tracing::info!(%reason, "a link was refused");
            shell::show_main_at(app, &error_page(&reason));
        }
    }
}

/// The main window's page that shows why a link was refused.
pub fn error_page(reason: &str) -> String {
    format!(
        "today?link_error={}",
        url::form_urlencoded::byte_serialize(reason.as_bytes()).collect::<String>()
    )
}

/// Follows the links the app is handed: those that start it, and those a second launch
/// passes on (through the single-instance plugin). The deep-link plugin hands over only
/// what reads as a `clawchat:` address; a malformed one that starts the app is refused here.
pub fn listen(app: &AppHandle) {
    let handle = app.clone();
    app.deep_link().on_open_url(move |event| {
        for url in event.urls() {
            open(&handle, url.as_str());
        }
    });
    match app.deep_link().get_current() {
        Ok(Some(urls)) => urls.iter().for_each(|url| open(app, url.as_str())),
        _ => {
            if let Some(arg) = std::env::args().nth(1).filter(|a| unreadable(a)) {
                open(app, &arg);
            }
        }
    }
}

/// Ids are opaque, but the store only makes letters, digits, `-` and `_`.
fn valid_id(id: &str) -> Result<String, String> {
    let ok =
        (1..=64).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok { Ok(id.to_owned()) } else { Err(format!("\"{id}\" is not the id of an item")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_fills_quick_add_with_the_decoded_text() {
        assert_eq!(
            parse("clawchat://add?text=Call%20the%20dentist+tomorrow%203pm%20%23health"),
            Ok(Link::Add("Call the dentist tomorrow 3pm #health".into()))
        );
        assert_eq!(parse("clawchat://add"), Ok(Link::Add(String::new())), "an empty quick add");
        assert!(parse(&format!("clawchat://add?text={}", "a".repeat(MAX_TEXT + 1))).is_err());
    }

    #[test]
    fn todo_and_event_links_open_the_item_page() {
        assert_eq!(parse("clawchat://todo/01HZX-abc_9"), Ok(Link::Todo("01HZX-abc_9".into())));
        assert_eq!(parse("clawchat://event/e1/").map(|l| l.page()), Ok(Some("calendar?open=e1".into())));
        assert_eq!(Link::Todo("t1".into()).page(), Some("todos?open=t1".into()));
    }

    #[test]
    fn malformed_links_are_refused_with_a_reason() {
        for raw in [
            "clawchat:",
            "clawchat://",
            "clawchat://todo",
            "clawchat://todo/",
            "clawchat://todo/a/b",
            "clawchat://todo/%3Cscript%3E",
            "clawchat://todo/a%2Fb",
            "clawchat://delete/t1",
            "https://example.com/todo/1",
            "clawchat://[::1",
        ] {
            let refused = parse(raw);
            assert!(refused.is_err(), "{raw} was read as {refused:?}");
        }
        assert!(parse("clawchat://delete/t1").unwrap_err().contains("clawchat://add?text="));
    }

    #[test]
    fn only_clawchat_arguments_are_links() {
        assert!(is_link("clawchat://add?text=x"));
        assert!(is_link("ClawChat:garbage"));
        assert!(!is_link("--autostart"));
        assert!(!is_link("claw"));
        assert!(unreadable("clawchat://[::1"));
        assert!(!unreadable("clawchat://delete/1"), "the plugin hands this one over");
    }
}
