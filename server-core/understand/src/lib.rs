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

pub mod classify;
pub mod intent;
pub mod parse;
pub mod when;

pub use intent::Intent;
pub use parse::{Parsed, Step, parse};
