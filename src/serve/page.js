// The page of `zero_g serve`: draw, predict live, prove, and have the proof verified.
'use strict';
const $ = (id) => document.getElementById(id);
let models = [];
let current = null;

function headers() {
  const h = { 'Content-Type': 'application/json' };
  const t = $('token').value.trim();
  if (t) h.Authorization = 'Bearer ' + t;
  return h;
}

async function call(path, body) {
  const r = await fetch(path, { method: 'POST', headers: headers(), body: JSON.stringify(body) });
  const v = await r.json().catch(() => ({ error: { message: 'not JSON (HTTP ' + r.status + ')' } }));
  if (!r.ok) throw new Error((v.error && v.error.message) || ('HTTP ' + r.status));
  return v;
}

// ---- input: the canvas (image models) or feature fields (tabular models)
const canvas = $('canvas');
const ctx = canvas.getContext('2d', { willReadFrequently: true });
let drawing = false;
let dirty = false;
function clearCanvas() {
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  dirty = false;
  $('class').textContent = '–';
  $('scores').textContent = '';
}
function at(e) {
  const r = canvas.getBoundingClientRect();
  return [(e.clientX - r.left) * canvas.width / r.width, (e.clientY - r.top) * canvas.height / r.height];
}
canvas.addEventListener('pointerdown', (e) => {
  drawing = true;
  canvas.setPointerCapture(e.pointerId);
  const [x, y] = at(e);
  ctx.beginPath();
  ctx.moveTo(x, y);
});
canvas.addEventListener('pointermove', (e) => {
  if (!drawing) return;
  const [x, y] = at(e);
  ctx.strokeStyle = '#fff';
  ctx.lineWidth = canvas.width / 12;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.lineTo(x, y);
  ctx.stroke();
  dirty = true;
});
const endStroke = () => {
  if (!drawing) return;
  drawing = false;
  predict();
};
canvas.addEventListener('pointerup', endStroke);
canvas.addEventListener('pointercancel', endStroke);
$('clear').addEventListener('click', clearCanvas);
$('file').addEventListener('change', async () => {
  const f = $('file').files[0];
  if (!f) return;
  const img = new Image();
  img.onload = () => {
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    dirty = true;
    predict();
  };
  img.src = URL.createObjectURL(f);
});

// The drawing as the model's grayscale bytes (white strokes on black), framed as MNIST
// frames its digits: the strokes' bounding box scaled to fit 20/28 of the image, centred on
// their centre of mass.
function pixels() {
  const { width, height } = current.input;
  const big = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  let [x0, y0, x1, y1] = [canvas.width, canvas.height, -1, -1];
  for (let y = 0; y < canvas.height; y++) {
    for (let x = 0; x < canvas.width; x++) {
      if (big[4 * (y * canvas.width + x)] > 32) {
        x0 = Math.min(x0, x); x1 = Math.max(x1, x);
        y0 = Math.min(y0, y); y1 = Math.max(y1, y);
      }
    }
  }
  const small = document.createElement('canvas');
  small.width = width;
  small.height = height;
  const s = small.getContext('2d', { willReadFrequently: true });
  s.fillStyle = '#000';
  s.fillRect(0, 0, width, height);
  s.imageSmoothingEnabled = true;
  s.imageSmoothingQuality = 'high';
  if (x1 >= 0) {
    const bw = x1 - x0 + 1;
    const bh = y1 - y0 + 1;
    const scale = Math.min((width * 20) / 28 / bw, (height * 20) / 28 / bh);
    const [dw, dh] = [bw * scale, bh * scale];
    s.drawImage(canvas, x0, y0, bw, bh, (width - dw) / 2, (height - dh) / 2, dw, dh);
    // shift the centre of mass to the centre
    const d0 = s.getImageData(0, 0, width, height).data;
    let [m, mx, my] = [0, 0, 0];
    for (let i = 0; i < width * height; i++) {
      m += d0[4 * i];
      mx += d0[4 * i] * (i % width);
      my += d0[4 * i] * Math.floor(i / width);
    }
    if (m > 0) {
      const dx = Math.round((width - 1) / 2 - mx / m);
      const dy = Math.round((height - 1) / 2 - my / m);
      const copy = document.createElement('canvas');
      copy.width = width;
      copy.height = height;
      copy.getContext('2d').drawImage(small, 0, 0);
      s.fillRect(0, 0, width, height);
      s.drawImage(copy, dx, dy);
    }
  }
  const d = s.getImageData(0, 0, width, height).data;
  const out = new Array(width * height);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(0.299 * d[4 * i] + 0.587 * d[4 * i + 1] + 0.114 * d[4 * i + 2]);
  return out;
}

function input() {
  if (current.input.kind === 'image') return { pixels: pixels() };
  const vals = current.input.features.map((f, i) => $('f' + i).value.trim());
  return { features: vals.join(',') };
}

