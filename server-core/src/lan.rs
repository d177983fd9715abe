//! LAN mode, off by default: a second listener on the computer's LAN address, with TLS
//! (a self-signed certificate made on first use and kept in the data folder), and a
//! one-time pairing code a phone trades for its own tokens through `verify-otp` with the
//! e-mail `pairing`. The code lives 5 minutes, logs in once and dies after 5 wrong tries.
//!
//! The user's choice is remembered (`pref.lan_enabled` in the settings table): a server
//! left with LAN mode on turns it on again when it starts ([`restore`]), without a
//! pairing code until one is asked for.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context as _;
use axum::extract::{FromRef, State};
use axum::serve::ListenerExt as _;
use chrono_tz::Tz;
use rand::Rng as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio_rustls::TlsAcceptor;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::infra::config::Settings;
use crate::infra::db::{Db, now_ms};
use crate::infra::error::responses::{InvalidRequest, NotJson, NotLoggedIn, UnknownFields};
use crate::infra::error::{Error, Result};
use crate::infra::extract::Json;
use crate::infra::transport::AllowedHosts;

/// The e-mail a phone sends to `verify-otp` with the pairing code.
pub const PAIRING_EMAIL: &str = "pairing";
const PAIRING_TTL_MS: i64 = 5 * 60 * 1000;
const PAIRING_TRIES: u32 = 5;

/// Builds the app LAN mode serves, for the hosts its listener answers to. The crate root
/// hands it in, so LAN mode serves exactly the app's routes without knowing them.
pub type MakeApp = Arc<dyn Fn(AllowedHosts) -> axum::Router + Send + Sync>;

/// LAN mode's state: the listener when it runs, and the pairing code on offer.
#[derive(Debug, Default)]
pub struct Lan {
    running: tokio::sync::Mutex<Option<Running>>,
    pairing: Mutex<Option<Pairing>>,
    /// The address to listen on instead of the one found on the network interfaces.
    bind_ip: Mutex<Option<IpAddr>>,
}

/// What LAN mode's routes and its start at launch use: the mode itself, the store that
/// remembers the user's choice, the zone times are shown in, the settings (the data
/// folder, the hosts allowed) and the app the listener serves.
#[derive(Clone)]
pub struct LanContext {
    pub lan: Arc<Lan>,
    pub db: Db,
    pub tz: Tz,
    pub settings: Arc<Settings>,
    pub app: MakeApp,
}

#[derive(Debug)]
struct Running {
    url: String,
    fingerprint: String,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
    /// The mDNS announcement, while it runs.
    announced: Option<Announcement>,
}

/// The service type LAN mode is announced under on the local network.
pub const MDNS_SERVICE: &str = "_clawchat._tcp.local.";

/// LAN mode announced over mDNS (DNS-SD): `_clawchat._tcp.local.` with the listener's
/// address and port, and in its TXT record the certificate fingerprint (`fp`), the
/// scheme (`proto=https`) and the API version (`v`).
struct Announcement {
    daemon: mdns_sd::ServiceDaemon,
    fullname: String,
}

impl std::fmt::Debug for Announcement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Announcement").field("fullname", &self.fullname).finish_non_exhaustive()
    }
}

impl Announcement {
    fn start(ip: IpAddr, port: u16, fingerprint: &str) -> anyhow::Result<Self> {
        let daemon = mdns_sd::ServiceDaemon::new().context("cannot start mDNS")?;
        // Two computers on one network need two names: a few characters of each one's
        // certificate tell them apart.
        let tag: String = fingerprint.chars().filter(char::is_ascii_hexdigit).take(4).collect();
        let properties = [("fp", fingerprint), ("proto", "https"), ("v", env!("CARGO_PKG_VERSION"))];
        let info = mdns_sd::ServiceInfo::new(
            MDNS_SERVICE,
            &format!("ClawChat {tag}"),
            "clawchat.local.",
            ip,
            port,
            &properties[..],
        )
        .context("cannot describe the mDNS service")?;
        let fullname = info.get_fullname().to_owned();
        daemon.register(info).context("cannot announce the mDNS service")?;
        Ok(Self { daemon, fullname })
    }

