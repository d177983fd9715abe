//! Authentication: PIN login, e-mail one-time codes, token refresh and logout, and the
//! middleware that guards every other route.
//!
//! Flow of a protected request: [`require_auth`] reads `Authorization: Bearer`, checks the
//! JWT's signature, algorithm, audience and expiry, and that its login has not ended, then
//! hands an [`AuthUser`] to the handler through the request's extensions.

pub mod devices;
mod limiter;
pub mod mail;
mod shown;
mod tokens;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::Extension;
use axum::extract::{ConnectInfo, FromRef, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use rand::{Rng as _, RngCore as _};
use serde::{Deserialize, Serialize};
use sqlx::SqlitePool;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub use limiter::Limiter;
pub use shown::{ConsoleOtpSink, OtpSink, ShownCode, ShownCodeList};
use tokens::hex;
pub use tokens::{AUDIENCE, AuthUser, Claims, OWNER, TokenPair, Tokens, hash_token};

use crate::bus::{Bus, Module};
use crate::infra::db::{Db, now_ms};
use crate::infra::error::responses::{BodyTooLarge, InvalidRequest, MalformedJson, NotJson, NotLoggedIn};
use crate::infra::error::{Checks, Error, ErrorBody, Result};
use crate::infra::extract::Json;
use crate::lan::Lan;
use devices::DeviceKind;

pub const OTP_TTL_MS: i64 = 5 * 60 * 1000;
pub const OTP_MAX_TRIES: i64 = 5;
const PIN_HASH_KEY: &str = "auth.pin_hash";

/// Everything authentication needs at run time.
pub struct Auth {
    pub tokens: Tokens,
    pub limiter: Limiter,
    otp_key: Vec<u8>,
    otp_sink: Arc<dyn OtpSink>,
    mailer: Option<mail::Mailer>,
    /// The codes shown to the owner, for Settings.
    shown: shown::ShownCodes,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth").field("tokens", &self.tokens).finish_non_exhaustive()
    }
}

impl Auth {
    pub fn new(
        secret: &[u8],
        access_ttl_s: i64,
        refresh_ttl_ms: i64,
        race_grace_ms: i64,
        otp_sink: Arc<dyn OtpSink>,
    ) -> Self {
        // A separate key for one-time codes, derived so that one configured secret suffices.
        let mut mac = <Hmac<sha2::Sha256>>::new_from_slice(secret).unwrap_or_else(|_| {
            <Hmac<sha2::Sha256>>::new_from_slice(b"clawchat").unwrap_or_else(|_| unreachable!())
        });
        mac.update(b"clawchat otp key v1");
        Self {
            tokens: Tokens::with_race_grace(secret, access_ttl_s, refresh_ttl_ms, race_grace_ms),
            limiter: Limiter::default(),
            otp_key: mac.finalize().into_bytes().to_vec(),
            otp_sink,
            mailer: None,
            shown: shown::ShownCodes::default(),
        }
    }

    /// One-time codes go by e-mail through `mailer` (the owner sees them when it fails).
    #[must_use]
    pub fn with_mailer(mut self, mailer: Option<mail::Mailer>) -> Self {
        self.mailer = mailer;
        self
    }

    /// Sends `code` to `email`: by mail when SMTP is configured, else to the owner. A mail
    /// that fails is an error saying why, and the code is shown to the owner instead, so it
    /// is not lost. Says whether the codes shown to the owner changed: this one is shown,
    /// or it was mailed and replaces one that was.
    async fn deliver_code(&self, email: &str, code: &str, expires_at: i64) -> Result<bool> {
        let Some(mailer) = &self.mailer else {
            self.show_code(email, code, expires_at);
            return Ok(true);
        };
        let Err(reason) = mailer.send_code(email, code).await else { return Ok(self.shown.forget(email)) };
        tracing::warn!(%reason, "a sign-in code could not be e-mailed; it is shown on this computer instead");
        self.show_code(email, code, expires_at);
        Err(Error::Upstream {
            code: "otp_mail_failed",
            detail: format!(
                "the sign-in code could not be e-mailed: {reason}. It is not lost: it is shown on this \
                 computer's ClawChat and stays valid for 5 minutes"
            ),
        })
    }

    fn show_code(&self, email: &str, code: &str, expires_at: i64) {
        self.otp_sink.deliver(email, code);
        self.shown.put(email, code, expires_at);
    }

