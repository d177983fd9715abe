//! The Tauri side: start-up order, the one command, tray, hide-on-close, quit.
//!
//! Start-up: the single-instance check (a second launch focuses the first and exits),
//! then the store and the embedded server, then the window. Closing the window hides it
//! to the tray; Quit (or SIGTERM) stops the server gracefully before the process ends.
//! A start at login ([`autostart::ARG`]) opens no window: the app waits in the tray, and
//! the window is made the first time it is shown.

use std::sync::Arc;
use std::time::Instant;

use tauri::menu::{Menu, MenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager as _, RunEvent, WebviewWindow, WebviewWindowBuilder, WindowEvent};
use tauri_plugin_notification::NotificationExt as _;

use crate::server::{self, Embedded};
use crate::session::{self, DesktopSession};
use crate::shortcut::QuickAddKeys;
use crate::updates::{self, Updates};
use crate::{autostart, links, notify, quick_add, secrets, shortcut};

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
    let at_login = autostart::started_at_login(&std::env::args().collect::<Vec<_>>());
    let update_source = updates::Source::from_env();
    let mut context = tauri::generate_context!();
    updates::configure(&mut context, &update_source);
    let app = tauri::Builder::default()
        // First, so a second launch hands over before it opens anything.
        // With its deep-link feature, a link handed to a second launch reaches the first
        // through the deep-link plugin's event before this runs.
        .plugin(tauri_plugin_single_instance::init(|app, args, _cwd| second_launch(app, &args)))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_notification::init())
        .plugin(autostart::plugin())
        .plugin(shortcut::plugin())
        .plugin(tauri_plugin_updater::Builder::new().build())
        .manage(Updates::new(update_source))
        .invoke_handler(tauri::generate_handler![
            desktop_session,
            quick_add::close_quick_add,
            updates::check_for_updates,
            updates::install_update
        ])
        .on_window_event(|window, event| {
            // The main window hides to the tray; quick add really closes.
            if let WindowEvent::CloseRequested { api, .. } = event
                && window.label() == MAIN
            {
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
            let saved_keys = tauri::async_runtime::block_on(
                clawchat_server::features::settings::saved_quick_add_shortcut(&embedded.state.db.read),
            )?;
            let keys = QuickAddKeys::register(app.handle().clone(), saved_keys);
            let desktop = crate::desktop::Hooks::new(app.handle().clone(), keys);
            embedded.state.runtime.set_desktop(Arc::new(desktop));
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
            links::listen(app.handle());
            let handle = app.handle().clone();
            updates::check_at_start(app.handle(), move |body| {
                let title = "ClawChat update".to_owned();
                show_native(&handle, notify::Native { title, body, raise_window: false })
            });
            if at_login {
                tracing::info!("started at login: no window until it is shown from the tray");
            } else {
                main_window(app.handle())?;
                tracing::info!(ms = started.elapsed().as_millis() as u64, "window created");
            }
            Ok(())
        })
        .build(context)?;
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

/// The main window, made from `tauri.conf.json` if it is not there yet.
fn main_window(app: &AppHandle) -> anyhow::Result<WebviewWindow> {
    if let Some(window) = app.get_webview_window(MAIN) {
        return Ok(window);
    }
    let config = app.config().app.windows.iter().find(|w| w.label == MAIN).cloned();
    let config = config.ok_or_else(|| anyhow::anyhow!("tauri.conf.json has no main window"))?;
    Ok(WebviewWindowBuilder::from_config(app, &config)?.build()?)
}

pub fn show_main(app: &AppHandle) {
    match main_window(app) {
        Ok(window) => {
            let _ = window.unminimize();
            let _ = window.show();
            let _ = window.set_focus();
        }
        Err(e) => tracing::error!(error = %e, "the window could not be made"),
    }
}

/// A second launch: a start at login changes nothing, a link the deep-link plugin could
/// not read is refused in the window, anything else shows the window.
fn second_launch(app: &AppHandle, args: &[String]) {
    if autostart::started_at_login(args) {
        return;
    }
    match args.get(1) {
        // Those the deep-link plugin could read reached `links::listen` already.
        Some(arg) if links::unreadable(arg) => links::open(app, arg),
        Some(arg) if links::is_link(arg) => {}
        _ => show_main(app),
    }
}

/// Shows the main window at `page` (a path of the UI, such as `todos?open=<id>`).
pub fn show_main_at(app: &AppHandle, page: &str) {
    show_main(app);
    if let Some(window) = app.get_webview_window(MAIN)
        && let Ok(url) = window.url()
        && let Ok(target) = url.join(&format!("/{page}"))
    {
        let _ = window.navigate(target);
    }
}

fn tray(app: &AppHandle) -> tauri::Result<()> {
    let show = MenuItem::with_id(app, "show", "Show ClawChat", true, None::<&str>)?;
    let quick = MenuItem::with_id(app, "quick-add", "Quick add", true, None::<&str>)?;
    let updates = MenuItem::with_id(app, "check-updates", "Check for updates", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit ClawChat", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&show, &quick, &updates, &quit])?;
    let mut tray =
        TrayIconBuilder::with_id("main").tooltip("ClawChat").menu(&menu).on_menu_event(|app, event| {
            match event.id().as_ref() {
                "show" => show_main(app),
                "quick-add" => {
                    if let Err(e) = quick_add::open(app, None) {
                        tracing::error!(error = %e, "quick add did not open");
                    }
                }
                // Settings runs the check and shows what it came to.
                "check-updates" => show_main_at(app, "settings?check_updates=1"),
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
