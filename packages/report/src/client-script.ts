/**
 * The page's own script (runs in the browser, after the inlined Chart.js UMD build). It reads the
 * chart specs from the `<script type="application/json" id="hw-charts">` block, draws every chart
 * with animation off, and draws phase bands with a small inline plugin (each chart keeps what it
 * drew in `chart.$hwBands`: label, oom, width in pixels, for the browser test). When done it sets
 * `window.__highwater = { charts, drawn, failed }` so that tests and the PNG renderer know the
 * page is complete. Plain ES2017, no modules: the page must open from file:// with no network.
 */
export const CLIENT_SCRIPT = String.raw`
(function () {
  'use strict';
  var state = { charts: 0, drawn: 0, failed: [] };
  window.__highwater = state;
  var BAND_COLORS = ['rgba(48,99,142,0.10)', 'rgba(237,174,73,0.14)'];
  var bandsPlugin = {
    id: 'hwPhaseBands',
    beforeDatasetsDraw: function (chart, args, opts) {
      var bands = (opts && opts.bands) || [];
      chart.$hwBands = [];
      if (!bands.length) return;
      var x = chart.scales.x, area = chart.chartArea, ctx = chart.ctx;
      ctx.save();
      ctx.font = '10px sans-serif';
      ctx.textBaseline = 'top';
      bands.forEach(function (b, i) {
        var x0 = Math.max(area.left, x.getPixelForValue(b.start));
        var x1 = Math.min(area.right, x.getPixelForValue(b.end));
        chart.$hwBands.push({ label: b.label, oom: !!b.oom, width: x1 > x0 ? x1 - x0 : 0 });
        if (!(x1 > x0)) return;
        ctx.fillStyle = b.oom ? 'rgba(209,73,91,0.22)' : BAND_COLORS[i % 2];
        ctx.fillRect(x0, area.top, x1 - x0, area.bottom - area.top);
        ctx.strokeStyle = 'rgba(0,0,0,0.18)';
        ctx.beginPath();
        ctx.moveTo(x0, area.top);
        ctx.lineTo(x0, area.bottom);
        ctx.stroke();
        var w = x1 - x0;
        if (w > 24) {
          ctx.fillStyle = b.oom ? '#9b1c2e' : '#333';
          ctx.save();
          ctx.beginPath();
          ctx.rect(x0, area.top, w, area.bottom - area.top);
          ctx.clip();
          ctx.fillText(b.label, x0 + 3, area.top + 3 + (i % 2) * 12);
          ctx.restore();
        }
      });
      ctx.restore();
    }
  };
  var specs = JSON.parse(document.getElementById('hw-charts').textContent);
  state.charts = specs.length;
  if (typeof Chart === 'undefined') {
    state.failed.push('Chart.js did not load');
    document.body.setAttribute('data-charts-done', 'failed');
    return;
  }
  Chart.defaults.animation = false;
  Chart.defaults.responsive = true;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.devicePixelRatio = 1;
  specs.forEach(function (spec) {
    var canvas = document.getElementById(spec.id);
    try {
      var cfg = spec.config;
      cfg.options = cfg.options || {};
      cfg.options.plugins = cfg.options.plugins || {};
      cfg.options.plugins.hwPhaseBands = { bands: spec.bands || [] };
      cfg.options.plugins.legend = { position: 'bottom', labels: { boxWidth: 12 } };
      cfg.plugins = [bandsPlugin];
      new Chart(canvas, cfg);
      state.drawn++;
    } catch (e) {
      state.failed.push(spec.id + ': ' + (e && e.message));
      canvas.insertAdjacentText('afterend', 'chart failed: ' + (e && e.message));
    }
  });
  document.body.setAttribute('data-charts-done', state.failed.length ? 'failed' : 'ok');
})();
`;
