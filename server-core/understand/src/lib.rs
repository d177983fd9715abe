//! What a user's sentence asks for, understood on the machine with no model installed.
//!
//! This crate knows nothing of the server: it takes a line of text and the moment it was
//! said (in the user's IANA zone) and returns a [`Parsed`]: the intent, its params and
//! the steps of a plan. The server's planner turns the steps into tasks and runs them.
//!
//! - [`intent`]: the intents the contract knows, written once.
//! - [`when`]: dates and times in a sentence, resolved in the user's zone.
//! - [`parse`]: the parser.
//! - [`classify`]: a small learned intent classifier, trained by `examples/train_intent`.
//!
//! [`parse_in`] (and [`parse()`], [`when::answer`]) run on one thread of the crate's own,
//! whichever thread calls them (`worker`): the date library's grammar and the patterns'
//! caches are built once per thread that reads, so one reading thread keeps one copy.

pub mod classify;
pub mod intent;
pub mod parse;
pub mod when;
mod worker;

pub use intent::Intent;
pub use parse::{AT_TIME, MOST_SHIFT_MINUTES, Parsed, SHIFT_MINUTES, Step, parse, parse_in};
pub use when::Lang;

/// Builds what the first parse would otherwise build (the parsing thread, the patterns,
/// the classifier's weights, the date library's grammar for `lang` and English), so the
/// first message is answered as fast as the rest. Takes a few hundred milliseconds: call
/// it once, off any async runtime's worker threads.
///
/// What is built stays for the life of the process (tens of megabytes), so the server does
/// not call this at start: it builds on its first read, and the chat box has the first
/// words typed read ahead of the message.
pub fn warm_up(lang: Lang) {
    use chrono::TimeZone;
    let now =
        chrono_tz::UTC.timestamp_opt(0, 0).single().unwrap_or_else(|| chrono_tz::UTC.timestamp_nanos(0));
    let _ = parse_in("remind me to call the dentist tomorrow at 3pm", now, lang);
}
