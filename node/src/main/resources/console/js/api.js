// The API client: the token from sessionStorage on every request, JSON in and out,
// and a 401 anywhere sends the user back to the login.

const TOKEN_KEY = 'autoglm.token';

/** Who is signed in (from whoami). */
export const session = { name: '', role: '' };

/** Whether the signed-in role may change things (rules, acknowledgements, silences). */
export const canEdit = () => session.role === 'editor' || session.role === 'admin';

/** What a control a viewer cannot use shows: disabled, saying why. */
export const editorOnly = () => (canEdit() ? {} : { disabled: true, title: 'needs an editor token' });

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  if (value) {
    sessionStorage.setItem(TOKEN_KEY, value);
  } else {
    sessionStorage.removeItem(TOKEN_KEY);
  }
}

let onUnauthorized = () => {};

/** What to do when the API answers 401 (the token is unknown, revoked or missing). */
export function whenUnauthorized(handler) {
  onUnauthorized = handler;
}

/** An API error: the status, the API's message and, where it names one, the field. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.error ? body.error : `HTTP ${status}`);
    this.status = status;
    this.field = body && body.field;
    this.reason = body && body.reason;
  }
}

/** A request to this node's API; resolves to the parsed JSON (null for 204). */
export async function api(path, { method = 'GET', body, tokenOverride } = {}) {
  const headers = { Authorization: `Bearer ${tokenOverride ?? token() ?? ''}` };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
  });
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = { error: text.slice(0, 200) };
  }
  if (response.status === 401 && tokenOverride === undefined) {
    onUnauthorized();
  }
  if (!response.ok) {
    throw new ApiError(response.status, json);
  }
  return json;
}

/** The WebSocket URL of an API path on this node (ws: or wss: as the page was loaded). */
export function wsUrl(path) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${path}`;
}

/** One URL path segment (an endpoint id such as default/v1/chat is one segment). */
export const seg = (id) => encodeURIComponent(id);

/** A query string from the defined values of an object. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') {
      q.set(k, v);
    }
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}
