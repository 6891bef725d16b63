//! Counting Bloom filters and the bleach search on the validation split (steps 4 and 5 of
//! the [module documentation](super)): the counters ([`Counters`], conservative update), the
//! validation accuracy of every global bleach and its choice ([`BleachSearch`]), and the
//! per-class bleaches by coordinate ascent ([`choose_bleaches`]).

use super::{BleachSearch, TrainConfig};
use crate::limits::Class;
use crate::model::argmax;
use rayon::prelude::*;

/// Counters `C × F × E`, filled by conservative update in sample order (one thread per class).
#[derive(Clone)]
pub(super) struct Counters {
    pub(super) c: Vec<u16>,
    pub(super) f: usize,
    e: usize,
    k: usize,
}

impl Counters {
    pub(super) fn new(classes: usize, f: usize, e: usize, k: usize) -> Self {
        Counters {
            c: vec![0; classes * f * e],
            f,
            e,
            k,
        }
    }

    /// Adds samples: `idx` holds `labels.len()` samples of `F·K` indices each.
    pub(super) fn add(&mut self, idx: &[u32], labels: &[Class]) {
        let (f, e, k) = (self.f, self.e, self.k);
        self.c
            .par_chunks_mut(f * e)
            .enumerate()
            .for_each(|(class, cnt)| {
                for (si, _) in idx
                    .chunks_exact(f * k)
                    .zip(labels)
                    .filter(|(_, &l)| l as usize == class)
                {
                    for fi in 0..f {
                        let base = fi * e;
                        let ks = &si[fi * k..(fi + 1) * k];
                        let m = ks
                            .iter()
                            .map(|&i| cnt[base + i as usize])
                            .min()
                            .unwrap_or(0);
                        let v = m.saturating_add(1);
                        for &i in ks {
                            let c = &mut cnt[base + i as usize];
                            *c = (*c).max(v);
                        }
                    }
                }
            });
    }

    /// Appends, for each sample of `idx`, its minimum counter per (class, filter), each
    /// class's `F` minima sorted in decreasing order (all that the bleach search needs:
    /// the score of class `c` at bleach `b` is the number of its minima `≥ b`).
    pub(super) fn add_minima(&self, idx: &[u32], classes: usize, out: &mut Minima) {
        let (f, e, k) = (self.f, self.e, self.k);
        let n = idx.len() / (f * k);
        let start = out.sorted.len();
        out.sorted.resize(start + n * classes * f, 0);
        out.sorted[start..]
            .par_chunks_mut(classes * f)
            .zip(idx.par_chunks_exact(f * k))
            .for_each(|(o, si)| {
                for c in 0..classes {
                    let cnt = &self.c[c * f * e..(c + 1) * f * e];
                    let row = &mut o[c * f..(c + 1) * f];
                    for (fi, m) in row.iter_mut().enumerate() {
                        *m = si[fi * k..(fi + 1) * k]
                            .iter()
                            .map(|&i| cnt[fi * e + i as usize])
                            .min()
                            .unwrap_or(0);
                    }
                    row.sort_unstable_by(|a, b| b.cmp(a));
                }
            });
    }
}

/// The validation samples' minimum counters, per (sample, class) sorted in decreasing
/// order: `C · F` values of 2 bytes per sample, whatever the counters' range.
pub(super) struct Minima {
    pub(super) sorted: Vec<u16>,
    pub(super) classes: usize,
    pub(super) f: usize,
}

impl Minima {
    pub(super) fn new(classes: usize, f: usize) -> Self {
        Minima {
            sorted: Vec::new(),
            classes,
            f,
        }
    }

    /// Bytes kept per validation sample.
    pub(super) fn bytes_per_sample(classes: usize, f: usize) -> usize {
        classes * f * std::mem::size_of::<u16>()
    }

