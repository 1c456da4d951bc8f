// Notifications: the audit summary and the audit rows of the last hour, page by page.
import { api, query } from './api.js';
import { add, h, clear, errorText, table, fmtTime } from './dom.js';

export async function renderNotifications(main) {
  const summary = await api('/api/v1/notifications/summary');
  const t = summary.totals;
  add(main, h('h2', {}, 'Notifications, last hour'),
    h('div', { class: 'tiles' },
      tile('delivered', t.delivered), tile('failed', t.failed), tile('failovers', t.failovers), tile('suppressed', t.suppressed)),
    summary.truncated ? h('p', { class: 'muted' }, 'The range held more rows than a summary reads: the figures cover its start.') : null,
    h('div', { class: 'two' },
      h('div', {}, h('h3', {}, 'Top error types'), table(['type', 'count'], summary.topErrorTypes.map((e) => h('tr', {}, h('td', {}, e.type), h('td', {}, e.count))), { class: 'grid' })),
      h('div', {}, h('h3', {}, 'Failing receivers'), table(['receiver', 'failures'], summary.topFailingReceivers.map((e) => h('tr', {}, h('td', {}, e.receiver), h('td', {}, e.failures))), { class: 'grid' }))));

  const status = h('select', { id: 'audit-status' }, ['', 'delivered', 'failed', 'failover', 'suppressed'].map((s) => h('option', { value: s }, s || 'any status')));
  const rows = h('tbody');
  const more = h('button', { class: 'secondary', hidden: true }, 'More');
  const message = h('p', { class: 'error' });
  let after = null;
  const load = async (reset) => {
    if (reset) {
      clear(rows);
      after = null;
    }
    try {
      const page = await api(`/api/v1/notifications${query({ status: status.value, limit: 100, after })}`);
      for (const n of page.notifications) {
        rows.append(h('tr', { class: `audit-${n.status}` },
          h('td', {}, fmtTime(n.at)), h('td', {}, n.status), h('td', {}, n.receiver ?? ''), h('td', {}, n.channel ?? ''),
          h('td', {}, n.attempt || ''), h('td', {}, n.latencyMs ? `${n.latencyMs} ms` : ''), h('td', {}, n.rule ?? ''),
          h('td', {}, n.summary ?? ''), h('td', {}, n.error ?? '')));
      }
      after = page.next;
      more.hidden = !after;
      message.textContent = '';
    } catch (e) {
      message.textContent = errorText(e);
    }
  };
  status.addEventListener('change', () => load(true));
  more.addEventListener('click', () => load(false));
  main.append(h('div', { class: 'title' }, h('h3', {}, 'Audit'), status),
    h('table', { class: 'grid audit' },
      h('thead', {}, h('tr', {}, ['at', 'status', 'receiver', 'channel', 'attempt', 'latency', 'rule', 'summary', 'error'].map((x) => h('th', {}, x)))),
      rows),
    more, message);
  await load(true);
}

function tile(label, value) {
  return h('div', { class: `tile tile-${label}` }, h('div', { class: 'tile-value' }, value), h('div', { class: 'muted' }, label));
}
