// Endpoints: the overview with sparklines, an endpoint's drill-down with its top source IPs,
// and a source IP's own view.
import { api, seg, query } from './api.js';
import { h, errorText, fmtNumber, fmtPercent, fmtTime, table } from './dom.js';
import { sparkline, lineChart } from './charts.js';

const SHOWN = 40; // endpoints drawn at once (each costs three series requests)
const METRICS = [
  { metric: 'qps', label: 'QPS', color: '#1f6feb', fmt: (v) => fmtNumber(v, 1) },
  { metric: 'p95_latency_ms', label: 'P95 ms', color: '#8250df', fmt: (v) => fmtNumber(v, 0) },
  { metric: 'error_rate', label: 'error rate', color: '#cf222e', fmt: fmtPercent },
];

function lastHour() {
  const to = Date.now();
  return { from: new Date(to - 3600_000).toISOString(), to: new Date(to).toISOString(), step: '1m' };
}

function last(points) {
  for (let i = points.length - 1; i >= 0; i--) if (points[i].value !== null) return points[i].value;
  return null;
}

export async function renderEndpoints(main) {
  const list = await api('/api/v1/endpoints');
  main.append(h('h2', {}, 'Endpoints'),
    h('p', { class: 'muted' }, 'The last hour, one point a minute, from the history. Click an endpoint for its source IPs.'));
  if (list.endpoints.length === 0) {
    main.append(h('p', { class: 'muted' }, 'No traffic seen yet.'));
    return;
  }
  const rows = [];
  const range = lastHour();
  for (const e of list.endpoints.slice(0, SHOWN)) {
    const cells = METRICS.map(() => h('td', { class: 'spark' }));
    rows.push(h('tr', { dataset: { endpoint: e.id } },
      h('td', {}, h('a', { href: `#endpoint/${seg(e.id)}` }, e.path), h('div', { class: 'muted' }, e.service)),
      cells));
    METRICS.forEach((m, i) => {
      api(`/api/v1/endpoints/${seg(e.id)}/series${query({ metric: m.metric, ...range })}`)
        .then((s) => {
          const box = h('div', { class: 'spark-box' });
          cells[i].append(box, h('span', { class: 'spark-value' }, m.fmt(last(s.points))));
          sparkline(box, s.points, { color: m.color });
        })
        .catch((err) => cells[i].append(h('span', { class: 'error' }, errorText(err))));
    });
  }
  main.append(table(['endpoint', ...METRICS.map((m) => m.label)], rows, { class: 'grid endpoints' }));
  if (list.endpoints.length > SHOWN) {
    main.append(h('p', { class: 'muted' }, `${list.endpoints.length - SHOWN} more endpoints not shown.`));
  }
  main.append(h('h3', {}, 'Services'), table(['service', 'endpoints', 'limit', 'full'],
    list.services.map((s) => h('tr', {}, h('td', {}, s.service), h('td', {}, s.endpoints), h('td', {}, s.limit), h('td', {}, s.full ? 'yes' : 'no'))),
    { class: 'grid' }));
}

async function charts(main, base, metrics) {
  const range = lastHour();
  const grid = h('div', { class: 'charts' });
  main.append(grid);
  await Promise.all(metrics.map(async (m) => {
    const box = h('div', { class: 'chart' }, h('h4', {}, m.label));
    grid.append(box);
    try {
      const s = await api(`${base}/series${query({ metric: m.metric, ...range })}`);
      lineChart(box, s.points, { label: m.label, color: m.color });
    } catch (e) {
      box.append(h('p', { class: 'error' }, errorText(e)));
    }
  }));
}

export async function renderEndpoint(main, [id]) {
  const base = `/api/v1/endpoints/${seg(id)}`;
  main.append(h('p', {}, h('a', { href: '#endpoints' }, '← Endpoints')), h('h2', {}, id));
  await charts(main, base, METRICS);
  const top = await api(`${base}/top-ips${query({ k: 10 })}`);
  main.append(h('h3', {}, 'Top source IPs, last hour'),
    h('p', { class: 'muted' },
      `${fmtNumber(top.requests, 0)} requests from about ${fmtNumber(top.distinctIps.estimate, 0)} addresses `
      + `(95 %: ${fmtNumber(top.distinctIps.lowerBound, 0)}–${fmtNumber(top.distinctIps.upperBound, 0)}); counts within ±${fmtNumber(top.maxError, 0)}.`),
    table(['address', 'requests', 'bounds'], top.ips.map((x) => h('tr', { dataset: { ip: x.item } },
      h('td', {}, h('a', { href: `#ip/${seg(`${id.split('/')[0]}/${x.item}`)}` }, x.item)),
      h('td', {}, fmtNumber(x.requests, 0)),
      h('td', {}, `${fmtNumber(x.lowerBound, 0)}–${fmtNumber(x.upperBound, 0)}`))), { class: 'grid top-ips' }),
    h('h3', {}, 'Top networks'),
    table(['network', 'requests'], top.prefixes.map((x) => h('tr', {},
      h('td', {}, x.item), h('td', {}, fmtNumber(x.requests, 0)))), { class: 'grid' }));
}

export async function renderIp(main, [id]) {
  const base = `/api/v1/ips/${seg(id)}`;
  main.append(h('p', {}, h('a', { href: '#endpoints' }, '← Endpoints')), h('h2', {}, `Source IP ${id}`));
  try {
    const s = await api(`${base}/stats`);
    main.append(h('p', {}, `${fmtNumber(s.accepted, 0)} requests counted; newest ${fmtTime(s.newestEvent)}.`),
      h('h3', {}, 'Endpoints it called'),
      table(['endpoint', 'requests'], Object.entries(s.endpoints || {}).map(([k, v]) => h('tr', {}, h('td', {}, k), h('td', {}, fmtNumber(v, 0)))), { class: 'grid' }),
      h('h3', {}, 'Rules pending or firing'),
      table(['rule', 'state'], (s.alerts || []).map((r) => h('tr', {}, h('td', {}, r.rule), h('td', {}, `${r.phase} since ${fmtTime(r.since)}`))), { class: 'grid' }));
  } catch (e) {
    main.append(h('p', { class: 'muted' }, e.status === 404
      ? 'Not tracked now (an address is tracked once it is heavy, watched, or named by a rule); its history follows.'
      : errorText(e)));
  }
  await charts(main, base, [METRICS[0], METRICS[2]]);
}
