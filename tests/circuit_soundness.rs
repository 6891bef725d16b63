//! A malicious prover changes one witness value (and recomputes everything downstream
//! consistently), and MockProver rejects it with the specific failure.

mod common;
use common::circuit::{assert_only, names};
use common::*;
use halo2_proofs::dev::{MockProver, VerifyFailure};
use halo2_proofs::halo2curves::bn256::Fr;
use std::sync::Arc;
use zero_g::circuit::bthowen::trace::{Encoding, Trace};
use zero_g::circuit::{CircuitParams, WnnCircuit};
use zero_g::data::load_image_for;
use zero_g::model::{io, Model, Wnn};

struct Setup {
    model: Arc<Model>,
    params: CircuitParams,
    enc: Encoding,
    honest: Trace<Fr>,
}

fn setup(name: &str) -> Setup {
    let model = Arc::new(io::load(&reference(name)).unwrap());
    let img = load_image_for(&reference(DIGIT7), 28, 28).unwrap();
    let params = CircuitParams::for_model(&model).unwrap();
    let wnn = model.as_bthowen().unwrap();
    let enc = Encoding::of(wnn);
    let honest = Trace::honest(wnn, &params, &enc, &img);
    Setup {
        model,
        params,
        enc,
        honest,
    }
}

impl Setup {
    /// The BTHOWeN model.
    fn wnn(&self) -> &Wnn {
        self.model.as_bthowen().unwrap()
    }

    fn run_with(
        &self,
        trace: Trace<Fr>,
        instances: Option<Vec<Fr>>,
    ) -> Result<(), Vec<VerifyFailure>> {
        let c = WnnCircuit::with_trace(
            self.model.clone(),
            self.params.clone(),
            zero_g::circuit::Trace::Bthowen(trace),
        );
        let inst = instances.unwrap_or_else(|| c.instances());
        MockProver::run(self.params.k, &c, vec![inst])
            .unwrap()
            .verify()
    }
}

fn first_filter_with_comparisons(s: &Setup) -> usize {
    (0..s.params.bloom().filters)
        .find(|&f| !s.enc.comparisons[f].is_empty())
        .unwrap()
}

#[test]
fn honest_witness_passes() {
    let s = setup(SMALL);
    assert_eq!(
        s.honest.claimed_scores(&s.params),
        vec![17, 13, 25, 27, 29, 21, 15, 55, 27, 32]
    );
    s.run_with(s.honest.clone(), None).unwrap();
}

#[test]
fn flipped_thermometer_bit_is_rejected_by_the_comparison() {
    for name in [TINY, SMALL] {
        let s = setup(name);
        let f = first_filter_with_comparisons(&s);
        let mut t = s.honest.clone();
        t.bits[f][0] = !t.bits[f][0];
        t.recompute_from_bits(s.wnn(), &s.params, &s.enc);
        // d = pix − t + 256·(1 − b) leaves [0, 256): the lane lookup fails
        assert_only(s.run_with(t, None), "lookup lane < 2^tag | keyed data");
    }
}

#[test]
fn out_of_range_pixel_is_rejected_by_its_range_check() {
    let s = setup(TINY);
    // a pixel whose only threshold is ≥ 45, so that 300 passes the comparison itself
    let (pix, thr) = s
        .enc
        .comparisons
        .iter()
        .flatten()
        .map(|c| (c.pixel, c.threshold))
        .find(|&(_, t)| t >= 45)
        .unwrap();
    let mut t = s.honest.clone();
    t.pixels[pix] = 300;
    for (ff, cs) in s.enc.comparisons.iter().enumerate() {
        for (j, c) in cs.iter().enumerate() {
            if c.pixel == pix {
                t.bits[ff][j] = true;
            }
        }
    }
    t.recompute_from_bits(s.wnn(), &s.params, &s.enc);
    let errs = s.run_with(t, None).expect_err("rejected");
    assert_eq!(
        names(&errs),
        vec!["lookup lane < 2^tag | keyed data"],
        "threshold {thr}"
    );
    // and its location is the pixel's own row (the pixels come first in the lane group)
    let row = s.enc.used_pixels.iter().position(|&p| p == pix).unwrap();
    assert!(
        matches!(&errs[0], VerifyFailure::Lookup { location: halo2_proofs::dev::FailureLocation::InRegion { offset, .. }, .. } if *offset == row),
        "{errs:?}"
    );
}

