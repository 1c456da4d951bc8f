// The console's shell: login with a token, the navigation, and the page for the location hash.
import { api, session, setToken, token, whenUnauthorized, ApiError } from './api.js';
import { clear, errorText } from './dom.js';
import { feed, renderAlerts } from './alerts.js';
import { renderEndpoints, renderEndpoint, renderIp } from './endpoints.js';
import { renderRules } from './rules.js';
import { renderNotifications } from './notifications.js';
import { renderCluster } from './cluster.js';

const $ = (id) => document.getElementById(id);

const pages = {
  alerts: renderAlerts,
  endpoints: renderEndpoints,
  endpoint: renderEndpoint,
  ip: renderIp,
  rules: renderRules,
  notifications: renderNotifications,
  cluster: renderCluster,
};

function showLogin(message = '') {
  setToken(null);
  feed.stop();
  $('app').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message;
  $('login-token').focus();
}

async function signIn(candidate) {
  const me = await api('/api/v1/whoami', { tokenOverride: candidate });
  setToken(candidate);
  session.name = me.name;
  session.role = me.role;
  $('whoami').textContent = `${me.name} · ${me.role}`;
  $('login').hidden = true;
  $('app').hidden = false;
  feed.start();
  route();
}

function route() {
  if (!token()) return;
  const [name, ...rest] = (location.hash.slice(1) || 'alerts').split('/');
  const page = pages[name] ? name : 'alerts';
  for (const a of document.querySelectorAll('#nav a')) {
    const current = a.dataset.page === page || (a.dataset.page === 'endpoints' && (page === 'endpoint' || page === 'ip'));
    a.classList.toggle('current', current);
  }
  const main = clear($('page'));
  main.dataset.page = page;
  pages[page](main, rest.map(decodeURIComponent)).catch((e) => {
    if (!(e instanceof ApiError && e.status === 401)) {
      main.append(Object.assign(document.createElement('p'), { className: 'error', textContent: errorText(e) }));
    }
  });
}

whenUnauthorized(() => showLogin('The token was refused (unknown, revoked or expired): sign in again.'));

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const candidate = $('login-token').value.trim();
  $('login-error').textContent = '';
  try {
    await signIn(candidate);
    $('login-token').value = '';
  } catch (e) {
    $('login-error').textContent = e instanceof ApiError && e.status === 401
      ? 'This token is not valid here.'
      : `Cannot sign in: ${errorText(e)}`;
  }
});
$('logout').addEventListener('click', () => showLogin());
window.addEventListener('hashchange', route);

if (token()) {
  signIn(token()).catch(() => showLogin());
} else {
  showLogin();
}
