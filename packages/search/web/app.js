// The search page: plain browser JavaScript, no build step, talks only to this server's /api.
const RESULTS = 24;

const form = document.querySelector('#search-form');
const query = document.querySelector('#query');
const imageInput = document.querySelector('#image-input');
const chooseImage = document.querySelector('#choose-image');
const queryImage = document.querySelector('#query-image');
const statusLine = document.querySelector('#status');
const results = document.querySelector('#results');
const overlay = document.querySelector('#drop-overlay');

/** Only the latest search may draw its results: an older, slower one is dropped. */
let latest = 0;

function setStatus(text, isError = false) {
  statusLine.textContent = text;
  statusLine.classList.toggle('error', isError);
}

async function api(path, init) {
  const response = await fetch(path, init);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(`${response.status}: ${body.message ?? response.statusText}`);
  return body;
}

function formatScore(result) {
  const score = `similarity ${result.score.toFixed(3)}`;
  return result.probability === null ? score : `${score}, match ${(100 * result.probability).toFixed(1)}%`;
}

function resultItem(result) {
  const item = document.createElement('li');
  item.className = 'result';
  const button = document.createElement('button');
  button.type = 'button';
  button.dataset.id = result.id;
  button.dataset.path = result.path;
  button.setAttribute('aria-label', `${result.path}: more like this`);
  button.title = 'More like this';
  const image = document.createElement('img');
  image.src = `/api/images/${result.id}/thumbnail`;
  image.alt = result.path;
  image.loading = 'lazy';
  button.append(image);
  button.addEventListener('click', () => searchSimilar(result.id, result.path));
  const caption = document.createElement('div');
  caption.className = 'caption';
  const path = document.createElement('span');
  path.className = 'path';
  path.textContent = result.path;
  const score = document.createElement('span');
  score.className = 'score';
  score.textContent = `${formatScore(result)} · ${result.width}×${result.height}`;
  const open = document.createElement('a');
  open.href = `/api/images/${result.id}/file`;
  open.target = '_blank';
  open.rel = 'noopener';
  open.textContent = 'open original';
  caption.append(path, score, open);
  item.append(button, caption);
  return item;
}

async function run(describe, request) {
  const ticket = ++latest;
  setStatus(`Searching ${describe}…`);
  const started = performance.now();
  try {
    const body = await request();
    if (ticket !== latest) return;
    results.replaceChildren(...body.results.map(resultItem));
    const ms = Math.round(performance.now() - started);
    setStatus(body.results.length === 0 ? `No images found ${describe}.` : `${body.results.length} images ${describe} (${ms} ms).`);
  } catch (error) {
    if (ticket === latest) setStatus(`Search failed: ${error.message}`, true);
  }
}

function showQueryImage(file) {
  const image = queryImage.querySelector('img');
  if (image.src) URL.revokeObjectURL(image.src);
  if (file) image.src = URL.createObjectURL(file);
  queryImage.hidden = !file;
}

function searchText(text) {
  showQueryImage(null);
  history.replaceState(null, '', `?q=${encodeURIComponent(text)}`);
  return run(`for “${text}”`, () => api('/api/search/text', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text, k: RESULTS }) }));
}

function searchImage(file) {
  showQueryImage(file);
  history.replaceState(null, '', location.pathname);
  const type = /^image\/(png|jpeg|webp)$/.test(file.type) ? file.type : 'application/octet-stream';
  return run(`like ${file.name || 'the pasted image'}`, () => api(`/api/search/image?k=${RESULTS}`, { method: 'POST', headers: { 'content-type': type }, body: file }));
}

function searchSimilar(id, path) {
  showQueryImage(null);
  history.replaceState(null, '', `?like=${id}`);
  return run(`like ${path}`, () => api('/api/search/similar', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id, k: RESULTS }) }));
}

function firstImage(files) {
  return [...(files ?? [])].find((file) => file.type.startsWith('image/')) ?? files?.[0];
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = query.value.trim();
  if (text) searchText(text);
});

chooseImage.addEventListener('click', () => imageInput.click());
imageInput.addEventListener('change', () => {
  const file = imageInput.files[0];
  if (file) searchImage(file);
  imageInput.value = '';
});

// Drag and drop anywhere on the page.
let dragDepth = 0;
window.addEventListener('dragenter', (event) => {
  if (![...event.dataTransfer.types].includes('Files')) return;
  dragDepth++;
  overlay.hidden = false;
});
window.addEventListener('dragleave', () => {
  dragDepth = Math.max(0, dragDepth - 1);
  if (dragDepth === 0) overlay.hidden = true;
});
window.addEventListener('dragover', (event) => event.preventDefault());
window.addEventListener('drop', (event) => {
  event.preventDefault();
  dragDepth = 0;
  overlay.hidden = true;
  const file = firstImage(event.dataTransfer.files);
  if (file) searchImage(file);
});

// Paste an image (a screenshot, a copied image) anywhere.
document.addEventListener('paste', (event) => {
  const file = firstImage(event.clipboardData?.files);
  if (!file) return;
  event.preventDefault();
  searchImage(file);
});

// Arrow keys move between results, row by row as the grid lays them out.
results.addEventListener('keydown', (event) => {
  const buttons = [...results.querySelectorAll('button')];
  const at = buttons.indexOf(document.activeElement);
  if (at < 0) return;
  const columns = Math.max(1, buttons.filter((b) => b.offsetTop === buttons[0].offsetTop).length);
  const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns, ArrowUp: -columns }[event.key];
  if (step === undefined) return;
  event.preventDefault();
  buttons[Math.min(buttons.length - 1, Math.max(0, at + step))].focus();
});

async function start() {
  query.focus();
  try {
    const health = await api('/api/health');
    setStatus(`${health.images} images indexed. Type a description, or drop or paste an image.`);
  } catch (error) {
    setStatus(`The server does not answer: ${error.message}`, true);
  }
  const params = new URLSearchParams(location.search);
  if (params.get('q')) {
    query.value = params.get('q');
    searchText(query.value);
  } else if (params.get('like')) {
    searchSimilar(params.get('like'), 'the chosen image');
  }
}

start();
