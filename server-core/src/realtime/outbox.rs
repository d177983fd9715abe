//! A connection's outbound queue, in two lanes. Its own lane holds the frames meant for it
//! (the answers to its own messages, replies to its frames, its tasks) and is always
//! written first; the shared lane holds the runs of frames the hub delivers to every
//! connection (shared, not copied), in the order they were published. So a connection's
//! own answer never waits behind copies of other connections' answers.
//!
//! The queue is bounded by the bytes of text waiting in both lanes, so a burst of small
//! frames (a thousand answers at once) fits, while a client that stops reading is found
//! after a few megabytes, not after a fixed number of frames.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use axum::extract::ws::Message;
use tokio::sync::mpsc;

/// Text a connection may have waiting before it counts as too slow.
pub const MAX_QUEUED_BYTES: usize = 4 * 1024 * 1024;
/// Frames a connection may have waiting in its own lane, and runs in its shared lane (a
/// bound on the queue's bookkeeping).
const MAX_QUEUED_FRAMES: usize = 16 * 1024;
const MAX_QUEUED_RUNS: usize = 1024;

/// Names the outboxes: a run of shared frames names, for each frame, the connection that
/// already has it in its own lane.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// Why a frame was not queued.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    TooSlow,
    Closed,
}

/// Frames delivered to every connection as one run. A frame's copy is skipped by the
/// connection that got it in its own lane (the one whose message it answers).
#[derive(Debug, Default)]
pub struct Run {
    frames: Vec<Message>,
    /// For each frame, the outbox that skips it ([`NOBODY`] when every one takes it).
    skip: Vec<u64>,
    bytes: usize,
}

/// No outbox has this id.
pub const NOBODY: u64 = 0;

impl Run {
    pub fn push(&mut self, message: Message, skip: u64) {
        self.bytes += text_len(&message);
        self.frames.push(message);
        self.skip.push(skip);
    }

    pub fn len(&self) -> usize {
        self.frames.len()
    }

    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// The bytes of text in the run.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// The bytes of text from frame `from` on.
    fn bytes_from(&self, from: usize) -> usize {
        self.frames.get(from..).map_or(0, |rest| rest.iter().map(text_len).sum())
    }
}

/// The sending side of a connection's outbound queue.
#[derive(Debug, Clone)]
pub struct Outbox {
    id: u64,
    own: mpsc::Sender<Message>,
    shared: mpsc::Sender<(Arc<Run>, usize)>,
    queued: Arc<AtomicUsize>,
}

/// The receiving side, owned by the connection's writer: it hands out one frame at a time,
/// its own lane's first.
#[derive(Debug)]
pub struct OutboxReader {
    id: u64,
    own: mpsc::Receiver<Message>,
    own_open: bool,
    shared: mpsc::Receiver<(Arc<Run>, usize)>,
    queued: Arc<AtomicUsize>,
    /// The run being handed out, and the next frame of it.
    run: Option<(Arc<Run>, usize)>,
}

pub fn outbox() -> (Outbox, OutboxReader) {
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let (own_tx, own_rx) = mpsc::channel(MAX_QUEUED_FRAMES);
    let (shared_tx, shared_rx) = mpsc::channel(MAX_QUEUED_RUNS);
    let queued = Arc::new(AtomicUsize::new(0));
    (
        Outbox { id, own: own_tx, shared: shared_tx, queued: queued.clone() },
        OutboxReader { id, own: own_rx, own_open: true, shared: shared_rx, queued, run: None },
    )
}

pub fn text_len(message: &Message) -> usize {
    match message {
        Message::Text(t) => t.len(),
        _ => 0,
    }
}

fn refused<T>(e: mpsc::error::TrySendError<T>) -> Refused {
    match e {
        mpsc::error::TrySendError::Full(_) => Refused::TooSlow,
        mpsc::error::TrySendError::Closed(_) => Refused::Closed,
    }
}

impl Outbox {
    /// The outbox's name in the [`Run`]s it skips frames of.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Counts `len` more bytes waiting, or refuses them when the connection already holds
    /// too much. `queue` queues the frames; what it refuses is uncounted again.
    fn counted(&self, len: usize, queue: impl FnOnce() -> Result<(), Refused>) -> Result<(), Refused> {
        if self.queued.load(Ordering::Acquire) + len > MAX_QUEUED_BYTES {
            return Err(Refused::TooSlow);
        }
        // Counted before it is queued, so the reader never subtracts what was not added.
        self.queued.fetch_add(len, Ordering::AcqRel);
        queue().inspect_err(|_| {
            self.queued.fetch_sub(len, Ordering::AcqRel);
        })
    }

    /// Queues a frame in the connection's own lane at once, or refuses it when the
    /// connection already holds too much.
    pub fn try_push(&self, message: Message) -> Result<(), Refused> {
        let len = text_len(&message);
        self.counted(len, || self.own.try_send(message).map_err(refused))
    }

