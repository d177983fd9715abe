//! The intent model: a vocabulary of features and one quantised weight per feature and
//! label, with its binary file format. Written by `examples/train_intent`, read here.
//!
//! Format (little endian):
//!
//! ```text
//! b"CCIM" version:u8
//! char_min:u8 char_max:u8 char_weight:f32
//! labels:u8 scale:f32 bias:[f32; labels]
//! features:u32, then per feature (sorted by name):
//!     shared_prefix_with_previous:u8 suffix_len:u8 suffix:[u8] weights:[i8; labels]
//! ```
//!
//! A weight is `q as f32 * scale`; names are prefix-compressed against the previous one.
//!
//! In memory the names are one string, sorted, and a feature is found by binary search:
//! a `String` and a hash-map entry for each of the model's 11,000 features took four
//! times the memory of the names and weights themselves (BENCHMARKS.md, "Memory: where
//! the idle server's memory goes, and the classifier's names").

use super::features::{FeatureConfig, featurise};

const MAGIC: &[u8; 4] = b"CCIM";
const VERSION: u8 = 1;

/// A linear model over [`featurise`]'s features.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub config: FeatureConfig,
    pub labels: usize,
    pub scale: f32,
    pub bias: Vec<f32>,
    /// The feature names, sorted and unique, one after another; name `i` ends at
    /// `ends[i]` and starts where name `i - 1` ends.
    names: String,
    ends: Vec<u32>,
    /// `features() * labels` quantised weights, row by row: row `i` is name `i`'s.
    pub weights: Vec<i8>,
}

impl Model {
    /// Quantises float weights (`rows[i]` for `names[i]`) into a model. Names must be
    /// sorted and unique; rows whose weights all round to zero are dropped.
    pub fn quantise(config: FeatureConfig, bias: Vec<f32>, names: &[String], rows: &[Vec<f32>]) -> Model {
        let labels = bias.len();
        let max = rows.iter().flatten().fold(0.0f32, |m, w| m.max(w.abs()));
        let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
        let mut kept = Vec::new();
        let mut weights = Vec::new();
        for (name, row) in names.iter().zip(rows) {
            let q: Vec<i8> = row.iter().map(|w| (w / scale).round().clamp(-127.0, 127.0) as i8).collect();
            if q.iter().any(|&v| v != 0) && name.len() <= usize::from(u8::MAX) {
                kept.push(name.clone());
                weights.extend(q);
            }
        }
        debug_assert_eq!(weights.len(), kept.len() * labels);
        Model::assemble(config, labels, scale, bias, kept, weights)
    }

    /// Builds a model from names and their rows. Names should come sorted and unique (as
    /// the file and `quantise` have them); others are put in order, and of a name given
    /// twice the last row counts.
    fn assemble(
        config: FeatureConfig,
        labels: usize,
        scale: f32,
        bias: Vec<f32>,
        names: Vec<String>,
        weights: Vec<i8>,
    ) -> Model {
        let row = |i: usize| weights.get(i * labels..(i + 1) * labels).unwrap_or(&[]);
        let mut order: Vec<usize> = (0..names.len()).collect();
        if !names.windows(2).all(|w| w[0] < w[1]) {
            order.sort_by(|&a, &b| names[a].cmp(&names[b]));
            order.reverse();
            order.dedup_by(|a, b| names[*a] == names[*b]);
            order.reverse();
        }
        let mut joined = String::with_capacity(order.iter().map(|&i| names[i].len()).sum());
        let mut ends = Vec::with_capacity(order.len());
        let mut kept = Vec::with_capacity(order.len() * labels);
        for &i in &order {
            joined.push_str(&names[i]);
            ends.push(u32::try_from(joined.len()).unwrap_or(u32::MAX));
            kept.extend_from_slice(row(i));
        }
        Model { config, labels, scale, bias, names: joined, ends, weights: kept }
    }

    /// How many features the model weighs.
    pub fn features(&self) -> usize {
        self.ends.len()
    }

    /// Feature `i`'s name.
    fn name(&self, i: usize) -> &str {
        let start = i.checked_sub(1).and_then(|j| self.ends.get(j)).map_or(0, |&e| e as usize);
        let end = self.ends.get(i).map_or(start, |&e| e as usize);
        self.names.get(start..end).unwrap_or("")
    }

