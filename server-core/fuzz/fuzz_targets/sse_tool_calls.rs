//! A model's streamed answer (server-sent events carrying text and tool-call fragments),
//! decoded and the tool calls assembled: never a panic, and however TCP cuts the body into
//! pieces, the events are the same as when it arrives whole.
//!
//! Input: one byte n, then n cut offsets (2 bytes each, little-endian, taken modulo the
//! body's length), then the body.
#![no_main]

use clawchat_server::llm::{StreamEvent, decode_pieces};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&n, rest)) = data.split_first() else { return };
    let Some((offsets, body)) = rest.split_at_checked(usize::from(n) * 2) else { return };
    let whole = decode_pieces(&[body]);

    let mut cuts: Vec<usize> = offsets
        .chunks_exact(2)
        .map(|c| usize::from(u16::from_le_bytes([c[0], c[1]])) % (body.len() + 1))
        .collect();
    cuts.sort_unstable();
    let mut pieces = Vec::with_capacity(cuts.len() + 1);
    let mut start = 0;
    for cut in cuts {
        pieces.push(&body[start..cut]);
        start = cut;
    }
    pieces.push(&body[start..]);
    let cut = decode_pieces(&pieces);
    assert_eq!(format!("{whole:?}"), format!("{cut:?}"), "the cuts changed the answer");

    for event in &whole {
        if let Ok(StreamEvent::ToolCalls(calls)) = event {
            for call in calls {
                assert!(!call.name.trim().is_empty(), "a tool call has a name: {call:?}");
                assert!(call.arguments.is_object(), "arguments are an object: {call:?}");
            }
        }
    }
});
