//! The one thread that parses, for the whole process.
//!
//! The date library builds its grammar and its caches once per thread that calls it, and
//! the regex crate keeps a matching cache per pattern for each thread that uses it while
//! another does. In a server every async worker and blocking thread that ever parsed a
//! message would carry its own copies: tens of megabytes that never go away. So the
//! public entry points hand their text to one long-lived thread and wait for its answer;
//! they stay synchronous, and their callers see no difference but the memory.
//!
//! What must stay true:
//! - A panic inside a parse never reaches the caller: the caller gets the answer the
//!   entry point gives for a text it could not read, and the thread keeps serving.
//! - A call made on the thread itself (one entry point calling another) runs in place:
//!   waiting on its own queue would wait forever.
//! - If the thread cannot be started, or is gone, the call runs on the caller's thread:
//!   heavier, never wrong, and the next call tries to start the thread again.
//!
//! Traded away: parses asked for at the same moment wait for each other, so the process
//! parses on one core at a time. A parse takes about a millisecond; the memory of a copy
//! of everything per thread was the dearer cost.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Mutex, mpsc};
use std::thread;

type Job = Box<dyn FnOnce() + Send>;

thread_local! {
    /// Set on the parsing thread only.
    static HERE: Cell<bool> = const { Cell::new(false) };
}

/// The way to the parsing thread; `None` until the first parse (or after it was lost).
static QUEUE: Mutex<Option<mpsc::Sender<Job>>> = Mutex::new(None);

/// As much stack as a process's main thread gets, so a text that parsed there before
/// parses here; only the pages a parse touches take memory.
const STACK: usize = 8 << 20;

/// `job`'s answer, worked out on the parsing thread; `failed()` if it panicked.
pub(crate) fn run<T: Send + 'static>(job: impl FnOnce() -> T + Send + 'static, failed: fn() -> T) -> T {
    if HERE.get() {
        return job();
    }
    let (tx, rx) = mpsc::sync_channel(1);
    let job: Job = Box::new(move || {
        let answer = catch_unwind(AssertUnwindSafe(job)).unwrap_or_else(|_| failed());
        let _ = tx.send(answer);
    });
    if let Err(job) = send(job) {
        // No parsing thread: the job (panics caught) runs here.
        job();
    }
    rx.recv().unwrap_or_else(|_| failed())
}

/// Queues `job` for the parsing thread, starting the thread if there is none; gives the
/// job back if no thread could take it.
fn send(job: Job) -> Result<(), Job> {
    let mut queue = QUEUE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let job = match queue.as_ref() {
        Some(q) => match q.send(job) {
            Ok(()) => return Ok(()),
            Err(mpsc::SendError(job)) => job,
        },
        None => job,
    };
    *queue = start();
    match queue.as_ref() {
        Some(q) => q.send(job).map_err(|mpsc::SendError(job)| job),
        None => Err(job),
    }
}

fn start() -> Option<mpsc::Sender<Job>> {
    let (tx, rx) = mpsc::channel::<Job>();
    let spawned = thread::Builder::new().name("parser".into()).stack_size(STACK).spawn(move || {
        HERE.set(true);
        for job in rx {
            // Each job catches its own panic; this is for one that escapes anyway (a
            // panicking panic payload), so that the thread outlives it.
            let _ = catch_unwind(AssertUnwindSafe(job));
        }
    });
    spawned.ok().map(|_| tx)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// `f` on a fresh thread, or `None` if it has not answered within ten seconds.
    fn within_time<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || tx.send(f()));
        rx.recv_timeout(Duration::from_secs(10)).ok()
    }

    #[test]
    fn a_panic_gives_the_failed_answer_and_the_thread_keeps_serving() {
        let first = run(|| thread::current().id(), || panic!("no answer"));
        assert_eq!(run(|| -> u32 { panic!("a parse that breaks") }, || 7), 7);
        assert_eq!(run(|| 1, || 0), 1);
        assert_eq!(
            run(|| thread::current().id(), || panic!("no answer")),
            first,
            "the same thread serves on"
        );
    }

    #[test]
    fn a_call_from_the_parsing_thread_runs_in_place() {
        let answer = within_time(|| run(|| run(|| 2, || 0) + 1, || 0));
        assert_eq!(answer, Some(3), "a nested call must not wait on its own queue");
    }

    #[test]
    fn callers_on_many_threads_are_all_served_by_one() {
        let me = thread::current().id();
        let ids: Vec<_> = (0..8)
            .map(|_| thread::spawn(|| run(|| thread::current().id(), || panic!("no answer"))))
            .filter_map(|h| h.join().ok())
            .collect();
        assert_eq!(ids.len(), 8);
        assert!(ids.iter().all(|id| *id == ids[0] && *id != me), "{ids:?}");
    }
}