    /// The row of the feature called `name`.
    fn row_of(&self, name: &str) -> Option<usize> {
        let (mut lo, mut hi) = (0, self.features());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.name(mid).cmp(name) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    /// Softmax probabilities of each label for `text`, in label order.
    pub fn probs(&self, text: &str) -> Vec<f32> {
        let mut z: Vec<f32> = self.bias.clone();
        for (name, value) in featurise(text, &self.config) {
            if let Some(row) = self.row_of(&name) {
                let start = row * self.labels;
                let ws = self.weights.get(start..start + self.labels).unwrap_or(&[]);
                for (zk, &q) in z.iter_mut().zip(ws) {
                    *zk += value * f32::from(q) * self.scale;
                }
            }
        }
        softmax(&mut z);
        z
    }

    /// The model file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.weights.len() + self.names.len() + self.features() * 2 + 64);
        out.extend_from_slice(MAGIC);
        out.push(VERSION);
        out.push(self.config.char_min);
        out.push(self.config.char_max);
        out.extend_from_slice(&self.config.char_weight.to_le_bytes());
        out.push(self.labels as u8);
        out.extend_from_slice(&self.scale.to_le_bytes());
        for b in &self.bias {
            out.extend_from_slice(&b.to_le_bytes());
        }
        out.extend_from_slice(&(self.features() as u32).to_le_bytes());
        let mut prev: &[u8] = &[];
        for i in 0..self.features() {
            let bytes = self.name(i).as_bytes();
            let shared = prev.iter().zip(bytes).take(255).take_while(|(a, b)| a == b).count();
            out.push(shared as u8);
            out.push((bytes.len() - shared) as u8);
            out.extend_from_slice(&bytes[shared..]);
            out.extend(self.weights[i * self.labels..(i + 1) * self.labels].iter().map(|&q| q as u8));
            prev = bytes;
        }
        out
    }

    /// Reads a model file; `None` if it is not one this version wrote.
    pub fn from_bytes(bytes: &[u8]) -> Option<Model> {
        let mut r = Reader { bytes, pos: 0 };
        if r.take(4)? != MAGIC || r.u8()? != VERSION {
            return None;
        }
        let config = FeatureConfig { char_min: r.u8()?, char_max: r.u8()?, char_weight: r.f32()? };
        let labels = usize::from(r.u8()?);
        let scale = r.f32()?;
        let bias = (0..labels).map(|_| r.f32()).collect::<Option<Vec<f32>>>()?;
        let count = r.u32()? as usize;
        let mut names: Vec<String> = Vec::with_capacity(count.min(1 << 20));
        let mut weights = Vec::with_capacity(count.min(1 << 20) * labels);
        let mut prev: Vec<u8> = Vec::new();
        for _ in 0..count {
            let shared = usize::from(r.u8()?);
            let len = usize::from(r.u8()?);
            let mut name = prev.get(..shared)?.to_vec();
            name.extend_from_slice(r.take(len)?);
            weights.extend(r.take(labels)?.iter().map(|&b| b as i8));
            names.push(String::from_utf8(name.clone()).ok()?);
            prev = name;
        }
        (r.pos == bytes.len()).then(|| Model::assemble(config, labels, scale, bias, names, weights))
    }
}

/// In-place softmax; a vector with no finite maximum becomes uniform.
pub fn softmax(z: &mut [f32]) {
    let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    if !max.is_finite() {
        let n = z.len().max(1) as f32;
        z.iter_mut().for_each(|v| *v = 1.0 / n);
        return;
    }
    let mut sum = 0.0;
    for v in z.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    z.iter_mut().for_each(|v| *v /= sum);
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.bytes.get(self.pos..self.pos.checked_add(n)?)?;
        self.pos += n;
        Some(s)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|s| s[0])
    }
    fn u32(&mut self) -> Option<u32> {
        self.take(4)?.try_into().ok().map(u32::from_le_bytes)
    }
    fn f32(&mut self) -> Option<f32> {
        self.take(4)?.try_into().ok().map(f32::from_le_bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_bytes() {
        let names: Vec<String> = ["b|<s> add", "w|add", "w|milk"].iter().map(|s| s.to_string()).collect();
        let rows = vec![vec![0.5, -1.0], vec![2.0, 0.0], vec![0.0, 0.0]];
        let m = Model::quantise(FeatureConfig::default(), vec![0.1, -0.1], &names, &rows);
        assert_eq!(m.features(), 2, "an all-zero row is dropped");
        let back = Model::from_bytes(&m.to_bytes()).expect("reads back");
        assert_eq!(back, m);
        assert!(Model::from_bytes(&m.to_bytes()[..20]).is_none());
        let p = back.probs("add milk");
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-5);
    }

    #[test]
    fn weighs_a_sentence_the_same_whatever_order_the_names_came_in() {
        let names: Vec<String> = ["w|milk", "b|<s> add", "w|add"].iter().map(|s| s.to_string()).collect();
        let rows = vec![vec![0.0, 3.0], vec![0.5, -1.0], vec![2.0, 0.0]];
        let unsorted = Model::quantise(FeatureConfig::default(), vec![0.1, -0.1], &names, &rows);
        let order = [1, 2, 0];
        let sorted_names: Vec<String> = order.iter().map(|&i| names[i].clone()).collect();
        let sorted_rows: Vec<Vec<f32>> = order.iter().map(|&i| rows[i].clone()).collect();
        let sorted = Model::quantise(FeatureConfig::default(), vec![0.1, -0.1], &sorted_names, &sorted_rows);
        assert_eq!(unsorted, sorted);
        for text in ["add milk", "milk", "buy bread", ""] {
            assert_eq!(unsorted.probs(text), sorted.probs(text), "{text}");
        }
        assert!(sorted.probs("milk")[1] > sorted.probs("milk")[0], "a known word moves the answer");
    }
}
