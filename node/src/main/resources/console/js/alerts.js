// The live alert feed (WebSocket), with acknowledge and silence, and the silences in force.
import { api, editorOnly, seg, session, wsUrl, token } from './api.js';
import { h, clear, errorText, fmtNumber, fmtTime } from './dom.js';

const MAX_ALERTS = 200;

/**
 * The feed: the newest state of each alert by fingerprint, kept while the user is signed in.
 *
 * Every feed message carries a cursor; a reconnection offers the last one (?after=), and the node
 * first sends what changed meanwhile, from its journal, then "caught-up". When it cannot (the
 * cursor is too old: the handshake is refused while the node and the token are fine; or more
 * changed than one resume replays: a "gap" message), the page reads the alert list afresh.
 */
export const feed = {
  alerts: new Map(),
  socket: null,
  cursor: null,
  state: 'offline',
  note: '',
  retryMs: 1000,
  timer: null,
  listeners: new Set(),

  start() {
    this.stop();
    this.alerts.clear();
    this.cursor = null;
    this.note = '';
    this.reload();
    this.connect();
  },

  /** The node's recent alerts; what the feed already delivered is newer and stays. */
  reload() {
    api('/api/v1/alerts')
      .then((list) => {
        const fresh = new Map();
        for (const a of [...list.alerts].reverse()) {
          if (!this.alerts.has(a.fingerprint)) fresh.set(a.fingerprint, { ...a, live: false, ack: null });
        }
        for (const [k, v] of this.alerts) fresh.set(k, v);
        this.alerts = fresh;
        this.trim();
        this.changed();
      })
      .catch(() => {});
  },

  connect() {
    const path = '/api/v1/alerts/feed' + (this.cursor ? `?after=${encodeURIComponent(this.cursor)}` : '');
    // browsers cannot set headers on a WebSocket: the token travels as a subprotocol
    const socket = new WebSocket(wsUrl(path), ['autoglm.feed', `bearer.${token()}`]);
    const resuming = this.cursor !== null;
    let opened = false;
    let gap = false;
    this.socket = socket;
    this.setState(resuming ? 'resuming' : 'connecting');
    socket.onopen = () => {
      opened = true;
      this.retryMs = 1000;
      this.setState(resuming ? 'resuming' : 'live');
    };
    socket.onmessage = (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (typeof message.cursor === 'string') this.cursor = message.cursor;
      if (message.type === 'alert' && message.alert) {
        this.put(message.alert, true);
        this.changed();
      } else if (message.type === 'caught-up') {
        this.note = gap
          ? 'resumed: more changed while away than the node replays; the list was read afresh'
          : `resumed: ${message.missed} missed while away`;
        this.setState('live');
      } else if (message.type === 'gap') {
        gap = true;
        this.reload();
      }
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.setState('reconnecting');
      // a refused token closes the socket: whoami tells, and a 401 goes back to the login;
      // a resume refused while the node answers and knows the token means the cursor is too old
      api('/api/v1/whoami')
        .then(() => {
          if (!opened && resuming && this.socket === socket) {
            this.cursor = null;
            this.note = 'too long away to resume: the list was read afresh';
            this.reload();
          }
        })
        .catch(() => {});
      this.timer = setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 15000);
    };
  },

  stop() {
    clearTimeout(this.timer);
    const s = this.socket;
    this.socket = null;
    if (s) s.close();
    this.setState('offline');
  },

  put(alert, live) {
    const before = this.alerts.get(alert.fingerprint);
    this.alerts.delete(alert.fingerprint);
    this.alerts.set(alert.fingerprint, { ...alert, live, ack: before && before.status === alert.status ? before.ack : null });
    this.trim();
  },

  trim() {
    while (this.alerts.size > MAX_ALERTS) this.alerts.delete(this.alerts.keys().next().value);
  },

  setState(state) {
    this.state = state;
    this.changed();
  },

  changed() {
    for (const l of this.listeners) l();
  },
};

export async function renderAlerts(main) {
  const status = h('span', { id: 'feed-status', class: 'badge' });
  const note = h('span', { id: 'feed-note', class: 'muted' });
  const list = h('div', { id: 'feed-list', class: 'feed' });
  const silences = h('div', { id: 'silences' });
  main.append(
    h('div', { class: 'title' }, h('h2', {}, 'Live alerts'), status, note),
    list,
    h('h2', {}, 'Silences'),
    silences,
  );
  const draw = () => {
    if (!main.isConnected) {
      feed.listeners.delete(draw);
      return;
    }
    status.textContent = feed.state;
    status.className = `badge feed-${feed.state}`;
    note.textContent = feed.note;
    drawAlerts(list);
  };
  feed.listeners.add(draw);
  draw();
  await drawSilences(silences);
}

function drawAlerts(list) {
  const open = new Set([...list.querySelectorAll('.silence-form')].map((f) => f.dataset.fingerprint));
  clear(list);
  const alerts = [...feed.alerts.values()].reverse();
  if (alerts.length === 0) {
    list.append(h('p', { class: 'muted' }, 'No alerts yet. New ones appear here as they fire.'));
    return;
  }
  for (const a of alerts) {
    const row = alertRow(a);
    list.append(row);
    if (open.has(a.fingerprint)) row.append(silenceForm(a));
  }
}

