//! ClawChat's integration tests: one binary, one real server per test.
//!
//! Each module drives the HTTP API of a server started by [`common::TestServer`] on
//! `127.0.0.1:0` over a temporary SQLite file, and holds it to `shared/CONTRACT.md`.

// Helpers shared by tests unwrap freely: a failure there is a failing test.
#![allow(clippy::unwrap_used)]

mod api_key;
mod assistant;
mod auth;
mod auth_codes;
mod bad_input;
mod binary;
mod brain;
mod chat;
mod cleanup;
mod common;
mod database_url;
mod desktop;
mod devices;
mod edges;
mod events;
mod footprint;
mod guard;
mod injection;
mod llm;
mod mcp;
mod memos;
mod model;
mod moves;
mod notifications;
mod restart;
mod schedule;
mod schedule_briefing;
mod schedule_overdue;
mod search;
mod security;
mod settings;
mod today;
mod todos;
mod transport;
mod upgrade;
mod voice;
mod web;
mod ws;
mod ws_actions;
mod ws_answers;
mod ws_host;