    /// The decreasing minima of sample `s`, class `c`.
    fn row(&self, s: usize, c: usize) -> &[u16] {
        let at = (s * self.classes + c) * self.f;
        &self.sorted[at..at + self.f]
    }

    /// The score of class `c` for sample `s` at bleach `b`: filters whose minimum is `≥ b`.
    fn score(&self, s: usize, c: usize, b: u32) -> u32 {
        self.row(s, c).partition_point(|&m| m as u32 >= b) as u32
    }

    /// The largest bleach at which class `c` of sample `s` scores at least `t` (`t ≥ 1`):
    /// its `t`-th largest minimum; 0 (no bleach ≥ 1) when fewer than `t` filters exist.
    fn top(&self, s: usize, c: usize, t: u32) -> u32 {
        self.row(s, c).get(t as usize - 1).map_or(0, |&m| m as u32)
    }
}

/// Counts of correct samples per bleach, accumulated as ranges: `add(lo, hi)` counts one
/// sample for every bleach in `lo..=hi` (clipped to `1..=max_b`) in O(1).
struct RangeCounts(Vec<i64>);

impl RangeCounts {
    fn new(max_b: usize) -> Self {
        RangeCounts(vec![0; max_b + 2])
    }
    fn add(&mut self, lo: u32, hi: u32) {
        let max_b = self.0.len() as u32 - 2;
        let (lo, hi) = (lo.max(1), hi.min(max_b));
        if lo <= hi {
            self.0[lo as usize] += 1;
            self.0[hi as usize + 1] -= 1;
        }
    }
    fn merge(mut self, other: Self) -> Self {
        self.0.iter_mut().zip(&other.0).for_each(|(a, b)| *a += b);
        self
    }
    /// `out[b]` for `b` in `0..=max_b` (`out[0] = 0`).
    fn totals(&self) -> Vec<u32> {
        let mut run = 0i64;
        let mut out: Vec<u32> = self.0[..self.0.len() - 1]
            .iter()
            .map(|d| {
                run += d;
                run as u32
            })
            .collect();
        out[0] = 0;
        out
    }
}

/// Validation accuracy (correct count) for every bleach `1..=max_b`, from the minima.
///
/// The scores only change at the values the minima take, so each sample is swept once
/// through its distinct minima in decreasing order (scores grow as the bleach falls), and
/// the argmax of each stretch of bleaches is counted for the whole stretch at once: time
/// `O(C·F·(log(C·F) + C))` per sample and memory `O(max_b)` per thread, never
/// `samples × max_b`.
fn correct_per_bleach(minima: &Minima, labels: &[Class], max_b: usize) -> Vec<u32> {
    let classes = minima.classes;
    labels
        .par_iter()
        .enumerate()
        .fold(
            || (RangeCounts::new(max_b), Vec::new(), vec![0u32; classes]),
            |(mut acc, mut all, mut score), (s, &label)| {
                all.clear();
                for c in 0..classes {
                    all.extend(minima.row(s, c).iter().map(|&m| (m as u32, c)));
                }
                all.sort_unstable_by_key(|e| std::cmp::Reverse(e.0));
                score.iter_mut().for_each(|x| *x = 0);
                // bleaches above the largest minimum: every score 0
                let mut above = u32::MAX;
                let mut i = 0;
                loop {
                    let v = all.get(i).map_or(0, |e| e.0);
                    // bleaches v+1..=above have the current scores
                    if argmax(&score) == label as usize {
                        acc.add(v + 1, above.min(max_b as u32));
                    }
                    if v == 0 {
                        break;
                    }
                    while i < all.len() && all[i].0 == v {
                        score[all[i].1] += 1;
                        i += 1;
                    }
                    above = v;
                }
                (acc, all, score)
            },
        )
        .map(|(acc, _, _)| acc)
        .reduce(|| RangeCounts::new(max_b), RangeCounts::merge)
        .totals()
}
/// Chooses the bleach from per-bleach correct counts (`correct[b]`, `b ≥ 1`).
fn choose_bleach(correct: &[u32], search: BleachSearch) -> u32 {
    let max_b = correct.len() - 1;
    match search {
        BleachSearch::Exhaustive => {
            // smallest b among the best
            let mut best = 1;
            for b in 1..=max_b {
                if correct[b] > correct[best] {
                    best = b;
                }
            }
            best as u32
        }
        BleachSearch::Original => {
            let acc = |b: isize| {
                if b < 1 || b as usize > max_b {
                    0
                } else {
                    correct[b as usize]
                }
            };
            let mut b = (max_b / 2).max(1) as isize;
            let mut step = (max_b / 4).max(1) as isize;
            loop {
                let cands = [b - step, b, b + step];
                let best = *cands
                    .iter()
                    .max_by_key(|&&c| (acc(c), std::cmp::Reverse(c)))
                    .unwrap();
                let moved = best != b;
                b = best;
                if step > 1 {
                    step /= 2;
                } else if !moved {
                    break;
                }
            }
            b.max(1) as u32
        }
    }
}

