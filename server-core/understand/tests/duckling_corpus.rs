//! Duckling's own English time corpus, run through our resolver: each `Found` is
//! turned back into a duckling entity (wall clock in the corpus zone, our grain,
//! an interval when we give an end) and checked with the corpus predicate.

use chrono::DateTime;
use chrono_tz::Tz;
use clawchat_understand::when::{self, Found, Grain, Lang};
use duckling::{Context, DimensionKind, DimensionValue, Entity, Locale, Options, TimePoint, TimeValue};

fn grain(g: Grain) -> duckling::Grain {
    match g {
        Grain::Second => duckling::Grain::Second,
        Grain::Minute => duckling::Grain::Minute,
        Grain::Hour => duckling::Grain::Hour,
        Grain::Day => duckling::Grain::Day,
        Grain::Week => duckling::Grain::Week,
        Grain::Month => duckling::Grain::Month,
        Grain::Quarter => duckling::Grain::Quarter,
        Grain::Year => duckling::Grain::Year,
    }
}

fn entity(text: &str, f: &Found, now: DateTime<Tz>) -> Entity {
    let g = grain(f.grain);
    let from = TimePoint::Naive { value: f.start.naive_local(), grain: g };
    let value = match (f.period, f.end) {
        // A stretch the value stands in for ("tonight", "by friday", "after 2pm") is
        // what duckling gives; one that runs from now is exact to the second.
        (Some(p), _) => {
            let g = if p.from == Some(now) { duckling::Grain::Second } else { g };
            let at =
                |t: Option<DateTime<Tz>>| t.map(|t| TimePoint::Naive { value: t.naive_local(), grain: g });
            TimeValue::Interval { from: at(p.from), to: at(p.to), values: vec![], holiday: None }
        }
        (None, end) => match end {
            Some(end) => {
                // Our clock ranges end on their last minute or hour; duckling's one
                // grain later.
                let step = match f.grain {
                    Grain::Second => chrono::Duration::seconds(1),
                    Grain::Minute => chrono::Duration::minutes(1),
                    Grain::Hour => chrono::Duration::hours(1),
                    _ => chrono::Duration::zero(),
                };
                let to = TimePoint::Naive { value: end.naive_local() + step, grain: g };
                TimeValue::Interval { from: Some(from), to: Some(to), values: vec![], holiday: None }
            }
            None => TimeValue::Single { value: from, values: vec![], holiday: None },
        },
    };
    Entity {
        body: text.get(f.span.clone()).unwrap_or("").to_string(),
        start: f.span.start,
        end: f.span.end,
        value: DimensionValue::Time(value),
        latent: Some(false),
    }
}

/// Whether duckling itself reads `text` as a holiday (the corpus does not mark
/// its holiday cases; their checks ignore the name, so duckling's own reading is
/// the mark).
fn holiday(text: &str, now: DateTime<Tz>) -> bool {
    let locale = Locale::new(duckling::Lang::EN, None);
    let ctx = Context::new(now.fixed_offset(), locale);
    let opts = Options { with_latent: false };
    duckling::parse(text, &locale, &[DimensionKind::Time], &ctx, &opts).iter().any(|e| {
        matches!(
            &e.value,
            DimensionValue::Time(
                TimeValue::Single { holiday: Some(_), .. } | TimeValue::Interval { holiday: Some(_), .. }
            )
        )
    })
}

#[test]
fn duckling_english_time_corpus() {
    let corpus = duckling::corpus::time_en::corpus();
    let tz: Tz = "Etc/GMT+2".parse().unwrap_or(Tz::UTC);
    let now: DateTime<Tz> = corpus.context.reference_time.with_timezone(&tz);
    let (mut pass, mut plain, mut plain_pass) = (0, 0, 0);
    let mut misses = Vec::new();
    for (text, check) in &corpus.examples {
        let ok = when::find_in(text, now, Lang::ENGLISH).is_some_and(|f| check(&entity(text, &f, now)));
        let is_holiday = holiday(text, now);
        pass += usize::from(ok);
        plain += usize::from(!is_holiday);
        plain_pass += usize::from(ok && !is_holiday);
        if !ok {
            misses.push((text.as_str(), is_holiday));
        }
    }
    let total = corpus.examples.len();
    println!("duckling corpus: {pass} of {total} all cases, {plain_pass} of {plain} non-holiday cases");
    if std::env::var_os("SHOW_MISSES").is_some() {
        for (m, h) in &misses {
            println!("MISS{} {m}", if *h { " (holiday)" } else { "" });
        }
    }
    // Measured 971 of 984 (98.7%), 715 of 728 non-holiday (98.2%); the target is 95%.
    // What is left is mostly our conventions on purpose ("at 4:23" said at 4:30 is the
    // afternoon one, so are "tomorrow in between 1-2:30" and "at 7 in 3 years": a bare
    // hour from 1 to 7 is the waking-hours one wherever the day is said; "2-15" a score or a count,
    // "15h" fifteen hours) and a few phrases we read otherwise ("tonight at 2", "last 1
    // hour"). This guards against losing more.
    assert!(pass >= 971, "duckling corpus: {pass} of {total}");
    assert!(plain_pass >= 715, "duckling corpus, non-holiday: {plain_pass} of {plain}");
}
