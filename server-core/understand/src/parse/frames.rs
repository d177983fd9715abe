//! Titles from what remains of a clause once its slots are cut: the words that frame
//! a request ("remind me to", "I need to", "mark ... as done") are taken off its ends,
//! and what is left is the thing itself, in the user's own words and casing.

use std::sync::LazyLock;

use regex::Regex;

use super::rules::{rx, tidy};
use crate::intent::Intent;

/// Which kind of request a title is cut from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Frame {
    AddTodo,
    AddEvent,
    Done,
    Drop,
}

impl Frame {
    pub(super) fn of(intent: Intent) -> Option<Frame> {
        match intent {
            Intent::CreateTodo => Some(Frame::AddTodo),
            Intent::CreateEvent => Some(Frame::AddEvent),
            Intent::CompleteTodo => Some(Frame::Done),
            Intent::DeleteTodo | Intent::DeleteEvent => Some(Frame::Drop),
            _ => None,
        }
    }

    fn lead(self) -> &'static Regex {
        match self {
            Frame::AddTodo => &ADD_TODO,
            Frame::AddEvent => &ADD_EVENT,
            Frame::Done => &DONE,
            Frame::Drop => &DROP,
        }
    }

    fn tail(self) -> &'static Regex {
        match self {
            Frame::Done => &DONE_TAIL,
            Frame::Drop => &DROP_TAIL,
            Frame::AddTodo | Frame::AddEvent => &ADD_TAIL,
        }
    }
}

/// A hedge after a need ("I should probably ...", "we need really to ..."): not the task.
const HEDGE: &str = r"(?: (?:probably|maybe|really|definitely|actually|honestly|seriously))?";

/// The ways people ask for a todo or a reminder, one of which may lead the clause
/// (several may follow each other: "please add a task: I need to ...").
static ADD_TODO: LazyLock<Regex> = LazyLock::new(|| {
    rx(&format!(
        r"^(?:(?:please|pls|hey|ok|okay|so|also|oh|and)\b[\s,]*|(?:can|could|would|will) (?:you|u)(?: please)? |(?:make sure|be sure)(?: (?:i|that i|to|we|that we))?\b|(?:remind|alert|notify|ping|buzz|nudge|warn) me(?: again)?(?: (?:to|that|about|of|i need to|i have to|i've got to|i should))?\b|(?:set|create|make|add|put|write|jot|pop|new|start|give me)(?: (?:me|down|in|up))?(?: (?:a|an|another|the|one more))?(?: new| quick| recurring| repeating| regular)?(?: (?:reminder|todo|to-do|to do|task|item|entry|alarm|timer|note))?(?: (?:to|that|for|about|called|named|titled|saying))?\b|(?:schedule|log|enter|open)(?: (?:a|an|another|one more))?(?: new| quick| recurring| repeating| regular)? (?:reminder|todo|to-do|to do|task|item)(?: (?:to|that|for|about|called|named|titled|saying))?\b|(?:i|we)(?: really| still| also)? (?:need|have|want|must|should|ought|got|gotta|'ve got|have got){HEDGE}(?: to)?\b|i'(?:ve|d|ll) (?:got to|have to|need to|better)\b|(?:gotta|have to|need to|must|got to|should)\b|(?:don'?t|do not) (?:let me )?forget(?: (?:to|about))?\b|remember(?: to)?\b|(?:i'?m|i am|we'?re|we are)(?: all| almost| nearly| running)? (?:out of|low on)\b|(?:i|we)(?:'ve| have)? (?:run|ran|running) (?:out of|low on)\b|(?:i|we) (?:have|'ve got|got) no(?: more)?\b|(?:i|we) (?:don'?t|do not) have any(?: more)?\b|(?:there'?s|there is) no(?: more)?\b|no more\b|(?:reminder|todo|to-do|task|note)\s*[:-]|(?:todo|to-do)\s|don'?t forget(?: to)?\b|(?:it'?s )?time to\b|(?:it'?s )?time for\b)[\s,:-]*"
    ))
});

static ADD_EVENT: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:please|pls|so|also|oh|and)\b[\s,]*|(?:can|could|would|will) (?:you|u)(?: please)? |(?:schedule|book|add|create|set up|setup|put|plan|arrange|organi[sz]e|make|pencil in|block(?: out| off)?|enter|log|new)(?: (?:in|me|down))?(?: (?:a|an|the|my))?(?: new)?(?: (?:calendar )?(?:event|entry|slot))?(?: (?:for|called|named|titled))?\b|(?:i|we)(?: have| got|'ve got| am having|'m having| are having|'re having)(?: (?:a|an|my|our))?\b|(?:i'?m|i am|we'?re|we are) (?:seeing|going to|off to)(?: see)?(?: (?:the|a|an|my|our))?\b|(?:there'?s|there is)(?: (?:a|an))?\b)[\s,:-]*",
    )
});