    /// Forgets the code shown for `email` (used, expired or out of tries), and takes its
    /// card out of Settings.
    fn code_gone(&self, bus: &crate::bus::Bus, email: &str) {
        if self.shown.forget(email) {
            bus.data_changed(Module::Settings);
        }
    }

    fn otp_mac(&self, email: &str, code: &str) -> Vec<u8> {
        let mut mac = <Hmac<sha2::Sha256>>::new_from_slice(&self.otp_key)
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        mac.update(email.as_bytes());
        mac.update(b"\0");
        mac.update(code.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }
}

/// The JWT secret: configured, else read from (or created in) a 0600 file in the data folder.
pub fn load_or_create_secret(configured: Option<&str>, data_dir: &Path) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = configured {
        anyhow::ensure!(
            secret.len() >= 32,
            "JWT_SECRET must be at least 32 characters; leave it unset to have one generated"
        );
        return Ok(secret.as_bytes().to_vec());
    }
    let path = data_dir.join("jwt_secret");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim();
        if existing.len() >= 32 {
            return Ok(existing.as_bytes().to_vec());
        }
    }
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create the data folder {}", data_dir.display()))?;
    let mut raw = [0u8; 48];
    rand::rng().fill_bytes(&mut raw);
    let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
    crate::infra::secrets::write_private(&path, secret.as_bytes())?;
    tracing::info!(path = %path.display(), "generated a new token secret");
    Ok(secret.into_bytes())
}

/// Makes sure a PIN hash is stored. Returns the PIN when one was generated, so the caller
/// can show it once; it is never stored or logged in the clear.
pub async fn ensure_pin(db: &SqlitePool, configured: Option<&str>) -> anyhow::Result<Option<String>> {
    let stored = crate::infra::db::setting(db, PIN_HASH_KEY).await?;
    match (configured, stored) {
        (Some(pin), Some(hash)) => {
            if !verify_pin(pin.to_owned(), hash).await {
                store_pin(db, pin).await?;
            }
            Ok(None)
        }
        (Some(pin), None) => {
            store_pin(db, pin).await?;
            Ok(None)
        }
        (None, Some(_)) => Ok(None),
        (None, None) => {
            let pin = generate_pin();
            store_pin(db, &pin).await?;
            Ok(Some(pin))
        }
    }
}

/// What the nightly cleanup removed from the logins' tables.
#[derive(Debug, Default, Clone, Copy)]
pub struct Pruned {
    pub refresh_tokens: u64,
    pub otp_codes: u64,
}

/// Removes what can never log anyone in again: refresh tokens past their expiry (spent or
/// not), spent ones of logins that ended, and one-time codes past theirs. A spent token of
/// a live login stays until it expires: presented again, it still ends that login.
pub async fn prune(db: &SqlitePool, now: i64) -> sqlx::Result<Pruned> {
    let refresh_tokens = sqlx::query!(
        "DELETE FROM refresh_tokens WHERE expires_at < ?1
             OR (used_at IS NOT NULL
                 AND family_id IN (SELECT id FROM token_families WHERE revoked_at IS NOT NULL))",
        now
    )
    .execute(db)
    .await?
    .rows_affected();
    let otp_codes =
        sqlx::query!("DELETE FROM otp_codes WHERE expires_at < ?", now).execute(db).await?.rows_affected();
    Ok(Pruned { refresh_tokens, otp_codes })
}

pub fn generate_pin() -> String {
    format!("{:08}", rand::rng().random_range(0..100_000_000u32))
}

pub fn check_pin_strength(pin: &str) -> anyhow::Result<()> {
    anyhow::ensure!((6..=64).contains(&pin.chars().count()), "the PIN must be 6 to 64 characters");
    Ok(())
}

/// Hashes with Argon2id (the crate's default) off the async runtime: it is meant to be slow.
pub async fn store_pin(db: &SqlitePool, pin: &str) -> anyhow::Result<()> {
    check_pin_strength(pin)?;
    let pin = pin.to_owned();
    let hash = tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        Argon2::default()
            .hash_password(pin.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("cannot hash the PIN: {e}"))
    })
    .await??;
    crate::infra::db::put_setting(db, PIN_HASH_KEY, &hash).await?;
    Ok(())
}

