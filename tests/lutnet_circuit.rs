//! The LUT-network circuit: honest witnesses pass and equal native inference; a malicious
//! prover who changes one witness cell of any kind — an input byte, an input bit, a wire (a
//! node's input cell), a node output, a class count, the class — is rejected by the specific
//! constraint (MockProver).

mod common;
use common::circuit::{assert_only, assert_some, names, LANE};
use common::*;
use halo2_proofs::dev::{MockProver, VerifyFailure};
use halo2_proofs::halo2curves::bn256::Fr;
use rand::{Rng, SeedableRng};
use std::sync::Arc;
use zero_g::circuit::lutnet::trace::{address, LutEncoding, LutTrace};
use zero_g::circuit::{CircuitParams, ImageWitness, Layout, Public, Statement, Trace, WnnCircuit};
use zero_g::data::load_image_for;
use zero_g::model::{InputSpec, LutLayer, LutNet, Model};

/// A seeded random LUT network over 28×28 images: 3 thresholds per pixel (some 0 and 256,
/// i.e. constant bits), a layer of 40 LUT-6 nodes reading input bits, a layer of 20 LUT-4
/// nodes reading the first layer (and one input bit each), 10 classes of 2 nodes.
fn random_net(seed: u64) -> LutNet {
    random_net_of_arity(seed, 6)
}

/// [`random_net`] with a first layer of arity `a0` (≤ 5 makes the circuit store tables in
/// nibbles, with a 64-row node table).
fn random_net_of_arity(seed: u64, a0: usize) -> LutNet {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let n = 784;
    let b = 3;
    let mut thresholds = Vec::with_capacity(n * b);
    for i in 0..n {
        for j in 0..b {
            thresholds.push(match (i % 97, j) {
                (0, 0) => 0,   // always set
                (1, 2) => 256, // never set
                _ => rng.gen_range(1..=255),
            });
        }
    }
    // layer 0 reads the bits of pixels near the centre (where the digits are)
    let centre: Vec<u32> = (0..n as u32 * b as u32)
        .filter(|&k| {
            let p = (k / b as u32) as usize;
            (8..20).contains(&(p / 28)) && (8..20).contains(&(p % 28)) || p % 97 < 2
        })
        .collect();
    let l0 = LutLayer {
        arity: a0,
        wiring: (0..40 * a0)
            .map(|_| centre[rng.gen_range(0..centre.len())])
            .collect(),
        tables: (0..40)
            .map(|_| rng.gen::<u64>() & (u64::MAX >> (64 - (1 << a0))))
            .collect(),
    };
    let start0 = (n * b) as u32;
    let l1 = LutLayer {
        arity: 4,
        wiring: (0..20)
            .flat_map(|k| {
                let mut w: Vec<u32> = (0..3).map(|_| start0 + rng.gen_range(0..40)).collect();
                // one skip connection straight from the input bits (a constant one for node 0)
                w.push(if k == 0 {
                    0
                } else {
                    centre[rng.gen_range(0..centre.len())]
                });
                w
            })
            .collect(),
        tables: (0..20).map(|_| rng.gen::<u64>() & 0xffff).collect(),
    };
    LutNet::new(InputSpec::image(28, 28), 10, b, thresholds, vec![l0, l1]).unwrap()
}

fn digits(k: usize) -> Vec<Vec<u8>> {
    let data = zero_g::data::load_dataset(&mnist_dir(), zero_g::data::Split::Test).unwrap();
    (0..k).map(|i| data.image(i).to_vec()).collect()
}

struct Setup {
    model: Arc<Model>,
    params: CircuitParams,
    enc: LutEncoding,
    honest: LutTrace,
}

fn setup(layout: Layout, st: &Statement) -> Setup {
    let net = random_net(7);
    let enc = LutEncoding::of(&net);
    let img = load_image_for(&reference(DIGIT7), 28, 28).unwrap();
    let honest = LutTrace::honest(&net, &enc, &img);
    let model = Arc::new(Model::from(net));
    let params = CircuitParams::for_statement(&model, layout, st).unwrap();
    Setup {
        model,
        params,
        enc,
        honest,
    }
}

