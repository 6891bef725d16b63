//! Gradient-boosted decision trees for classification, written here because neither
//! smartcore nor linfa has a gradient-boosting classifier.
//!
//! Multinomial log-loss: each round fits one regression tree per class to the residuals
//! `y_k − p_k` (exact greedy splits on squared error, depth ≤ 3), each leaf taking one
//! Newton step `(K−1)/K · Σr / Σ|r|(1−|r|)` (Friedman's rule), scaled by the learning rate.
//! The trees start from the log of each class's prior. Defaults as scikit-learn's
//! `GradientBoostingClassifier`: 100 rounds, learning rate 0.1, depth 3, no subsampling, so
//! the result does not depend on a seed.

/// One regression tree: internal nodes split `x[feature] <= threshold`.
enum Node {
    Leaf(f64),
    Split {
        feature: usize,
        threshold: f64,
        left: Box<Node>,
        right: Box<Node>,
    },
}

impl Node {
    fn eval(&self, x: &[f64]) -> f64 {
        match self {
            Node::Leaf(v) => *v,
            Node::Split {
                feature,
                threshold,
                left,
                right,
            } => {
                if x[*feature] <= *threshold {
                    left.eval(x)
                } else {
                    right.eval(x)
                }
            }
        }
    }
}

/// A trained booster.
pub struct Booster {
    prior: Vec<f64>,
    rounds: Vec<Vec<Node>>,
    rate: f64,
}

/// The settings.
pub struct BoostConfig {
    pub rounds: usize,
    pub rate: f64,
    pub depth: usize,
}

impl Default for BoostConfig {
    fn default() -> Self {
        BoostConfig {
            rounds: 100,
            rate: 0.1,
            depth: 3,
        }
    }
}

/// The rows of the data in increasing order of each feature (ties by row), computed once.
struct Sorted(Vec<Vec<usize>>);

impl Sorted {
    fn new(x: &[Vec<f64>]) -> Self {
        let d = x.first().map_or(0, Vec::len);
        Sorted(
            (0..d)
                .map(|j| {
                    let mut o: Vec<usize> = (0..x.len()).collect();
                    o.sort_by(|&a, &b| x[a][j].total_cmp(&x[b][j]).then(a.cmp(&b)));
                    o
                })
                .collect(),
        )
    }
}

/// The best split of the rows in `idx` (marked in `member`) for targets `r`: (feature,
/// threshold), or `None` when no split lowers the squared error.
fn best_split(
    x: &[Vec<f64>],
    r: &[f64],
    idx: &[usize],
    member: &[bool],
    sorted: &Sorted,
) -> Option<(usize, f64)> {
    let total: f64 = idx.iter().map(|&i| r[i]).sum();
    let n = idx.len() as f64;
    let mut best: Option<(f64, usize, f64)> = None;
    let mut order = Vec::with_capacity(idx.len());
    for (j, all) in sorted.0.iter().enumerate() {
        order.clear();
        order.extend(all.iter().copied().filter(|&i| member[i]));
        let mut left = 0.0;
        for k in 0..order.len() - 1 {
            left += r[order[k]];
            let (va, vb) = (x[order[k]][j], x[order[k + 1]][j]);
            if va == vb {
                continue;
            }
            let nl = (k + 1) as f64;
            let right = total - left;
            // the reduction of squared error, up to a constant
            let gain = left * left / nl + right * right / (n - nl) - total * total / n;
            if gain > 1e-12 && best.is_none_or(|(g, _, _)| gain > g) {
                best = Some((gain, j, (va + vb) / 2.0));
            }
        }
    }
    best.map(|(_, j, t)| (j, t))
}

fn grow(
    x: &[Vec<f64>],
    r: &[f64],
    idx: &[usize],
    member: &mut [bool],
    sorted: &Sorted,
    depth: usize,
    k: usize,
) -> Node {
    if depth > 0 && idx.len() >= 2 {
        idx.iter().for_each(|&i| member[i] = true);
        let split = best_split(x, r, idx, member, sorted);
        idx.iter().for_each(|&i| member[i] = false);
        if let Some((feature, threshold)) = split {
            let (l, rr): (Vec<usize>, Vec<usize>) =
                idx.iter().partition(|&&i| x[i][feature] <= threshold);
            return Node::Split {
                feature,
                threshold,
                left: Box::new(grow(x, r, &l, member, sorted, depth - 1, k)),
                right: Box::new(grow(x, r, &rr, member, sorted, depth - 1, k)),
            };
        }
    }
    let num: f64 = idx.iter().map(|&i| r[i]).sum();
    let den: f64 = idx.iter().map(|&i| r[i].abs() * (1.0 - r[i].abs())).sum();
    let kf = k as f64;
    Node::Leaf(if den.abs() < 1e-150 {
        0.0
    } else {
        (kf - 1.0) / kf * num / den
    })
}

fn softmax(f: &mut [f64]) {
    let m = f.iter().cloned().fold(f64::MIN, f64::max);
    let s: f64 = f
        .iter_mut()
        .map(|v| {
            *v = (*v - m).exp();
            *v
        })
        .sum();
    f.iter_mut().for_each(|v| *v /= s);
}

impl Booster {
    /// Trains on rows `x` with classes `y` in `0..classes`.
    pub fn fit(x: &[Vec<f64>], y: &[usize], classes: usize, cfg: &BoostConfig) -> Booster {
        let n = x.len();
        let prior: Vec<f64> = (0..classes)
            .map(|c| {
                let p = y.iter().filter(|&&l| l == c).count().max(1) as f64 / n as f64;
                p.ln()
            })
            .collect();
        let mut f: Vec<Vec<f64>> = vec![prior.clone(); n];
        let idx: Vec<usize> = (0..n).collect();
        let sorted = Sorted::new(x);
        let mut member = vec![false; n];
        let mut rounds = Vec::with_capacity(cfg.rounds);
        for _ in 0..cfg.rounds {
            let p: Vec<Vec<f64>> = f
                .iter()
                .map(|s| {
                    let mut s = s.clone();
                    softmax(&mut s);
                    s
                })
                .collect();
            let mut trees = Vec::with_capacity(classes);
            for c in 0..classes {
                let r: Vec<f64> = (0..n).map(|i| (y[i] == c) as u8 as f64 - p[i][c]).collect();
                let tree = grow(x, &r, &idx, &mut member, &sorted, cfg.depth, classes);
                for i in 0..n {
                    f[i][c] += cfg.rate * tree.eval(&x[i]);
                }
                trees.push(tree);
            }
            rounds.push(trees);
        }
        Booster {
            prior,
            rounds,
            rate: cfg.rate,
        }
    }

    /// The predicted class of `x` (ties to the lowest class).
    pub fn predict(&self, x: &[f64]) -> usize {
        let mut f = self.prior.clone();
        for trees in &self.rounds {
            for (c, t) in trees.iter().enumerate() {
                f[c] += self.rate * t.eval(x);
            }
        }
        let mut best = 0;
        for c in 1..f.len() {
            if f[c] > f[best] {
                best = c;
            }
        }
        best
    }
}
