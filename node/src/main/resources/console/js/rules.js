// Rules: the list, an editor that shows the API's validation message and field, and a check of
// a threshold rule against the last hour of per-minute history.
import { api, canEdit, seg, query } from './api.js';
import { add, h, clear, errorText, fmtNumber, fmtTime, table } from './dom.js';

const CHECKED_ENDPOINTS = 20;
const TEMPLATE = {
  metric: 'error_rate', op: '>', threshold: 0.05, window: '30s', for: '30s', cooldown: '5m',
  severity: 'warning', service: '*', endpoint: '/v1/chat/*', description: 'chat completions failing',
};

export async function renderRules(main, [selected]) {
  const list = await api('/api/v1/rules');
  const editor = h('div', { id: 'rule-editor' });
  main.append(
    h('div', { class: 'title' }, h('h2', {}, `Rules (version ${list.version})`),
      h('button', { id: 'rule-new', onclick: () => edit(editor, null, TEMPLATE) }, 'New rule')),
    table(['id', 'kind', 'metric', 'condition', 'window', 'for', 'severity', 'applies to'],
      list.rules.map((r) => h('tr', { dataset: { rule: r.id }, class: 'clickable', onclick: () => { location.hash = `rules/${seg(r.id)}`; } },
        h('td', {}, h('a', { href: `#rules/${seg(r.id)}` }, r.id)),
        h('td', {}, r.kind),
        h('td', {}, r.metric ?? '(auto)'),
        h('td', {}, r.op ? `${r.op} ${r.threshold}` : (r.threshold !== undefined ? `±${r.threshold}` : r.sensitivity ?? '')),
        h('td', {}, r.window ?? ''),
        h('td', {}, r.for ?? ''),
        h('td', {}, h('span', { class: `sev sev-${r.severity}` }, r.severity)),
        h('td', {}, r.scope === 'ip' ? `ips ${r.ip ?? '*'} of ${r.service}` : `${r.service} ${r.endpoint}`))),
      { class: 'grid rules' }),
    editor);
  const rule = selected && list.rules.find((r) => r.id === selected);
  if (rule) edit(editor, rule.id, rule);
}

function edit(el, id, rule) {
  const body = { ...rule };
  delete body.id;
  delete body.expression; // computed by the node
  const idInput = h('input', { id: 'rule-id', type: 'text', value: id ?? '', placeholder: 'rule id', disabled: id !== null });
  const text = h('textarea', { id: 'rule-json', rows: 16, spellcheck: 'false' }, JSON.stringify(body, null, 2));
  const message = h('p', { id: 'rule-message', role: 'status' });
  const check = h('div', { id: 'rule-check' });
  const say = (t, error) => { message.textContent = t; message.className = error ? 'error' : 'ok'; };
  const parsed = () => {
    try {
      return JSON.parse(text.value);
    } catch (e) {
      say(`Not JSON: ${e.message}`, true);
      return null;
    }
  };
  clear(el).append(
    h('h3', {}, id ? `Rule ${id}` : 'New rule'),
    h('div', { class: 'row' }, idInput),
    text,
    h('div', { class: 'row' },
      h('button', {
        id: 'rule-save',
        disabled: !canEdit(),
        title: canEdit() ? '' : 'needs an editor token',
        onclick: async () => {
          const json = parsed();
          const ruleId = idInput.value.trim();
          if (!json) return;
          if (!ruleId) return say('The rule needs an id.', true);
          try {
            await api(`/api/v1/rules/${seg(ruleId)}`, { method: 'PUT', body: json });
            say(`Saved ${ruleId}.`, false);
            if (location.hash !== `#rules/${seg(ruleId)}`) location.hash = `rules/${seg(ruleId)}`;
          } catch (e) {
            say(errorText(e), true);
          }
        },
      }, 'Save'),
      id ? h('button', {
        class: 'danger',
        disabled: !canEdit(),
        onclick: async () => {
          if (!confirm(`Delete rule ${id}?`)) return;
          try {
            await api(`/api/v1/rules/${seg(id)}`, { method: 'DELETE' });
            location.hash = 'rules';
          } catch (e) {
            say(errorText(e), true);
          }
        },
      }, 'Delete') : null,
      h('button', {
        id: 'rule-backtest',
        class: 'secondary',
        title: 'Which minutes of the last hour pass this threshold, from the history. The full replay of any rule kind is ./autoglm backtest.',
        onclick: async () => {
          const json = parsed();
          if (json) await backtest(check, json);
        },
      }, 'Check against the last hour')),
    message,
    check);
}

function globRegex(glob) {
  const escaped = (glob ?? '*').replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

const OPS = { '>': (a, b) => a > b, '>=': (a, b) => a >= b, '<': (a, b) => a < b, '<=': (a, b) => a <= b };

/**
 * There is no backtest API (the backtest is the CLI's `./autoglm backtest`): this reads the
 * per-minute series of the rule's metric for each endpoint it applies to and lists the minutes
 * that pass its threshold. Minutes, not the rule's window; no for/cooldown.
 */
async function backtest(el, rule) {
  clear(el);
  const kind = rule.kind ?? 'threshold';
  if (kind !== 'threshold' || rule.scope === 'ip' || !OPS[rule.op ?? '>'] || typeof rule.threshold !== 'number') {
    el.append(h('p', { class: 'muted' },
      'Only threshold rules on endpoints can be checked here. Replay any rule on recorded traffic with ./autoglm backtest --rules FILE --capture FILE.'));
    return;
  }
  const service = globRegex(rule.service);
  const endpoint = globRegex(rule.endpoint);
  const list = await api('/api/v1/endpoints');
  const matching = list.endpoints.filter((e) => service.test(e.service) && endpoint.test(e.path));
  if (matching.length === 0) {
    el.append(h('p', { class: 'muted' }, 'No endpoint seen so far matches this rule.'));
    return;
  }
  const to = Date.now();
  const range = { metric: rule.metric, from: new Date(to - 3600_000).toISOString(), to: new Date(to).toISOString(), step: '1m' };
  const op = OPS[rule.op ?? '>'];
  const rows = await Promise.all(matching.slice(0, CHECKED_ENDPOINTS).map(async (e) => {
    try {
      const s = await api(`/api/v1/endpoints/${seg(e.id)}/series${query(range)}`);
      const hits = s.points.filter((p) => p.value !== null && op(p.value, rule.threshold));
      return h('tr', { dataset: { endpoint: e.id } }, h('td', {}, e.id), h('td', {}, hits.length),
        h('td', {}, hits.slice(0, 5).map((p) => `${fmtTime(p.t)} ${fmtNumber(p.value, 4)}`).join(', ')));
    } catch (err) {
      return h('tr', {}, h('td', {}, e.id), h('td', { colspan: 2, class: 'error' }, errorText(err)));
    }
  }));
  add(el, h('h4', {}, `Minutes of the last hour with ${rule.metric} ${rule.op ?? '>'} ${rule.threshold}`),
    table(['endpoint', 'minutes', 'first ones'], rows, { class: 'grid' }),
    matching.length > CHECKED_ENDPOINTS ? h('p', { class: 'muted' }, `${matching.length - CHECKED_ENDPOINTS} more endpoints not checked.`) : null,
    h('p', { class: 'muted' }, 'Per-minute values from the history, without for, cooldown or the rule\'s window: a first look. ./autoglm backtest replays the rule exactly.'));
}
