//! Deep LUT networks (convolutional kernels, OR pooling, several layers): the model file
//! keeps and checks the architecture; the circuit proves exactly the unrolled network and
//! rejects a malicious prover who changes one cell of any new kind — a kernel's input bit,
//! a kernel node's output at some position (its shared table), a pooled bit, a wire between
//! layers — by the specific constraint (MockProver).

mod common;
use common::circuit::{assert_only, LANE};
use common::*;
use halo2_proofs::dev::MockProver;
use halo2_proofs::halo2curves::bn256::Fr;
use rand::{Rng, SeedableRng};
use std::sync::Arc;
use zero_g::circuit::lutnet::trace::{LutEncoding, LutTrace};
use zero_g::circuit::{CircuitParams, Layout, Public, Statement, Trace, WnnCircuit};
use zero_g::model::lutnet::arch::{self, Arch, Grid, LayerGeom, Wiring};
use zero_g::model::{io, InputSpec, LutNet, Model};

const ARCH: &str = "conv(4,3,3,2),pool(2),fc(20,in)";
const BPI: usize = 2;

/// A seeded random network of architecture `ARCH` over 28×28 images, 2 shared thresholds.
fn random_deep(seed: u64) -> (LutNet, Vec<LayerGeom>) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let a: Arch = ARCH.parse().unwrap();
    let geoms = a
        .layers(
            Grid {
                w: 28,
                h: 28,
                c: BPI,
            },
            4,
        )
        .unwrap();
    let mut choices = Vec::new();
    let mut tables = Vec::new();
    for g in &geoms {
        let slots = g.kernel_nodes() * g.arity;
        choices.push(match &g.wiring {
            Wiring::Fixed(f) => f.clone(),
            Wiring::Learned => (0..slots)
                .map(|_| rng.gen_range(0..g.offsets.len() as u32))
                .collect(),
        });
        let mask = u64::MAX >> (64 - (1 << g.arity));
        tables.push(
            (0..g.kernel_nodes())
                .map(|_| g.fixed_table.unwrap_or_else(|| rng.gen::<u64>() & mask))
                .collect(),
        );
    }
    let layers = arch::unroll(&geoms, &choices, &tables, 28 * 28 * BPI);
    let thresholds = (0..784).flat_map(|_| [86u16, 171]).collect();
    let net = LutNet::new(InputSpec::image(28, 28), 10, BPI, thresholds, layers)
        .unwrap()
        .with_architecture(a)
        .unwrap();
    (net, geoms)
}

fn digits(k: usize) -> Vec<Vec<u8>> {
    let data = zero_g::data::load_dataset(&mnist_dir(), zero_g::data::Split::Test).unwrap();
    (0..k).map(|i| data.image(i).to_vec()).collect()
}

#[test]
fn the_architecture_unrolls_as_documented() {
    let (net, geoms) = random_deep(1);
    let names: Vec<&str> = geoms.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(names, ["conv1 leaves", "conv1 roots", "pool1", "fc1"]);
    // (28 − 4)/3 + 1 = 9 positions a side; pool 2 → 4 a side
    let sizes: Vec<(usize, usize)> = net.layers().iter().map(|l| (l.nodes(), l.arity)).collect();
    assert_eq!(sizes, [(81 * 6, 4), (81 * 3, 2), (16 * 3, 4), (20, 4)]);
    assert!(Model::from(net)
        .describe()
        .contains("architecture conv(4,3,3,2),pool(2),fc(20,in)"));
}

#[test]
fn a_deep_model_round_trips_through_its_file() {
    let (net, _) = random_deep(2);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("deep.hdf5");
    io::save(&Model::from(net.clone()), &p).unwrap();
    let back = io::load(&p).unwrap();
    let Model::LutNet(back) = back else {
        panic!("not a LUT network")
    };
    assert_eq!(back, net);
    assert_eq!(back.architecture().unwrap().to_string(), ARCH);
    assert_eq!(back.digest(), net.digest());
    for x in digits(5) {
        assert_eq!(back.predict(&x), net.predict(&x));
    }
}

#[test]
fn layers_that_are_not_the_architecture_are_refused() {
    let (net, geoms) = random_deep(3);
    let arch: Arch = ARCH.parse().unwrap();
    let rebuild = |f: &dyn Fn(&mut Vec<zero_g::model::LutLayer>)| {
        let mut layers = net.layers().to_vec();
        f(&mut layers);
        LutNet::new(
            net.input().clone(),
            10,
            BPI,
            net.thresholds().to_vec(),
            layers,
        )
        .unwrap()
        .with_architecture(arch.clone())
        .unwrap_err()
        .to_string()
    };
    let kn = geoms[0].kernel_nodes();
    // one position's copy of a kernel node with another truth table
    let e = rebuild(&|l| l[0].tables[5 * kn + 2] ^= 1);
    assert!(e.contains("another truth table at position 5"), "{e}");
    // one position reading another patch offset
    let e = rebuild(&|l| l[0].wiring[(7 * kn + 1) * 4] ^= 1);
    assert!(e.contains("another patch offset at position 7"), "{e}");
    // a pooling node that is not OR
    let e = rebuild(&|l| l[2].tables[0] = 0x8000);
    assert!(e.contains("not OR"), "{e}");
    // a root reading another kernel's leaf
    let e = rebuild(&|l| l[1].wiring.swap(0, 2));
    assert!(e.contains("fixed wire"), "{e}");
    // a fully connected node reading a bit of the layer before the pooling
    let start_roots = 28 * 28 * BPI + net.layers()[0].nodes();
    let e = rebuild(&|l| l[3].wiring[0] = start_roots as u32);
    assert!(e.contains("outside its patch"), "{e}");
    // another architecture (single-node kernels: no root layer)
    let other: Arch = "conv(4,3,3,1),pool(2),fc(20,in)".parse().unwrap();
    let e = net
        .clone()
        .with_architecture(other)
        .unwrap_err()
        .to_string();
    assert!(e.contains("unrolls into 3 layers, the model has 4"), "{e}");
}

