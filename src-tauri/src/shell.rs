//! The Tauri side: start-up order, the one command, tray, hide-on-close, quit.
//!
//! Start-up: the single-instance check (a second launch focuses the first and exits),
//! then the store and the embedded server, then the window. Closing the window hides it
//! to the tray; Quit (or SIGTERM) stops the server gracefully before the process ends.

use std::sync::Arc;
use std::time::Instant;

use tauri::menu::{Menu, MenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager as _, RunEvent, WebviewWindowBuilder, WindowEvent};
use tauri_plugin_notification::NotificationExt as _;

use crate::server::{self, Embedded};
use crate::session::{self, DesktopSession};
use crate::{notify, secrets};

const MAIN: &str = "main";

/// What the commands reach.
pub struct Shell {
    pub embedded: Arc<Embedded>,
    pub secret_backend: secrets::Backend,
}

/// The window's session: the embedded server's address and a token pair for this computer.
#[tauri::command]
async fn desktop_session(shell: tauri::State<'_, Shell>) -> Result<DesktopSession, String> {
    let session =
        session::open(&shell.embedded.state, shell.embedded.base_url()).await.map_err(|e| e.to_string())?;
    tracing::info!("desktop session opened");
    Ok(session)
}

/// Builds and runs the app until Quit. `started` is when the process began, for the log
/// line that says how long the window took.
pub fn run(started: Instant) -> anyhow::Result<()> {
    let app = tauri::Builder::default()
        // First, so a second launch hands over before it opens anything.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| show_main(app)))
        .plugin(tauri_plugin_notification::init())
        .invoke_handler(tauri::generate_handler![desktop_session])
        .on_window_event(|window, event| {
            if let WindowEvent::CloseRequested { api, .. } = event {
                api.prevent_close();
                let _ = window.hide();
            }
        })
        .setup(move |app| {
            let shown = app.handle().clone();
            let native = Arc::new(notify::NativeNotifier::new(move |n| show_native(&shown, n)));
            let launched = tauri::async_runtime::block_on(server::launch(Some(native)))?;
            if let Some(pin) = &launched.generated_pin {
                println!("Your ClawChat PIN (for browsers and phones) is {pin}. It is shown only this once.");
            }
            let embedded = Arc::new(launched.embedded);
            println!("ClawChat's server is running at {}", embedded.base_url());
            app.manage(Shell { embedded: embedded.clone(), secret_backend: launched.secret_backend });
            tray(app.handle())?;
            let handle = app.handle().clone();
            notify::forward(&embedded.state.bus, move |n| {
                if n.raise_window {
                    show_main(&handle);
                }
                show_native(&handle, n)
            });
            stop_on_signal(app.handle().clone());
            let config = app.config().app.windows.iter().find(|w| w.label == MAIN).cloned();
            let config = config.ok_or_else(|| anyhow::anyhow!("tauri.conf.json has no main window"))?;
            WebviewWindowBuilder::from_config(app.handle(), &config)?.build()?;
            tracing::info!(ms = started.elapsed().as_millis() as u64, "window created");
            Ok(())
        })
        .build(tauri::generate_context!())?;
    app.run(|handle, event| match event {
        // Closing the last window only hides it; the app ends through Quit.
        RunEvent::ExitRequested { code: None, api, .. } => api.prevent_exit(),
        RunEvent::Exit => {
            if let Some(shell) = handle.try_state::<Shell>() {
                let embedded = shell.embedded.clone();
                if let Err(e) = tauri::async_runtime::block_on(embedded.shutdown()) {
                    tracing::error!(error = %e, "the server did not stop cleanly");
                }
            }
        }
        _ => {}
    });
    Ok(())
}

/// Shows one native notification. The notification daemon is reached over D-Bus, which
/// may block, so it is shown from a blocking thread.
fn show_native(handle: &AppHandle, n: notify::Native) {
    let handle = handle.clone();
    tauri::async_runtime::spawn_blocking(move || {
        if let Err(e) = handle.notification().builder().title(n.title).body(n.body).show() {
            tracing::debug!(error = %e, "no native notification shown");
        }
    });
}

fn show_main(app: &AppHandle) {
    if let Some(window) = app.get_webview_window(MAIN) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

fn tray(app: &AppHandle) -> tauri::Result<()> {
    let show = MenuItem::with_id(app, "show", "Show ClawChat", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit ClawChat", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&show, &quit])?;
    let mut tray =
        TrayIconBuilder::with_id("main").tooltip("ClawChat").menu(&menu).on_menu_event(|app, event| {
            match event.id().as_ref() {
                "show" => show_main(app),
                "quit" => app.exit(0),
                _ => {}
            }
        });
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.build(app)?;
    Ok(())
}

/// SIGTERM and Ctrl-C quit like the tray's Quit: the server stops gracefully first.
fn stop_on_signal(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        clawchat_server::shutdown_signal().await;
        tracing::info!("asked to stop");
        app.exit(0);
    });
}