async fn verify_pin(pin: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| Argon2::default().verify_password(pin.as_bytes(), &parsed).is_ok())
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// What the auth routes use: the token and code machinery, the store, the zone, the bus
/// (a code shown on this computer is announced on it) and LAN mode (whose pairing code a
/// phone trades for tokens).
#[derive(Clone, Debug)]
pub struct AuthContext {
    pub auth: Arc<Auth>,
    pub db: Db,
    pub tz: chrono_tz::Tz,
    pub bus: Bus,
    pub lan: Arc<Lan>,
}

pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    AuthContext: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(refresh))
        .routes(routes!(refresh_alias))
        .routes(routes!(register))
        .routes(routes!(verify_otp))
}

/// Routes under `/api/auth` that need a token of their own.
pub fn protected_router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    AuthContext: FromRef<S>,
{
    OpenApiRouter::new().routes(routes!(logout)).routes(routes!(shown::shown_codes))
}

/// The bearer token a request carries in `Authorization`, if any.
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// Guards every protected route: no valid, live access token, no entry. It takes only the
/// [`Auth`] sub-state of the app's state.
pub async fn require_auth(State(auth): State<Arc<Auth>>, mut req: Request, next: Next) -> Result<Response> {
    let token = bearer(req.headers())
        .ok_or_else(|| Error::unauthorized("missing_token", "send Authorization: Bearer <access_token>"))?;
    let user = auth.tokens.verify_access(token)?;
    req.extensions_mut().insert(user);
    Ok(next.run(req).await)
}

#[derive(ts_rs::TS, Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    pub pin: String,
    /// A name for this device in the list of logins, such as "Pixel 8".
    #[serde(default)]
    pub device_name: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RefreshRequest {
    #[schema(min_length = 1, max_length = 512, pattern = r"\S")]
    pub refresh_token: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RegisterRequest {
    pub email: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegisterResponse {
    /// Always `otp_sent`.
    pub status: &'static str,
}

#[derive(ts_rs::TS, Debug, Deserialize, ToSchema)]
pub struct VerifyOtpRequest {
    pub email: String,
    pub otp: String,
}

fn client_key(addr: &SocketAddr) -> String {
    format!("client:{}", addr.ip())
}

/// A new login for this computer's desktop window, on the one desktop device, so the
/// window never asks its own user for the PIN.
pub async fn desktop_login(auth: &Auth, db: &Db) -> Result<TokenPair> {
    let id = devices::desktop_device(&db.write).await?;
    auth.tokens.start_family(&db.write, Some(&id)).await
}

async fn add_device(db: &SqlitePool, name: &str, email: Option<&str>, kind: DeviceKind) -> Result<String> {
    devices::add(db, name, email, kind).await
}

/// A phone trades the LAN pairing code shown on the desktop for its own tokens.
async fn pair_phone(state: &AuthContext, addr: &SocketAddr, code: &str) -> Result<Json<TokenPair>> {
    let client = client_key(addr);
    let keys = [client.as_str(), "account:pairing"];
    let limiter = &state.auth.limiter;
    limiter.check(&keys).map_err(|retry_after| Error::TooManyRequests { retry_after })?;
    if let Err(e) = state.lan.redeem(code) {
        limiter.fail(&keys);
        return Err(e);
    }
    limiter.succeed(&keys);
    let device = add_device(&state.db.write, "Paired phone", None, DeviceKind::Phone).await?;
    Ok(Json(state.auth.tokens.start_family(&state.db.write, Some(&device)).await?))
}

/// Log in with the PIN.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = TokenPair),
        MalformedJson,
        BodyTooLarge,
        NotJson,
        (status = 401, description = "Wrong PIN", body = ErrorBody),
        InvalidRequest,
        (status = 429, description = "Too many wrong PINs; see Retry-After", body = ErrorBody),
    ))]
async fn login(
    State(state): State<AuthContext>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Json(req): Json<LoginRequest>,
) -> Result<Json<TokenPair>> {
    Checks::default()
        .required_text("pin", &req.pin, 64)
        .text("device_name", req.device_name.as_deref().unwrap_or(""), 100)
        .finish()?;
    let client = client_key(&addr);
    let keys = [client.as_str(), "account:pin"];
    let limiter = &state.auth.limiter;
    limiter.check(&keys).map_err(|retry_after| Error::TooManyRequests { retry_after })?;

    let ok = match crate::infra::db::setting(&state.db.read, PIN_HASH_KEY).await? {
        Some(hash) => verify_pin(req.pin, hash).await,
        None => false,
    };
    if !ok {
        limiter.fail(&keys);
        return Err(Error::unauthorized("wrong_pin", "that PIN is not right"));
    }
    limiter.succeed(&keys);
    let name = req.device_name.as_deref().map(str::trim).filter(|n| !n.is_empty()).unwrap_or("PIN login");
    let device = add_device(&state.db.write, name, None, DeviceKind::Browser).await?;
    Ok(Json(state.auth.tokens.start_family(&state.db.write, Some(&device)).await?))
}

