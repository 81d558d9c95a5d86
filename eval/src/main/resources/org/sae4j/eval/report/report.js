// The sae4j feature browser: three views over the data files beside this page (layout: docs/report-data.md).
//   #            the index of all features: density histogram, filters, a sortable virtual table
//   #feature/N   one feature: activation histogram, examples shaded by activation, logit and ablation effects,
//                nearest features by decoder cosine
//   #run         the run: SAE config, training curves, evaluation table
// Plain ES2017 and SVG, no libraries and no modules (module scripts do not load from file://).
(function () {
  'use strict';

  var S = window.sae4j;
  var summary = S.data.summary;
  var index = S.data.index;
  var app = document.getElementById('app');
  // What the page did, for people and for the headless-browser test: timings in milliseconds since the page began
  // loading, errors as text.
  var report = window.sae4jReport = {view: null, ready: false, errors: [], timings: {}};

  window.addEventListener('error', function (e) { report.errors.push(String(e.message)); });
  if (!summary || !index) {
    app.textContent = 'The report\'s data files (data/summary.js, data/index.js) are missing beside this page.';
    report.errors.push('data files missing');
    return;
  }

  // ---------------------------------------------------------------- DOM and number helpers

  function el(tag, attrs) {
    var node = document.createElement(tag);
    setAttrs(node, attrs);
    for (var i = 2; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }

  var SVG = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    setAttrs(node, attrs);
    for (var i = 2; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }

  function setAttrs(node, attrs) {
    for (var k in attrs || {}) {
      if (attrs[k] == null) continue;
      if (k === 'text') node.textContent = attrs[k];
      else if (k.slice(0, 2) === 'on') node.addEventListener(k.slice(2), attrs[k]);
      else node.setAttribute(k, attrs[k]);
    }
  }

  function append(node, child) {
    if (child == null || child === false) return;
    if (Array.isArray(child)) child.forEach(function (c) { append(node, c); });
    else node.appendChild(typeof child === 'string' || typeof child === 'number'
        ? document.createTextNode(String(child)) : child);
  }

  function fmt(v, digits) {
    if (v == null || (typeof v === 'number' && isNaN(v))) return '–';
    if (typeof v !== 'number') return String(v);
    if (v === 0) return '0';
    var a = Math.abs(v);
    if (Number.isInteger(v) && a < 1e15) return v.toLocaleString('en');
    if (a >= 1e5 || a < 1e-3) return v.toExponential(digits == null ? 2 : digits - 1);
    return Number(v.toPrecision(digits || 4)).toString();
  }

  // Axis numbers: 204800 → 205k, 2000000 → 2M.
  function si(v) {
    var a = Math.abs(v);
    if (a >= 1e9) return Number((v / 1e9).toPrecision(3)) + 'G';
    if (a >= 1e6) return Number((v / 1e6).toPrecision(3)) + 'M';
    if (a >= 1e4) return Number((v / 1e3).toPrecision(3)) + 'k';
    return fmt(v, 3);
  }

  function pct(v) { return v == null ? '–' : (100 * v).toPrecision(3) + '%'; }

  // A token as it should look in a line of text: newlines and tabs made visible, spaces kept.
  function shown(token) { return token.replace(/\n/g, '↵').replace(/\t/g, '⇥'); }

  function missingBox(what) { return el('p', {class: 'missing'}, what); }

  // ---------------------------------------------------------------- loading per-feature data (lazily)

  function load(key, src) {
    if (S.data[key]) return Promise.resolve(S.data[key]);
    return new Promise(function (resolve, reject) {
      (S.waiting[key] = S.waiting[key] || []).push(resolve);
      var script = el('script', {src: src});
      script.onerror = function () {
        delete S.waiting[key];
        reject(new Error('cannot load ' + src));
      };
      document.head.appendChild(script);
    });
  }

  function loadFeature(j) { return load('feature/' + j, 'data/features/' + j + '.js'); }

  // ---------------------------------------------------------------- charts

  // Bars over bins: edges [n+1], counts [n]. opts: width, height, xLabel, yLabel, tick (edge → label),
  // extra {label, count, title} drawn apart at the left, onBar(b), selected (bin index or 'extra').
  function barChart(edges, counts, opts) {
    var w = opts.width || 420, h = opts.height || 150, pad = {l: 40, r: 8, t: 8, b: 34};
    var extraW = opts.extra ? 40 : 0;
    var pw = w - pad.l - pad.r - extraW, ph = h - pad.t - pad.b;
    var max = Math.max(1, Math.max.apply(null, counts.concat(opts.extra ? [opts.extra.count] : [])));
    var root = svg('svg', {class: 'chart bars', width: w, height: h, viewBox: '0 0 ' + w + ' ' + h, role: 'img'});
    root.appendChild(svg('line', {x1: pad.l + extraW, x2: w - pad.r, y1: pad.t + ph, y2: pad.t + ph, class: 'axis'}));
    root.appendChild(svg('text', {x: pad.l - 4, y: pad.t + 8, class: 'tick', 'text-anchor': 'end', text: fmt(max, 3)}));
    root.appendChild(svg('text', {x: pad.l - 4, y: pad.t + ph, class: 'tick', 'text-anchor': 'end', text: '0'}));
    var bw = pw / counts.length;
    function bar(x, width, count, title, selected, onclick) {
      var bh = count > 0 ? Math.max(1, ph * count / max) : 0;
      var g = svg('g', {class: 'bar' + (selected ? ' selected' : '') + (onclick ? ' clickable' : ''),
        onclick: onclick});
      g.appendChild(svg('rect', {x: x, y: pad.t, width: Math.max(1, width), height: ph, class: 'hit'}));
      g.appendChild(svg('rect', {x: x + 0.5, y: pad.t + ph - bh, width: Math.max(1, width - 1), height: bh}));
      g.appendChild(svg('title', {text: title}));
      return g;
    }
    if (opts.extra) {
      root.appendChild(bar(pad.l, 18, opts.extra.count, opts.extra.title, opts.selected === 'extra',
          opts.onBar ? function () { opts.onBar('extra'); } : null));
      root.appendChild(svg('text', {x: pad.l + 9, y: h - 20, class: 'tick', 'text-anchor': 'middle',
        text: opts.extra.label}));
    }
    counts.forEach(function (c, b) {
      var title = c + ' in [' + fmt(edges[b], 3) + ', ' + fmt(edges[b + 1], 3) + ')';
      root.appendChild(bar(pad.l + extraW + b * bw, bw, c, title, opts.selected === b,
          opts.onBar ? function () { opts.onBar(b); } : null));
    });
    var ticks = opts.ticks || [0, Math.floor(counts.length / 2), counts.length];
    ticks.forEach(function (b) {
      root.appendChild(svg('text', {x: pad.l + extraW + b * bw, y: h - 20, class: 'tick', 'text-anchor': 'middle',
        text: (opts.tick || function (e) { return fmt(e, 3); })(edges[b])}));
    });
    root.appendChild(svg('text', {x: pad.l + extraW + pw / 2, y: h - 4, class: 'label', 'text-anchor': 'middle',
      text: opts.xLabel || ''}));
    return root;
  }

  // A line over (x, y) pairs, nulls skipped. opts: width, height, title, xLabel.
  function lineChart(xs, ys, opts) {
    var w = opts.width || 320, h = opts.height || 170, pad = {l: 48, r: 10, t: 22, b: 30};
    var pw = w - pad.l - pad.r, ph = h - pad.t - pad.b;
    var pts = [];
    for (var i = 0; i < xs.length; i++) {
      if (xs[i] != null && ys[i] != null && isFinite(xs[i]) && isFinite(ys[i])) pts.push([xs[i], ys[i]]);
    }
    var root = svg('svg', {class: 'chart line', width: w, height: h, viewBox: '0 0 ' + w + ' ' + h, role: 'img'});
    root.appendChild(svg('text', {x: pad.l, y: 14, class: 'chart-title', text: opts.title}));
    if (pts.length === 0) {
      root.appendChild(svg('text', {x: pad.l, y: pad.t + ph / 2, class: 'tick', text: 'no values'}));
      return root;
    }
    var x0 = Math.min.apply(null, pts.map(function (p) { return p[0]; }));
    var x1 = Math.max.apply(null, pts.map(function (p) { return p[0]; }));
    var y0 = Math.min.apply(null, pts.map(function (p) { return p[1]; }));
    var y1 = Math.max.apply(null, pts.map(function (p) { return p[1]; }));
    if (y0 > 0 && y0 < 0.25 * y1) y0 = 0;
    if (x1 === x0) x1 = x0 + 1;
    if (y1 === y0) { y1 = y0 + (Math.abs(y0) || 1) * 0.05; y0 = y0 - (Math.abs(y0) || 1) * 0.05; }
    function X(v) { return pad.l + pw * (v - x0) / (x1 - x0); }
    function Y(v) { return pad.t + ph * (1 - (v - y0) / (y1 - y0)); }
    [0, 0.5, 1].forEach(function (f) {
      var v = y0 + f * (y1 - y0);
      root.appendChild(svg('line', {x1: pad.l, x2: w - pad.r, y1: Y(v), y2: Y(v), class: 'grid'}));
      root.appendChild(svg('text', {x: pad.l - 4, y: Y(v) + 4, class: 'tick', 'text-anchor': 'end', text: fmt(v, 3)}));
    });
    [0, 1].forEach(function (f) {
      var v = x0 + f * (x1 - x0);
      root.appendChild(svg('text', {x: X(v), y: h - 14, class: 'tick', 'text-anchor': f ? 'end' : 'start',
        text: si(v)}));
    });
    root.appendChild(svg('text', {x: pad.l + pw / 2, y: h - 2, class: 'label', 'text-anchor': 'middle',
      text: opts.xLabel || ''}));
    var d = pts.map(function (p, k) { return (k ? 'L' : 'M') + X(p[0]).toFixed(1) + ' ' + Y(p[1]).toFixed(1); });
    root.appendChild(svg('path', {d: d.join(''), class: 'series'}));
    // Hover: the nearest point's values.
    var dot = svg('circle', {r: 3, class: 'dot', visibility: 'hidden'});
    var readout = svg('text', {x: w - pad.r, y: 14, class: 'tick', 'text-anchor': 'end'});
    root.appendChild(dot);
    root.appendChild(readout);
    root.addEventListener('mousemove', function (ev) {
      var box = root.getBoundingClientRect();
      var xv = x0 + (ev.clientX - box.left - pad.l) / pw * (x1 - x0);
      var best = pts[0];
      pts.forEach(function (p) { if (Math.abs(p[0] - xv) < Math.abs(best[0] - xv)) best = p; });
      dot.setAttribute('cx', X(best[0]));
      dot.setAttribute('cy', Y(best[1]));
      dot.setAttribute('visibility', 'visible');
      readout.textContent = (opts.xLabel || 'x') + ' ' + fmt(best[0], 4) + ': ' + fmt(best[1], 4);
    });
    return root;
  }

  // ---------------------------------------------------------------- the index

  var columns = [
    {key: 'feature', label: '#', title: 'feature index'},
    {key: 'density', label: 'density', title: 'fraction of tokens the feature fires on'},
    {key: 'max_act', label: 'max act', title: 'largest activation seen'},
    {key: 'mean_act', label: 'mean act', title: 'mean activation where it fires'},
    {key: 'delta_loss', label: 'ablation Δloss', title: 'mean change of next-token loss where it fires when it is removed'},
    {key: 'decoder_norm', label: '‖W_dec‖', title: 'decoder row norm'},
    {key: 'top_tokens', label: 'top tokens', title: 'tokens its top examples were chosen for'}
  ];
  var ROW = 28;
  var n = index.d_sae;
  var rowsData = index.features; // [n] {index, density, max_act, mean_act, dead, delta_loss, decoder_norm, top_tokens}
  var ids = new Int32Array(n);
  for (var i0 = 0; i0 < n; i0++) ids[i0] = i0;
  // Typed columns for sorting; a column exists only when its part is in the report.
  var numeric = {feature: Float64Array.from(ids)};
  var present = {density: index.has.density, max_act: index.has.activity, mean_act: index.has.activity,
    delta_loss: index.has.ablation, decoder_norm: true};
  Object.keys(present).forEach(function (key) {
    if (!present[key]) return;
    var c = new Float64Array(n);
    for (var j = 0; j < n; j++) c[j] = rowsData[j][key] == null ? NaN : rowsData[j][key];
    numeric[key] = c;
  });
  var searchText = index.has.activity
      ? rowsData.map(function (r) { return r.top_tokens.join('\u0000').toLowerCase(); }) : null;
  var densityKnown = !!index.has.density;
  function isDead(j) { return rowsData[j].dead === true; }

  var view = {sort: densityKnown ? 'density' : 'feature', dir: densityKnown ? -1 : 1, search: '', hideDead: false,
    bin: null, rows: ids, scrollTop: 0};

  function applyFilterAndSort() {
    var t0 = performance.now();
    var q = view.search.trim().toLowerCase();
    var idMatch = /^#?\d+$/.test(q) ? Number(q.replace('#', '')) : -1;
    var hist = summary.density_histogram;
    var lo = -Infinity, hi = Infinity;
    if (view.bin != null && view.bin !== 'extra') { lo = hist.bin_edges[view.bin]; hi = hist.bin_edges[view.bin + 1]; }
    var lastBin = hist && view.bin === hist.counts.length - 1;
    var keep = [];
    for (var j = 0; j < n; j++) {
      if (view.hideDead && isDead(j)) continue;
      if (view.bin === 'extra' && !isDead(j)) continue;
      if (view.bin != null && view.bin !== 'extra') {
        var d = rowsData[j].density;
        if (!(d > 0)) continue;
        var ld = Math.log10(d);
        // The histogram clamps frequencies outside its range into its end bins; the filter does the same.
        if (!((ld >= lo || view.bin === 0) && (ld < hi || lastBin))) continue;
      }
      if (q && j !== idMatch && !(searchText && searchText[j].indexOf(q) >= 0)) continue;
      keep.push(j);
    }
    var rows = Int32Array.from(keep);
    var col = numeric[view.sort], dir = view.dir;
    if (col) {
      rows.sort(function (a, b) {
        var x = col[a], y = col[b];
        var xn = isNaN(x), yn = isNaN(y);
        if (xn || yn) return xn && yn ? a - b : xn ? 1 : -1; // unknown values last, whichever the direction
        return x === y ? a - b : (x < y ? -dir : dir);
      });
    }
    view.rows = rows;
    report.timings.lastSort = performance.now() - t0;
  }

  report.shown = function () { return view.rows.length; };

  function showIndex() {
    report.view = 'index';
    app.textContent = '';
    var head = el('section', {class: 'panel overview'});
    var cfg = summary.cfg;
    head.appendChild(el('h1', null, summary.title));
    head.appendChild(el('p', {class: 'facts'},
        cfg.architecture + (cfg.k ? ' (k = ' + cfg.k + ')' : '') + ' · d_in ' + cfg.d_in + ' · d_sae ' + n
        + (cfg.metadata && cfg.metadata.hook_name ? ' · ' + cfg.metadata.hook_name : '')
        + (densityKnown ? ' · ' + summary.density_histogram.never_fired + ' dead' : '')));
    head.appendChild(sourcesBox());
    app.appendChild(head);

    var histPanel = el('section', {class: 'panel'});
    histPanel.appendChild(el('h2', null, 'Feature density', el('span', {class: 'hint'},
        ' log10 of the fraction of tokens each feature fires on; click a bar to filter')));
    histPanel.appendChild(densityChart());
    app.appendChild(histPanel);

    var controls = el('div', {class: 'controls'});
    var search = el('input', {type: 'search', id: 'search', placeholder: 'search top tokens, or #feature',
      value: view.search});
    var dead = el('input', {type: 'checkbox', id: 'hide-dead'});
    dead.checked = view.hideDead;
    var count = el('span', {class: 'count', id: 'count'});
    controls.appendChild(search);
    if (densityKnown) controls.appendChild(el('label', null, dead, ' hide dead'));
    controls.appendChild(count);
    var clear = el('button', {type: 'button', class: 'link', text: 'clear filters'});
    controls.appendChild(clear);

    var table = el('section', {class: 'panel table'});
    var headerRow = el('div', {class: 'row header'});
    columns.forEach(function (c) {
      var usable = c.key === 'feature' || c.key === 'top_tokens' ? true : !!numeric[c.key];
      var cell = el('div', {class: 'cell c-' + c.key + (numeric[c.key] ? ' sortable' : '')
            + (view.sort === c.key ? ' sorted' : ''), title: usable ? c.title : c.title + ' (not in this report)',
        'data-key': c.key}, c.label, view.sort === c.key ? (view.dir < 0 ? ' ▼' : ' ▲') : '');
      if (numeric[c.key]) {
        cell.addEventListener('click', function () {
          view.dir = view.sort === c.key ? -view.dir : (c.key === 'feature' ? 1 : -1);
          view.sort = c.key;
          applyFilterAndSort();
          showIndex();
        });
      }
      headerRow.appendChild(cell);
    });
    var scroller = el('div', {class: 'scroller', id: 'rows'});
    var spacer = el('div', {class: 'spacer'});
    scroller.appendChild(spacer);
    table.appendChild(controls);
    table.appendChild(headerRow);
    table.appendChild(scroller);
    app.appendChild(table);

    function paint() {
      spacer.style.height = (view.rows.length * ROW) + 'px';
      count.textContent = view.rows.length === n ? n + ' features' : view.rows.length + ' of ' + n + ' features';
      var first = Math.max(0, Math.floor(scroller.scrollTop / ROW) - 5);
      var last = Math.min(view.rows.length, first + Math.ceil((scroller.clientHeight || 600) / ROW) + 10);
      spacer.textContent = '';
      for (var r = first; r < last; r++) spacer.appendChild(indexRow(view.rows[r], r));
    }
    scroller.addEventListener('scroll', function () { view.scrollTop = scroller.scrollTop; paint(); });
    search.addEventListener('input', function () {
      view.search = search.value;
      applyFilterAndSort();
      scroller.scrollTop = 0;
      paint();
    });
    dead.addEventListener('change', function () { view.hideDead = dead.checked; applyFilterAndSort(); paint(); });
    clear.addEventListener('click', function () {
      view.search = ''; view.hideDead = false; view.bin = null;
      applyFilterAndSort();
      showIndex();
    });
    paint();
    scroller.scrollTop = view.scrollTop;
    paint();
  }

  function indexRow(j, r) {
    var row = el('a', {class: 'row' + (isDead(j) ? ' dead' : '') + (r % 2 ? ' odd' : ''), href: '#feature/' + j,
      style: 'top:' + (r * ROW) + 'px'});
    columns.forEach(function (c) {
      var cell = el('div', {class: 'cell c-' + c.key});
      if (c.key === 'feature') {
        cell.appendChild(document.createTextNode(String(j)));
        if (isDead(j)) cell.appendChild(el('span', {class: 'badge dead-badge', text: 'dead'}));
      } else if (c.key === 'top_tokens') {
        rowsData[j].top_tokens.forEach(function (t) {
          cell.appendChild(el('span', {class: 'chip', text: shown(t)}));
        });
      } else if (c.key === 'density') {
        var d = rowsData[j].density;
        cell.textContent = fmt(d, 3);
        if (d > 0) {
          var bar = el('span', {class: 'minibar'});
          bar.style.width = Math.max(2, 60 * (Math.log10(d) + 8) / 8) + 'px';
          cell.appendChild(bar);
        }
      } else {
        cell.textContent = numeric[c.key] ? fmt(rowsData[j][c.key], 4) : '';
      }
      row.appendChild(cell);
    });
    return row;
  }

  function densityChart() {
    var h = summary.density_histogram;
    if (!h) return missingBox('No density: ' + missingAbout('density'));
    var bins = h.counts.length;
    return barChart(h.bin_edges, h.counts, {
      width: Math.min(760, Math.max(420, app.clientWidth - 60)), height: 170, xLabel: 'log10 firing frequency',
      tick: function (e) { return e === 0 ? '1' : '1e' + e; }, ticks: [0, bins / 4, bins / 2, 3 * bins / 4, bins],
      extra: {label: 'dead', count: h.never_fired, title: h.never_fired + ' never fired'},
      selected: view.bin,
      onBar: function (b) {
        view.bin = view.bin === b ? null : b;
        applyFilterAndSort();
        showIndex();
      }
    });
  }

  // Why a part is missing and how to get it: the summary's sentence about it, without its "part: " lead.
  function missingAbout(word) {
    var m = (summary.missing || []).filter(function (s) { return s.indexOf(word) >= 0; });
    return m.length ? m[0].slice(m[0].indexOf(': ') + 2) : 'not in this report';
  }

  function sourcesBox() {
    var box = el('details', {class: 'sources'});
    box.appendChild(el('summary', null, 'What this report holds' + (summary.missing.length
        ? ' (' + summary.missing.length + ' part' + (summary.missing.length > 1 ? 's' : '') + ' missing)' : '')));
    var list = el('ul');
    Object.keys(summary.sources || {}).forEach(function (k) {
      list.appendChild(el('li', null, el('b', null, k + ': '), summary.sources[k]));
    });
    (summary.missing || []).forEach(function (m) { list.appendChild(el('li', {class: 'missing-item'}, 'missing — ' + m)); });
    (summary.notes || []).forEach(function (m) { list.appendChild(el('li', {class: 'note'}, 'note — ' + m)); });
    box.appendChild(list);
    if (summary.missing.length) box.setAttribute('open', '');
    return box;
  }

  // ---------------------------------------------------------------- one feature

  function showFeature(j) {
    report.view = 'feature';
    report.ready = false;
    app.textContent = '';
    if (!(j >= 0 && j < n)) {
      app.appendChild(missingBox('There is no feature ' + j + ' (this SAE has ' + n + ').'));
      report.ready = true;
      return;
    }
    app.appendChild(el('p', {class: 'loading'}, 'Loading feature ' + j + '…'));
    loadFeature(j).then(function (f) {
      if (location.hash !== '#feature/' + j) return;
      renderFeature(f);
      report.ready = true;
    }).catch(function (e) {
      app.textContent = '';
      app.appendChild(missingBox('Feature ' + j + ': ' + e.message + ' (the data files may have been moved).'));
      report.errors.push(e.message);
      report.ready = true;
    });
  }

  function renderFeature(f) {
    var j = f.index;
    app.textContent = '';
    var dead = f.density === 0;
    var head = el('div', {class: 'feature-head'},
        el('a', {href: '#', class: 'back', text: '← all features'}),
        el('h1', null, 'Feature ' + j, dead ? el('span', {class: 'badge dead-badge', text: 'dead'}) : null),
        el('span', {class: 'stepper'},
            j > 0 ? el('a', {href: '#feature/' + (j - 1), text: '‹ ' + (j - 1)}) : null,
            j < n - 1 ? el('a', {href: '#feature/' + (j + 1), text: (j + 1) + ' ›'}) : null));
    app.appendChild(head);
    var grid = el('div', {class: 'feature-grid'});
    var left = el('div', {class: 'left'});
    var right = el('div', {class: 'right'});
    grid.appendChild(left);
    grid.appendChild(right);
    app.appendChild(grid);

    left.appendChild(panel('Statistics', statsTable(f)));
    left.appendChild(panel('Activations', f.acts_histogram
        ? barChart(f.acts_histogram.bin_edges, f.acts_histogram.bar_heights, {width: 380, height: 150,
          xLabel: 'activation where it fires'})
        : missingBox(dead ? 'It never fired.' : 'No activation histogram: ' + missingAbout('histograms'))));
    left.appendChild(panel('Logit effects', logitTables(f)));
    left.appendChild(panel('Ablation effect', ablationBox(f)));
    left.appendChild(panel('Nearest features by decoder cosine', neighbourList(f)));

    if (f.top) {
      right.appendChild(panel('Top activations', examplesBlock(f.top, f.max_act),
          'strongest firings, at most one per document; hover a token for its activation'));
      // Highest interval first, whichever order the data lists them in.
      (f.quantiles || []).slice().sort(function (a, b) { return b.upper - a.upper; }).forEach(function (g) {
        right.appendChild(panel('Activation ' + fmt(g.lower, 3) + ' – ' + fmt(g.upper, 3),
            g.seq_data.length ? examplesBlock(g.seq_data, f.max_act) : missingBox('no firings in this interval'),
            g.count.toLocaleString('en') + ' firings' + (f.firings ? ' (' + pct(g.count / f.firings) + ')' : '')
            + (g.seq_data.length ? '; a random sample' : '')));
      });
    } else {
      right.appendChild(panel('Examples', missingBox(dead ? 'It never fired.'
          : 'No examples: ' + missingAbout('examples'))));
    }
  }

  function panel(title, body, hint) {
    return el('section', {class: 'panel'}, el('h2', null, title, hint ? el('span', {class: 'hint'}, ' ' + hint) : null),
        body);
  }

  function statsTable(f) {
    var rows = [
      ['density', f.density == null ? '–' : fmt(f.density, 3) + (f.density > 0
          ? ' (1 in ' + fmt(Math.round(1 / f.density), 3) + ' tokens)' : '')],
      ['firings', f.firings == null ? '–' : f.firings.toLocaleString('en')],
      ['max activation', fmt(f.max_act)],
      ['mean activation', fmt(f.mean_act)],
      ['decoder norm', fmt(f.decoder_norm)],
      ['ablation Δloss', f.ablation ? fmt(f.ablation.delta_loss) : '–']
    ];
    return el('table', {class: 'kv'}, rows.map(function (r) { return el('tr', null, el('th', null, r[0]), el('td', null, r[1])); }));
  }

  // Examples as lines of tokens; each token's background is its activation over the feature's maximum.
  function examplesBlock(examples, maxAct) {
    var box = el('div', {class: 'examples'});
    if (!examples.length) return missingBox('none');
    examples.forEach(function (e) {
      var line = el('div', {class: 'example'});
      line.appendChild(el('span', {class: 'act', title: 'activation at the marked token'}, fmt(e.act, 3)));
      var text = el('span', {class: 'text'});
      e.tokens.forEach(function (t, k) {
        var a = e.acts[k];
        var diff = e.ablate_loss_diff ? e.ablate_loss_diff[k] : null;
        var tok = el('span', {class: 'tok' + (k === e.idx ? ' chosen' : '') + (a > 0 ? ' on' : ''),
          title: JSON.stringify(t) + ' → ' + fmt(a, 4)
              + (diff != null ? '\nnext-token loss change if the feature is removed: ' + fmt(diff, 3) : ''),
          'data-act': a});
        tok.textContent = shown(t);
        if (a > 0) tok.style.backgroundColor = 'rgba(255, 128, 0, ' + Math.min(1, 0.12 + 0.88 * a / maxAct).toFixed(3) + ')';
        text.appendChild(tok);
      });
      line.appendChild(text);
      box.appendChild(line);
    });
    return box;
  }

  // sae_vis's parallel arrays (tokens, values) as a list of {token, value}.
  function pairs(tokens, values) {
    return (tokens || []).map(function (t, i) { return {token: t, value: values[i]}; });
  }

  function tokenBars(list, cls, scale) {
    return el('table', {class: 'tokens ' + cls}, list.map(function (t) {
      var bar = el('span', {class: 'valbar'});
      bar.style.width = Math.round(60 * Math.abs(t.value) / scale) + 'px';
      return el('tr', null, el('td', {class: 'tokcell'}, el('code', null, shown(t.token))),
          el('td', {class: 'num'}, fmt(t.value, 3)), el('td', null, bar));
    }));
  }

  function logitTables(f) {
    if (!f.logits) return missingBox('No logit effects: ' + missingAbout('logit effects'));
    var up = pairs(f.logits.top_tokens, f.logits.top_logits);
    var down = pairs(f.logits.bottom_tokens, f.logits.bottom_logits);
    var scale = Math.max.apply(null, up.concat(down).map(function (t) { return Math.abs(t.value); }).concat([1e-9]));
    return el('div', {class: 'two'},
        el('div', null, el('h3', null, 'promoted'), tokenBars(up, 'pos', scale)),
        el('div', null, el('h3', null, 'suppressed'), tokenBars(down, 'neg', scale)));
  }

  function ablationBox(f) {
    var a = f.ablation;
    if (!a) return missingBox(index.has.ablation ? 'Not measured for this feature (only the most frequent are).'
        : 'No ablation effects: ' + missingAbout('ablation'));
    var up = pairs(a.top_upvote_tokens, a.top_upvotes_logprob);
    var down = pairs(a.top_downvote_tokens, a.top_downvotes_logprob);
    var scale = Math.max.apply(null, up.concat(down).map(function (t) { return Math.abs(t.value); }).concat([1e-9]));
    return el('div', null,
        el('p', null, 'Removing it where it fires changes next-token loss by ', el('b', null, fmt(a.delta_loss)),
            ' nats on average (' + a.firings.toLocaleString('en') + ' tokens in ' + a.documents + ' documents)',
            a.delta_loss_top != null ? '; ' + fmt(a.delta_loss_top) + ' on its top activations' : '',
            a.kl != null ? '; KL ' + fmt(a.kl) : '', '.'),
        el('div', {class: 'two'},
            el('div', null, el('h3', null, 'it raises'), tokenBars(up, 'pos', scale)),
            el('div', null, el('h3', null, 'it lowers'), tokenBars(down, 'neg', scale))));
  }

  function neighbourList(f) {
    var nb = f.neighbours;
    if (!nb || !nb.indices.length) return missingBox('none');
    return el('table', {class: 'neighbours'},
        el('tr', null, el('th', null, 'feature'), el('th', null, 'cosine'), el('th', null, 'density'),
            el('th', null, 'top tokens')),
        nb.indices.map(function (k, r) {
          var tokens = rowsData[k].top_tokens.slice(0, 4).map(function (t) {
            return el('span', {class: 'chip', text: shown(t)});
          });
          return el('tr', null, el('td', null, el('a', {href: '#feature/' + k, text: '#' + k})),
              el('td', {class: 'num'}, fmt(nb.cossim[r], 3)),
              el('td', {class: 'num'}, fmt(rowsData[k].density, 2)),
              el('td', null, tokens));
        }));
  }

  // ---------------------------------------------------------------- the run

  var MAIN_CURVES = ['loss', 'l0', 'explained_variance', 'dead_fraction'];

  function showRun() {
    report.view = 'run';
    app.textContent = '';
    app.appendChild(el('h1', null, 'Run summary: ' + summary.title));
    app.appendChild(panel('SAE configuration (cfg.json)', kvTable(summary.cfg)));

    var curves = summary.curves || {};
    var xs = curves.tokens;
    var names = MAIN_CURVES.filter(function (k) { return curves[k]; }).concat(Object.keys(curves).filter(function (k) {
      return MAIN_CURVES.indexOf(k) < 0 && k !== 'tokens' && k !== 'step';
    }));
    var charts = el('div', {class: 'curves'});
    if (!xs || !names.length) charts.appendChild(missingBox('No training curves: ' + missingAbout('curves')));
    names.forEach(function (k) { charts.appendChild(lineChart(xs, curves[k], {title: k, xLabel: 'tokens'})); });
    app.appendChild(panel('Training curves', charts, 'from metrics.jsonl; hover for values'));

    var evalBody = el('div', {class: 'eval'});
    if (!summary.eval) evalBody.appendChild(missingBox('No evaluation: ' + missingAbout('evaluation')));
    else Object.keys(summary.eval).forEach(function (section) {
      evalBody.appendChild(el('h3', null, section));
      evalBody.appendChild(kvTable(summary.eval[section]));
    });
    app.appendChild(panel('Evaluation', evalBody));
    if (summary.settings) {
      var det = el('details', null, el('summary', null, 'every setting of the run (run.json)'),
          el('pre', null, JSON.stringify(summary.settings, null, 2)));
      app.appendChild(panel('Training settings', det));
    }
    report.ready = true;
  }

  // A JSON value as a table: nested objects as nested rows, histograms as charts, long arrays summarised.
  function kvTable(obj) {
    if (obj == null || typeof obj !== 'object' || Array.isArray(obj)) return el('p', null, valueText(obj));
    var table = el('table', {class: 'kv'});
    Object.keys(obj).forEach(function (k) {
      var v = obj[k];
      var cell;
      if (v && typeof v === 'object' && !Array.isArray(v) && Array.isArray(v.bin_edges) && Array.isArray(v.counts)) {
        cell = barChart(v.bin_edges, v.counts, {width: 360, height: 130,
          extra: v.never_fired != null ? {label: '0', count: v.never_fired, title: v.never_fired + ' never fired'} : null});
      } else if (v && typeof v === 'object' && !Array.isArray(v)) {
        cell = kvTable(v);
      } else {
        cell = valueText(v);
      }
      table.appendChild(el('tr', null, el('th', null, k), el('td', null, cell)));
    });
    return table;
  }

  function valueText(v) {
    if (Array.isArray(v)) return v.length > 12 ? v.length + ' values' : JSON.stringify(v);
    if (typeof v === 'number') return fmt(v, 5);
    return v == null ? '–' : String(v);
  }

  // ---------------------------------------------------------------- routing

  function route() {
    var h = location.hash.replace(/^#/, '');
    document.getElementById('nav-features').className = h === '' || h.indexOf('feature') === 0 ? 'active' : '';
    document.getElementById('nav-run').className = h === 'run' ? 'active' : '';
    try {
      if (h.indexOf('feature/') === 0) showFeature(Number(h.slice(8)));
      else if (h === 'run') showRun();
      else { showIndex(); report.ready = true; }
      window.scrollTo(0, 0);
    } catch (e) {
      report.errors.push(String(e && e.stack || e));
      app.textContent = '';
      app.appendChild(missingBox('This page failed to draw: ' + e.message));
      throw e;
    }
  }

  document.getElementById('title').textContent = summary.title + ' · ' + n + ' features';
  applyFilterAndSort();
  window.addEventListener('hashchange', route);
  route();
  report.timings.firstView = performance.now();
})();
