//! Calendar files (`.ics`) as an import reads them: the import's own reading step (the
//! icalendar crate's parser, then each event's times, alarms and RRULE checked), and each
//! RRULE expanded by our recurrence code. Any bytes give events or an error, never a panic.
#![no_main]

use clawchat_server::infra::recurrence::{MAX_OCCURRENCES, occurrences};
use libfuzzer_sys::fuzz_target;

fn walk(component: &icalendar::parser::Component<'_>, depth: usize) {
    if depth > 16 {
        return;
    }
    for property in &component.properties {
        if property.name.as_ref().eq_ignore_ascii_case("RRULE") {
            if let Ok(rule) = clawchat_server::infra::recurrence::normalise_rule(property.val.as_ref()) {
                let year = 365 * 86_400_000;
                let starts = occurrences(&rule, 0, None, chrono_tz::UTC, 0, 5 * year, MAX_OCCURRENCES);
                assert!(starts.len() <= MAX_OCCURRENCES);
            }
        }
    }
    for child in &component.components {
        walk(child, depth + 1);
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = clawchat_server::features::events::ics::read_for_fuzzing(&text);
    let unfolded = icalendar::parser::unfold(&text);
    if let Ok(calendar) = icalendar::parser::read_calendar(&unfolded) {
        for component in &calendar.components {
            walk(component, 0);
        }
        // The owned form an import keeps.
        let _owned: icalendar::Calendar = calendar.into();
    }
});
