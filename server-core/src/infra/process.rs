//! What a ClawChat process does before anything else: its allocator, a cap on glibc's
//! malloc arenas, and the TLS library's cryptography.
//!
//! **The allocator.** Every Rust allocation of a ClawChat binary goes to jemalloc, made
//! for many threads: per-thread caches and a few arenas, so the async workers and the
//! database's threads do not queue for one lock, and freed memory is given back to the
//! system after a short while. It is declared here, in the library, so the headless server
//! and the desktop app (which links this library) get it once, from the same place; tests
//! and examples too. With glibc's `malloc`, 12-14 % of the server's time under read load
//! went to the allocator and its locks (BENCHMARKS.md, "HTTP reads, third round"). Its
//! settings are built in from `.cargo/config.toml` (`JEMALLOC_SYS_WITH_MALLOC_CONF`).
//!
//! **The arena cap.** C code in the process (SQLite above all) still calls glibc's
//! `malloc`, which hands threads their own arenas (up to eight per core) and gives back
//! to the system little of what they free. The server's threads (the async workers, one
//! per pooled SQLite connection, the blocking pool) each end up with an arena, and under
//! steady load the resident memory crept up by about 1.4 MiB a minute while the live heap
//! stayed flat (a heap profile showed it; BENCHMARKS.md, soak). With the arenas capped the
//! same load runs at a flat and lower resident size.
//!
//! glibc reads the cap (`MALLOC_ARENA_MAX`) only as the process starts, and setting it
//! later takes `mallopt` through FFI, which this code base forbids. So a binary's first
//! act is to run itself again with the cap in its environment: `exec` keeps the process
//! id, the arguments and everything else, and happens before any thread or file exists.
//! A cap the user set is left alone; if the `exec` fails the process goes on uncapped.

/// The global allocator of every ClawChat binary; see the module's documentation.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// The arenas glibc's `malloc` (SQLite's and other C code's allocations) shares; see the
/// soak figures for how it was chosen.
pub const MALLOC_ARENAS: &str = "2";

/// Re-executes the running binary with `MALLOC_ARENA_MAX` set, unless it already is. Call
/// it first thing in `main`, before a runtime or a thread is started. Returns only when
/// there was nothing to do or the `exec` failed.
pub fn cap_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        use std::os::unix::process::CommandExt as _;
        if std::env::var_os("MALLOC_ARENA_MAX").is_some() {
            return;
        }
        let Ok(exe) = std::env::current_exe() else { return };
        let mut args = std::env::args_os();
        let mut command = std::process::Command::new(exe);
        if let Some(arg0) = args.next() {
            command.arg0(arg0);
        }
        let error = command.args(args).env("MALLOC_ARENA_MAX", MALLOC_ARENAS).exec();
        eprintln!("could not restart with MALLOC_ARENA_MAX={MALLOC_ARENAS} ({error}); going on without it");
    }
}

/// Makes `ring` the process's TLS cryptography for every client and server that does not
/// name one. reqwest 0.13 (the MCP bridge's client, the desktop's updater) builds its
/// client from the process default when the workspace's features turn its own provider
/// off, and panics if there is none. Call it at the start of `main`.
pub fn use_ring_for_tls() {
    // Fails only when a provider is installed already, which is as good.
    let _ = rustls::crypto::ring::default_provider().install_default();
}
