//! Copies the OpenAPI viewers (Swagger UI, ReDoc) from the npm packages in `assets/` into
//! the build, gzipped, so the binary serves `/docs` and `/redoc` with no CDN and no network.
//! Stored compressed they take 0.7 MB of the binary instead of 2.8 MB (the desktop app
//! carries them too, for a paired phone). `make` runs `npm ci` in `assets/` first. Without
//! it the build still succeeds, and the viewer pages say how to get the real files.

use std::io::Write;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    let modules = manifest.join("../assets/node_modules");
    let files = [
        ("swagger-ui-dist/swagger-ui-bundle.js", "swagger-ui-bundle.js.gz"),
        ("swagger-ui-dist/swagger-ui.css", "swagger-ui.css.gz"),
        ("redoc/bundles/redoc.standalone.js", "redoc.standalone.js.gz"),
    ];
    println!("cargo:rerun-if-changed=../assets/package-lock.json");
    // The web UI the binary embeds (src/infra/web_ui.rs): embed it again whenever it is rebuilt.
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
        if compress(&src, &dest).is_err() {
            println!(
                "cargo:warning=API viewer file {} missing; run `npm ci --prefix assets` (make does) to bundle /docs and /redoc",
                src.display()
            );
            let placeholder = if to.ends_with(".css.gz") {
                String::new()
            } else {
                "document.body.textContent = 'This build has no API viewer files: run `npm ci --prefix assets` and rebuild. The spec itself is at /api/openapi.json.';".to_owned()
            };
            if let Err(e) = std::fs::write(&dest, gzip(placeholder.as_bytes())) {
                panic!("cannot write {}: {e}", dest.display());
            }
        }
    }
}

fn compress(src: &Path, dest: &Path) -> std::io::Result<()> {
    std::fs::write(dest, gzip(&std::fs::read(src)?))
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing into a Vec cannot fail.
    encoder.write_all(data).and_then(|()| encoder.finish()).unwrap_or_default()
}
