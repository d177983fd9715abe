//! Incremental server-sent-events decoder.
//!
//! Bytes arrive in whatever pieces TCP delivers, so a line, and even a UTF-8 character, can be split
//! across reads. The decoder therefore buffers raw bytes and only decodes complete lines. It follows the
//! SSE rules that matter for model servers: lines end in `\n`, `\r\n` or `\r`; an empty line ends an event;
//! `:` starts a comment (OpenRouter's `: OPENROUTER PROCESSING` keep-alives); the space after `data:` is
//! optional; several `data:` lines of one event are joined with `\n`.

use super::error::LlmError;

/// A line longer than this is treated as a broken server rather than buffered forever.
const MAX_LINE_BYTES: usize = 8 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SseEvent {
    /// The `event:` field, when the server named the event.
    pub event: Option<String>,
    pub data: String,
}

#[derive(Debug, Default)]
pub(crate) struct SseDecoder {
    /// Bytes of the current, incomplete line.
    buf: Vec<u8>,
    /// How far `buf` has already been searched for a line end, so long lines arriving in small pieces are
    /// not rescanned from the start each time.
    scanned: usize,
    data: String,
    has_data: bool,
    event: Option<String>,
    /// Whether the first bytes were seen (a leading byte-order mark is dropped).
    started: bool,
}

impl SseDecoder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds the next piece of the body; complete events are appended to `out`.
    pub fn feed(&mut self, chunk: &[u8], out: &mut Vec<SseEvent>) -> Result<(), LlmError> {
        self.buf.extend_from_slice(chunk);
        if !self.started {
            if self.buf.len() < 3 && b"\xEF\xBB\xBF".starts_with(&self.buf) {
                return Ok(());
            }
            self.started = true;
            if self.buf.starts_with(b"\xEF\xBB\xBF") {
                self.buf.drain(..3);
            }
        }

        let buf = std::mem::take(&mut self.buf);
        let mut line_start = 0;
        let mut pos = self.scanned;
        // Where the next feed must resume searching: the end, unless a trailing `\r` is left undecided.
        let mut resume_at = None;
        while let Some(offset) = buf[pos..].iter().position(|&b| b == b'\n' || b == b'\r') {
            let end = pos + offset;
            let next = if buf[end] == b'\r' {
                match buf.get(end + 1) {
                    Some(b'\n') => end + 2,
                    Some(_) => end + 1,
                    // A trailing `\r` may be the first half of `\r\n`: decide when the next byte comes.
                    None => {
                        resume_at = Some(end);
                        break;
                    }
                }
            } else {
                end + 1
            };
            self.process_line(&buf[line_start..end], out);
            line_start = next;
            pos = next;
        }
        let scanned_to = resume_at.unwrap_or(buf.len());
        self.buf = buf;
        self.buf.drain(..line_start);
        self.scanned = scanned_to - line_start;

        if self.buf.len() > MAX_LINE_BYTES || self.data.len() > MAX_LINE_BYTES {
            return Err(LlmError::Protocol {
                detail: format!("an event is longer than {MAX_LINE_BYTES} bytes"),
            });
        }
        Ok(())
    }

    /// Flushes at end of body. A last event without its closing blank line is still delivered: several
    /// servers close the connection right after the final `data:` line.
    pub fn finish(&mut self, out: &mut Vec<SseEvent>) {
        let rest = std::mem::take(&mut self.buf);
        let rest = rest.strip_suffix(b"\r").unwrap_or(&rest);
        if !rest.is_empty() {
            self.process_line(rest, out);
        }
        self.process_line(b"", out);
        self.scanned = 0;
    }

    fn process_line(&mut self, line: &[u8], out: &mut Vec<SseEvent>) {
        if line.is_empty() {
            if self.has_data {
                self.has_data = false;
                out.push(SseEvent { event: self.event.take(), data: std::mem::take(&mut self.data) });
            } else {
                self.event = None;
            }
            return;
        }
        if line[0] == b':' {
            return;
        }
        let (field, value) = match line.iter().position(|&b| b == b':') {
            Some(colon) => {
                let value = &line[colon + 1..];
                (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &[][..]),
        };
        match field {
            b"data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(&String::from_utf8_lossy(value));
                self.has_data = true;
            }
            b"event" => self.event = Some(String::from_utf8_lossy(value).into_owned()),
            // `id:` and `retry:` only matter for reconnecting, which a chat completion never does.
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_in_pieces(input: &[u8], piece: usize) -> Vec<SseEvent> {
        let mut decoder = SseDecoder::new();
        let mut out = Vec::new();
        for chunk in input.chunks(piece.max(1)) {
            decoder.feed(chunk, &mut out).unwrap();
        }
        decoder.finish(&mut out);
        out
    }

    fn data_of(events: &[SseEvent]) -> Vec<&str> {
        events.iter().map(|e| e.data.as_str()).collect()
    }

    #[test]
    fn every_split_gives_the_same_events() {
        let input = "\u{FEFF}: OPENROUTER PROCESSING\r\n\r\ndata: {\"t\":\"héllo 世界 🦀\"}\r\n\r\nevent: message\nid: 7\ndata:{\"t\":2}\n\ndata: a\ndata: b\n\rdata: [DONE]\r\r";
        let want = vec!["{\"t\":\"héllo 世界 🦀\"}", "{\"t\":2}", "a\nb", "[DONE]"];
        for piece in 1..=input.len() {
            assert_eq!(data_of(&decode_in_pieces(input.as_bytes(), piece)), want, "piece size {piece}");
        }
        // Irregular splits too, including inside the multi-byte characters.
        let bytes = input.as_bytes();
        for cut in 0..bytes.len() {
            let mut decoder = SseDecoder::new();
            let mut out = Vec::new();
            decoder.feed(&bytes[..cut], &mut out).unwrap();
            decoder.feed(&bytes[cut..], &mut out).unwrap();
            decoder.finish(&mut out);
            assert_eq!(data_of(&out), want, "cut at {cut}");
        }
    }

    #[test]
    fn event_names_are_reported_and_reset() {
        let events = decode_in_pieces(b"event: error\ndata: boom\n\ndata: fine\n\n", 5);
        assert_eq!(events[0].event.as_deref(), Some("error"));
        assert_eq!(events[1].event, None);
    }

    #[test]
    fn last_event_without_blank_line_is_delivered() {
        assert_eq!(data_of(&decode_in_pieces(b"data: one\n\ndata: two", 3)), vec!["one", "two"]);
        assert_eq!(data_of(&decode_in_pieces(b"data: one\r", 3)), vec!["one"]);
    }

    #[test]
    fn comments_and_blank_runs_produce_nothing() {
        assert!(decode_in_pieces(b": keep-alive\n\n\n\n: x\r\n\r\n", 2).is_empty());
    }

    #[test]
    fn runaway_line_is_an_error() {
        let mut decoder = SseDecoder::new();
        let mut out = Vec::new();
        let big = vec![b'x'; MAX_LINE_BYTES + 1];
        let err = decoder.feed(&big, &mut out).unwrap_err();
        assert_eq!(err.reason_code(), "model_bad_response");
    }
}