struct Setup {
    net: LutNet,
    model: Arc<Model>,
    params: CircuitParams,
    enc: LutEncoding,
    honest: LutTrace,
}

fn setup(layout: Layout) -> Setup {
    let (net, _) = random_deep(7);
    let enc = LutEncoding::of(&net);
    let img = digits(1).remove(0);
    let honest = LutTrace::honest(&net, &enc, &img);
    let model = Arc::new(Model::from(net.clone()));
    let params = CircuitParams::for_statement(&model, layout, &Statement::default()).unwrap();
    Setup {
        net,
        model,
        params,
        enc,
        honest,
    }
}

impl Setup {
    fn run(&self, trace: LutTrace) -> Result<(), Vec<halo2_proofs::dev::VerifyFailure>> {
        let c = WnnCircuit::with_trace(
            self.model.clone(),
            self.params.clone(),
            Trace::<Fr>::LutNet(trace),
        );
        MockProver::run(self.params.k, &c, vec![c.instances()])
            .unwrap()
            .verify()
    }
    /// Node index (over all layers) of layer `l`'s node `i`.
    fn node(&self, l: usize, i: usize) -> usize {
        self.net.layers()[..l]
            .iter()
            .map(|x| x.nodes())
            .sum::<usize>()
            + i
    }
}

#[test]
fn honest_deep_witnesses_pass_and_equal_native_inference() {
    let (net, _) = random_deep(7);
    let model = Arc::new(Model::from(net.clone()));
    for layout in [Layout::Compact, Layout::Fast] {
        let params = CircuitParams::for_model_with(&model, layout).unwrap();
        for x in digits(6) {
            let c = WnnCircuit::<Fr>::prove(model.clone(), params.clone(), &x).unwrap();
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
fn every_statement_flag_works_for_a_deep_model() {
    let (net, _) = random_deep(8);
    let model = Arc::new(Model::from(net));
    let st = Statement {
        public: Public::Both,
        commitment: true,
        model_digest: true,
        bind: true,
        batch: 1,
    };
    let params = CircuitParams::for_statement(&model, Layout::Compact, &st).unwrap();
    let inputs = vec![zero_g::circuit::ImageInput {
        pixels: digits(1).remove(0),
        salt: Fr::from(5),
    }];
    let c = WnnCircuit::prove_images(model, params.clone(), &inputs)
        .unwrap()
        .bound_to(Fr::from(777));
    MockProver::run(params.k, &c, vec![c.instances()])
        .unwrap()
        .assert_satisfied();
}

#[test]
fn a_kernel_input_bit_that_differs_from_its_source_is_rejected_by_the_copy_constraints() {
    let s = setup(Layout::Fast);
    // a leaf of the convolution at position 40 reads a flipped patch bit; its output and
    // everything downstream follow honestly from that
    let k = s.node(0, 40 * 6 + 1);
    let mut t = s.honest.clone();
    t.inputs[k][2] = !t.inputs[k][2];
    let out = t.output_of_inputs(&s.enc, k);
    if out != t.outputs[k] {
        t.flip_node_output(&s.enc, k);
    }
    assert_only(s.run(t), "permutation");
}

#[test]
fn a_kernel_evaluated_at_another_position_is_rejected_by_the_copy_constraints() {
    let s = setup(Layout::Fast);
    // leaf kernel node 3 at position 40 claims the patch of position 41 (the same kernel
    // one step right): its inputs are another position's bits, its output their honest value
    let kn = 6;
    let (k, other) = (s.node(0, 40 * kn + 3), s.node(0, 41 * kn + 3));
    assert_ne!(
        s.honest.inputs[k], s.honest.inputs[other],
        "pick differing patches"
    );
    let mut t = s.honest.clone();
    t.inputs[k] = t.inputs[other].clone();
    if t.output_of_inputs(&s.enc, k) != t.outputs[k] {
        t.flip_node_output(&s.enc, k);
    }
    assert_only(s.run(t), "permutation");
}

#[test]
fn a_kernel_output_off_its_shared_table_is_rejected_by_the_node_table() {
    for layout in [Layout::Compact, Layout::Fast] {
        let s = setup(layout);
        // kernel node 4 (a leaf) at position 60, and a root at position 33: the shared
        // table is the same at every position, so one wrong output is one missing row
        for k in [s.node(0, 60 * 6 + 4), s.node(1, 33 * 3 + 2)] {
            let mut t = s.honest.clone();
            t.flip_node_output(&s.enc, k);
            assert_only(s.run(t), LANE);
        }
    }
}

#[test]
fn a_wrong_pooled_bit_is_rejected_by_the_or_table() {
    let s = setup(Layout::Fast);
    for i in [0, 17, 47] {
        let mut t = s.honest.clone();
        t.flip_node_output(&s.enc, s.node(2, i));
        assert_only(s.run(t), LANE);
    }
}

#[test]
fn a_wire_between_layers_that_differs_from_its_source_is_rejected_by_the_copy_constraints() {
    let s = setup(Layout::Fast);
    // a fully connected node's input (a pooled bit or an input bit) read flipped, its
    // output and the counts following honestly
    let k = s.node(3, 11);
    let mut t = s.honest.clone();
    t.inputs[k][0] = !t.inputs[k][0];
    t.outputs[k] = t.output_of_inputs(&s.enc, k);
    t.recompute_counts(&s.enc);
    assert_only(s.run(t), "permutation");
}
