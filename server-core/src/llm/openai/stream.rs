//! Reading a server-sent-event body into chat events, under the first-byte, idle and total deadlines.

use std::pin::Pin;
use std::time::Duration;

use futures::{Stream, StreamExt};
use tokio::time::Instant;

use super::super::ChatStream;
use super::super::error::{LlmError, TimeoutStage};
use super::super::sse::SseDecoder;
#[cfg(feature = "fuzzing")]
use super::super::types::StreamEvent;
use super::earliest;
use super::response::{Pending, Turn};

/// A streamed body decoded without the network or its clocks, cut in `pieces` as TCP may
/// cut it: the events [`sse_chat_stream`] would yield, up to and including the first error.
/// For the fuzz targets, which hold that the cuts never change the outcome.
#[cfg(feature = "fuzzing")]
pub fn decode_pieces(pieces: &[&[u8]]) -> Vec<Result<StreamEvent, LlmError>> {
    fn run(pieces: &[&[u8]], out: &mut Pending) -> Result<(), LlmError> {
        let mut decoder = SseDecoder::new();
        let mut turn = Turn::default();
        let mut events = Vec::new();
        for piece in pieces {
            decoder.feed(piece, &mut events)?;
            for event in events.drain(..) {
                if turn.handle_event(event, None, out)? {
                    turn.finish(out);
                    return Ok(());
                }
            }
        }
        decoder.finish(&mut events);
        for event in events.drain(..) {
            if turn.handle_event(event, None, out)? {
                turn.finish(out);
                return Ok(());
            }
        }
        if turn.finish_reason.is_some() {
            turn.finish(out);
        }
        Ok(())
    }
    let mut out = Pending::new();
    if let Err(e) = run(pieces, &mut out) {
        out.push_back(Err(e));
    }
    // Nothing follows an error.
    let mut events: Vec<_> = out.into_iter().collect();
    if let Some(first_error) = events.iter().position(Result::is_err) {
        events.truncate(first_error + 1);
    }
    events
}

#[derive(Clone, Copy)]
pub(super) struct StreamTiming {
    pub(super) first_byte_deadline: Instant,
    pub(super) total_deadline: Instant,
    pub(super) idle_timeout: Duration,
}

type BodyStream<B> = Pin<Box<dyn Stream<Item = Result<B, LlmError>> + Send>>;

struct SseChat<B> {
    body: BodyStream<B>,
    decoder: SseDecoder,
    turn: Turn,
    pending: Pending,
    timing: StreamTiming,
    got_bytes: bool,
    finished: bool,
    key: Option<String>,
}

impl<B: AsRef<[u8]>> SseChat<B> {
    /// Waits for the next piece of body under whichever deadline applies now.
    async fn next_chunk(&mut self) -> Result<Option<B>, LlmError> {
        let (deadline, stage) = if self.got_bytes {
            let idle_deadline = Instant::now() + self.timing.idle_timeout;
            if self.timing.total_deadline < idle_deadline {
                (self.timing.total_deadline, TimeoutStage::Total)
            } else {
                (idle_deadline, TimeoutStage::Idle)
            }
        } else {
            earliest(self.timing.first_byte_deadline, self.timing.total_deadline)
        };
        match tokio::time::timeout_at(deadline, self.body.next()).await {
            Err(_) => Err(LlmError::Timeout { stage }),
            Ok(None) => Ok(None),
            Ok(Some(Err(e))) => Err(e),
            Ok(Some(Ok(chunk))) => {
                self.got_bytes = true;
                Ok(Some(chunk))
            }
        }
    }

    /// Reads until at least one item is pending or the stream is over.
    async fn advance(&mut self) -> Result<(), LlmError> {
        let mut events = Vec::new();
        let at_end = match self.next_chunk().await? {
            Some(chunk) => {
                self.decoder.feed(chunk.as_ref(), &mut events)?;
                false
            }
            None => {
                self.decoder.finish(&mut events);
                true
            }
        };
        let key = self.key.as_deref();
        for event in events {
            if self.turn.handle_event(event, key, &mut self.pending)? {
                // `[DONE]`: anything after it is ignored, and dropping the body closes the connection.
                self.finished = true;
                self.turn.finish(&mut self.pending);
                return Ok(());
            }
        }
        if at_end {
            self.finished = true;
            // A server that closes after its final chunk but without `[DONE]` has still finished; one that
            // closes before any finish_reason cut the answer off.
            if self.turn.finish_reason.is_some() {
                self.turn.finish(&mut self.pending);
            } else if self.turn.saw_event {
                return Err(LlmError::Interrupted {
                    detail: "the server closed the connection before the answer was complete".to_owned(),
                });
            } else {
                return Err(LlmError::Protocol {
                    detail: "the response contained no server-sent events".to_owned(),
                });
            }
        }
        Ok(())
    }
}

/// Turns a streamed body into chat events. Nothing runs until the stream is polled; dropping the stream
/// drops the connection, which makes Ollama stop generating.
pub(super) fn sse_chat_stream<S, B>(body: S, timing: StreamTiming, key: Option<String>) -> ChatStream
where
    S: Stream<Item = Result<B, LlmError>> + Send + 'static,
    B: AsRef<[u8]> + Send + 'static,
{
    let state = SseChat {
        body: Box::pin(body),
        decoder: SseDecoder::new(),
        turn: Turn::default(),
        pending: Pending::new(),
        timing,
        got_bytes: false,
        finished: false,
        key,
    };
    futures::stream::unfold(state, |mut state| async move {
        loop {
            if let Some(item) = state.pending.pop_front() {
                if item.is_err() {
                    // Nothing follows an error.
                    state.finished = true;
                    state.pending.clear();
                }
                return Some((item, state));
            }
            if state.finished {
                return None;
            }
            if let Err(e) = state.advance().await {
                state.finished = true;
                state.pending.push_back(Err(e));
            }
        }
    })
    .boxed()
}
