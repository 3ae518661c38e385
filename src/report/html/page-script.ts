/**
 * The browser side of every dashboard page, as plain JavaScript (no build step: it is served and inlined as
 * this exact text, which is also what the CSP hash covers). It reads the page's JSON block, draws each chart
 * with the bundled uPlot, and on the live page polls the server once a second. Text from runs is only ever set
 * with textContent or drawn with fillText, never parsed as HTML.
 */
export const PAGE_SCRIPT = String.raw`(function () {
  'use strict';
  var el = document.getElementById('page-data');
  var data = el ? JSON.parse(el.textContent || '{}') : {};
  var plots = {};

  function fmt(v, unit) {
    if (v === null || v === undefined || !isFinite(v)) return '–';
    if (Number.isInteger(v) && Math.abs(v) < 1e6) return unit ? v + ' ' + unit : String(v);
    var a = Math.abs(v);
    var s = a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toPrecision(2);
    return unit ? s + ' ' + unit : s;
  }

  function overlay(spec) {
    return function (u) {
      var ctx = u.ctx;
      ctx.save();
      ctx.font = Math.round(10 * devicePixelRatio) + 'px system-ui, sans-serif';
      (spec.marks || []).forEach(function (m) {
        var x = u.valToPos(m.x, 'x', true);
        if (!isFinite(x)) return;
        ctx.strokeStyle = m.color; ctx.fillStyle = m.color; ctx.lineWidth = devicePixelRatio;
        ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
        ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke();
        ctx.setLineDash([]);
        if (m.label) ctx.fillText(m.label, x + 3 * devicePixelRatio, u.bbox.top + 10 * devicePixelRatio);
      });
      (spec.budgets || []).forEach(function (b) {
        var y = u.valToPos(b.value, 'y', true);
        if (!isFinite(y)) return;
        ctx.strokeStyle = '#c62828'; ctx.fillStyle = '#c62828'; ctx.lineWidth = devicePixelRatio;
        ctx.setLineDash([8 * devicePixelRatio, 4 * devicePixelRatio]);
        ctx.beginPath(); ctx.moveTo(u.bbox.left, y); ctx.lineTo(u.bbox.left + u.bbox.width, y); ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillText(b.label, u.bbox.left + 4 * devicePixelRatio, y - 3 * devicePixelRatio);
      });
      ctx.restore();
    };
  }

  function columns(spec) {
    return [spec.x].concat(spec.series.map(function (s) { return s.values; }));
  }

  function draw(spec, host) {
    var labels = spec.xLabels;
    var width = Math.max(320, (host.clientWidth || 640) - 8);
    var opts = {
      width: width,
      height: 220,
      scales: { x: { time: false } },
      axes: [
        {
          label: labels ? '' : 'seconds',
          values: labels
            ? function (u, splits) { return splits.map(function (i) { return Number.isInteger(i) && labels[i] !== undefined ? labels[i] : ''; }); }
            : function (u, splits) { return splits.map(function (v) { return v + ' s'; }); },
          // Whole runs or whole seconds only; labelled ticks need room for a commit and a label.
          incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1200, 3600],
          space: labels ? 110 : 50,
        },
        { label: spec.unit, values: function (u, splits) { return splits.map(function (v) { return fmt(v); }); }, size: 60 },
      ],
      series: [{ label: labels ? 'run' : 't', value: function (u, v) { return v === null ? '–' : labels ? (labels[v] || '') : v + ' s'; } }].concat(
        spec.series.map(function (s) {
          return { label: s.name, stroke: s.color, width: 1.5, dash: s.dash ? [6, 4] : undefined, spanGaps: false,
            points: { show: spec.x.length < 60 }, value: function (u, v) { return fmt(v, spec.unit); } };
        })
      ),
      hooks: { draw: [overlay(spec)] },
    };
    var u = new uPlot(opts, columns(spec), host);
    u.__spec = spec;
    return u;
  }

  function drawAll(charts) {
    var drawn = 0;
    (charts || []).forEach(function (spec) {
      var host = document.querySelector('[data-chart="' + CSS.escape(spec.id) + '"]');
      if (!host) return;
      var old = plots[spec.id];
      if (old && old.series.length === spec.series.length + 1) {
        old.__spec.marks = spec.marks; old.__spec.budgets = spec.budgets;
        old.setData(columns(spec));
      } else {
        if (old) old.destroy();
        plots[spec.id] = draw(spec, host);
      }
      drawn++;
    });
    document.documentElement.setAttribute('data-charts-drawn', String(Object.keys(plots).length));
    return drawn;
  }

  function setText(values) {
    Object.keys(values || {}).forEach(function (k) {
      document.querySelectorAll('[data-live="' + CSS.escape(k) + '"]').forEach(function (n) { n.textContent = values[k]; });
    });
  }

  drawAll(data.charts);

  if (data.live) {
    var busy = false;
    var tick = function () {
      if (busy) return;
      busy = true;
      fetch(data.live.url, { cache: 'no-store' })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          setText(s.text);
          drawAll(s.charts);
          document.documentElement.setAttribute('data-live-updates', String(Number(document.documentElement.getAttribute('data-live-updates') || 0) + 1));
        })
        .catch(function () { setText({ state: 'dashboard server unreachable' }); })
        .then(function () { busy = false; });
    };
    tick();
    setInterval(tick, 1000);
  }
})();
`;