    /// Says goodbye on the network (so browsers drop the service) and stops.
    fn stop(self) {
        let _ = self.daemon.unregister(&self.fullname);
        let _ = self.daemon.shutdown();
    }
}

#[derive(Debug, Clone)]
struct Pairing {
    code: String,
    expires_at: i64,
    wrong: u32,
}

/// What Settings shows of LAN mode.
#[derive(ts_rs::TS, Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
#[ts(rename = "LanState")]
pub struct LanStatus {
    pub enabled: bool,
    /// `https://<lan-ip>:<port>/` while enabled.
    pub url: Option<String>,
    /// SHA-256 of the certificate, as colon-separated hex, for the phone to compare.
    pub fingerprint: Option<String>,
    /// The one-time pairing code while it is valid.
    pub pairing_code: Option<String>,
    /// An SVG QR code of `<url>#pair=<code>`.
    pub qr_svg: Option<String>,
    /// When the pairing code stops working.
    pub expires_at: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LanRequest {
    pub enabled: bool,
}

impl Lan {
    /// Listens on `ip` instead of the address found on the network interfaces.
    pub fn set_bind_ip(&self, ip: Option<IpAddr>) {
        *self.bind_ip.lock().unwrap_or_else(|p| p.into_inner()) = ip;
    }

    fn pairing(&self) -> std::sync::MutexGuard<'_, Option<Pairing>> {
        self.pairing.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Trades the pairing code for a yes, once. Wrong codes count; the fifth ends it.
    pub fn redeem(&self, code: &str) -> Result<()> {
        let mut slot = self.pairing();
        let Some(p) = slot.as_mut() else {
            return Err(Error::unauthorized(
                "invalid_otp",
                "no pairing code is on offer; show one in Settings",
            ));
        };
        if now_ms() > p.expires_at {
            *slot = None;
            return Err(Error::unauthorized("otp_expired", "that pairing code has expired"));
        }
        let matches: bool = subtle::ConstantTimeEq::ct_eq(p.code.as_bytes(), code.trim().as_bytes()).into();
        if matches {
            *slot = None;
            return Ok(());
        }
        p.wrong += 1;
        if p.wrong >= PAIRING_TRIES {
            *slot = None;
        }
        Err(Error::unauthorized("invalid_otp", "that pairing code is not right"))
    }

    async fn status(&self, tz: chrono_tz::Tz) -> LanStatus {
        let running = self.running.lock().await;
        let Some(r) = running.as_ref() else {
            return LanStatus {
                enabled: false,
                url: None,
                fingerprint: None,
                pairing_code: None,
                qr_svg: None,
                expires_at: None,
            };
        };
        let pairing = self.pairing().clone().filter(|p| p.expires_at > now_ms());
        let qr_svg = pairing.as_ref().and_then(|p| qr_svg(&format!("{}#pair={}", r.url, p.code)));
        LanStatus {
            enabled: true,
            url: Some(r.url.clone()),
            fingerprint: Some(r.fingerprint.clone()),
            pairing_code: pairing.as_ref().map(|p| p.code.clone()),
            qr_svg,
            expires_at: pairing.map(|p| crate::infra::time::render(p.expires_at, tz)),
        }
    }

    /// Whether the LAN listener runs.
    pub async fn is_enabled(&self) -> bool {
        self.running.lock().await.is_some()
    }

    /// Starts the TLS listener (when it is not running) and offers a new pairing code.
    pub async fn enable(&self, state: &LanContext) -> anyhow::Result<()> {
        self.listen(state).await?;
        let code = format!("{:06}", rand::rng().random_range(0..1_000_000u32));
        *self.pairing() = Some(Pairing { code, expires_at: now_ms() + PAIRING_TTL_MS, wrong: 0 });
        Ok(())
    }

