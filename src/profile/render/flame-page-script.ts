/**
 * The flame graph page's script (plain browser JavaScript, no dependencies, no network). It reads the FlameData
 * JSON from a <script type="application/json"> element and draws on canvas; names only ever reach the page
 * through fillText and textContent, never as markup.
 *
 * Speed on big profiles: the tree is laid out once per view change into typed arrays (children in compressed
 * rows, widest first); a redraw walks the tree from the roots and prunes every subtree narrower than a third of
 * a pixel, so it touches only what is visible. Focus/hide rebuild the tree in one pass over the nodes.
 */
export const FLAME_PAGE_SCRIPT = String.raw`
(function () {
'use strict';
var D = JSON.parse(document.getElementById('flame-data').textContent);
var ROW = 17, MIN_PX = 0.34;
var isDiff = !!D.diff;
var F = D.names.length, N = D.frame.length;
function $(id) { return document.getElementById(id); }
var st = { view: 'flame', icicle: false, search: null, focus: null, hide: null, widthMode: 'both', sandwich: -1 };

// Roots' sums of the original profile(s): the base of every percentage (and of the diff normalisation).
var afterRoot = 0, beforeRoot = 0;
for (var i = 0; i < N; i++) if (D.parent[i] < 0) { afterRoot += D.total[i]; if (isDiff) beforeRoot += D.diff.beforeTotal[i]; }

function matchFrames(re) {
  if (!re) return null;
  var m = new Uint8Array(F);
  for (var f = 0; f < F; f++) m[f] = re.test(D.names[f]) || (D.locations[f] !== '' && re.test(D.locations[f])) ? 1 : 0;
  return m;
}

// ---------- trees ----------
// A tree: n nodes with frame, parent, self and total (after), bself and btotal (before, diff only), val (what the
// width shows), children in compressed rows sorted widest first, depth, x (left-heavy offset in val units).
function finishTree(t) {
  var n = t.n, k;
  if (!t.total) {
    t.total = new Float64Array(n); t.btotal = isDiff ? new Float64Array(n) : null;
    for (k = 0; k < n; k++) { t.total[k] = t.self[k]; if (isDiff) t.btotal[k] = t.bself[k]; }
    for (k = n - 1; k >= 0; k--) { var p = t.parent[k]; if (p >= 0) { t.total[p] += t.total[k]; if (isDiff) t.btotal[p] += t.btotal[k]; } }
  }
  t.val = new Float64Array(n);
  for (k = 0; k < n; k++) t.val[k] = value(t.total[k], isDiff ? t.btotal[k] : 0);
  var start = new Int32Array(n + 2);
  t.depth = new Int32Array(n); t.maxDepth = 0;
  for (k = 0; k < n; k++) {
    var q = t.parent[k];
    start[q + 2]++;
    t.depth[k] = q < 0 ? 0 : t.depth[q] + 1;
    if (t.depth[k] > t.maxDepth) t.maxDepth = t.depth[k];
  }
  for (k = 0; k <= n; k++) start[k + 1] += start[k];
  var list = new Int32Array(n), fill = start.slice(0, n + 1);
  for (k = 0; k < n; k++) list[fill[t.parent[k] + 1]++] = k;
  var val = t.val;
  for (k = 0; k <= n; k++) {
    var a = start[k], b = start[k + 1];
    if (b - a > 1) { var sub = Array.prototype.slice.call(list.subarray(a, b)); sub.sort(function (x, y) { return val[y] - val[x]; }); list.set(sub, a); }
  }
  t.start = start; t.list = list; // children of node k: list[start[k+1] .. start[k+2]); roots: list[start[0] .. start[1])
  t.x = new Float64Array(n);
  var stack = [], acc = 0;
  for (k = start[0]; k < start[1]; k++) { t.x[list[k]] = acc; acc += val[list[k]]; stack.push(list[k]); }
  t.rootVal = acc;
  while (stack.length) {
    var node = stack.pop(), x = t.x[node];
    for (k = start[node + 1]; k < start[node + 2]; k++) { var c = list[k]; t.x[c] = x; x += val[c]; stack.push(c); }
  }
  return t;
}

function value(after, before) {
  if (!isDiff) return after;
  var a = afterRoot > 0 ? after / afterRoot : 0, b = beforeRoot > 0 ? before / beforeRoot : 0;
  return st.widthMode === 'after' ? a : st.widthMode === 'before' ? b : (a + b) / 2;
}

/** The call tree after focus (re-rooted at matching frames) and hide (matching frames removed). */
function buildMain() {
  var fm = matchFrames(st.focus), hm = matchFrames(st.hide);
  if (!fm && !hm) {
    return finishTree({ n: N, frame: D.frame, parent: D.parent, self: D.self, bself: isDiff ? D.diff.beforeSelf : null,
      total: D.total, btotal: isDiff ? D.diff.beforeTotal : null, map: null });
  }
  var map = new Int32Array(N), key = new Map(), frame = [], parent = [], self = [], bself = [];
  for (var i = 0; i < N; i++) {
    var p = D.parent[i], f = D.frame[i];
    var up = p < 0 ? (fm ? -2 : -1) : map[p];
    if (up === -2) { if (fm[f]) up = -1; else { map[i] = -2; continue; } }
    var m;
    if (hm && hm[f]) m = up;
    else {
      var k = (up + 1) * F + f;
      m = key.get(k);
      if (m === undefined) { m = frame.length; key.set(k, m); frame.push(f); parent.push(up); self.push(0); bself.push(0); }
    }
    map[i] = m;
    if (m >= 0) { self[m] += D.self[i]; if (isDiff) bself[m] += D.diff.beforeSelf[i]; }
  }
  return finishTree({ n: frame.length, frame: frame, parent: parent, self: self, bself: bself, map: map });
}

/** Sandwich halves for frame fr: callees (every topmost call of fr merged, with what it calls) and callers (inverted). */
function buildSandwich(t, fr) {
  var n = t.n, inside = new Int32Array(n), key = new Map();
  var ce = { frame: [], parent: [], self: [], bself: [] };
  var cr = { frame: [], parent: [], self: [], bself: [] };
  function child(tr, up, f) {
    var k = (tr === ce ? 'e' : 'r') + ((up + 1) * F + f);
    var m = key.get(k);
    if (m === undefined) { m = tr.frame.length; key.set(k, m); tr.frame.push(f); tr.parent.push(up); tr.self.push(0); tr.bself.push(0); }
    return m;
  }
  for (var i = 0; i < n; i++) {
    var p = t.parent[i], f = t.frame[i];
    var up = p < 0 ? -2 : inside[p];
    var m = up >= 0 ? child(ce, up, f) : f === fr ? child(ce, -1, f) : -2;
    inside[i] = m;
    if (m >= 0) { ce.self[m] += t.self[i]; if (isDiff) ce.bself[m] += t.bself[i]; }
    if (f === fr && up < 0) {
      // a topmost call of fr: its total goes up the inverted path of its callers
      var r = child(cr, -1, f), a = p;
      var tot = t.total[i], btot = isDiff ? t.btotal[i] : 0;
      var chain = [r];
      while (a >= 0) { r = child(cr, r, t.frame[a]); chain.push(r); a = t.parent[a]; }
      cr.self[chain[chain.length - 1]] += tot; if (isDiff) cr.bself[chain[chain.length - 1]] += btot;
    }
  }
  ce.n = ce.frame.length; cr.n = cr.frame.length;
  return { callees: finishTree(ce), callers: finishTree(cr) };
}

/** Time order: slices of the timeline become blocks per depth; consecutive slices sharing a stack prefix merge. */
function buildTimeline(t) {
  var tl = D.timeline; if (!tl) return null;
  var bn = [], bx = [], bw = [], bd = [], open = [], openX = [], x = 0, path = [];
  function close(from) { for (var d = open.length - 1; d >= from; d--) { bn.push(open[d]); bx.push(openX[d]); bw.push(x - openX[d]); bd.push(d); } open.length = from; openX.length = from; }
  for (var s = 0; s < tl.node.length; s++) {
    var leaf = t.map ? t.map[tl.node[s]] : tl.node[s];
    var w = isDiff ? 0 : tl.weight[s];
    if (leaf < 0) continue;
    path.length = 0;
    for (var a = leaf; a >= 0; a = t.parent[a]) path.push(a);
    path.reverse();
    var k = 0;
    while (k < open.length && k < path.length && open[k] === path[k]) k++;
    close(k);
    for (; k < path.length; k++) { open.push(path[k]); openX.push(x); }
    x += w;
  }
  close(0);
  return { n: bn.length, node: Int32Array.from(bn), x: Float64Array.from(bx), w: Float64Array.from(bw), depth: Int32Array.from(bd), total: x,
    maxDepth: bd.reduce(function (m, d) { return d > m ? d : m; }, 0) };
}

// ---------- colours ----------
var HUES = { database: 205, serialization: 32, logging: 280, gc: 355, regexp: 318, 'compression/crypto': 168, 'node core': 95,
  'your code': 14, dependency: 52, framework: 235, 'runtime/stdlib': 75, kernel: 190 };
function hash(s) { var h = 0; for (var k = 0; k < s.length; k++) h = (h * 31 + s.charCodeAt(k)) >>> 0; return h; }
var frameColor = D.names.map(function (name, f) {
  var h = hash(name), cat = D.categories[f], base = HUES[cat];
  if (cat === 'v8/native' || cat === '') return 'hsl(' + (30 + h % 20) + ',' + (8 + h % 10) + '%,' + (68 + h % 14) + '%)';
  return 'hsl(' + ((base === undefined ? 20 + h % 40 : base + (h % 16) - 8) + 360) % 360 + ',' + (52 + h % 25) + '%,' + (58 + h % 16) + '%)';
});
var maxDelta = 0;
function diffColor(t, i) {
  var a = afterRoot > 0 ? t.total[i] / afterRoot : 0, b = beforeRoot > 0 ? t.btotal[i] / beforeRoot : 0;
  if (b > 0 && a === 0) return 'rgb(70,110,235)';
  if (a > 0 && b === 0) return 'rgb(235,60,50)';
  var d = a - b, s = maxDelta > 0 ? Math.sqrt(Math.min(1, Math.abs(d) / maxDelta)) : 0;
  if (s < 0.02) return 'rgb(222,222,222)';
  var lo = Math.round(225 - 175 * s);
  return d > 0 ? 'rgb(250,' + lo + ',' + lo + ')' : 'rgb(' + lo + ',' + lo + ',250)';
}
function computeMaxDelta(t) {
  maxDelta = 0;
  if (!isDiff) return;
  for (var i = 0; i < t.n; i++) {
    var d = Math.abs((afterRoot > 0 ? t.total[i] / afterRoot : 0) - (beforeRoot > 0 ? t.btotal[i] / beforeRoot : 0));
    if (d > maxDelta) maxDelta = d;
  }
}

// ---------- formatting ----------
function fmt(v) {
  var u = D.unit;
  if (u === 'us') return v >= 1e6 ? (v / 1e6).toFixed(2) + ' s' : (v / 1e3).toFixed(1) + ' ms';
  if (u === 'ns') return v >= 1e9 ? (v / 1e9).toFixed(2) + ' s' : (v / 1e6).toFixed(1) + ' ms';
  if (u === 'ms') return v >= 1e3 ? (v / 1e3).toFixed(2) + ' s' : v.toFixed(1) + ' ms';
  if (u === 'bytes') return v >= 1048576 ? (v / 1048576).toFixed(2) + ' MB' : (v / 1024).toFixed(1) + ' KB';
  return Math.round(v).toLocaleString() + ' ' + u;
}
function pct(x, of) { return of > 0 ? (100 * x / of).toFixed(2) + '%' : '–'; }

// ---------- panes: a canvas in a scrolling box, drawn from a tree or a timeline ----------
function Pane(box, flip) {
  this.box = box; this.flip = flip;
  this.spacer = document.createElement('div'); box.appendChild(this.spacer);
  this.cv = document.createElement('canvas'); box.appendChild(this.cv);
  this.ctx = this.cv.getContext('2d');
  this.rects = []; this.t = null; this.tl = null; this.vx0 = 0; this.vx1 = 1;
  var self = this;
  box.addEventListener('scroll', function () { self.draw(); });
  this.cv.addEventListener('mousemove', function (e) { hover(self, e); });
  this.cv.addEventListener('mouseleave', function () { $('tip').style.display = 'none'; });
  this.cv.addEventListener('click', function (e) { var h = self.at(e); if (h) self.zoomTo(h[0], h[1]); else self.reset(); });
  this.cv.addEventListener('contextmenu', function (e) { var h = self.at(e); if (h) { e.preventDefault(); openSandwich(self.frameOf(h[2])); } });
}
Pane.prototype.setTree = function (t) { this.t = t; this.tl = null; this.reset(true); };
Pane.prototype.setTimeline = function (t, tl) { this.t = t; this.tl = tl; this.reset(true); };
Pane.prototype.frameOf = function (node) { return this.t.frame[node]; };
Pane.prototype.total = function () { return this.tl ? this.tl.total : this.t.rootVal; };
Pane.prototype.reset = function (scroll) {
  this.vx0 = 0; this.vx1 = this.total() || 1;
  var depth = (this.tl ? this.tl.maxDepth : this.t.maxDepth) + 1;
  this.height = (depth + 1) * ROW;
  this.spacer.style.height = this.height + 'px';
  if (scroll) this.box.scrollTop = this.flip ? this.height : 0;
  this.draw();
};
Pane.prototype.zoomTo = function (x, w) { if (w > 0) { this.vx0 = x; this.vx1 = x + w; this.draw(); } };
Pane.prototype.y = function (d) { return this.flip ? Math.max(this.height, this.box.clientHeight) - (d + 1) * ROW : d * ROW; };
Pane.prototype.at = function (e) {
  var b = this.cv.getBoundingClientRect(), x = e.clientX - b.left, y = e.clientY - b.top, r = this.rects;
  for (var k = r.length - 4; k >= 0; k -= 4) if (x >= r[k] && x <= r[k] + r[k + 2] && y >= r[k + 1] && y < r[k + 1] + ROW) {
    var node = r[k + 3];
    return this.tl ? [this.tl.x[node], this.tl.w[node], this.tl.node[node]] : [this.t.x[node], this.t.val[node], node];
  }
  return null;
};
Pane.prototype.draw = function () {
  var box = this.box, W = box.clientWidth, H = box.clientHeight, dpr = window.devicePixelRatio || 1;
  if (!this.t || W === 0) return;
  var cv = this.cv, ctx = this.ctx;
  if (cv.width !== Math.round(W * dpr) || cv.height !== Math.round(H * dpr)) { cv.width = Math.round(W * dpr); cv.height = Math.round(H * dpr); }
  cv.style.width = W + 'px'; cv.style.height = H + 'px'; cv.style.top = box.scrollTop + 'px';
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, W, H);
  ctx.font = '11px system-ui,sans-serif'; ctx.textBaseline = 'middle';
  this.rects = [];
  var top = box.scrollTop, scale = W / (this.vx1 - this.vx0), vx0 = this.vx0, self = this;
  var matched = searchMatches;
  function paint(id, node, x, w, d) {
    var y = self.y(d) - top;
    if (y < -ROW || y > H) return;
    var px = (x - vx0) * scale, pw = w * scale;
    var t = self.t, f = t.frame[node];
    ctx.fillStyle = matched && matched[node] ? '#e619e6' : isDiff ? diffColor(t, node) : frameColor[f];
    ctx.fillRect(px, y, Math.max(pw - 0.6, 0.6), ROW - 1);
    if (pw > 28) {
      ctx.save(); ctx.beginPath(); ctx.rect(px, y, pw - 3, ROW); ctx.clip();
      ctx.fillStyle = '#111'; ctx.fillText(D.names[f], Math.max(px, 0) + 3, y + ROW / 2); ctx.restore();
    }
    self.rects.push(px, y, pw, id);
  }
  if (this.tl) {
    var tl = this.tl;
    for (var b = 0; b < tl.n; b++) {
      var bw = tl.w[b]; if (bw * scale < MIN_PX) continue;
      var bx = tl.x[b]; if (bx + bw < vx0 || bx > this.vx1) continue;
      paint(b, tl.node[b], bx, bw, tl.depth[b]);
    }
    return;
  }
  var t = this.t, stack = [];
  for (var k = t.start[0]; k < t.start[1]; k++) stack.push(t.list[k]);
  while (stack.length) {
    var n = stack.pop(), x = t.x[n], w = t.val[n];
    if (w * scale < MIN_PX || x + w < vx0 || x > this.vx1) continue; // prunes the whole subtree
    paint(n, n, x, w, t.depth[n]);
    for (var c = t.start[n + 1]; c < t.start[n + 2]; c++) stack.push(t.list[c]);
  }
};

function hover(pane, e) {
  var h = pane.at(e), tip = $('tip');
  if (!h) { tip.style.display = 'none'; return; }
  var t = pane.t, node = h[2], f = t.frame[node], lines = [D.names[f]];
  if (D.locations[f]) lines.push(D.locations[f]);
  if (D.categories[f]) lines.push('category: ' + D.categories[f]);
  if (isDiff) {
    var a = afterRoot ? t.total[node] / afterRoot : 0, b = beforeRoot ? t.btotal[node] / beforeRoot : 0;
    lines.push('total: ' + (100 * b).toFixed(2) + '% → ' + (100 * a).toFixed(2) + '% (' + (a >= b ? '+' : '') + (100 * (a - b)).toFixed(2) + ' points)');
    var sa = afterRoot ? t.self[node] / afterRoot : 0, sb = beforeRoot ? t.bself[node] / beforeRoot : 0;
    lines.push('self: ' + (100 * sb).toFixed(2) + '% → ' + (100 * sa).toFixed(2) + '%');
  } else if (pane.tl) {
    lines.push('this stretch: ' + fmt(h[1]));
    lines.push('total: ' + fmt(t.total[node]) + ' (' + pct(t.total[node], afterRoot) + ')');
  } else {
    lines.push('total: ' + fmt(t.total[node]) + ' (' + pct(t.total[node], afterRoot) + ')');
    lines.push('self: ' + fmt(t.self[node]) + ' (' + pct(t.self[node], afterRoot) + ')');
  }
  lines.push('click: zoom · right-click: sandwich');
  tip.textContent = lines.join('\n');
  tip.style.display = 'block';
  tip.style.left = Math.min(e.clientX + 14, window.innerWidth - 420) + 'px';
  tip.style.top = Math.min(e.clientY + 14, window.innerHeight - 140) + 'px';
}

// ---------- state → views ----------
var main = null, timeline = null, sandwichTrees = null, searchMatches = null;
var mainPane = new Pane($('main'), true);
var callersPane = new Pane($('callers'), true);
var calleesPane = new Pane($('callees'), false);

function rebuild() {
  main = buildMain(); timeline = null; sandwichTrees = null;
  computeMaxDelta(main);
  updateSearch();
  show();
  renderTable();
}
function show() {
  var sw = st.view === 'sandwich' && st.sandwich >= 0;
  $('main').style.display = sw ? 'none' : 'block';
  $('sandwich').style.display = sw ? 'block' : 'none';
  mainPane.flip = !st.icicle;
  if (sw) {
    if (!sandwichTrees) sandwichTrees = buildSandwich(main, st.sandwich);
    $('sandwich-title').textContent = D.names[st.sandwich];
    searchMatches = null;
    callersPane.setTree(sandwichTrees.callers); calleesPane.setTree(sandwichTrees.callees);
  } else if (st.view === 'time' && D.timeline) {
    if (!timeline) timeline = buildTimeline(main);
    mainPane.setTimeline(main, timeline);
  } else mainPane.setTree(main);
  var btns = document.querySelectorAll('[data-view]');
  for (var k = 0; k < btns.length; k++) btns[k].classList.toggle('on', btns[k].getAttribute('data-view') === st.view);
}
function updateSearch() {
  searchMatches = null;
  var status = $('status');
  if (!st.search) { status.textContent = fmt(afterRoot) + ' in ' + N.toLocaleString() + ' stack nodes' + (D.timeline && D.timeline.downsampled ? ' · time order downsampled' : ''); return; }
  var t = main, m = new Uint8Array(t.n), above = new Uint8Array(t.n), share = 0, fm = matchFrames(st.search);
  for (var i = 0; i < t.n; i++) {
    var p = t.parent[i];
    m[i] = fm[t.frame[i]];
    above[i] = p >= 0 && (above[p] || m[p]) ? 1 : 0;
    if (m[i] && !above[i]) share += t.val[i];
  }
  searchMatches = m;
  status.textContent = 'matched ' + (t.rootVal > 0 ? (100 * share / t.rootVal).toFixed(2) : '0') + '% of ' + (st.focus || st.hide ? 'the view' : 'the profile');
}
function openSandwich(frame) { st.sandwich = frame; st.view = 'sandwich'; sandwichTrees = null; show(); }
function regex(id) {
  var v = $(id).value, el = $(id);
  el.classList.remove('bad');
  if (!v) return null;
  try { return new RegExp(v, 'i'); } catch (e) { el.classList.add('bad'); return null; }
}

// ---------- tables ----------
function cell(tr, text, cls) { var td = document.createElement('td'); td.textContent = text; if (cls) td.className = cls; tr.appendChild(td); return td; }
function renderTable() {
  var table = $('table'), head = $('table-head');
  table.textContent = '';
  var hr = document.createElement('tr');
  if (isDiff) {
    $('table-title').textContent = 'Largest changes (share of each profile)';
    ['Function', 'Self before', 'Self after', 'Δ self', 'Total before', 'Total after', 'Δ total', ''].forEach(function (h) { cell(hr, h); });
    head.textContent = ''; head.appendChild(hr);
    D.diff.changes.forEach(function (c) {
      var tr = document.createElement('tr');
      cell(tr, c.name + (c.file ? '  ' + c.file.split('/').slice(-2).join('/') : ''));
      cell(tr, c.beforeSelfPct.toFixed(2) + '%', 'n'); cell(tr, c.afterSelfPct.toFixed(2) + '%', 'n');
      cell(tr, (c.deltaSelfPct > 0 ? '+' : '') + c.deltaSelfPct.toFixed(2), 'n ' + (c.deltaSelfPct > 0 ? 'up' : 'down'));
      cell(tr, c.beforeTotalPct.toFixed(2) + '%', 'n'); cell(tr, c.afterTotalPct.toFixed(2) + '%', 'n');
      cell(tr, (c.deltaTotalPct > 0 ? '+' : '') + c.deltaTotalPct.toFixed(2), 'n ' + (c.deltaTotalPct > 0 ? 'up' : 'down'));
      cell(tr, c.status);
      table.appendChild(tr);
    });
    return;
  }
  $('table-title').textContent = 'Functions by self time (right-click a frame or click a name for its sandwich view)';
  ['Function', 'Self', 'Self %', 'Total', 'Total %', 'Category', 'Location'].forEach(function (h) { cell(hr, h); });
  head.textContent = ''; head.appendChild(hr);
  // per frame: self, and total counted once per stack (topmost occurrence)
  var t = main, self = new Float64Array(F), total = new Float64Array(F), onPath = new Int32Array(F), stack = [];
  for (var k = t.start[0]; k < t.start[1]; k++) stack.push(t.list[k]);
  while (stack.length) {
    var e = stack.pop();
    if (e < 0) { onPath[t.frame[~e]]--; continue; }
    var f = t.frame[e];
    self[f] += t.self[e];
    if (onPath[f] === 0) total[f] += t.total[e];
    onPath[f]++; stack.push(~e);
    for (var c = t.start[e + 1]; c < t.start[e + 2]; c++) stack.push(t.list[c]);
  }
  var order = [];
  for (var g = 0; g < F; g++) if (self[g] > 0 || total[g] > 0) order.push(g);
  order.sort(function (a, b) { return self[b] - self[a] || total[b] - total[a]; });
  order.slice(0, 150).forEach(function (g) {
    var tr = document.createElement('tr');
    var a = cell(tr, D.names[g], 'fn');
    a.addEventListener('click', function () { openSandwich(g); window.scrollTo(0, 0); });
    cell(tr, fmt(self[g]), 'n'); cell(tr, pct(self[g], afterRoot), 'n'); cell(tr, fmt(total[g]), 'n'); cell(tr, pct(total[g], afterRoot), 'n');
    cell(tr, D.categories[g] || ''); cell(tr, D.locations[g] || '', 'loc');
    table.appendChild(tr);
  });
}

// ---------- controls ----------
$('search').addEventListener('input', function () { st.search = regex('search'); updateSearch(); mainPane.draw(); });
$('focus').addEventListener('change', function () { st.focus = regex('focus'); rebuild(); });
$('hide').addEventListener('change', function () { st.hide = regex('hide'); rebuild(); });
$('icicle').addEventListener('change', function (e) { st.icicle = e.target.checked; show(); });
$('reset').addEventListener('click', function () { mainPane.reset(); callersPane.reset(); calleesPane.reset(); });
var views = document.querySelectorAll('[data-view]');
for (var v = 0; v < views.length; v++) views[v].addEventListener('click', function (e) {
  var want = e.currentTarget.getAttribute('data-view');
  if (want === 'sandwich' && st.sandwich < 0) { alert('Right-click a frame, or click a function in the table, to see its callers and callees.'); return; }
  st.view = want; show();
});
if (!D.timeline) { var tb = document.querySelector('[data-view=time]'); tb.disabled = true; tb.title = 'this profile has no sample times'; }
if (isDiff) {
  $('width-mode').style.display = 'inline';
  $('width-mode').addEventListener('change', function (e) { st.widthMode = e.target.value; rebuild(); });
  $('legend').textContent = 'red: grew · blue: shrank (share of ' + D.diff.beforeName + ' → ' + D.diff.afterName + ') · vivid: new or gone';
}
document.addEventListener('keydown', function (e) { if (e.key === 'Escape') { mainPane.reset(); callersPane.reset(); calleesPane.reset(); } });
window.addEventListener('resize', function () { mainPane.draw(); callersPane.draw(); calleesPane.draw(); });
rebuild();
window.__flameReady = true;
})();
`;
