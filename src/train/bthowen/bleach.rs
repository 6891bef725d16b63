//! Counting Bloom filters and the bleach search on the validation split (steps 4 and 5 of
//! the [module documentation](super)): the counters ([`Counters`], conservative update), the
//! validation accuracy of every global bleach and its choice ([`BleachSearch`]), and the
//! per-class bleaches by coordinate ascent ([`choose_bleaches`]).

use super::{BleachSearch, TrainConfig};
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
    pub(super) fn add(&mut self, idx: &[u32], labels: &[u8]) {
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

    /// Minimum counter per (sample, class, filter) for the samples of `idx`.
    fn minima(&self, idx: &[u32], classes: usize) -> Vec<u16> {
        let (f, e, k) = (self.f, self.e, self.k);
        let n = idx.len() / (f * k);
        let mut out = vec![0u16; n * classes * f];
        out.par_chunks_mut(classes * f)
            .zip(idx.par_chunks_exact(f * k))
            .for_each(|(o, si)| {
                for c in 0..classes {
                    let cnt = &self.c[c * f * e..(c + 1) * f * e];
                    for fi in 0..f {
                        o[c * f + fi] = si[fi * k..(fi + 1) * k]
                            .iter()
                            .map(|&i| cnt[fi * e + i as usize])
                            .min()
                            .unwrap_or(0);
                    }
                }
            });
        out
    }
}

/// Validation accuracy (correct count) for every bleach `1..=max_b`, from the minima.
fn correct_per_bleach(
    minima: &[u16],
    labels: &[u8],
    classes: usize,
    f: usize,
    max_b: usize,
) -> Vec<u32> {
    labels
        .par_iter()
        .enumerate()
        .fold(
            || vec![0u32; max_b + 1],
            |mut acc, (j, &label)| {
                // hist[c][v] = filters of class c whose minimum is exactly v (capped at max_b)
                let mut hist = vec![0u16; classes * (max_b + 2)];
                let row = &minima[j * classes * f..(j + 1) * classes * f];
                for c in 0..classes {
                    for &m in &row[c * f..(c + 1) * f] {
                        hist[c * (max_b + 2) + (m as usize).min(max_b + 1)] += 1;
                    }
                }
                // score_c(b) = #{m ≥ b}, walk b downward accumulating suffix sums
                let mut score = vec![0u32; classes];
                for b in (1..=max_b + 1).rev() {
                    for c in 0..classes {
                        score[c] += hist[c * (max_b + 2) + b] as u32;
                    }
                    if b <= max_b && argmax(&score) == label as usize {
                        acc[b] += 1;
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
        )
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

/// Scores of every class at every bleach `1..=max_b`: `out[(s·C + c)·max_b + b − 1]` is the
/// number of filters of class `c` whose minimum for sample `s` is at least `b`.
fn score_table(minima: &[u16], samples: usize, classes: usize, f: usize, max_b: usize) -> Vec<u16> {
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
fn correct_with(table: &[u16], labels: &[u8], classes: usize, max_b: usize, bleach: &[u32]) -> u32 {
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
fn refine_class_bleach(
    table: &[u16],
    labels: &[u8],
    classes: usize,
    max_b: usize,
    start: &[u32],
) -> (Vec<u32>, u32) {
    let mut bleach = start.to_vec();
    let mut best = correct_with(table, labels, classes, max_b, &bleach);
    for _round in 0..8 {
        let mut changed = false;
        for c in 0..classes {
            // For each sample, the range of score_c that makes it correct, given the others:
            // label == c: score_c must beat the others (strictly those before c);
            // label != c: the others must already leave the label on top, and score_c must
            // stay below the label's score (or equal it when c comes after the label).
            let gains: Vec<u32> =
                labels
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

/// The bleach choice on validation.
pub(super) struct Choice {
    /// The best bleach shared by all classes.
    pub(super) global: u32,
    /// The bleach of each class.
    pub(super) class: Vec<u32>,
    /// Correct validation samples with `class`.
    pub(super) correct: u32,
}

/// Chooses the bleach of trained counters on validation.
pub(super) fn choose_bleaches(
    cfg: &TrainConfig,
    counters: &Counters,
    val_idx: &[u32],
    val_labels: &[u8],
    classes: usize,
) -> Choice {
    let f = counters.f;
    let minima = counters.minima(val_idx, classes);
    let max_counter = counters.c.iter().copied().max().unwrap_or(0) as usize;
    let correct = correct_per_bleach(&minima, val_labels, classes, f, max_counter.max(1));
    let b = choose_bleach(&correct, cfg.bleach_search);
    if !cfg.per_class_bleach {
        return Choice {
            global: b,
            class: vec![b; classes],
            correct: correct[b as usize],
        };
    }
    // candidates 1..=B with B well above the global choice, bounded for memory
    let max_b = (4 * b as usize + 16)
        .min(max_counter.max(1))
        .max(b as usize);
    let table = score_table(&minima, val_labels.len(), classes, f, max_b);
    let (class, correct) =
        refine_class_bleach(&table, val_labels, classes, max_b, &vec![b; classes]);
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

    #[test]
    fn original_search_walks_to_a_local_best() {
        // accuracy peaks at b = 3
        let correct = vec![0, 5, 8, 9, 7, 6, 5, 4, 3, 2];
        assert_eq!(choose_bleach(&correct, BleachSearch::Exhaustive), 3);
        assert_eq!(choose_bleach(&correct, BleachSearch::Original), 3);
    }

    #[test]
    fn per_bleach_counts_match_brute_force() {
        // 3 samples, 2 classes, 2 filters
        let minima = vec![3, 1, 2, 2, /**/ 0, 5, 4, 4, /**/ 1, 1, 1, 0];
        let labels = vec![1, 0, 0];
        let got = correct_per_bleach(&minima, &labels, 2, 2, 5);
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
    fn brute(minima: &[u16], labels: &[u8], classes: usize, f: usize, bleach: &[u32]) -> u32 {
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
    fn toy(n: usize) -> (Vec<u16>, Vec<u8>) {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let minima = (0..n * 3 * 4)
            .map(|_| rand::Rng::gen_range(&mut rng, 0..9u16))
            .collect();
        let labels = (0..n)
            .map(|_| rand::Rng::gen_range(&mut rng, 0..3u8))
            .collect();
        (minima, labels)
    }

    #[test]
    fn score_table_and_per_class_accuracy_match_brute_force() {
        let (minima, labels) = toy(200);
        let max_b = 8;
        let table = score_table(&minima, labels.len(), 3, 4, max_b);
        for b0 in 1..=max_b as u32 {
            for b1 in [1, 3, 8] {
                let bl = [b0, b1, 9 - b0];
                assert_eq!(
                    correct_with(&table, &labels, 3, max_b, &bl),
                    brute(&minima, &labels, 3, 4, &bl)
                );
            }
        }
    }

    #[test]
    fn coordinate_ascent_reports_its_true_accuracy_and_never_loses() {
        let (minima, labels) = toy(300);
        let max_b = 8;
        let table = score_table(&minima, labels.len(), 3, 4, max_b);
        for start in 1..=max_b as u32 {
            let s = vec![start; 3];
            let before = brute(&minima, &labels, 3, 4, &s);
            let (bl, ok) = refine_class_bleach(&table, &labels, 3, max_b, &s);
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