    /// Starts the TLS listener when it is not running; answers its URL.
    async fn listen(&self, state: &LanContext) -> anyhow::Result<String> {
        let mut running = self.running.lock().await;
        if running.is_none() {
            let bind = self.bind_ip.lock().unwrap_or_else(|p| p.into_inner()).unwrap_or_else(lan_ip);
            let dir = state.settings.data_dir()?.join("lan");
            let (certs, key, fingerprint) = load_or_make_cert(&dir, bind)?;
            let config = rustls::ServerConfig::builder_with_provider(Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(certs, key)?;
            let tcp =
                TcpListener::bind((bind, 0)).await.with_context(|| format!("cannot listen on {bind}"))?;
            let addr = tcp.local_addr()?;
            let listener = TlsListener { tcp, acceptor: TlsAcceptor::from(Arc::new(config)) };
            let allowed = AllowedHosts::new(&[addr], &state.settings.allowed_hosts);
            let app = (state.app)(allowed);
            let (stop, stopped) = oneshot::channel::<()>();
            let task = tokio::spawn(async move {
                // Through `tap_io`, whose streams axum knows the peer address of.
                let listener = listener.tap_io(|_: &mut tokio_rustls::server::TlsStream<TcpStream>| {});
                let served = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
                    .with_graceful_shutdown(async move {
                        let _ = stopped.await;
                    })
                    .await;
                if let Err(e) = served {
                    tracing::warn!(error = %e, "the LAN listener stopped");
                }
            });
            let url = format!("https://{addr}/");
            tracing::info!(%url, %fingerprint, "LAN mode is on");
            // Phones find the computer by name when the network lets mDNS through; without
            // it, the QR code and the URL still work.
            let announced = match Announcement::start(addr.ip(), addr.port(), &fingerprint) {
                Ok(a) => {
                    tracing::info!(service = %a.fullname, "LAN mode is announced over mDNS");
                    Some(a)
                }
                Err(e) => {
                    tracing::warn!(error = %e, "LAN mode is not announced over mDNS");
                    None
                }
            };
            *running = Some(Running { url, fingerprint, stop, task, announced });
        }
        Ok(running.as_ref().map(|r| r.url.clone()).unwrap_or_default())
    }

    /// Stops the LAN listener and withdraws the pairing code. Paired phones keep their
    /// tokens (revoke them in the device list) but cannot reach the computer.
    pub async fn disable(&self) {
        *self.pairing() = None;
        if let Some(r) = self.running.lock().await.take() {
            if let Some(a) = r.announced {
                a.stop();
            }
            let _ = r.stop.send(());
            let _ = tokio::time::timeout(Duration::from_secs(10), r.task).await;
            tracing::info!("LAN mode is off");
        }
    }
}

/// The settings key that remembers whether the user left LAN mode on.
const REMEMBERED: &str = "pref.lan_enabled";

async fn remember(db: &sqlx::SqlitePool, enabled: bool) -> Result<()> {
    Ok(crate::infra::db::put_setting(db, REMEMBERED, &enabled.to_string()).await?)
}

/// Whether the user left LAN mode on.
pub async fn remembered(db: &sqlx::SqlitePool) -> Result<bool> {
    Ok(crate::infra::db::setting(db, REMEMBERED).await?.is_some_and(|v| v == "true"))
}

/// Turns LAN mode on again when the user left it on; run as the server starts. A
/// listener that cannot start (the address is gone) is logged, and the server runs on.
pub async fn restore(state: &LanContext) {
    match remembered(&state.db.read).await {
        Ok(true) => match state.lan.listen(state).await {
            Ok(url) => tracing::info!(%url, "LAN mode is on, as it was left; pair a phone from Settings"),
            Err(e) => tracing::warn!(error = %e, "LAN mode was left on but could not start"),
        },
        Ok(false) => {}
        Err(e) => tracing::warn!(error = %e, "cannot tell whether LAN mode was left on"),
    }
}

/// The first private IPv4 address of this computer's network interfaces, else loopback.
fn lan_ip() -> IpAddr {
    if_addrs::get_if_addrs()
        .ok()
        .and_then(|ifs| {
            ifs.into_iter().map(|i| i.ip()).find(|ip| matches!(ip, IpAddr::V4(v4) if v4.is_private()))
        })
        .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))
}

