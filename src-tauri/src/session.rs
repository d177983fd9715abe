//! The window's session: the server's address and a token pair for this computer, so the
//! desktop never asks its own user for a PIN.

use clawchat_server::AppState;
use serde::Serialize;

/// What `desktop_session` answers.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DesktopSession {
    pub base_url: String,
    pub access_token: String,
    pub refresh_token: String,
}

/// Starts a login for this computer's window.
pub async fn open(state: &AppState, base_url: String) -> anyhow::Result<DesktopSession> {
    let pair = clawchat_server::auth::desktop_login(&state.auth, &state.db).await?;
    Ok(DesktopSession { base_url, access_token: pair.access_token, refresh_token: pair.refresh_token })
}
