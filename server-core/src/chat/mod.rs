//! The chat: everything under `/api/chat`, served from the one router here.
//!
//! - [`crate::features::conversations`]: conversations and their messages
//!   (`/api/chat/conversations`), the feature that owns those two tables; its routes are
//!   merged here so the prefix has one router.
//! - `send`: sending a message to the assistant (`/api/chat/send`, `/api/chat/stream`).
//! - `voice`: asking by voice (`/api/chat/voice`).
//!
//! These are the HTTP side only: storing the user's words, answering and planning belong
//! to the assistant ([`crate::brain::pqh`], [`crate::brain::voice`]).

mod send;
mod voice;

use axum::extract::FromRef;
use utoipa_axum::router::OpenApiRouter;

pub use send::{Delivered, SendMessage};
pub use voice::{VoiceAccepted, VoiceQuery};

use crate::brain::AssistantContext;
use crate::features::OrganiserContext;
use crate::features::conversations;

/// Every `/api/chat` route, served and described alike.
pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    OrganiserContext: FromRef<S>,
    AssistantContext: FromRef<S>,
{
    OpenApiRouter::new().merge(conversations::router()).merge(send::router()).merge(voice::router())
}