type CertAndKey =
    (Vec<rustls::pki_types::CertificateDer<'static>>, rustls::pki_types::PrivateKeyDer<'static>, String);

/// The certificate for `ip`, made on first use (and again when the address changed).
fn load_or_make_cert(dir: &Path, ip: IpAddr) -> anyhow::Result<CertAndKey> {
    let cert_path: PathBuf = dir.join(format!("cert-{ip}.der"));
    let key_path: PathBuf = dir.join(format!("key-{ip}.der"));
    let (cert, key) = match (std::fs::read(&cert_path), std::fs::read(&key_path)) {
        (Ok(c), Ok(k)) => (c, k),
        _ => {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
            let names = vec![ip.to_string(), "clawchat.local".to_owned()];
            let made = rcgen::generate_simple_self_signed(names)?;
            let (c, k) = (made.cert.der().to_vec(), made.key_pair.serialize_der());
            std::fs::write(&cert_path, &c)?;
            crate::infra::secrets::write_private(&key_path, &k)?;
            (c, k)
        }
    };
    let fingerprint = Sha256::digest(&cert).iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":");
    let key = rustls::pki_types::PrivatePkcs8KeyDer::from(key).into();
    Ok((vec![rustls::pki_types::CertificateDer::from(cert)], key, fingerprint))
}

fn qr_svg(text: &str) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    Some(code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(200, 200).build())
}

/// TLS over a TCP listener, for `axum::serve`. A handshake that fails or takes more
/// than 10 seconds drops that connection only.
struct TlsListener {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let (stream, addr) = match self.tcp.accept().await {
                Ok(accepted) => accepted,
                Err(e) => {
                    tracing::debug!(error = %e, "LAN accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            match tokio::time::timeout(Duration::from_secs(10), self.acceptor.accept(stream)).await {
                Ok(Ok(tls)) => return (tls, addr),
                Ok(Err(e)) => tracing::debug!(error = %e, %addr, "TLS handshake failed"),
                Err(_) => tracing::debug!(%addr, "TLS handshake timed out"),
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    LanContext: FromRef<S>,
{
    OpenApiRouter::new().routes(routes!(get_lan, set_lan))
}

/// LAN mode: whether it is on, its URL, certificate fingerprint and pairing code.
#[utoipa::path(get, path = "/api/lan", tag = "devices", security(("bearer" = [])),
    responses(
        (status = 200, description = "LAN mode's state", body = LanStatus),
        NotLoggedIn,
    ))]
async fn get_lan(State(state): State<LanContext>) -> Json<LanStatus> {
    Json(state.lan.status(state.tz).await)
}

/// Turn LAN mode on (a TLS listener on the LAN address and a new pairing code) or off;
/// the choice holds across restarts.
#[utoipa::path(post, path = "/api/lan", tag = "devices", request_body = LanRequest, security(("bearer" = [])),
    responses(
        (status = 200, description = "LAN mode's new state", body = LanStatus),
        NotLoggedIn,
        UnknownFields,
        NotJson,
        InvalidRequest,
    ))]
async fn set_lan(State(state): State<LanContext>, Json(req): Json<LanRequest>) -> Result<Json<LanStatus>> {
    if req.enabled {
        state.lan.enable(&state).await.map_err(Error::Internal)?;
    } else {
        state.lan.disable().await;
    }
    // Remembered for the next start.
    remember(&state.db.write, req.enabled).await?;
    Ok(Json(state.lan.status(state.tz).await))
}