static DONE: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:please|pls|so|ok|okay|oh|and|yay|finally)\b[\s,]*|(?:can|could|would|will) (?:you|u)(?: please)? |(?:mark|set|check|tick|cross|strike|scratch)(?: off| out)?(?: (?:the|my))?(?: (?:task|todo|to-do|item|reminder))?\b|(?:all )?(?:complete|completed|finish|finished|done(?: with)?|did)(?: (?:the|my))?(?: (?:task|todo|to-do|item))?\b|i(?:'ve| have)?(?: just| already| finally| now)? (?:finished|completed|done|did|am done with|'m done with)\b|i'm (?:done|finished) with\b|i am (?:done|finished) with\b|(?:just|already|finally) (?:finished|completed|did)\b)[\s,:-]*",
    )
});

static DROP: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:please|pls|so|ok|okay|oh|and)\b[\s,]*|(?:can|could|would|will) (?:you|u)(?: please)? |(?:delete|remove|cancel|erase|drop|clear|scrap|discard|get rid of|take|cross|strike|scratch|call off)(?: out| off)?(?: (?:the|my|that|this|our))?(?: (?:task|todo|to-do|item|reminder|entry|event))?(?: (?:called|named|titled|for|about|to))?\b|i (?:no longer|don'?t) (?:need|want)(?: (?:the|my|to))?\b)[\s,:-]*",
    )
});

static ADD_TAIL: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"[\s,]*(?:please|pls|thanks|thank you|for me|remind me(?: about it| of it| to do it)?|(?:and |so )?(?:can|could) you remind me|too|as well|as a (?:task|todo|reminder)|[,;]?\s*(?:so |and )?(?:please )?(?:(?:can|could|will|would) you )?(?:please )?(?:add|put|stick|pop|throw|get|write|jot|note) (?:it|them|that|those|these|some)(?: down| on| in)?)[\s.!]*$",
    )
});

static DONE_TAIL: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"[\s,]*(?:(?:as |is |are |it'?s |now )?(?:done|complete|completed|finished|off|out)|please|thanks|already|at last|finally|!+)[\s.!]*$",
    )
});

static DROP_TAIL: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"[\s,]*(?:off|out|please|thanks|any ?more|now|from (?:it|there)|(?:from|off)(?: of)?|altogether|completely|(?:task|todo|to-do|item|reminder|entry|event)|(?:,|;| -)\s*(?:not|no longer|no need|don'?t|do not|because|since|won'?t|never|(?:i'?m|i am|we'?re|we are) not|it'?s|that'?s|it was|changed my mind)\b.*|because\b.*)[\s.!]*$",
    )
});

/// Past forms that do not stem to their present ("I paid the bill" is the todo "pay
/// the bill"). Regular "-ed" forms need nothing: the search stems them.
const IRREGULAR_PAST: &[(&str, &str)] = &[
    ("paid", "pay"),
    ("bought", "buy"),
    ("sent", "send"),
    ("made", "make"),
    ("wrote", "write"),
    ("did", "do"),
    ("got", "get"),
    ("took", "take"),
    ("gave", "give"),
    ("sold", "sell"),
    ("brought", "bring"),
    ("went", "go"),
    ("ran", "run"),
    ("found", "find"),
    ("fed", "feed"),
    ("fixed", "fix"),
    ("rang", "ring"),
    ("swept", "sweep"),
    ("built", "build"),
    ("drew", "draw"),
    ("hung", "hang"),
    ("met", "meet"),
    ("spoke", "speak"),
    ("told", "tell"),
    ("threw", "throw"),
    ("picked", "pick"),
    ("put", "put"),
    ("read", "read"),
    ("cut", "cut"),
    ("dealt", "deal"),
];

static PHRASAL: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:put|set|make|write|start|give|pop|throw|stick) (?:out|up|away|off|back|together|aside|over|in order)\b(?: (?:the|my|our|some|all|a|an|his|her|their)\b)",
    )
});

/// Verbs that ask for a todo only when they name it, and the naming within a few words.
static OWN_VERB: LazyLock<Regex> = LazyLock::new(|| rx(r"^(?:make|start|set)\b"));
static FRAMING_SOON: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^\w+(?: [\w'-]+){0,3}? (?:reminder|todo|to-do|to do|task|item|entry|alarm|timer|note|list|event|appointment)\b",
    )
});