impl Setup {
    fn run(&self, trace: LutTrace) -> Result<(), Vec<VerifyFailure>> {
        let c = WnnCircuit::with_trace(
            self.model.clone(),
            self.params.clone(),
            Trace::<Fr>::LutNet(trace),
        );
        MockProver::run(self.params.k, &c, vec![c.instances()])
            .unwrap()
            .verify()
    }

    /// Index of a last-layer node (its output feeds no other node).
    fn last_node(&self, j: usize) -> usize {
        self.enc.last_layer_start + j
    }
}

#[test]
fn honest_witnesses_pass_and_equal_native_inference() {
    let net = random_net(7);
    let model = Arc::new(Model::from(net.clone()));
    for layout in [Layout::Compact, Layout::Fast, Layout::Evm] {
        let params = CircuitParams::for_model_with(&model, layout).unwrap();
        for x in digits(12) {
            let c = WnnCircuit::<Fr>::prove(model.clone(), params.clone(), &x).unwrap();
            // the instances are the native scores, computed without the circuit's trace
            let native: Vec<Fr> = net
                .scores(&x)
                .into_iter()
                .map(|s| Fr::from(s as u64))
                .collect();
            assert_eq!(c.instances(), native);
            MockProver::run(params.k, &c, vec![native])
                .unwrap()
                .assert_satisfied();
        }
    }
}

#[test]
fn nibble_tables_are_sound_too() {
    let net = random_net_of_arity(11, 5);
    let enc = LutEncoding::of(&net);
    let model = Arc::new(Model::from(net.clone()));
    for layout in [Layout::Compact, Layout::Fast] {
        let params = CircuitParams::for_model_with(&model, layout).unwrap();
        assert_eq!(params.lut().chunk_bits, 4, "{params:?}");
        assert!(
            params.k < 12,
            "a 64-row node table allows a small k: {}",
            params.k
        );
        for x in digits(4) {
            let c = WnnCircuit::<Fr>::prove(model.clone(), params.clone(), &x).unwrap();
            let native: Vec<Fr> = net
                .scores(&x)
                .into_iter()
                .map(|s| Fr::from(s as u64))
                .collect();
            MockProver::run(params.k, &c, vec![native])
                .unwrap()
                .assert_satisfied();
        }
        let img = digits(1).remove(0);
        let honest = LutTrace::honest(&net, &enc, &img);
        let run = |t: LutTrace| {
            let c = WnnCircuit::with_trace(model.clone(), params.clone(), Trace::<Fr>::LutNet(t));
            MockProver::run(params.k, &c, vec![c.instances()])
                .unwrap()
                .verify()
        };
        let mut t = honest.clone();
        let k = enc.last_layer_start + 1;
        t.outputs[k] ^= 1;
        t.recompute_counts(&enc);
        assert_only(run(t), LANE);
        let mut t = honest.clone();
        t.flip_node_output(&enc, 3); // a first-layer node: its table is in nibbles
        assert_only(run(t), LANE);
    }
}

#[test]
fn every_statement_flag_is_satisfied() {
    let st = Statement {
        public: Public::Both,
        commitment: true,
        model_digest: true,
        bind: true,
        batch: 2,
    };
    let s = setup(Layout::Compact, &st);
    let xs = digits(2);
    let inputs: Vec<_> = xs
        .iter()
        .map(|x| zero_g::circuit::ImageInput {
            pixels: x.clone(),
            salt: Fr::from(99),
        })
        .collect();
    let c = WnnCircuit::prove_images(s.model.clone(), s.params.clone(), &inputs)
        .unwrap()
        .bound_to(Fr::from(12345));
    MockProver::run(s.params.k, &c, vec![c.instances()])
        .unwrap()
        .assert_satisfied();
}

#[test]
fn flipped_input_bit_is_rejected_by_the_comparison_range_check() {
    for layout in [Layout::Compact, Layout::Fast, Layout::Evm] {
        let s = setup(layout, &Statement::default());
        let mut t = s.honest.clone();
        t.bits[3] = !t.bits[3];
        t.recompute_from_bits(&s.enc);
        // d = x − t + 256·(1 − b) leaves [0, 256)
        assert_only(s.run(t), LANE);
    }
}

#[test]
fn out_of_range_input_byte_is_rejected_by_its_range_check() {
    let s = setup(Layout::Compact, &Statement::default());
    let (input, _) = s.enc.comparisons[0];
    let mut t = s.honest.clone();
    t.pixels[input] += 256;
    // the bits stay honest for x + 256 ≥ every threshold? no: x + 256 breaks the byte check
    assert_some(s.run(t), LANE);
}

