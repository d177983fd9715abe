//! Multinomial logistic regression with L2, fitted by plain SGD in a fixed order.
//!
//! The L2 shrink is applied to all weights at every step through one shared scale
//! (w = s * v), so a step only touches the features of its sentence. The learning rate
//! decays as lr0 / (1 + lr0 * l2 * t). Shuffles come from a seeded generator; the
//! result depends on nothing but the rows and the parameters.

use std::collections::BTreeMap;

use clawchat_understand::classify::Label;
use clawchat_understand::classify::features::{FeatureConfig, featurise};
use clawchat_understand::classify::model::{Model, softmax};

use crate::data::{Rng, Row};

/// The knobs chosen on validation.
#[derive(Clone, Copy, Debug)]
pub struct Params {
    pub config: FeatureConfig,
    /// L2 strength per example step.
    pub l2: f64,
    pub lr0: f64,
    pub epochs: usize,
    /// Features seen in fewer training sentences are not kept.
    pub min_count: usize,
    /// Weight of a generated (template) sentence relative to a public one.
    pub template_weight: f32,
}

struct Example {
    feats: Vec<(u32, f32)>,
    label: usize,
    weight: f32,
}

fn label_index(l: Label) -> usize {
    Label::ALL.iter().position(|&x| x == l).unwrap_or(0)
}

/// Trains on `rows` and returns the quantised model.
pub fn train(rows: &[Row], p: &Params) -> Model {
    let featurised: Vec<Vec<(String, f32)>> = rows.iter().map(|r| featurise(&r.text, &p.config)).collect();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &featurised {
        for (name, _) in f {
            *counts.entry(name.as_str()).or_default() += 1;
        }
    }
    let names: Vec<String> =
        counts.iter().filter(|(_, c)| **c >= p.min_count).map(|(n, _)| n.to_string()).collect();
    let index: BTreeMap<&str, u32> = names.iter().enumerate().map(|(i, n)| (n.as_str(), i as u32)).collect();
    let examples: Vec<Example> = featurised
        .iter()
        .zip(rows)
        .map(|(f, r)| Example {
            feats: f.iter().filter_map(|(n, v)| index.get(n.as_str()).map(|&i| (i, *v))).collect(),
            label: label_index(r.label),
            weight: if r.group == "template" { p.template_weight } else { 1.0 },
        })
        .collect();
    let (bias, rows_w) = sgd(&examples, names.len(), p);
    Model::quantise(p.config, bias, &names, &rows_w)
}

fn sgd(examples: &[Example], n_feats: usize, p: &Params) -> (Vec<f32>, Vec<Vec<f32>>) {
    let k = Label::ALL.len();
    let mut v = vec![0f32; n_feats * k];
    let mut bias = vec![0f32; k];
    let mut s = 1.0f64;
    let mut t = 0f64;
    let mut rng = Rng(0x1D_7E47);
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut z = vec![0f32; k];
    for _ in 0..p.epochs {
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i + 1));
        }
        for &i in &order {
            let ex = &examples[i];
            let lr = p.lr0 / (1.0 + p.lr0 * p.l2 * t);
            t += 1.0;
            z.copy_from_slice(&bias);
            for &(f, x) in &ex.feats {
                let row = &v[f as usize * k..(f as usize + 1) * k];
                for (zk, w) in z.iter_mut().zip(row) {
                    *zk += (s as f32) * w * x;
                }
            }
            softmax(&mut z);
            z[ex.label] -= 1.0;
            s *= 1.0 - lr * p.l2;
            if s < 1e-6 {
                v.iter_mut().for_each(|w| *w *= s as f32);
                s = 1.0;
            }
            let step = (lr as f32) * ex.weight;
            for &(f, x) in &ex.feats {
                let row = &mut v[f as usize * k..(f as usize + 1) * k];
                for (w, g) in row.iter_mut().zip(&z) {
                    *w -= step * g * x / s as f32;
                }
            }
            for (b, g) in bias.iter_mut().zip(&z) {
                *b -= step * g;
            }
        }
    }
    let rows = v.chunks(k).map(|r| r.iter().map(|w| w * s as f32).collect()).collect();
    (bias, rows)
}
