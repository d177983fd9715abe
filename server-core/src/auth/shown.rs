//! One-time codes shown to the owner of this computer instead of e-mailed (no SMTP
//! configured, or the mail failed): the [`OtpSink`] announces each (a native notification
//! on the desktop, the console headless), and Settings shows it as a card while it can
//! still log in, with the e-mail it is for and when it expires (`GET /api/auth/codes`).
//!
//! The store keeps only a MAC of each code, so the codes themselves are kept here, in
//! memory, and never written anywhere: a restart forgets them (the notification showed
//! them). A code is listed only while the store still holds it, unexpired, unused and with
//! tries left; a newer code for the same e-mail replaces it. Each change is announced as
//! `module_data_changed {module: "settings"}`, so the card appears and goes by itself.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use super::{AuthContext, OTP_MAX_TRIES, hex};
use crate::infra::db::now_ms;
use crate::infra::error::Result;
use crate::infra::error::responses::NotLoggedIn;
use crate::infra::extract::Json;

/// Where a one-time code goes when it is not e-mailed: to the owner of this computer. The
/// default prints it on the server's console; the desktop shows a native notification.
pub trait OtpSink: Send + Sync + 'static {
    fn deliver(&self, email: &str, code: &str);
}

/// Prints the code where the person running the server can see it.
#[derive(Debug, Default)]
pub struct ConsoleOtpSink;

impl OtpSink for ConsoleOtpSink {
    fn deliver(&self, email: &str, code: &str) {
        println!("ClawChat sign-in code for {email}: {code} (valid for 5 minutes)");
    }
}

/// The codes shown to the owner, by e-mail.
#[derive(Debug, Default)]
pub(super) struct ShownCodes(Mutex<HashMap<String, Shown>>);

#[derive(Debug, Clone)]
struct Shown {
    code: String,
    expires_at: i64,
}

impl ShownCodes {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Shown>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(super) fn put(&self, email: &str, code: &str, expires_at: i64) {
        self.map().insert(email.to_owned(), Shown { code: code.to_owned(), expires_at });
    }

    /// Forgets the code shown for `email`; true when there was one.
    pub(super) fn forget(&self, email: &str) -> bool {
        self.map().remove(email).is_some()
    }

    /// Forgets `code` for `email` unless a newer code took its place meanwhile.
    fn forget_code(&self, email: &str, code: &str) {
        let mut map = self.map();
        if map.get(email).is_some_and(|s| s.code == code) {
            map.remove(email);
        }
    }

    fn all(&self) -> Vec<(String, Shown)> {
        self.map().iter().map(|(e, s)| (e.clone(), s.clone())).collect()
    }
}

/// A one-time sign-in code on offer, shown on this computer.
#[derive(ts_rs::TS, Debug, Serialize, ToSchema)]
pub struct ShownCode {
    /// The e-mail the code logs in.
    pub email: String,
    /// The 6-digit code.
    pub code: String,
    /// When it stops working.
    pub expires_at: String,
}

/// The one-time codes on offer, the soonest to expire first.
#[derive(ts_rs::TS, Debug, Serialize, ToSchema)]
pub struct ShownCodeList {
    pub items: Vec<ShownCode>,
}

/// The one-time sign-in codes shown on this computer because they were not e-mailed (no
/// SMTP configured, or the mail failed), while they can still log in. An e-mailed code is
/// never listed.
#[utoipa::path(get, path = "/api/auth/codes", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 200, description = "The codes on offer", body = ShownCodeList),
        NotLoggedIn,
    ))]
pub(super) async fn shown_codes(State(state): State<AuthContext>) -> Result<Json<ShownCodeList>> {
    let now = now_ms();
    let mut live = Vec::new();
    for (email, shown) in state.auth.shown.all() {
        let row = sqlx::query!("SELECT code_mac, expires_at, attempts FROM otp_codes WHERE email = ?", email)
            .fetch_optional(&state.db.read)
            .await?
            .map(|r| (r.code_mac, r.expires_at, r.attempts));
        // The same rules as verify-otp: expired once `expires_at` has passed.
        let usable = row.is_some_and(|(mac, expires_at, attempts)| {
            expires_at >= now
                && attempts < OTP_MAX_TRIES
                && mac == hex(&state.auth.otp_mac(&email, &shown.code))
        });
        if usable {
            live.push((email, shown));
        } else {
            state.auth.shown.forget_code(&email, &shown.code);
        }
    }
    live.sort_by(|(a, x), (b, y)| (x.expires_at, a).cmp(&(y.expires_at, b)));
    let items = live
        .into_iter()
        .map(|(email, s)| ShownCode {
            email,
            code: s.code,
            expires_at: crate::infra::time::render(s.expires_at, state.tz),
        })
        .collect();
    Ok(Json(ShownCodeList { items }))
}
