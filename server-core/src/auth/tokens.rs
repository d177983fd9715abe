//! Access tokens (HS256 JWTs) and refresh tokens (random, stored hashed, rotated).
//!
//! A login is a *family*: the access and refresh tokens it hands out carry its id. Logging
//! out, or replaying a refresh token that was already spent, ends the family, and with it
//! every token descended from that login. The set of recently ended families is kept in
//! memory so checking an access token never touches the database.

use std::collections::HashSet;
use std::sync::{Arc, RwLock};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::SqlitePool;
use utoipa::ToSchema;

use crate::infra::clock::{Clock, SystemClock};
use crate::infra::db::{new_id, now_ms};
use crate::infra::error::{Error, Result};

pub const AUDIENCE: &str = "clawchat";
/// The single owner of this installation: a local-first app has one user.
pub const OWNER: &str = "owner";
/// By default, a refresh token presented again this soon after it was spent is taken for
/// the loser of two concurrent refreshes (two tabs waking at once), not for a thief.
pub const REFRESH_RACE_GRACE_MS: i64 = 10_000;

#[derive(Debug, Serialize, Deserialize, Clone)]
pub struct Claims {
    pub sub: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
    /// The login (token family) this token belongs to.
    pub sid: String,
}

/// The answer to login, refresh and verify-otp.
#[derive(ts_rs::TS, Debug, Serialize, ToSchema)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    /// Always `bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    #[ts(type = "number")]
    pub expires_in: i64,
}

pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    access_ttl_s: i64,
    refresh_ttl_ms: i64,
    race_grace_ms: i64,
    revoked: RwLock<HashSet<String>>,
    /// Where refresh tokens read the time (their expiry, the race grace): the system's, or
    /// one a test moves instead of sleeping. Access tokens keep the system's time, which
    /// their signature check reads.
    clock: RwLock<Arc<dyn Clock>>,
    /// Counts the revocations, so open sockets check their token the moment one happens.
    revocations: tokio::sync::watch::Sender<u64>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens").field("access_ttl_s", &self.access_ttl_s).finish_non_exhaustive()
    }
}

pub use crate::infra::pagination::AuthUser;

impl Tokens {
    pub fn new(secret: &[u8], access_ttl_s: i64, refresh_ttl_ms: i64) -> Self {
        Self::with_race_grace(secret, access_ttl_s, refresh_ttl_ms, REFRESH_RACE_GRACE_MS)
    }