#[test]
fn flipped_node_output_is_rejected_by_the_node_table() {
    for layout in [Layout::Compact, Layout::Fast, Layout::Evm] {
        let s = setup(layout, &Statement::default());
        // a first-layer node, everything downstream recomputed from its flipped output
        let mut t = s.honest.clone();
        t.flip_node_output(&s.enc, 5);
        assert_only(s.run(t), LANE);
    }
}

#[test]
fn non_boolean_node_output_is_rejected_by_the_node_gate() {
    let s = setup(Layout::Compact, &Statement::default());
    // o = 2 with v = 16B + 2a + 2 = 16B + 2(a+1): a table row when bit a+1 of B is 0, so
    // only the booleanity constraint can catch it; craft it through the circuit directly
    let k = (s.enc.last_layer_start..s.enc.nodes())
        .find(|&k| {
            let a = address(&s.honest.inputs[k]);
            let byte = s.enc.tables[k] >> (8 * (a >> 3)) & 0xff;
            (a & 7) < 7 && byte >> ((a & 7) + 1) & 1 == 0 && s.honest.outputs[k] == 0
        })
        .expect("some last-layer node fits");
    let mut t = s.honest.clone();
    t.outputs[k] = 2;
    t.recompute_counts(&s.enc);
    assert_only(s.run(t), "o ∈ {0,1}");
}

#[test]
fn a_wire_that_differs_from_its_source_is_rejected_by_the_copy_constraints() {
    for layout in [Layout::Compact, Layout::Fast, Layout::Evm] {
        let s = setup(layout, &Statement::default());
        // a last-layer node reads a flipped value; its output and the counts follow honestly
        let k = s.last_node(3);
        let mut t = s.honest.clone();
        t.inputs[k][1] = !t.inputs[k][1];
        t.outputs[k] = t.output_of_inputs(&s.enc, k);
        t.recompute_counts(&s.enc);
        assert_only(s.run(t), "permutation");
    }
}

#[test]
fn a_wrong_class_count_is_rejected_by_the_count_gates() {
    let s = setup(Layout::Compact, &Statement::default());
    // the second node of class 4's group: κ one too high (its group's score follows)
    let mut t = s.honest.clone();
    let j = 4 * s.enc.group + 1;
    t.counts[j] += 1;
    assert_only(s.run(t), "'group count'");
    // the first node of a group: κ ≠ o
    let mut t = s.honest.clone();
    let j = 2 * s.enc.group;
    t.counts[j] += 1;
    t.counts[j + 1] += 1; // the next count stays consistent with it
    assert_only(s.run(t), "'group start'");
}

#[test]
fn a_wrong_public_score_is_rejected_by_the_public_rows() {
    let s = setup(Layout::Compact, &Statement::default());
    let c = WnnCircuit::with_trace(
        s.model.clone(),
        s.params.clone(),
        Trace::<Fr>::LutNet(s.honest.clone()),
    );
    let mut inst = c.instances();
    inst[7] += Fr::one();
    let r = MockProver::run(s.params.k, &c, vec![inst])
        .unwrap()
        .verify();
    assert_only(r, "public value");
}

#[test]
fn a_wrong_class_is_rejected_by_the_argmax() {
    let st = Statement {
        public: Public::Class,
        ..Statement::default()
    };
    let s = setup(Layout::Compact, &st);
    let scores = s.honest.claimed_scores(&s.enc);
    let best = zero_g::model::argmax(&scores);
    let w = ImageWitness {
        trace: Trace::LutNet(s.honest.clone()),
        class: (best + 1) % 10,
        salt: Fr::zero(),
    };
    let c = WnnCircuit::with_witnesses(s.model.clone(), s.params.clone(), vec![w]);
    let r = MockProver::run(s.params.k, &c, vec![c.instances()])
        .unwrap()
        .verify();
    let errs = r.expect_err("a wrong class must be rejected");
    assert!(
        names(&errs)
            .iter()
            .all(|n| n.contains("argmax") || n.contains(LANE) || n.contains("one class")),
        "{:#?}",
        names(&errs)
    );
}