function setupInput() {
  const image = current.input.kind === 'image';
  $('draw').hidden = !image;
  $('features').hidden = image;
  const fields = $('feature-fields');
  fields.textContent = '';
  if (!image) {
    current.input.features.forEach((f, i) => {
      const l = document.createElement('label');
      l.htmlFor = 'f' + i;
      l.textContent = f.name;
      const inp = document.createElement('input');
      inp.id = 'f' + i;
      inp.value = ((f.lo + f.hi) / 2).toPrecision(3);
      inp.addEventListener('change', predict);
      l.appendChild(inp);
      fields.appendChild(l);
    });
  }
  $('bind-row').hidden = !current.statement.bind;
  $('submit-row').hidden = !current.verifier;
  $('model-info').textContent = current.family + ', ' + current.input_description + '; proves: ' +
    current.statement_description + '; k = ' + current.k + '; vk ' + current.vk_fingerprint.slice(0, 16) + '…' +
    (current.verifier ? '; verifier ' + current.verifier.address + ' on chain ' + current.verifier.chain_id : '');
  clearCanvas();
}

function showPrediction(p) {
  $('class').textContent = p.class_name;
  const tb = $('scores');
  tb.textContent = '';
  (p.scores || []).forEach((s, c) => {
    const tr = document.createElement('tr');
    const a = document.createElement('td');
    a.textContent = current.input.class_names ? current.input.class_names[c] : String(c);
    const b = document.createElement('td');
    b.textContent = s;
    tr.append(a, b);
    tb.appendChild(tr);
  });
}

async function predict() {
  if (current.input.kind === 'image' && !dirty) return;
  try {
    const v = await call('/v1/predict', Object.assign({ model: current.name }, input()));
    showPrediction(v.predictions[0]);
  } catch (e) {
    $('class').textContent = '–';
    $('status').textContent = 'Prediction failed: ' + e.message;
  }
}

// ---- prove, then have the proof checked by /v1/verify
$('prove').addEventListener('click', async () => {
  $('verdict').textContent = '';
  $('verdict').className = '';
  $('chain').textContent = '';
  $('proof').textContent = '';
  $('prove').disabled = true;
  $('status').textContent = 'Proving…';
  try {
    const one = input();
    const body = { model: current.name };
    if (current.statement.batch > 1) body.inputs = Array(current.statement.batch).fill(one);
    else Object.assign(body, one);
    if (current.statement.bind) body.bind_to = $('bind').value.trim();
    if (current.verifier && $('submit').checked) body.submit = true;
    const p = await call('/v1/prove', body);
    const im = p.images[0];
    $('status').textContent = 'Proved in ' + p.timing.prove_s.toFixed(2) + ' s (queued ' +
      p.timing.queue_s.toFixed(2) + ' s); checking the proof…';
    $('proof').textContent = JSON.stringify(p.proof, null, 1);
    const v = await call('/v1/verify', p.proof);
    const what = 'class ' + (current.input.class_names ? current.input.class_names[im.class] : im.class) +
      (im.scores ? ', scores [' + im.scores.join(', ') + ']' : ' (scores private)') +
      (im.commitment ? ', commitment ' + im.commitment.slice(0, 12) + '…' : '');
    if (v.valid) {
      $('verdict').textContent = 'Proof valid: ' + what;
      $('verdict').className = 'valid';
    } else {
      $('verdict').textContent = 'Proof INVALID' + (v.reason ? ': ' + v.reason : '');
      $('verdict').className = 'invalid';
    }
    if (p.chain) {
      $('chain').textContent = p.chain.submitted
        ? (p.chain.accepted ? 'Accepted on chain ' : 'REJECTED on chain ') + p.chain.chain_id +
          ': transaction ' + p.chain.tx_hash + ', ' + p.chain.gas_used + ' gas'
        : 'Not sent: ' + p.chain.error;
    }
    $('status').textContent = 'Done: proved in ' + p.timing.prove_s.toFixed(2) + ' s.';
  } catch (e) {
    $('status').textContent = 'Failed: ' + e.message;
  } finally {
    $('prove').disabled = false;
  }
});

$('model').addEventListener('change', () => {
  current = models.find((m) => m.name === $('model').value);
  setupInput();
});

async function loadModels() {
  try {
    const h = {};
    const t = $('token').value.trim();
    if (t) h.Authorization = 'Bearer ' + t;
    const r = await fetch('/v1/models', { headers: h });
    const v = await r.json();
    if (!r.ok) throw new Error(v.error ? v.error.message : 'HTTP ' + r.status);
    models = v.models;
  } catch (e) {
    $('status').textContent = 'Cannot list the models: ' + e.message + ' (give the token above)';
    return;
  }
  $('status').textContent = '';
  $('model').textContent = '';
  for (const m of models) {
    const o = document.createElement('option');
    o.value = o.textContent = m.name;
    $('model').appendChild(o);
  }
  current = models[0];
  setupInput();
  document.body.dataset.ready = '1';
}
$('token').addEventListener('change', loadModels);
$('server-form').addEventListener('submit', (e) => {
  e.preventDefault();
  loadModels();
});
loadModels();
