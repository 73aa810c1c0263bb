// Draws the page's charts with uPlot (served from node_modules) from the spec the server
// embedded as JSON in #page-data. No chart is drawn by hand: every line, point series and axis
// is uPlot's.
(function () {
  'use strict';
  var holder = document.getElementById('page-data');
  if (!holder || typeof uPlot === 'undefined') return;
  var page = JSON.parse(holder.textContent || '{}');

  function pointsOnly() {
    return null;
  }

  function seriesOption(s, kind) {
    var base = { label: s.label, stroke: s.color, width: 1.5, spanGaps: s.kind !== 'points' };
    if (s.kind === 'points') {
      base.paths = pointsOnly;
      base.points = {
        show: true,
        size: s.color === '#94a3b8' ? 4 : 11,
        fill: s.color,
        stroke: s.color,
      };
    } else if (s.kind === 'dashed') {
      base.dash = [6, 4];
      base.points = { show: false };
    } else if (s.kind === 'bars') {
      base.paths = uPlot.paths.bars({ size: [0.8, 40] });
      base.fill = s.color;
      base.points = { show: false };
    } else {
      base.points = { show: false };
      base.width = kind === 'spark' ? 1.25 : 2;
    }
    return base;
  }

  function draw(spec) {
    var el = document.getElementById(spec.el);
    if (!el) return;
    var spark = spec.kind === 'spark';
    var width = Math.max(160, el.clientWidth - 8);
    var height = spark ? 50 : spec.kind === 'control' ? 360 : 200;
    var fmt = spec.percent
      ? function (u, vals) {
          return vals.map(function (v) {
            return v == null ? '' : (v * 100).toFixed(0) + '%';
          });
        }
      : undefined;
    var opts = {
      width: width,
      height: height,
      title: spark ? undefined : spec.title,
      legend: { show: !spark },
      cursor: { show: !spark },
      scales: { x: { time: true } },
      axes: spark
        ? [{ show: false }, { show: false }]
        : [{}, fmt ? { values: fmt, size: 55 } : { size: 60 }],
      series: [{}].concat(
        spec.series.map(function (s) {
          return seriesOption(s, spec.kind);
        }),
      ),
    };
    var data = [spec.x].concat(
      spec.series.map(function (s) {
        return s.values;
      }),
    );
    new uPlot(opts, data, el);
    el.setAttribute('data-drawn', 'uplot');
  }

  (page.charts || []).forEach(draw);
})();