    pub fn with_race_grace(
        secret: &[u8],
        access_ttl_s: i64,
        refresh_ttl_ms: i64,
        race_grace_ms: i64,
    ) -> Self {
        // Pin the algorithm: a token that names another one (none, RS256 with our secret
        // as a "public key") is refused before its signature is looked at.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "aud", "sub", "iat"]);
        validation.leeway = 5;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            access_ttl_s,
            refresh_ttl_ms,
            race_grace_ms,
            revoked: RwLock::new(HashSet::new()),
            clock: RwLock::new(Arc::new(SystemClock)),
            revocations: tokio::sync::watch::Sender::new(0),
        }
    }

    /// Reads refresh tokens' time from `clock` from now on.
    pub fn use_clock(&self, clock: Arc<dyn Clock>) {
        *self.clock.write().unwrap_or_else(|p| p.into_inner()) = clock;
    }

    fn refresh_now(&self) -> i64 {
        self.clock.read().unwrap_or_else(|p| p.into_inner()).now_ms()
    }

    /// Loads the families ended recently enough that their access tokens may still be alive.
    pub async fn load_revoked(&self, db: &SqlitePool) -> Result<()> {
        let since = now_ms() - (self.access_ttl_s + 60) * 1000;
        let ids: Vec<String> =
            sqlx::query_scalar!(r#"SELECT id AS "id!" FROM token_families WHERE revoked_at >= ?"#, since)
                .fetch_all(db)
                .await?;
        let mut set = self.revoked.write().unwrap_or_else(|p| p.into_inner());
        set.extend(ids);
        Ok(())
    }

    /// Changes whenever a login ends (logout, a revoked device, a PIN reset): a socket
    /// waits on it and checks its token again, so it closes at once rather than at its
    /// next periodic check.
    pub fn watch_revocations(&self) -> tokio::sync::watch::Receiver<u64> {
        self.revocations.subscribe()
    }

    fn revoked_now(&self, families: impl IntoIterator<Item = String>) {
        self.revoked.write().unwrap_or_else(|p| p.into_inner()).extend(families);
        self.revocations.send_modify(|n| *n = n.wrapping_add(1));
    }

    pub fn verify_access(&self, token: &str) -> Result<AuthUser> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).map_err(|e| {
            match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                    Error::unauthorized("token_expired", "the access token has expired; refresh it")
                }
                _ => Error::unauthorized("invalid_token", "the access token is not valid"),
            }
        })?;
        let revoked = self.revoked.read().unwrap_or_else(|p| p.into_inner());
        if revoked.contains(&data.claims.sid) {
            return Err(Error::unauthorized("token_revoked", "this login has ended; log in again"));
        }
        Ok(AuthUser { sub: data.claims.sub, family_id: data.claims.sid })
    }

    fn access_token(&self, family_id: &str) -> Result<String> {
        let now = now_ms() / 1000;
        let claims = Claims {
            sub: OWNER.into(),
            aud: AUDIENCE.into(),
            iat: now,
            exp: now + self.access_ttl_s,
            sid: family_id.into(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| Error::Internal(e.into()))
    }

    /// Starts a new login for `device_id` and returns its first token pair.
    pub async fn start_family(&self, db: &SqlitePool, device_id: Option<&str>) -> Result<TokenPair> {
        let family_id = new_id();
        let mut tx = db.begin().await?;
        let now = now_ms();
        sqlx::query!(
            "INSERT INTO token_families (id, device_id, created_at) VALUES (?, ?, ?)",
            family_id,
            device_id,
            now
        )
        .execute(&mut *tx)
        .await?;
        let refresh = self.insert_refresh(&mut tx, &family_id).await?;
        tx.commit().await?;
        self.pair(&family_id, refresh)
    }

    async fn insert_refresh(&self, tx: &mut sqlx::SqliteConnection, family_id: &str) -> Result<String> {
        let mut raw = [0u8; 32];
        rand::rng().fill_bytes(&mut raw);
        let token = URL_SAFE_NO_PAD.encode(raw);
        let now = self.refresh_now();
        let (hash, expires_at) = (hash_token(&token), now + self.refresh_ttl_ms);
        sqlx::query!(
            "INSERT INTO refresh_tokens (token_hash, family_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
            hash,
            family_id,
            now,
            expires_at
        )
        .execute(&mut *tx)
        .await?;
        Ok(token)
    }

    fn pair(&self, family_id: &str, refresh_token: String) -> Result<TokenPair> {
        Ok(TokenPair {
            access_token: self.access_token(family_id)?,
            refresh_token,
            token_type: "bearer",
            expires_in: self.access_ttl_s,
        })
    }

    /// Spends `presented` and returns the next pair of its family.
    ///
    /// Runs on the single-connection write pool, so two refreshes of one token are
    /// serialised: the first wins; the second, if it comes within the grace period, is told
    /// to retry with what the winner stored (409); later, it is a replay and ends the login.
    pub async fn refresh(&self, db: &SqlitePool, presented: &str) -> Result<TokenPair> {
        let hash = hash_token(presented);
        let now = self.refresh_now();
        let mut tx = db.begin().await?;
        let row = sqlx::query!(
            r#"SELECT r.family_id, r.expires_at, r.used_at AS "used_at?", f.revoked_at AS "revoked_at?"
             FROM refresh_tokens r JOIN token_families f ON f.id = r.family_id
             WHERE r.token_hash = ?"#,
            hash
        )
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| (r.family_id, r.expires_at, r.used_at, r.revoked_at));
        let Some((family_id, expires_at, used_at, revoked_at)) = row else {
            return Err(Error::unauthorized("invalid_refresh_token", "the refresh token is not valid"));
        };
        if revoked_at.is_some() {
            return Err(Error::unauthorized("token_revoked", "this login has ended; log in again"));
        }
        if let Some(used_at) = used_at {
            if now - used_at <= self.race_grace_ms {
                return Err(Error::Conflict {
                    code: "refresh_in_progress",
                    detail:
                        "this refresh token was just exchanged by another request; use the tokens it received"
                            .into(),
                });
            }
            drop(tx);
            self.revoke_family(db, &family_id, "refresh_token_reuse").await?;
            tracing::warn!(family = %family_id, "a spent refresh token was presented again; the login was ended");
            return Err(Error::unauthorized(
                "refresh_token_reused",
                "this refresh token was already used; for your safety this login has ended",
            ));
        }
        if expires_at < now {
            return Err(Error::unauthorized(
                "refresh_token_expired",
                "the refresh token has expired; log in again",
            ));
        }
        sqlx::query!("UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ?", now, hash)
            .execute(&mut *tx)
            .await?;
        let next = self.insert_refresh(&mut tx, &family_id).await?;
        tx.commit().await?;
        self.pair(&family_id, next)
    }

    pub async fn revoke_family(&self, db: &SqlitePool, family_id: &str, reason: &str) -> Result<()> {
        let now = now_ms();
        sqlx::query!(
            "UPDATE token_families SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND revoked_at IS NULL",
            now,
            reason,
            family_id
        )
        .execute(db)
        .await?;
        self.revoked_now([family_id.to_owned()]);
        Ok(())
    }

    /// Ends every login, as a PIN reset does.
    pub async fn revoke_all(&self, db: &SqlitePool, reason: &str) -> Result<()> {
        let now = now_ms();
        let ids: Vec<String> = sqlx::query_scalar!(
            r#"UPDATE token_families SET revoked_at = ?, revoked_reason = ? WHERE revoked_at IS NULL
               RETURNING id AS "id!""#,
            now,
            reason
        )
        .fetch_all(db)
        .await?;
        self.revoked_now(ids);
        Ok(())
    }
}

/// Refresh tokens carry 256 random bits, so a fast hash is enough to make a stolen
/// database useless; a slow password hash would only slow every refresh.
pub fn hash_token(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
