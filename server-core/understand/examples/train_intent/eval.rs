//! The figures: label accuracy, handled rate and false-action rate as a function of the
//! confidence threshold, and the most common confusions by label pair.
//!
//! As in `shared/eval/README.md` and `tests/eval/score.py`: a row is in-domain when its
//! group is `in_domain*` and its public label is in the accepted table; it is handled
//! when the (thresholded) label's intent is accepted. Every other row (out of domain,
//! date and time questions) is a negative; it is a false action when the label writes
//! or deletes (add, done, drop, edit).

use std::collections::BTreeMap;

use clawchat_understand::classify::Label;
use clawchat_understand::classify::model::Model;

use crate::data::Row;

/// Thresholds reported and searched: 0.00, 0.05, ..., 0.95.
pub fn taus() -> Vec<f32> {
    (0..20).map(|i| i as f32 * 0.05).collect()
}

/// One row's probabilities, in label order.
pub fn predict(model: &Model, rows: &[Row]) -> Vec<Vec<f32>> {
    rows.iter().map(|r| model.probs(&r.text)).collect()
}

fn argmax(p: &[f32]) -> (Label, f32) {
    let mut best = (Label::Chat, f32::NEG_INFINITY);
    for (&l, &v) in Label::ALL.iter().zip(p) {
        if v > best.1 {
            best = (l, v);
        }
    }
    best
}

fn decide(p: &[f32], tau: f32) -> Label {
    let (l, v) = argmax(p);
    if v >= tau { l } else { Label::Chat }
}

/// Rates of one set at one threshold.
#[derive(Clone, Copy, Debug, Default)]
pub struct Rates {
    pub accuracy: f64,
    pub handled: f64,
    pub false_action: f64,
    pub in_domain: usize,
    pub negatives: usize,
}

pub fn rates(rows: &[Row], probs: &[Vec<f32>], tau: f32) -> Rates {
    let (mut correct, mut ind, mut ok, mut neg, mut bad) = (0usize, 0usize, 0usize, 0usize, 0usize);
    for (row, p) in rows.iter().zip(probs) {
        let label = decide(p, tau);
        correct += usize::from(argmax(p).0 == row.label);
        match row.accepted() {
            Some(acc) => {
                ind += 1;
                ok += usize::from(acc.contains(&label.intent()));
            }
            None => {
                neg += 1;
                bad += usize::from(label.is_action());
            }
        }
    }
    let pct = |a: usize, b: usize| if b == 0 { 0.0 } else { 100.0 * a as f64 / b as f64 };
    Rates {
        accuracy: pct(correct, rows.len()),
        handled: pct(ok, ind),
        false_action: pct(bad, neg),
        in_domain: ind,
        negatives: neg,
    }
}

/// The smallest threshold at which every set keeps false actions at or under `max_fa`%.
pub fn choose_tau(sets: &[(&[Row], &[Vec<f32>])], max_fa: f64) -> f32 {
    taus()
        .into_iter()
        .find(|&t| sets.iter().all(|(rows, probs)| rates(rows, probs, t).false_action <= max_fa))
        .unwrap_or(0.95)
}

/// Prints the threshold table of one set.
pub fn print_table(name: &str, rows: &[Row], probs: &[Vec<f32>], chosen: f32) {
    let r0 = rates(rows, probs, 0.0);
    println!(
        "\n{name}: {} rows ({} in-domain, {} negatives), label accuracy {:.1}%",
        rows.len(),
        r0.in_domain,
        r0.negatives,
        r0.accuracy
    );
    println!("  tau   handled  false-action");
    for t in taus().into_iter().step_by(2).chain([chosen]) {
        let r = rates(rows, probs, t);
        let mark = if (t - chosen).abs() < 1e-6 { "  <- chosen" } else { "" };
        println!("  {t:.2}  {:6.1}%  {:6.2}%{mark}", r.handled, r.false_action);
    }
}

/// Prints the most common (gold -> predicted) label pairs among the errors, at `tau`.
pub fn print_confusions(name: &str, rows: &[Row], probs: &[Vec<f32>], tau: f32, top: usize) {
    let mut pairs: BTreeMap<(Label, Label), usize> = BTreeMap::new();
    for (row, p) in rows.iter().zip(probs) {
        let label = decide(p, tau);
        if label != row.label {
            *pairs.entry((row.label, label)).or_default() += 1;
        }
    }
    let mut sorted: Vec<_> = pairs.into_iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let list: Vec<String> =
        sorted.iter().take(top).map(|((g, l), n)| format!("{} -> {} {n}", g.as_str(), l.as_str())).collect();
    println!("  {name} errors at tau {tau:.2} (gold -> predicted): {}", list.join(", "));
}