/// Exchange a refresh token for a new pair. The presented token is spent; presenting it
/// again ends the whole login.
#[utoipa::path(post, path = "/api/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new token pair", body = TokenPair),
        MalformedJson,
        BodyTooLarge,
        NotJson,
        (status = 401, description = "Invalid, expired or reused refresh token", body = ErrorBody),
        (status = 409, description = "Exchanged a moment ago by a concurrent request", body = ErrorBody),
        InvalidRequest,
    ))]
async fn refresh(
    State(state): State<AuthContext>,
    Json(req): Json<RefreshRequest>,
) -> Result<Json<TokenPair>> {
    Checks::default().required_text("refresh_token", &req.refresh_token, 512).finish()?;
    Ok(Json(state.auth.tokens.refresh(&state.db.write, req.refresh_token.trim()).await?))
}

/// Alias of `/api/auth/refresh` for clients written against the original server.
#[utoipa::path(post, path = "/api/auth/refresh-token", tag = "auth", request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new token pair", body = TokenPair),
        MalformedJson,
        BodyTooLarge,
        NotJson,
        (status = 401, description = "Invalid, expired or reused refresh token", body = ErrorBody),
        (status = 409, description = "Exchanged a moment ago by a concurrent request", body = ErrorBody),
        InvalidRequest,
    ))]
async fn refresh_alias(state: State<AuthContext>, req: Json<RefreshRequest>) -> Result<Json<TokenPair>> {
    refresh(state, req).await
}

/// End this login: its access and refresh tokens stop working.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 204, description = "Logged out"),
        NotLoggedIn,
    ))]
async fn logout(
    State(state): State<AuthContext>,
    Extension(user): Extension<AuthUser>,
) -> Result<StatusCode> {
    state.auth.tokens.revoke_family(&state.db.write, &user.family_id, "logout").await?;
    Ok(StatusCode::NO_CONTENT)
}

fn normalise_email(email: &str) -> Result<String> {
    let email = email.trim().to_lowercase();
    let valid = (3..=254).contains(&email.len())
        && !email.chars().any(char::is_whitespace)
        && email.split('@').count() == 2
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
        });
    if valid {
        Ok(email)
    } else {
        Err(Error::invalid("email", "must be an e-mail address such as ana@example.com"))
    }
}

/// Ask for a one-time sign-in code. The code is mailed where SMTP is configured, else shown
/// to the owner on the desktop (a notification, and a card in Settings: `GET
/// /api/auth/codes`); it lives 5 minutes and dies after 5 wrong tries.
#[utoipa::path(post, path = "/api/auth/register", tag = "auth", request_body = RegisterRequest,
    responses(
        (status = 201, description = "A code was sent", body = RegisterResponse),
        MalformedJson,
        BodyTooLarge,
        NotJson,
        (status = 422, description = "Invalid e-mail", body = ErrorBody),
        (status = 429, description = "Too many codes asked for; see Retry-After", body = ErrorBody),
        (status = 502, description = "SMTP is configured and the mail failed (`otp_mail_failed`, saying why); the code was shown on the desktop instead and stays valid", body = ErrorBody),
    ))]