    /// Queues a shared run from its frame `from` on (the frames published before the
    /// connection joined are not its), or refuses it whole.
    pub fn try_push_run(&self, run: &Arc<Run>, from: usize) -> Result<(), Refused> {
        if from >= run.len() {
            return Ok(());
        }
        let len = if from == 0 { run.bytes() } else { run.bytes_from(from) };
        self.counted(len, || self.shared.try_send((run.clone(), from)).map_err(refused))
    }

    /// Queues a frame in the own lane, waiting for room (used for the closing frame of a
    /// slow client).
    pub async fn push(&self, message: Message) -> Result<(), Refused> {
        let len = text_len(&message);
        self.queued.fetch_add(len, Ordering::AcqRel);
        self.own.send(message).await.map_err(|_| {
            self.queued.fetch_sub(len, Ordering::AcqRel);
            Refused::Closed
        })
    }

    #[cfg(test)]
    pub fn queued_bytes(&self) -> usize {
        self.queued.load(Ordering::Acquire)
    }
}

impl OutboxReader {
    fn taken(&self, message: &Message) {
        self.queued.fetch_sub(text_len(message), Ordering::AcqRel);
    }

    /// The next frame of the run being handed out that is not already in the own lane.
    fn next_of_run(&mut self) -> Option<Message> {
        let (run, next) = self.run.as_mut()?;
        while let Some(message) = run.frames.get(*next) {
            let skip = run.skip.get(*next).copied().unwrap_or(NOBODY);
            *next += 1;
            self.queued.fetch_sub(text_len(message), Ordering::AcqRel);
            if skip != self.id {
                return Some(message.clone());
            }
        }
        self.run = None;
        None
    }

    /// What is ready without waiting: the own lane first, then the shared one.
    pub fn try_recv(&mut self) -> Option<Message> {
        if let Ok(message) = self.own.try_recv() {
            self.taken(&message);
            return Some(message);
        }
        loop {
            if let Some(message) = self.next_of_run() {
                return Some(message);
            }
            self.run = Some(self.shared.try_recv().ok()?);
        }
    }

    /// The next frame, waiting for one; `None` once the queue is closed and empty.
    pub async fn recv(&mut self) -> Option<Message> {
        loop {
            if let Some(message) = self.try_recv() {
                return Some(message);
            }
            tokio::select! {
                biased;
                own = self.own.recv(), if self.own_open => match own {
                    Some(message) => {
                        self.taken(&message);
                        return Some(message);
                    }
                    None => self.own_open = false,
                },
                run = self.shared.recv() => match run {
                    Some(run) => self.run = Some(run),
                    // Both lanes close together: nothing is left in the own lane either.
                    None => return self.own.try_recv().ok().inspect(|m| self.taken(m)),
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::extract::ws::Utf8Bytes;

    use super::*;

    fn text(s: &str) -> Message {
        Message::Text(Utf8Bytes::from(s.to_owned()))
    }

    fn run(frames: &[(&str, u64)]) -> Arc<Run> {
        let mut run = Run::default();
        for (f, skip) in frames {
            run.push(text(f), *skip);
        }
        Arc::new(run)
    }

    #[tokio::test]
    async fn the_byte_count_follows_what_the_reader_takes() {
        let (tx, mut rx) = outbox();
        tx.try_push(text(&"y".repeat(MAX_QUEUED_BYTES - 10))).unwrap();
        assert_eq!(tx.try_push(text(&"z".repeat(11))), Err(Refused::TooSlow));
        tx.try_push(Message::Ping(Default::default())).unwrap();
        assert!(rx.try_recv().is_some());
        tx.try_push(text(&"z".repeat(11))).unwrap();
        assert_eq!(tx.queued_bytes(), 11);
    }

    #[tokio::test]
    async fn the_own_lane_goes_first_and_a_run_skips_what_it_already_had() {
        let (tx, mut rx) = outbox();
        let me = tx.id();
        tx.try_push_run(&run(&[("a", NOBODY), ("mine", me), ("bb", me + 1)]), 0).unwrap();
        tx.try_push_run(&run(&[("ccc", NOBODY), ("dddd", NOBODY)]), 1).unwrap();
        tx.try_push(text("own")).unwrap();
        assert_eq!(tx.queued_bytes(), 1 + 4 + 2 + 4 + 3);
        let got: Vec<Message> = std::iter::from_fn(|| rx.try_recv()).collect();
        assert_eq!(got, ["own", "a", "bb", "dddd"].map(text));
        assert_eq!(tx.queued_bytes(), 0);
    }

    #[tokio::test]
    async fn an_own_frame_overtakes_the_rest_of_a_run_being_written() {
        let (tx, mut rx) = outbox();
        tx.try_push_run(&run(&[("1", NOBODY), ("2", NOBODY), ("3", NOBODY)]), 0).unwrap();
        assert_eq!(rx.recv().await, Some(text("1")));
        tx.try_push(text("own")).unwrap();
        drop(tx);
        let mut rest = Vec::new();
        while let Some(m) = rx.recv().await {
            rest.push(m);
        }
        assert_eq!(rest, ["own", "2", "3"].map(text), "and nothing is lost when the queue closes");
    }
}
