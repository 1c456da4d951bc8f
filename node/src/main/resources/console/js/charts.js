// Charts with the vendored uPlot (window.uPlot, loaded by index.html from /ui/vendor/uplot/).

/** uPlot's data from a series answer's points ({t, value}): times in seconds, nulls kept. */
export function toData(points) {
  return [points.map((p) => Date.parse(p.t) / 1000), points.map((p) => p.value)];
}

/** A small line without axes, for the endpoint overview. */
export function sparkline(el, points, { color = '#1f6feb', width = 180, height = 36 } = {}) {
  const opts = {
    width,
    height,
    pxAlign: false,
    cursor: { show: false },
    select: { show: false },
    legend: { show: false },
    scales: { x: { time: false } },
    axes: [{ show: false }, { show: false }],
    series: [{}, { stroke: color, width: 1.5, fill: `${color}22`, spanGaps: false, points: { show: false } }],
  };
  return new window.uPlot(opts, toData(points), el);
}

/** A chart with time and value axes, for the drill-down views. */
export function lineChart(el, points, { label, color = '#1f6feb', width = 560, height = 180 } = {}) {
  const opts = {
    width,
    height,
    legend: { show: true },
    series: [{}, { label, stroke: color, width: 1.5, fill: `${color}1a`, spanGaps: false }],
    axes: [{ stroke: '#8b949e' }, { stroke: '#8b949e', size: 60 }],
  };
  return new window.uPlot(opts, toData(points), el);
}