async fn register(
    State(state): State<AuthContext>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Json(req): Json<RegisterRequest>,
) -> Result<(StatusCode, Json<RegisterResponse>)> {
    let email = normalise_email(&req.email)?;
    let client = client_key(&addr);
    let send_key = format!("otp-send:{email}");
    let keys = [client.as_str(), send_key.as_str()];
    // Each code asked for counts as a "failure" until one is verified, so nobody can make
    // the desktop show codes in a loop.
    state.auth.limiter.check(&keys).map_err(|retry_after| Error::TooManyRequests { retry_after })?;
    state.auth.limiter.fail(&[send_key.as_str()]);

    let code = format!("{:06}", rand::rng().random_range(0..1_000_000u32));
    let mac = hex(&state.auth.otp_mac(&email, &code));
    let now = now_ms();
    let expires_at = now + OTP_TTL_MS;
    sqlx::query!(
        "INSERT INTO otp_codes (email, code_mac, expires_at, attempts, created_at) VALUES (?, ?, ?, 0, ?)
         ON CONFLICT (email) DO UPDATE SET code_mac = excluded.code_mac, expires_at = excluded.expires_at,
             attempts = 0, created_at = excluded.created_at",
        email,
        mac,
        expires_at,
        now
    )
    .execute(&state.db.write)
    .await?;
    let delivered = state.auth.deliver_code(&email, &code, now + OTP_TTL_MS).await;
    // Settings shows the new code, or drops the one a mailed code replaced.
    if !matches!(delivered, Ok(false)) {
        state.bus.data_changed(Module::Settings);
    }
    delivered?;
    Ok((StatusCode::CREATED, Json(RegisterResponse { status: "otp_sent" })))
}

/// Trade a one-time code for a token pair.
#[utoipa::path(post, path = "/api/auth/verify-otp", tag = "auth", request_body = VerifyOtpRequest,
    responses(
        (status = 200, description = "Logged in", body = TokenPair),
        MalformedJson,
        BodyTooLarge,
        NotJson,
        (status = 401, description = "Wrong, expired or used-up code", body = ErrorBody),
        InvalidRequest,
        (status = 429, description = "Too many wrong codes; see Retry-After", body = ErrorBody),
    ))]
async fn verify_otp(
    State(state): State<AuthContext>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Json(req): Json<VerifyOtpRequest>,
) -> Result<Json<TokenPair>> {
    if req.email.trim().eq_ignore_ascii_case(crate::lan::PAIRING_EMAIL) {
        return pair_phone(&state, &addr, &req.otp).await;
    }
    let email = normalise_email(&req.email)?;
    let otp = req.otp.trim();
    if otp.len() != 6 || !otp.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid("otp", "must be the 6-digit code"));
    }
    let client = client_key(&addr);
    let account = format!("account:{email}");
    let keys = [client.as_str(), account.as_str()];
    let limiter = &state.auth.limiter;
    limiter.check(&keys).map_err(|retry_after| Error::TooManyRequests { retry_after })?;

    let mut tx = state.db.write.begin().await?;
    let row = sqlx::query!("SELECT code_mac, expires_at, attempts FROM otp_codes WHERE email = ?", email)
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| (r.code_mac, r.expires_at, r.attempts));
    let Some((stored_mac, expires_at, attempts)) = row else {
        limiter.fail(&keys);
        return Err(Error::unauthorized(
            "otp_invalid",
            "no code is waiting for that e-mail; ask for a new one",
        ));
    };
    if expires_at < now_ms() || attempts >= OTP_MAX_TRIES {
        sqlx::query!("DELETE FROM otp_codes WHERE email = ?", email).execute(&mut *tx).await?;
        tx.commit().await?;
        state.auth.code_gone(&state.bus, &email);
        limiter.fail(&keys);
        return Err(Error::unauthorized("otp_expired", "that code has expired; ask for a new one"));
    }
    let given = hex(&state.auth.otp_mac(&email, otp));
    let matches: bool = subtle::ConstantTimeEq::ct_eq(given.as_bytes(), stored_mac.as_bytes()).into();
    if !matches {
        sqlx::query!("UPDATE otp_codes SET attempts = attempts + 1 WHERE email = ?", email)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        if attempts + 1 >= OTP_MAX_TRIES {
            state.auth.code_gone(&state.bus, &email);
        }
        limiter.fail(&keys);
        return Err(Error::unauthorized("otp_wrong", "that code is not right"));
    }
    sqlx::query!("DELETE FROM otp_codes WHERE email = ?", email).execute(&mut *tx).await?;
    tx.commit().await?;
    state.auth.code_gone(&state.bus, &email);
    limiter.succeed(&[client.as_str(), account.as_str(), format!("otp-send:{email}").as_str()]);
    // A one-time code is how a phone pairs.
    let device = add_device(&state.db.write, &email, Some(&email), DeviceKind::Phone).await?;
    Ok(Json(state.auth.tokens.start_family(&state.db.write, Some(&device)).await?))
}