/// Number of samples classified correctly with bleach `bleach[c]` for class `c`.
fn correct_with(minima: &Minima, labels: &[Class], bleach: &[u32]) -> u32 {
    labels
        .par_iter()
        .enumerate()
        .map(|(s, &label)| {
            let scores: Vec<u32> = (0..minima.classes)
                .map(|c| minima.score(s, c, bleach[c]))
                .collect();
            (argmax(&scores) == label as usize) as u32
        })
        .sum()
}

/// Per-class bleach by coordinate ascent from `start` (all values in `1..=max_b`): each class
/// in turn moves to its best value given the others, only on a strict gain, until a round
/// changes nothing (at most 8 rounds). Returns the bleaches and the correct count.
///
/// For class `c`, each sample is correct for a range of `b_c` (the scores fall as the
/// bleach rises), found from the sorted minima and counted as a range: time `O(C·log F)`
/// per sample and class, memory `O(max_b)` per thread.
fn refine_class_bleach(
    minima: &Minima,
    labels: &[Class],
    max_b: usize,
    start: &[u32],
) -> (Vec<u32>, u32) {
    let classes = minima.classes;
    let top = max_b as u32;
    let mut bleach = start.to_vec();
    let mut best = correct_with(minima, labels, &bleach);
    for _round in 0..8 {
        let mut changed = false;
        for c in 0..classes {
            // For each sample, the range of b_c that makes it correct, given the others:
            // label == c: score_c must beat the others (strictly those before c);
            // label != c: the others must already leave the label on top, and score_c must
            // stay below the label's score (or equal it when c comes after the label).
            let gains =
                labels
                    .par_iter()
                    .enumerate()
                    .fold(
                        || RangeCounts::new(max_b),
                        |mut acc, (s, &label)| {
                            let y = label as usize;
                            let sc = |j: usize| minima.score(s, j, bleach[j]);
                            if y == c {
                                // need score_c > max_{j<c}, ≥ max_{j>c}
                                let need = (0..classes)
                                    .filter(|&j| j != c)
                                    .map(|j| sc(j) + (j < c) as u32)
                                    .max()
                                    .unwrap_or(0);
                                // score_c(b) ≥ need for every b up to the need-th minimum
                                let hi = if need == 0 {
                                    top
                                } else {
                                    minima.top(s, c, need)
                                };
                                acc.add(1, hi);
                            } else {
                                let sy = sc(y);
                                let others_ok = (0..classes)
                                    .filter(|&j| j != c && j != y)
                                    .all(|j| if j < y { sc(j) < sy } else { sc(j) <= sy });
                                // score_c(b) < t, with t = sy (c before the label) or sy + 1
                                let t = sy + (c > y) as u32;
                                if others_ok && t > 0 {
                                    // every b above the t-th minimum (all b if there is none)
                                    acc.add(minima.top(s, c, t) + 1, top);
                                }
                            }
                            acc
                        },
                    )
                    .reduce(|| RangeCounts::new(max_b), RangeCounts::merge)
                    .totals();
            let mut arg = bleach[c] as usize;
            for (b, &g) in gains.iter().enumerate().skip(1) {
                if g > gains[arg] {
                    arg = b;
                }
            }
            if gains[arg] > best {
                best = gains[arg];
                bleach[c] = arg as u32;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    (bleach, best)
}

/// The bleach choice on validation.
pub(super) struct Choice {
    /// The best bleach shared by all classes.
    pub(super) global: u32,
    /// The bleach of each class.
    pub(super) class: Vec<u32>,
    /// Correct validation samples with `class`.
    pub(super) correct: u32,
}

/// Chooses the bleach of trained counters on validation, from the validation samples'
/// minima ([`Counters::add_minima`]).
pub(super) fn choose_bleaches(
    cfg: &TrainConfig,
    counters: &Counters,
    minima: &Minima,
    val_labels: &[Class],
) -> Choice {
    let classes = minima.classes;
    let max_counter = counters.c.iter().copied().max().unwrap_or(0) as usize;
    let correct = correct_per_bleach(minima, val_labels, max_counter.max(1));
    let b = choose_bleach(&correct, cfg.bleach_search);
    if !cfg.per_class_bleach {
        return Choice {
            global: b,
            class: vec![b; classes],
            correct: correct[b as usize],
        };
    }
    // candidates 1..=B with B well above the global choice
    let max_b = (4 * b as usize + 16)
        .min(max_counter.max(1))
        .max(b as usize);
    let (class, correct) = refine_class_bleach(minima, val_labels, max_b, &vec![b; classes]);
    Choice {
        global: b,
        class,
        correct,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    // The implementation before the bleach search kept a `samples × classes × max_b`
    // table (17 GB for 96,000 validation rows of a 480,000-row table): kept here as the
    // reference the new one must equal exactly.
    /// Scores of every class at every bleach `1..=max_b`: `out[(s·C + c)·max_b + b − 1]` is the
    /// number of filters of class `c` whose minimum for sample `s` is at least `b`.
    fn ref_score_table(
        minima: &[u16],
        samples: usize,
        classes: usize,
        f: usize,
        max_b: usize,
    ) -> Vec<u16> {
        let mut out = vec![0u16; samples * classes * max_b];
        out.par_chunks_mut(max_b)
            .zip(minima.par_chunks_exact(f))
            .for_each(|(o, m)| {
                for &v in m {
                    // a filter with minimum v counts for every b ≤ v
                    let top = (v as usize).min(max_b);
                    for x in &mut o[..top] {
                        *x += 1;
                    }
                }
            });
        out
    }

    /// Number of samples classified correctly with bleach `bleach[c]` for class `c`.
    fn ref_correct_with(
        table: &[u16],
        labels: &[Class],
        classes: usize,
        max_b: usize,
        bleach: &[u32],
    ) -> u32 {
        let mut scores = vec![0u32; classes];
        let mut ok = 0;
        for (s, &label) in labels.iter().enumerate() {
            for (c, sc) in scores.iter_mut().enumerate() {
                *sc = table[(s * classes + c) * max_b + bleach[c] as usize - 1] as u32;
            }
            ok += (argmax(&scores) == label as usize) as u32;
        }
        ok
    }

    /// Per-class bleach by coordinate ascent from `start` (all values in `1..=max_b`): each class
    /// in turn moves to its best value given the others, only on a strict gain, until a round
    /// changes nothing (at most 8 rounds). Returns the bleaches and the correct count.
    fn ref_refine(
        table: &[u16],
        labels: &[Class],
        classes: usize,
        max_b: usize,
        start: &[u32],
    ) -> (Vec<u32>, u32) {
        let mut bleach = start.to_vec();
        let mut best = ref_correct_with(table, labels, classes, max_b, &bleach);
        for _round in 0..8 {
            let mut changed = false;
            for c in 0..classes {
                // For each sample, the range of score_c that makes it correct, given the others:
                // label == c: score_c must beat the others (strictly those before c);
                // label != c: the others must already leave the label on top, and score_c must
                // stay below the label's score (or equal it when c comes after the label).
                let gains: Vec<u32> = labels
                    .par_iter()
                    .enumerate()
                    .fold(
                        || vec![0u32; max_b + 1],
                        |mut acc, (s, &label)| {
                            let y = label as usize;
                            let sc = |j: usize| {
                                table[(s * classes + j) * max_b + bleach[j] as usize - 1] as u32
                            };
                            let row =
                                &table[(s * classes + c) * max_b..(s * classes + c + 1) * max_b];
                            if y == c {
                                // need score_c > max_{j<c}, ≥ max_{j>c}
                                let mut need = 0u32;
                                for j in 0..classes {
                                    if j != c {
                                        let v = sc(j) + (j < c) as u32;
                                        need = need.max(v);
                                    }
                                }
                                for (b, &v) in row.iter().enumerate() {
                                    if v as u32 >= need {
                                        acc[b + 1] += 1;
                                    }
                                }
                            } else {
                                let sy = sc(y);
                                let others_ok = (0..classes)
                                    .filter(|&j| j != c && j != y)
                                    .all(|j| if j < y { sc(j) < sy } else { sc(j) <= sy });
                                if others_ok {
                                    for (b, &v) in row.iter().enumerate() {
                                        let v = v as u32;
                                        if (c < y && v < sy) || (c > y && v <= sy) {
                                            acc[b + 1] += 1;
                                        }
                                    }
                                }
                            }
                            acc
                        },
                    )
                    .reduce(
                        || vec![0u32; max_b + 1],
                        |mut a, b| {
                            a.iter_mut().zip(&b).for_each(|(x, y)| *x += y);
                            a
                        },
                    );
                let mut arg = bleach[c] as usize;
                for (b, &g) in gains.iter().enumerate().skip(1) {
                    if g > gains[arg] {
                        arg = b;
                    }
                }
                if gains[arg] > best {
                    best = gains[arg];
                    bleach[c] = arg as u32;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        (bleach, best)
    }

    #[test]
    fn original_search_walks_to_a_local_best() {
        // accuracy peaks at b = 3
        let correct = vec![0, 5, 8, 9, 7, 6, 5, 4, 3, 2];
        assert_eq!(choose_bleach(&correct, BleachSearch::Exhaustive), 3);
        assert_eq!(choose_bleach(&correct, BleachSearch::Original), 3);
    }

    /// The minima of raw `(sample, class, filter)` values, each row sorted.
    fn minima_of(raw: &[u16], classes: usize, f: usize) -> Minima {
        let mut m = Minima::new(classes, f);
        m.sorted = raw.to_vec();
        m.sorted
            .chunks_mut(f)
            .for_each(|r| r.sort_unstable_by(|a, b| b.cmp(a)));
        m
    }

    #[test]
    fn per_bleach_counts_match_brute_force() {
        // 3 samples, 2 classes, 2 filters
        let minima = vec![3, 1, 2, 2, /**/ 0, 5, 4, 4, /**/ 1, 1, 1, 0];
        let labels = vec![1, 0, 0];
        let got = correct_per_bleach(&minima_of(&minima, 2, 2), &labels, 5);
        for b in 1..=5u16 {
            let mut ok = 0;
            for s in 0..3 {
                let sc: Vec<u32> = (0..2)
                    .map(|c| (0..2).filter(|&fi| minima[s * 4 + c * 2 + fi] >= b).count() as u32)
                    .collect();
                ok += (argmax(&sc) == labels[s] as usize) as u32;
            }
            assert_eq!(got[b as usize], ok, "b = {b}");
        }
    }

    /// Brute-force accuracy with one bleach per class, straight from the minima.
    fn brute(minima: &[u16], labels: &[Class], classes: usize, f: usize, bleach: &[u32]) -> u32 {
        let mut ok = 0;
        for (s, &l) in labels.iter().enumerate() {
            let sc: Vec<u32> = (0..classes)
                .map(|c| {
                    minima[(s * classes + c) * f..(s * classes + c + 1) * f]
                        .iter()
                        .filter(|&&m| m as u32 >= bleach[c])
                        .count() as u32
                })
                .collect();
            ok += (argmax(&sc) == l as usize) as u32;
        }
        ok
    }

    /// Deterministic pseudo-random minima for `n` samples, 3 classes, 4 filters.
    fn toy(n: usize) -> (Vec<u16>, Vec<Class>) {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let minima = (0..n * 3 * 4)
            .map(|_| rand::Rng::gen_range(&mut rng, 0..9u16))
            .collect();
        let labels = (0..n)
            .map(|_| rand::Rng::gen_range(&mut rng, 0..3 as Class))
            .collect();
        (minima, labels)
    }

    #[test]
    fn per_class_accuracy_and_per_bleach_counts_match_brute_force() {
        let (minima, labels) = toy(200);
        let max_b = 8;
        let sorted = minima_of(&minima, 3, 4);
        for b0 in 1..=max_b as u32 {
            for b1 in [1, 3, 8] {
                let bl = [b0, b1, 9 - b0];
                assert_eq!(
                    correct_with(&sorted, &labels, &bl),
                    brute(&minima, &labels, 3, 4, &bl)
                );
            }
        }
        // bleaches past every minimum included (all scores 0: class 0 wins)
        let got = correct_per_bleach(&sorted, &labels, 12);
        for b in 1..=12u32 {
            assert_eq!(
                got[b as usize],
                brute(&minima, &labels, 3, 4, &[b; 3]),
                "b = {b}"
            );
        }
    }

    #[test]
    fn the_bleach_search_without_its_table_chooses_exactly_as_with_it() {
        for seed in 0..6u64 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let (classes, f, n) = (2 + seed as usize % 3, 1 + seed as usize % 5, 150);
            let top = 3 + 7 * seed as u16;
            let minima: Vec<u16> = (0..n * classes * f)
                .map(|_| rand::Rng::gen_range(&mut rng, 0..top))
                .collect();
            let labels: Vec<Class> = (0..n)
                .map(|_| rand::Rng::gen_range(&mut rng, 0..classes as Class))
                .collect();
            let sorted = minima_of(&minima, classes, f);
            let max_b = top as usize;
            let table = ref_score_table(&minima, n, classes, f, max_b);
            for start in [1, 2, max_b as u32 / 2, max_b as u32] {
                let s = vec![start.max(1); classes];
                assert_eq!(
                    refine_class_bleach(&sorted, &labels, max_b, &s),
                    ref_refine(&table, &labels, classes, max_b, &s),
                    "seed {seed}, start {start}"
                );
            }
        }
    }

    #[test]
    fn coordinate_ascent_reports_its_true_accuracy_and_never_loses() {
        let (minima, labels) = toy(300);
        let max_b = 8;
        let sorted = minima_of(&minima, 3, 4);
        for start in 1..=max_b as u32 {
            let s = vec![start; 3];
            let before = brute(&minima, &labels, 3, 4, &s);
            let (bl, ok) = refine_class_bleach(&sorted, &labels, max_b, &s);
            assert_eq!(ok, brute(&minima, &labels, 3, 4, &bl));
            assert!(ok >= before);
            // a local optimum: no single class can improve alone
            for c in 0..3 {
                for v in 1..=max_b as u32 {
                    let mut t = bl.clone();
                    t[c] = v;
                    assert!(brute(&minima, &labels, 3, 4, &t) <= ok);
                }
            }
        }
    }
}