/// The title of a clause of this kind, from what remains of it.
pub(super) fn title(rest: &str, frame: Frame) -> Option<String> {
    // After "I need to", "remind me to", "don't forget to" comes the task itself, verb
    // and all ("I need to set the table"): a later lead is framing only when it names
    // what is made ("... to set a reminder to ...", "... to write down ...") or puts the
    // item on a list.
    static TASK_NEXT: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"\b(?:need|have|must|should|ought|got|gotta|better|forget|remember|sure|time|remind me)(?: to| about| that| i)?[\s,:-]*$",
        )
    });
    static FRAMING: LazyLock<Regex> =
        LazyLock::new(|| rx(r"\b(?:reminder|todo|to-do|to do|task|item|entry|alarm|timer|note|down)\b"));
    let mut s = rest.trim().to_string();
    let mut task_next = false;
    for _ in 0..4 {
        let low = s.to_ascii_lowercase();
        let tail = frame.tail().find(&low).map_or(low.len(), |m| m.start());
        // "put out the recycling", "set up the printer": a verb and its particle are the
        // task itself, not the words that ask for it ("set up a task to ..." asks).
        let phrasal = frame == Frame::AddTodo && PHRASAL.is_match(&low) && !FRAMING_SOON.is_match(&low);
        // "make the bed", "start the dishwasher", "set the table": a verb that asks for an
        // item only when it names one ("make a reminder", "set a weekly alarm") is
        // otherwise the task's own.
        let own_verb = frame == Frame::AddTodo
            && OWN_VERB.is_match(&low)
            && !low.starts_with("make sure")
            && !FRAMING_SOON.is_match(&low);
        let lead = if phrasal || own_verb { 0 } else { frame.lead().find(&low).map_or(0, |m| m.end()) };
        let lead = match low.get(..lead) {
            Some(l)
                if task_next
                    && !FRAMING.is_match(l)
                    && !TASK_NEXT.is_match(l)
                    && !low.get(tail..).is_some_and(|t| t.contains("list")) =>
            {
                0
            }
            Some(l) => {
                task_next |= frame == Frame::AddTodo && TASK_NEXT.is_match(l);
                lead
            }
            None => 0,
        };
        if lead == 0 && tail == low.len() || lead >= tail {
            if lead >= tail {
                s.clear();
            }
            break;
        }
        s = s.get(lead..tail).unwrap_or("").trim().to_string();
    }
    if frame == Frame::Done {
        s = present(&s);
    }
    tidy(&s, 0..s.len(), &[])
}

/// A title a rule cut, with the framing words it left taken off: a need said after a
/// date ("on monday I need to renew the insurance"), words at its end ("coffee beans,
/// add them"), and quotes around it.
pub(super) fn trim(title: &str, frame: Frame) -> Option<String> {
    let low = title.to_ascii_lowercase();
    let start = if frame == Frame::AddTodo { NEED.find(&low).map_or(0, |m| m.end()) } else { 0 };
    let end = frame.tail().find(&low).map_or(low.len(), |m| m.start()).max(start);
    tidy(title, start..end, &[])
}

/// Who needs to do something, at the start of a todo's title.
static NEED: LazyLock<Regex> = LazyLock::new(|| {
    rx(&format!(
        r"^(?:(?:and|so|then)\s+)?(?:(?:i|we)(?: really| still| also| just)? (?:need|have|must|should|ought|got|gotta|'ve got|have got){HEDGE}(?: to)?|i'(?:ve|d|ll) (?:got to|have to|need to|better)|(?:don'?t|do not) (?:let me )?forget(?: to)?|remind me(?: to)?)\b[\s,:-]*"
    ))
});

/// Who tells of a finished task, and how: "I've just", "we finally".
static TELLER: LazyLock<Regex> =
    LazyLock::new(|| rx(r"^(?:(?:i|we)(?:'ve| have)?\s+)?(?:(?:just|already|finally|now)\s+)*"));

/// "I paid the electricity bill" said as a fact: the todo it completes is "pay the
/// electricity bill".
fn present(s: &str) -> String {
    let low = s.to_ascii_lowercase();
    let start = TELLER.find(&low).map_or(0, |m| m.end());
    let low = low.get(start..).unwrap_or("");
    let (first, rest) = low.split_once(' ').unwrap_or((low, ""));
    match IRREGULAR_PAST.iter().find(|(past, _)| *past == first) {
        Some((_, base)) => {
            let tail = s.get(start + first.len()..).unwrap_or("");
            format!("{base}{tail}").trim().to_string()
        }
        None if start > 0 => s.get(start..).unwrap_or(rest).to_string(),
        None => s.to_string(),
    }
}

