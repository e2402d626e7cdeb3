// The admin API, called with the key the operator typed in. The key lives in this module's
// variable only: never in a URL, a cookie or web storage, so closing or reloading the tab forgets it.

let adminKey = null;
let onRefused = () => {};

export class ApiError extends Error {
  constructor(status, body, method, path) {
    super(describe(status, body));
    this.name = 'ApiError';
    this.status = status;
    this.body = body ?? {};
    this.method = method;
    this.path = path;
    /** Validation failures: each failing field by its path. */
    this.fields = body && typeof body.fields === 'object' && body.fields !== null ? body.fields : {};
  }
}

function describe(status, body) {
  const message = Array.isArray(body?.message) ? body.message.join('; ') : (body?.message ?? '');
  if (status === 0) return message || 'could not reach the gateway';
  const name = body?.error ? ` ${body.error}` : '';
  return `The admin API answered ${status}${name}${message ? `: ${message}` : ''}`;
}

export const isSignedIn = () => adminKey !== null;

/** Called with the error when the gateway refuses the key (401), e.g. after it was changed. */
export function whenKeyRefused(listener) {
  onRefused = listener;
}

export function signOut() {
  adminKey = null;
}

/** Checks the key with a cheap admin call before keeping it. */
export async function signIn(key) {
  const candidate = key.trim();
  if (candidate === '') throw new ApiError(0, { message: 'Enter the admin API key.' });
  await call('GET', '/admin/connections?limit=1', undefined, candidate);
  adminKey = candidate;
}

/** `{a: 1, b: undefined, c: ''}` → `?a=1`: empty filters are left out. */
export function query(params = {}) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export const get = (path, params) => request('GET', path + query(params));
export const post = (path, body = {}) => request('POST', path, body);
export const patch = (path, body) => request('PATCH', path, body);

async function request(method, path, body) {
  if (adminKey === null) throw new ApiError(401, { error: 'Unauthorized', message: 'not signed in' }, method, path);
  try {
    return await call(method, path, body, adminKey);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) onRefused(error);
    throw error;
  }
}

async function call(method, path, body, key) {
  const headers = { authorization: `Bearer ${key}`, accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store', credentials: 'omit', redirect: 'error' });
  } catch (error) {
    throw new ApiError(0, { message: `Could not reach the gateway (${error instanceof Error ? error.message : String(error)})` }, method, path);
  }
  const text = await response.text();
  let data;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = { message: text.slice(0, 300) };
  }
  if (!response.ok) throw new ApiError(response.status, data, method, path);
  return data;
}

/** Every page of a list, up to `max` items: `{items, more}` (more: the list goes on beyond max). */
export async function getAll(path, params = {}, max = 5000) {
  const items = [];
  let cursor;
  do {
    const page = await get(path, { ...params, limit: 500, cursor });
    items.push(...page.data);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && items.length < max);
  return { items, more: cursor !== undefined };
}

/** The registered vendors (`GET /admin/providers`). */
export const providerList = () => get('/admin/providers');

/** The admin API's OpenAPI document (`/docs-json` takes the admin key too). A refusal here does not sign out. */
export const apiDocument = () => call('GET', '/docs-json', undefined, adminKey ?? '');