#[test]
fn wrong_hash_quotient_is_rejected() {
    let s = setup(SMALL);
    let mut t = s.honest.clone();
    t.quotients[3] += Fr::one();
    assert_only(s.run_with(t, None), "('mishmash')");
}

#[test]
fn non_canonical_remainder_is_rejected() {
    // r + p with q − 1 satisfies x³ = q·p + r, but r ≥ p is caught by the range checks
    let s = setup(SMALL);
    let mut t = s.honest.clone();
    let p = s.params.bloom().p;
    t.quotients[5] -= Fr::one();
    t.remainders[5] += p;
    let errs = s.run_with(t, None).expect_err("rejected");
    let n = names(&errs);
    assert!(
        n.iter()
            .any(|e| e.contains("lookup lane < 2^tag | keyed data") || e.contains("msb ∈ {0,1}")),
        "{n:#?}"
    );
}

#[test]
fn tampered_bloom_word_is_rejected_by_the_table() {
    let s = setup(SMALL);
    let mut t = s.honest.clone();
    // claim the word has one more bit set in its first entry
    t.lookups[7][1].words[0] += Fr::one();
    let errs = s.run_with(t, None).expect_err("rejected");
    assert!(
        names(&errs)
            .iter()
            .any(|n| n == "lookup lane < 2^tag | keyed data"),
        "{:#?}",
        names(&errs)
    );
}

#[test]
fn word_from_another_filter_is_rejected() {
    let s = setup(SMALL);
    let mut t = s.honest.clone();
    // use filter 8's table row in filter 7's lookup (consistent word, position and bits)
    let other = s.honest.lookups[8][0].clone();
    t.lookups[7][0].words = other.words.clone();
    let errs = s.run_with(t, None).expect_err("rejected");
    assert!(
        names(&errs)
            .iter()
            .any(|n| n == "lookup lane < 2^tag | keyed data"),
        "{:#?}",
        names(&errs)
    );
}

#[test]
fn selecting_another_entry_is_rejected_by_the_index() {
    let s = setup(SMALL);
    let mut t = s.honest.clone();
    let (f, k) = (10, 0);
    let m = s.params.bloom().per_word;
    t.lookups[f][k].position = (t.lookups[f][k].position + 1) % m;
    t.recompute_class_bits(s.wnn(), &s.params, f);
    assert_only(s.run_with(t, None), "('idx = w·M + t·m + j')");
}

#[test]
fn flipped_class_bit_is_rejected_by_the_decomposition() {
    let s = setup(SMALL);
    let mut t = s.honest.clone();
    t.class_bits[12][1][7] = !t.class_bits[12][1][7];
    assert_only(s.run_with(t, None), "('class-vector bits')");
}

#[test]
fn a_changed_public_score_is_rejected() {
    for name in [TINY, SMALL] {
        let s = setup(name);
        let mut inst: Vec<Fr> = s
            .honest
            .claimed_scores(&s.params)
            .iter()
            .map(|&v| Fr::from(v as u64))
            .collect();
        inst[7] += Fr::one();
        // the score cell differs from its instance row: gate `a0 = instance`
        assert_only(
            s.run_with(s.honest.clone(), Some(inst.clone())),
            "public value",
        );
        inst[7] -= Fr::from(2);
        inst[0] += Fr::one();
        assert_only(s.run_with(s.honest.clone(), Some(inst)), "public value");
    }
}

#[test]
fn out_of_range_word_choice_is_rejected() {
    // Small packs g > 1 words per table row: t must be below g. A prover claiming t = g
    // mixes the words; the range check of t on the tail row rejects it.
    let s = setup(SMALL);
    assert!(s.params.bloom().words > 1, "{:?}", s.params);
    let mut t = s.honest.clone();
    t.lookups[9][0].t = s.params.bloom().words as u64;
    let errs = s.run_with(t, None).expect_err("rejected");
    assert!(
        names(&errs)
            .iter()
            .any(|n| n == "lookup lane < 2^tag | keyed data"),
        "{:#?}",
        names(&errs)
    );
}
