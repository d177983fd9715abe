//! A model's streamed answer (server-sent events carrying text and tool-call fragments),
//! decoded and the tool calls assembled: never a panic, and however TCP cuts the body into
//! pieces, the events are the same as when it arrives whole.
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input {
    body: Vec<u8>,
    /// Where to cut the body, as offsets into it.
    cuts: Vec<u16>,
}

fuzz_target!(|input: Input| {
    let whole = clawchat_server::llm::decode_pieces(&[&input.body]);
    let mut cuts: Vec<usize> =
        input.cuts.iter().map(|&c| usize::from(c) % (input.body.len() + 1)).collect();
    cuts.sort_unstable();
    let mut pieces = Vec::with_capacity(cuts.len() + 1);
    let mut start = 0;
    for cut in cuts {
        pieces.push(&input.body[start..cut]);
        start = cut;
    }
    pieces.push(&input.body[start..]);
    let cut = clawchat_server::llm::decode_pieces(&pieces);
    assert_eq!(format!("{whole:?}"), format!("{cut:?}"), "the cuts changed the answer");
    for event in &whole {
        if let Ok(clawchat_server::llm::StreamEvent::ToolCalls(calls)) = event {
            for call in calls {
                assert!(!call.name.trim().is_empty(), "a tool call has a name: {call:?}");
                assert!(call.arguments.is_object(), "arguments are an object: {call:?}");
            }
        }
    }
});
