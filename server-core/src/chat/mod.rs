//! The chat: everything under `/api/chat`, served from the one router here.
//!
//! - `conversations`: conversations and their messages (`/api/chat/conversations`), and the
//!   store the assistant writes its history into.
//! - `send`: sending a message to the assistant (`/api/chat/send`, `/api/chat/stream`).
//! - `voice`: asking by voice (`/api/chat/voice`).
//!
//! These are the HTTP side only: storing the user's words, answering and planning belong
//! to the assistant ([`crate::brain::pqh`], [`crate::brain::voice`]).

mod conversations;
mod send;
mod voice;

use utoipa_axum::router::OpenApiRouter;

pub use conversations::{
    Conversation, ConversationFilter, MESSAGE_COLUMNS, Message, MessageFilter, MessageRow, NewConversation,
    Role, action_cards, briefings_conversation, insert_conversation, insert_message,
};
pub(crate) use conversations::{insert_conversation_on, insert_message_on};
pub use send::{Delivered, SendMessage};
pub use voice::{VoiceAccepted, VoiceQuery};

use crate::infra::state::AppState;

/// Every `/api/chat` route, served and described alike.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().merge(conversations::router()).merge(send::router()).merge(voice::router())
}
