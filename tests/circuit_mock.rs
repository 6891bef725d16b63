//! MockProver checks of the WNN circuit: honest witnesses pass with the native scores.

mod common;
use common::*;
use halo2_proofs::dev::MockProver;
use halo2_proofs::halo2curves::bn256::Fr;
use std::sync::Arc;
use zero_g::circuit::{CircuitParams, WnnCircuit};
use zero_g::data::load_image_for;
use zero_g::model::io;

fn mock(model_path: &std::path::Path) -> (CircuitParams, Vec<u32>) {
    let model = Arc::new(io::load(model_path).unwrap());
    let img = load_image_for(&reference(DIGIT7), 28, 28).unwrap();
    let params = CircuitParams::for_model(&model).unwrap();
    let circuit = WnnCircuit::<Fr>::prove(model.clone(), params.clone(), &img).unwrap();
    let inst = circuit.instances();
    let t = std::time::Instant::now();
    let prover = MockProver::run(params.k, &circuit, vec![inst]).unwrap();
    prover.assert_satisfied();
    eprintln!("{params:?} mock {:?}", t.elapsed());
    (params, model.scores(&img))
}

#[test]
fn tiny_reference_model_is_satisfied() {
    let (p, s) = mock(&reference(TINY));
    assert_eq!(s, vec![9, 6, 13, 10, 17, 10, 9, 26, 11, 16]);
    assert!(p.k <= 12, "{p:?}");
}

#[test]
fn small_reference_model_is_satisfied() {
    let (p, _) = mock(&reference(SMALL));
    assert!(p.k <= 13, "{p:?}");
}

#[test]
fn filters_with_only_constant_bits_are_proven() {
    use zero_g::model::{bthowen::hash::choose_p, Model, Wnn, WnnParams};
    // 4×4 image, 1 bit per pixel, 4 filters of 4 bits: row 0 always 1 (t = 0), row 1 always
    // 0 (t = 256), rows 2–3 compared against 128.
    let params = WnnParams {
        num_classes: 3,
        num_inputs: 16,
        bits_per_input: 1,
        num_filter_inputs: 4,
        num_filter_entries: 16,
        num_filter_hashes: 2,
        p: choose_p(8).unwrap(),
    };
    let mut t = vec![0.5f32; 16];
    t[..4].fill(-0.2);
    t[4..8].fill(3.0);
    let order: Vec<u64> = (0..16).collect();
    let bloom: Vec<bool> = (0..3 * 4 * 16).map(|i| (i * 7 + i / 5) % 3 == 0).collect();
    let model = Arc::new(Model::from(Wnn::new(params, t, order, &bloom).unwrap()));
    for layout in [
        zero_g::circuit::Layout::Fast,
        zero_g::circuit::Layout::Compact,
    ] {
        constant_filters_in(
            &model,
            CircuitParams::for_model_with(&model, layout).unwrap(),
        );
    }
}

fn constant_filters_in(model: &Arc<zero_g::model::Model>, cp: CircuitParams) {
    for img in [
        [0u8; 16],
        [255u8; 16],
        [
            7, 200, 9, 130, 128, 127, 0, 255, 1, 2, 3, 4, 250, 128, 127, 9,
        ],
    ] {
        let circuit = WnnCircuit::<Fr>::prove(model.clone(), cp.clone(), &img).unwrap();
        let native: Vec<Fr> = model
            .scores(&img)
            .iter()
            .map(|&s| Fr::from(s as u64))
            .collect();
        assert_eq!(circuit.instances(), native);
        MockProver::run(cp.k, &circuit, vec![native])
            .unwrap()
            .assert_satisfied();
    }
    // two filters are constant: their inputs are pinned constants on lane rows (one row per
    // filter, like the other filters' init rows), so the side rows are only hash, split and
    // popcount
    assert_eq!(cp.side_rows, 4 * (2 + 2 + 3 * 3));
}

#[test]
fn compact_layout_is_satisfied_and_uses_fewer_columns() {
    use halo2_proofs::plonk::{Circuit, ConstraintSystem};
    use zero_g::circuit::Layout;
    for (name, scores) in [
        (TINY, vec![9, 6, 13, 10, 17, 10, 9, 26, 11, 16]),
        (SMALL, vec![17, 13, 25, 27, 29, 21, 15, 55, 27, 32]),
    ] {
        let model = Arc::new(io::load(&reference(name)).unwrap());
        let img = load_image_for(&reference(DIGIT7), 28, 28).unwrap();
        let fast = CircuitParams::for_model_with(&model, Layout::Fast).unwrap();
        let compact = CircuitParams::for_model_with(&model, Layout::Compact).unwrap();
        assert!(compact.compact && compact.k >= fast.k);
        let circuit = WnnCircuit::<Fr>::prove(model.clone(), compact.clone(), &img).unwrap();
        let inst = circuit.instances();
        assert_eq!(
            inst,
            scores.iter().map(|&s| Fr::from(s)).collect::<Vec<_>>()
        );
        MockProver::run(compact.k, &circuit, vec![inst.clone()])
            .unwrap()
            .assert_satisfied();
        // one score off is rejected in this layout too
        let mut wrong = inst;
        wrong[2] += Fr::one();
        assert!(MockProver::run(compact.k, &circuit, vec![wrong])
            .unwrap()
            .verify()
            .is_err());
        let cols = |p: CircuitParams| {
            let mut cs = ConstraintSystem::<Fr>::default();
            WnnCircuit::<Fr>::configure_with_params(&mut cs, p);
            cs.num_advice_columns()
        };
        assert!(cols(compact) < cols(fast));
    }
}

#[test]
fn auto_layout_picks_compact_unless_it_costs_rows() {
    use zero_g::circuit::Layout;
    for name in [TINY, SMALL] {
        let model = io::load(&reference(name)).unwrap();
        let fast = CircuitParams::for_model_with(&model, Layout::Fast).unwrap();
        let compact = CircuitParams::for_model_with(&model, Layout::Compact).unwrap();
        let auto = CircuitParams::for_model(&model).unwrap();
        assert_eq!(auto, if compact.k <= fast.k { compact } else { fast });
    }
}

#[test]
fn reserved_rows_cover_halo2s_minimum() {
    use halo2_proofs::plonk::{Circuit, ConstraintSystem};
    use zero_g::circuit::{params::MIN_ROWS, Layout};
    for name in [TINY, SMALL] {
        let model = io::load(&reference(name)).unwrap();
        for layout in [Layout::Fast, Layout::Compact] {
            let p = CircuitParams::for_model_with(&model, layout).unwrap();
            let mut cs = ConstraintSystem::<Fr>::default();
            WnnCircuit::<Fr>::configure_with_params(&mut cs, p.clone());
            assert!(
                cs.minimum_rows() <= MIN_ROWS,
                "{} > {MIN_ROWS}",
                cs.minimum_rows()
            );
            assert!(p.rows() + cs.minimum_rows() <= 1 << p.k, "{p:?}");
        }
    }
}
