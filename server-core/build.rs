//! Copies the OpenAPI viewers (Swagger UI, ReDoc) from the npm packages in `assets/` into
//! the build, so the binary serves `/docs` and `/redoc` with no CDN and no network.
//! `make` runs `npm ci` in `assets/` first. Without it the build still succeeds, and the
//! viewer pages say how to get the real files.

use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    let modules = manifest.join("../assets/node_modules");
    let files = [
        ("swagger-ui-dist/swagger-ui-bundle.js", "swagger-ui-bundle.js"),
        ("swagger-ui-dist/swagger-ui.css", "swagger-ui.css"),
        ("redoc/bundles/redoc.standalone.js", "redoc.standalone.js"),
    ];
    println!("cargo:rerun-if-changed=../assets/package-lock.json");
    // The web UI the binary embeds (src/web.rs): embed it again whenever it is rebuilt.
    // Before the first build of the UI, watch its folder, so building it is noticed too.
    if manifest.join("../ui/dist").is_dir() {
        println!("cargo:rerun-if-changed=../ui/dist");
    } else {
        println!("cargo:rerun-if-changed=../ui");
    }
    for (from, to) in files {
        let src = modules.join(from);
        println!("cargo:rerun-if-changed={}", src.display());
        let dest = out.join(to);
        if copy(&src, &dest).is_err() {
            println!(
                "cargo:warning=API viewer file {} missing; run `npm ci --prefix assets` (make does) to bundle /docs and /redoc",
                src.display()
            );
            let placeholder = if to.ends_with(".css") {
                String::new()
            } else {
                "document.body.textContent = 'This build has no API viewer files: run `npm ci --prefix assets` and rebuild. The spec itself is at /api/openapi.json.';".to_owned()
            };
            if let Err(e) = std::fs::write(&dest, placeholder) {
                panic!("cannot write {}: {e}", dest.display());
            }
        }
    }
}

fn copy(src: &Path, dest: &Path) -> std::io::Result<()> {
    std::fs::copy(src, dest).map(|_| ())
}
