//! A bare Tauri 2 window showing one static page: the floor ClawChat's memory is judged
//! against in `tests/desktop/bench_app.py`. Nothing else runs: no server, no tray, no
//! plugins. It prints when the window is made and when the page has loaded, as the
//! benchmark reads them.

use tauri::webview::PageLoadEvent;

fn main() {
    let started = std::time::Instant::now();
    let app = tauri::Builder::default()
        .on_page_load(move |_, payload| {
            if payload.event() == PageLoadEvent::Finished {
                println!("page loaded after {} ms", started.elapsed().as_millis());
            }
        })
        .build(tauri::generate_context!());
    match app {
        Ok(app) => {
            println!("window created after {} ms", started.elapsed().as_millis());
            app.run(|_, _| {});
        }
        Err(e) => {
            eprintln!("the bare window could not start: {e}");
            std::process::exit(1);
        }
    }
}