/// "rename X to Y" gives X and Y; "move X (to friday)", "push X back", "reschedule
/// X" give X alone (the new time is a slot).
static CHANGE: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:please|pls|so|ok|okay)\b[\s,]*)?(?:(?:can|could|would|will) (?:you|u)(?: please)? )?(?:(?P<rename>rename|retitle|change the (?:name|title) of|call)\s+(?P<old>.+?)\s+(?:to|as|into)\s+(?P<new>.+)|(?:move|push|reschedule|postpone|shift|delay|bring forward|bump|change|update|set|make|put off|push back|move up)(?: up| back| forward| off)?\s+(?P<what>.+?)(?:\s+(?:to|until|till|for|back|forward|up|later|earlier|by|back to|forward to|over to|so (?:it|that it)\b.*))*)[\s.!]*$",
    )
});

/// The field a change names before its item: "the due date of", "the time for".
static FIELD: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:the )?(?:due date|due time|deadline|date|time|start time|start|end time|priority|reminder)\s+(?:of|for|on)\s+",
    )
});

/// The item a change names, and its new title for a rename ("rename 'team sync' to
/// 'weekly planning'", "change the due date of pay rent to the 25th").
pub(super) fn change(rest: &str) -> Option<(String, Option<String>)> {
    let low = rest.to_ascii_lowercase();
    let c = CHANGE.captures(&low)?;
    let cut =
        |name: &str| c.name(name).and_then(|m| tidy(rest, m.range(), &[])).map(|t| unquote(&t).to_string());
    if c.name("rename").is_some() {
        return Some((named(&cut("old")?), cut("new")));
    }
    let what = cut("what")?;
    let what = what.strip_suffix(" back").unwrap_or(&what);
    let what = match FIELD.find(what).and_then(|m| what.get(m.end()..)) {
        Some(item) => ["the ", "my ", "our "].iter().find_map(|a| item.strip_prefix(a)).unwrap_or(item),
        None => what,
    };
    Some((named(what), None))
}

/// The item a change names, without its kind word ("the renew passport todo", "the task
/// 'email landlord'") or its quotes.
fn named(what: &str) -> String {
    unquote(KIND.replace_all(what, "").trim()).to_string()
}

/// A todo's kind said with its title, before or after it.
static KIND: LazyLock<Regex> = LazyLock::new(|| {
    rx(r"(?i)^(?:the |my |our )?(?:task|todo|to-do|item)\s+|\s+(?:task|todo|to-do|item|reminder)$")
});

/// A title said in quotes, without them.
fn unquote(t: &str) -> &str {
    let quoted = |open: char, close: char| t.len() > 2 && t.starts_with(open) && t.ends_with(close);
    if quoted('\'', '\'') || quoted('"', '"') || quoted('‘', '’') || quoted('“', '”') {
        let open = t.chars().next().map_or(0, char::len_utf8);
        let close = t.chars().last().map_or(0, char::len_utf8);
        t.get(open..t.len() - close).unwrap_or(t)
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_todo_title_keeps_only_the_task() {
        assert_eq!(title("remind me to water the ferns", Frame::AddTodo).as_deref(), Some("water the ferns"));
        assert_eq!(
            title("I really need to renew my library card", Frame::AddTodo).as_deref(),
            Some("renew my library card")
        );
        assert_eq!(
            title("don't let me forget to feed the cat", Frame::AddTodo).as_deref(),
            Some("feed the cat")
        );
        assert_eq!(title("add Buy stamps", Frame::AddTodo).as_deref(), Some("Buy stamps"));
        assert_eq!(title("set a reminder", Frame::AddTodo), None);
    }

    #[test]
    fn a_completion_said_as_a_fact_names_the_todo() {
        assert_eq!(title("I paid the gas bill", Frame::Done).as_deref(), Some("pay the gas bill"));
        assert_eq!(title("mark wash the car as done", Frame::Done).as_deref(), Some("wash the car"));
        assert_eq!(title("tick off bread", Frame::Done).as_deref(), Some("bread"));
        assert_eq!(title("I called the plumber", Frame::Done).as_deref(), Some("plumber"));
    }

    #[test]
    fn renames_and_moves_name_the_item() {
        assert_eq!(
            change("rename buy bread to buy rye bread"),
            Some(("buy bread".into(), Some("buy rye bread".into())))
        );
        assert_eq!(change("move the budget review to"), Some(("budget review".into(), None)));
        assert_eq!(change("push my haircut back"), Some(("haircut".into(), None)));
        assert_eq!(
            change("move the deadline for the grant application to"),
            Some(("grant application".into(), None))
        );
        assert_eq!(change("change the time of the piano lesson to"), Some(("piano lesson".into(), None)));
        assert_eq!(
            change("rename \"gym\" to \"morning run\""),
            Some(("gym".into(), Some("morning run".into())))
        );
    }
}
