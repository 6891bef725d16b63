// scratch experiment (not committed): ensemble of one-layer networks by summed scores
use zero_g::model::{io, LutLayer, LutNet, Model};
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let out = &args[1];
    let nets: Vec<LutNet> = args[2..]
        .iter()
        .map(|p| match io::load(std::path::Path::new(p)).unwrap() {
            Model::LutNet(n) => n,
            _ => panic!(),
        })
        .collect();
    let first = &nets[0];
    for n in &nets {
        assert_eq!(n.thresholds(), first.thresholds(), "thresholds differ");
    }
    let classes = first.num_classes();
    let arity = first.layers()[0].arity;
    let (mut wiring, mut tables) = (vec![], vec![]);
    for c in 0..classes {
        for n in &nets {
            let l = &n.layers()[0];
            let g = n.group_size();
            for k in c * g..(c + 1) * g {
                wiring.extend_from_slice(l.inputs(k));
                tables.push(l.tables[k]);
            }
        }
    }
    let m = LutNet::new(
        first.input().clone(),
        classes,
        first.bits_per_input(),
        first.thresholds().to_vec(),
        vec![LutLayer {
            arity,
            wiring,
            tables,
        }],
    )
    .unwrap();
    io::save(&Model::LutNet(m), std::path::Path::new(out)).unwrap();
}
