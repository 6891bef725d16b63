// Oracle for tests/poseidon_vectors.rs: computes Poseidon hashes and image commitments with
// circomlibjs (an independent implementation), for inputs read as JSON on stdin:
//   { "pairs": [[a, b], ...], "inits": [[a, b, init], ...],
//     "images": [{ "pixels": [u8, ...], "salt": s }, ...] }
// Field elements are "0x"-prefixed big-endian hex strings, in and out. Prints
//   { "pairs": [poseidon([a, b]), ...], "inits": [poseidon([a, b], init), ...],
//     "images": [commitment, ...] }
// The image packing is written here from the specification (31 pixels per word,
// little-endian, a zero word appended to an odd count), independently of the Rust code.
'use strict';
const { buildPoseidon } = require('circomlibjs');

const hex = (x) => '0x' + x.toString(16).padStart(64, '0');

function packPixels(pixels) {
  const words = [];
  for (let j = 0; j * 31 < pixels.length; j++) {
    let m = 0n;
    for (let i = 0; i < 31; i++) {
      const p = pixels[31 * j + i];
      if (p !== undefined) m += BigInt(p) << BigInt(8 * i);
    }
    words.push(m);
  }
  if (words.length % 2 === 1) words.push(0n);
  return words;
}

async function main() {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const req = JSON.parse(input);
  const poseidon = await buildPoseidon();
  const F = poseidon.F;
  const h = (inputs, init) => F.toObject(poseidon(inputs, init));
  const out = {
    pairs: req.pairs.map(([a, b]) => hex(h([BigInt(a), BigInt(b)]))),
    inits: req.inits.map(([a, b, init]) => hex(h([BigInt(a), BigInt(b)], BigInt(init)))),
    images: req.images.map(({ pixels, salt }) => {
      const m = packPixels(pixels);
      let acc = BigInt(salt);
      for (let j = 0; j < m.length; j += 2) acc = h([m[j], m[j + 1]], acc);
      return hex(acc);
    }),
  };
  process.stdout.write(JSON.stringify(out));
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