function alertRow(a) {
  const where = [a.service, a.endpoint, a.sourceIp].filter(Boolean).join(' ');
  const row = h('article', {
    class: `alert sev-${a.severity} status-${a.status}`,
    dataset: { fingerprint: a.fingerprint, rule: a.rule, status: a.status },
  },
  h('div', { class: 'alert-head' },
    h('span', { class: `sev sev-${a.severity}` }, a.severity),
    h('span', { class: `state state-${a.status}` }, a.status),
    a.flapping ? h('span', { class: 'badge' }, 'flapping') : null,
    h('strong', { class: 'rule' }, a.rule),
    h('span', { class: 'where' }, where),
    h('span', { class: 'time' }, fmtTime(a.status === 'firing' ? a.startsAt : a.endsAt))),
  h('div', { class: 'summary' }, a.explanation || a.summary || ''),
  h('div', { class: 'alert-meta' },
    `${a.metric} = ${fmtNumber(a.value, 4)} (${a.comparison} ${fmtNumber(a.threshold, 4)})`,
    a.description ? ` · ${a.description}` : ''));
  const actions = h('div', { class: 'actions' });
  if (a.status === 'firing') {
    actions.append(h('button', { class: 'ack', onclick: () => acknowledge(a, row), ...editorOnly() }, 'Acknowledge'));
  }
  actions.append(h('button', {
    class: 'silence secondary',
    ...editorOnly(),
    onclick: () => {
      const existing = row.querySelector('.silence-form');
      if (existing) existing.remove();
      else row.append(silenceForm(a));
    },
  }, 'Silence…'));
  actions.append(h('span', { class: 'ack-result' }, a.ack || ''));
  row.append(actions);
  return row;
}

async function acknowledge(a, row) {
  const out = row.querySelector('.ack-result');
  out.textContent = 'acknowledging…';
  try {
    const r = await api(`/api/v1/alerts/${seg(a.fingerprint)}/ack`, { method: 'POST' });
    const text = r.acknowledged
      ? `acknowledged${r.escalationStopped ? ', escalation stopped' : ''}`
      : 'not acknowledged';
    const kept = feed.alerts.get(a.fingerprint);
    if (kept) kept.ack = text;
    out.textContent = text;
    row.classList.add('acknowledged');
  } catch (e) {
    out.textContent = e.status === 404 ? 'no longer firing' : errorText(e);
  }
}

function silenceForm(a) {
  const labels = { alertname: a.rule, service: a.service, endpoint: a.endpoint };
  if (a.sourceIp) labels.src_ip = a.sourceIp;
  const matchers = h('textarea', { class: 'silence-matchers', rows: 4 },
    Object.entries(labels).filter(([, v]) => v).map(([k, v]) => `${k}=${v}`).join('\n'));
  const duration = h('select', { class: 'silence-duration' },
    [['1h', 3600], ['2h', 7200], ['4h', 14400], ['1d', 86400], ['7d', 604800]].map(([t, s]) => h('option', { value: s }, t)));
  const comment = h('input', { class: 'silence-comment', type: 'text', placeholder: 'why', value: `silenced from the console: ${a.rule}` });
  const result = h('span', { class: 'silence-result' });
  const form = h('form', { class: 'silence-form', dataset: { fingerprint: a.fingerprint } },
    h('label', {}, 'Matchers (one name=value a line; =~ for a regex)'), matchers,
    h('div', { class: 'row' }, h('label', {}, 'for'), duration, comment,
      h('button', { type: 'submit', class: 'silence-create' }, 'Create silence'), result));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const now = Date.now();
    const body = {
      matchers: matchers.value.split('\n').map((l) => l.trim()).filter(Boolean).map(toMatcher),
      startsAt: new Date(now).toISOString(),
      endsAt: new Date(now + Number(duration.value) * 1000).toISOString(),
      createdBy: session.name || 'console',
      comment: comment.value,
    };
    result.className = 'silence-result';
    try {
      const r = await api('/api/v1/silences', { method: 'POST', body });
      result.textContent = `silenced: ${r.silenceID}`;
      const list = document.getElementById('silences');
      if (list) drawSilences(list);
    } catch (e) {
      result.className = 'silence-result error';
      result.textContent = errorText(e);
    }
  });
  return form;
}

function toMatcher(line) {
  const m = /^([^=!~]+?)\s*(=~|!~|!=|=)\s*(.*)$/.exec(line);
  if (!m) return line; // the API names the bad matcher
  return { name: m[1].trim(), value: m[3], isRegex: m[2].includes('~'), isEqual: !m[2].startsWith('!') };
}

async function drawSilences(el) {
  const list = await api('/api/v1/silences');
  clear(el);
  const live = list.filter((s) => s.status.state !== 'expired');
  if (live.length === 0) {
    el.append(h('p', { class: 'muted' }, 'No silence in force.'));
    return;
  }
  el.append(h('table', { class: 'grid' },
    h('thead', {}, h('tr', {}, ['matchers', 'state', 'from', 'until', 'by', 'comment', ''].map((t) => h('th', {}, t)))),
    h('tbody', {}, live.map((s) => h('tr', { dataset: { silence: s.id } },
      h('td', {}, s.matchers.map((m) => `${m.name}${m.isEqual === false ? '!' : ''}${m.isRegex ? '=~' : '='}${m.value}`).join(', ')),
      h('td', {}, s.status.state),
      h('td', {}, fmtTime(s.startsAt)),
      h('td', {}, fmtTime(s.endsAt)),
      h('td', {}, s.createdBy || ''),
      h('td', {}, s.comment || ''),
      h('td', {}, h('button', {
        class: 'secondary expire',
        ...editorOnly(),
        onclick: async () => {
          await api(`/api/v1/silences/${seg(s.id)}`, { method: 'DELETE' });
          drawSilences(el);
        },
      }, 'Expire')))))));
}