// The EVM layout's own cells (`docs/circuit.md`, "The verifier's bill"): each tampered cell
// is rejected by the constraint that replaced the compact layout's.

#[test]
fn evm_layout_has_its_polynomial_budget() {
    let s = setup(Layout::Evm, &Statement::default());
    let mut cs = halo2_proofs::plonk::ConstraintSystem::<Fr>::default();
    <WnnCircuit<Fr> as halo2_proofs::plonk::Circuit<Fr>>::configure_with_params(
        &mut cs,
        s.params.clone(),
    );
    assert_eq!(cs.num_advice_columns(), 3, "a0, a1 and the lane");
    assert_eq!(
        cs.permutation().get_columns().len(),
        2,
        "equality on a0, a1 only"
    );
    assert_eq!(cs.lookups().len(), 1);
    assert_eq!(cs.degree(), 4, "3 quotient pieces, 1 permutation product");
    assert_eq!(
        cs.num_selectors(),
        3,
        "a0 = lane + κ + ι, comparison, LUT node"
    );
    let lp = s.params.lut();
    assert_eq!(
        (lp.rows_per_node, lp.node_columns(), lp.byte_columns()),
        (5, 2, 2)
    );
}

#[test]
fn evm_layout_wrong_counts_are_rejected_by_the_node_gate() {
    let s = setup(Layout::Evm, &Statement::default());
    // a later node of class 4's group: κ one too high (the group's score follows)
    let mut t = s.honest.clone();
    let j = 4 * s.enc.group + 1;
    t.counts[j] += 1;
    assert_only(s.run(t), "κ = s·κ' + o");
    // the first node of a group (s = 0): κ ≠ o, the next count consistent with it
    let mut t = s.honest.clone();
    let j = 2 * s.enc.group;
    t.counts[j] += 1;
    t.counts[j + 1] += 1;
    assert_only(s.run(t), "κ = s·κ' + o");
}

#[test]
fn evm_layout_wrong_product_cell_is_rejected() {
    let s = setup(Layout::Evm, &Statement::default());
    assert_eq!(
        s.enc.arity, 6,
        "the first layer has 3 high inputs: a product cell"
    );
    let k = 5;
    let honest = s.honest.inputs[k][4] as u64 * s.honest.inputs[k][5] as u64;
    let mut t = s.honest.clone();
    t.prank_product = Some((k, 1 - honest));
    // the chunk the gate selects changes too, so the table row may also fail
    assert_some(s.run(t), "p = x·x'");
}

#[test]
fn evm_layout_mirror_must_equal_the_range_checked_byte() {
    let s = setup(Layout::Evm, &Statement::default());
    let (input, _) = s.enc.comparisons[0];
    let mut t = s.honest.clone();
    t.prank_mirror = Some((input, t.pixels[input] as u64 + 1));
    assert_some(s.run(t), "a0 = lane + κ + ι");
    // a byte out of range on the lane (mirror and all) is the lookup's
    let mut t = s.honest.clone();
    t.pixels[input] += 256;
    assert_some(s.run(t), LANE);
}

#[test]
fn evm_layout_wrong_public_score_and_every_statement() {
    let s = setup(Layout::Evm, &Statement::default());
    let c = WnnCircuit::with_trace(
        s.model.clone(),
        s.params.clone(),
        Trace::<Fr>::LutNet(s.honest.clone()),
    );
    let mut inst = c.instances();
    inst[7] += Fr::one();
    let r = MockProver::run(s.params.k, &c, vec![inst])
        .unwrap()
        .verify();
    assert_only(r, "a0 = lane + κ + ι");
    // every statement flag in the EVM layout (a2..a4 allocated for argmax and Poseidon)
    let st = Statement {
        public: Public::Both,
        commitment: true,
        model_digest: true,
        bind: true,
        batch: 2,
    };
    let s = setup(Layout::Evm, &st);
    let inputs: Vec<_> = digits(2)
        .into_iter()
        .map(|x| zero_g::circuit::ImageInput {
            pixels: x,
            salt: Fr::from(99),
        })
        .collect();
    let c = WnnCircuit::prove_images(s.model.clone(), s.params.clone(), &inputs)
        .unwrap()
        .bound_to(Fr::from(12345));
    MockProver::run(s.params.k, &c, vec![c.instances()])
        .unwrap()
        .assert_satisfied();
}
