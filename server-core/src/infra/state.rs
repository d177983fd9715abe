//! The one state every handler shares. Most handlers take the whole `State<AppState>`
//! and read the fields they use; the `FromRef` impls below let a handler or a layer take
//! just a sub-state instead, as the token check does (`State<Arc<Auth>>`) and `/api/today`
//! (`State<Db>`, `State<Tz>`).

use std::sync::Arc;

use axum::extract::FromRef;
use chrono_tz::Tz;

use crate::auth::Auth;
use crate::brain::Brain;
use crate::infra::config::Settings;
use crate::infra::db::Db;

#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub auth: Arc<Auth>,
    pub settings: Arc<Settings>,
    /// The user's time zone: answers are rendered in it and "today" is measured in it.
    pub tz: Tz,
    pub brain: Brain,
    /// Every realtime event goes through here (the same bus the assistant publishes on).
    pub bus: crate::bus::Bus,
    /// LAN mode (off by default): the TLS listener for paired phones and its pairing code.
    pub lan: Arc<crate::lan::Lan>,
    /// What applies at once rather than at the next start: the host policy in force, and
    /// where the embedding program keeps its secrets.
    pub runtime: Arc<crate::features::settings::Runtime>,
    /// MCP clients with a request open, to end them when a client is revoked.
    pub mcp: Arc<crate::mcp::Revocations>,
}

impl FromRef<AppState> for Db {
    fn from_ref(s: &AppState) -> Self {
        s.db.clone()
    }
}

impl FromRef<AppState> for Arc<Auth> {
    fn from_ref(s: &AppState) -> Self {
        s.auth.clone()
    }
}

impl FromRef<AppState> for Tz {
    fn from_ref(s: &AppState) -> Self {
        s.tz
    }
}
