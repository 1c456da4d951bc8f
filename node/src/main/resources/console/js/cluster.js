// The cluster as this node sees it: members, the leader, and the shards each node holds.
import { api } from './api.js';
import { add, h, table } from './dom.js';

export async function renderCluster(main) {
  const c = await api('/api/v1/cluster');
  main.append(h('h2', {}, 'Cluster'),
    h('p', {}, `This node: ${c.self} · leader: ${c.leader ?? 'none'}`),
    table(['member', 'status', 'data center', 'roles', 'reachable'],
      c.members.map((m) => h('tr', { class: m.reachable ? '' : 'unreachable' },
        h('td', {}, m.address, m.address === c.self ? ' (this node)' : ''),
        h('td', {}, m.status), h('td', {}, m.dataCenter ?? ''), h('td', {}, (m.roles || []).join(', ')),
        h('td', {}, m.reachable ? 'yes' : 'no'))),
      { class: 'grid members' }));
  const nodes = [...new Set(Object.values(c.shards).flatMap((byNode) => Object.keys(byNode)))].sort();
  add(main, h('h3', {}, 'Shards and entities per node'),
    table(['entity type', ...nodes],
      Object.entries(c.shards).map(([type, byNode]) => h('tr', {}, h('td', {}, type),
        nodes.map((n) => h('td', {}, byNode[n] ? `${byNode[n].shards} shards, ${byNode[n].entities} entities` : '–')))),
      { class: 'grid' }),
    c.shardsComplete ? null : h('p', { class: 'muted' }, 'A node\'s sharding did not answer in time: the counts are incomplete.'));
}
