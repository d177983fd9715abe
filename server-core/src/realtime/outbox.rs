//! A connection's outbound queue: frames of its own, and slices of the runs the hub shares
//! between connections (shared, not copied). It is bounded by the bytes of text waiting
//! in it, so a burst of small frames (a thousand answers at once) fits, while a client
//! that stops reading is found after a few megabytes, not after a fixed number of frames.

use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::extract::ws::Message;
use tokio::sync::mpsc;

/// Text a connection may have waiting before it counts as too slow.
pub const MAX_QUEUED_BYTES: usize = 4 * 1024 * 1024;
/// Entries (single frames or runs) a connection may have waiting (a bound on the queue's
/// bookkeeping).
const MAX_QUEUED_FRAMES: usize = 16 * 1024;

/// Why a frame was not queued.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    TooSlow,
    Closed,
}

/// What waits in a connection's queue: a frame of its own, or part of a run of frames the
/// hub delivered to many connections.
#[derive(Debug)]
enum Queued {
    One(Message),
    Run(Arc<[Message]>, Range<usize>),
}

/// The sending side of a connection's outbound queue.
#[derive(Debug, Clone)]
pub struct Outbox {
    frames: mpsc::Sender<Queued>,
    queued: Arc<AtomicUsize>,
}

/// The receiving side, owned by the connection's writer: it hands out one frame at a time.
#[derive(Debug)]
pub struct OutboxReader {
    frames: mpsc::Receiver<Queued>,
    queued: Arc<AtomicUsize>,
    /// The run being handed out, and the part of it still to hand out.
    run: Option<(Arc<[Message]>, Range<usize>)>,
}

pub fn outbox() -> (Outbox, OutboxReader) {
    let (tx, rx) = mpsc::channel(MAX_QUEUED_FRAMES);
    let queued = Arc::new(AtomicUsize::new(0));
    (Outbox { frames: tx, queued: queued.clone() }, OutboxReader { frames: rx, queued, run: None })
}

pub fn text_len(message: &Message) -> usize {
    match message {
        Message::Text(t) => t.len(),
        _ => 0,
    }
}

impl Outbox {
    /// Queues a frame at once, or refuses it when the connection already holds too much.
    pub fn try_push(&self, message: Message) -> Result<(), Refused> {
        let len = text_len(&message);
        self.try_queue(Queued::One(message), len)
    }

    /// Queues the frames `part` of a shared run, `len` bytes of text in all, or refuses
    /// them whole. An empty part queues nothing.
    pub fn try_push_run(&self, run: &Arc<[Message]>, part: Range<usize>, len: usize) -> Result<(), Refused> {
        if part.start >= part.end {
            return Ok(());
        }
        self.try_queue(Queued::Run(run.clone(), part), len)
    }

    fn try_queue(&self, item: Queued, len: usize) -> Result<(), Refused> {
        if self.queued.load(Ordering::Acquire) + len > MAX_QUEUED_BYTES {
            return Err(Refused::TooSlow);
        }
        // Counted before it is queued, so the reader never subtracts what was not added.
        self.queued.fetch_add(len, Ordering::AcqRel);
        self.frames.try_send(item).map_err(|e| {
            self.queued.fetch_sub(len, Ordering::AcqRel);
            match e {
                mpsc::error::TrySendError::Full(_) => Refused::TooSlow,
                mpsc::error::TrySendError::Closed(_) => Refused::Closed,
            }
        })
    }

    /// Queues a frame, waiting for room (used for the closing frame of a slow client).
    pub async fn push(&self, message: Message) -> Result<(), Refused> {
        let len = text_len(&message);
        self.queued.fetch_add(len, Ordering::AcqRel);
        self.frames.send(Queued::One(message)).await.map_err(|_| {
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
    fn taken(&self, message: Message) -> Message {
        self.queued.fetch_sub(text_len(&message), Ordering::AcqRel);
        message
    }

    /// The next frame of the run being handed out, if any is left.
    fn next_of_run(&mut self) -> Option<Message> {
        let (run, part) = self.run.as_mut()?;
        let message = part.next().and_then(|i| run.get(i)).cloned();
        if part.start >= part.end {
            self.run = None;
        }
        message.map(|m| self.taken(m))
    }

    fn open(&mut self, item: Queued) -> Option<Message> {
        match item {
            Queued::One(message) => Some(self.taken(message)),
            Queued::Run(run, part) => {
                self.run = Some((run, part));
                self.next_of_run()
            }
        }
    }

    pub async fn recv(&mut self) -> Option<Message> {
        if let Some(message) = self.next_of_run() {
            return Some(message);
        }
        let item = self.frames.recv().await?;
        self.open(item)
    }

    pub fn try_recv(&mut self) -> Option<Message> {
        if let Some(message) = self.next_of_run() {
            return Some(message);
        }
        let item = self.frames.try_recv().ok()?;
        self.open(item)
    }
}

#[cfg(test)]
mod tests {
    use axum::extract::ws::Utf8Bytes;

    use super::*;

    fn text(s: &str) -> Message {
        Message::Text(Utf8Bytes::from(s.to_owned()))
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
    async fn a_part_of_a_run_hands_out_only_its_frames() {
        let (tx, mut rx) = outbox();
        let run: Arc<[Message]> = ["a", "bb", "ccc", "dddd"].map(text).into();
        tx.try_push_run(&run, 1..3, 5).unwrap();
        tx.try_push_run(&run, 3..3, 0).unwrap();
        tx.try_push(text("own")).unwrap();
        assert_eq!(tx.queued_bytes(), 8);
        let got: Vec<Message> = std::iter::from_fn(|| rx.try_recv()).collect();
        assert_eq!(got, ["bb", "ccc", "own"].map(text));
        assert_eq!(tx.queued_bytes(), 0);
    }
}
