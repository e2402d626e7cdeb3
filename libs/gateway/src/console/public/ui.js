// Building blocks shared by the pages: loading, errors, empty states, times, badges, copy.
import { html, useCallback, useEffect, useRef, useState } from '../vendor/preact-htm.js';

export { html, useCallback, useEffect, useRef, useState };

const dateTime = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

export const formatTime = (iso) => dateTime.format(new Date(iso));
export const formatClock = (date) => clock.format(date);
export const formatCount = (count) => new Intl.NumberFormat().format(count);

/** A time in the browser's zone; the exact ISO time on hover. */
export function Time({ iso, empty = '—' }) {
  if (!iso) return html`<span class="muted">${empty}</span>`;
  return html`<time datetime=${iso} title=${iso}>${formatTime(iso)}</time>`;
}

/** Ids are long: the end of one (UUIDv7 ids of the same minute share their start), the whole on hover. */
export function ShortId({ id }) {
  return html`<code class="id" title=${id}>…${id.slice(-8)}</code>`;
}

export function ErrorBox({ error, title }) {
  if (!error) return null;
  const fields = Object.entries(error.fields ?? {});
  return html`<div class="error" role="alert">
    ${title ? html`<strong>${title}</strong> ` : null}${error.message}
    ${fields.length > 0 ? html`<ul>${fields.map(([field, messages]) => html`<li key=${field}><code>${field}</code>: ${messages.join('; ')}</li>`)}</ul>` : null}
  </div>`;
}

export function Loading({ what = 'Loading' }) {
  return html`<p class="loading" role="status">${what}…</p>`;
}

export function Empty({ children }) {
  return html`<p class="empty">${children}</p>`;
}

export function Notice({ notice }) {
  if (!notice) return null;
  return html`<p class=${`notice ${notice.kind ?? 'ok'}`} role="status">${notice.text}</p>`;
}

export function Status({ status }) {
  return html`<span class=${`badge status-${status ?? 'none'}`}>${status ?? 'no status'}</span>`;
}

export function Json({ value }) {
  return html`<pre class="json">${JSON.stringify(value, null, 2)}</pre>`;
}

/** A horizontally scrolling table, reachable with the keyboard (arrows scroll it once focused). */
export function TableWrap({ label, children }) {
  return html`<div class="table-wrap" role="region" aria-label=${label} tabindex="0">${children}</div>`;
}

/** Copies text to the clipboard (or selects it for a manual copy where the browser forbids it). */
export function CopyButton({ text, label = 'Copy', description }) {
  const [state, setState] = useState('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('Copied');
    } catch {
      setState(fallbackCopy(text) ? 'Copied' : 'Copy failed: select the text and copy it');
    }
  };
  return html`<span class="copy">
    <button type="button" class="small" onClick=${copy} title=${description ?? `Copy ${text}`}>${label}</button>
    <span class="copy-state" role="status">${state}</span>
  </span>`;
}

function fallbackCopy(text) {
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'offscreen';
  document.body.appendChild(area);
  area.select();
  let copied = false;
  try {
    copied = document.execCommand('copy');
  } catch {
    copied = false;
  }
  area.remove();
  return copied;
}

/**
 * `load()` run now and whenever `deps` change: `{data, error, loading, reload, setData}`. An
 * answer that arrives after a newer request started is dropped.
 */
export function useApi(load, deps) {
  const [state, setState] = useState({ data: undefined, error: null, loading: true });
  const generation = useRef(0);
  const run = useCallback(() => {
    const mine = ++generation.current;
    setState((previous) => ({ ...previous, loading: true }));
    load().then(
      (data) => mine === generation.current && setState({ data, error: null, loading: false }),
      (error) => mine === generation.current && setState({ data: undefined, error, loading: false }),
    );
  }, deps);
  useEffect(() => {
    run();
    return () => {
      generation.current++;
    };
  }, [run]);
  const setData = (update) => setState((previous) => ({ ...previous, data: typeof update === 'function' ? update(previous.data) : update }));
  return { ...state, reload: run, setData };
}

/**
 * A page's actions on table rows: `run(id, action)` marks the row busy while `action` runs and keeps
 * its error for the page's error box (a new action clears it).
 */
export function useRowActions() {
  const [busy, setBusy] = useState({});
  const [error, setError] = useState(null);
  const run = async (id, action) => {
    setBusy((current) => ({ ...current, [id]: true }));
    setError(null);
    try {
      await action();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy((current) => ({ ...current, [id]: false }));
    }
  };
  return { busy, error, setError, run };
}

/** Calls `tick` every `ms` while mounted (and `enabled`). */
export function useInterval(tick, ms, enabled = true) {
  const latest = useRef(tick);
  latest.current = tick;
  useEffect(() => {
    if (!enabled) return undefined;
    const timer = setInterval(() => latest.current(), ms);
    return () => clearInterval(timer);
  }, [ms, enabled]);
}

/** The page's title, for the tab and for screen readers' announcement of the new page. */
export function PageTitle({ children, actions }) {
  const text = Array.isArray(children) ? children.join('') : String(children);
  useEffect(() => {
    document.title = `${text} · KYC gateway console`;
  }, [text]);
  return html`<div class="page-title">
    <h1 tabindex="-1" id="page-heading">${children}</h1>
    ${actions ? html`<div class="actions">${actions}</div>` : null}
  </div>`;
}

/** `#/path?query` for links. */
export function href(path, params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params ?? {})) if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  const text = search.toString();
  return `#${path}${text ? `?${text}` : ''}`;
}

export function navigate(path, params) {
  location.hash = href(path, params);
}

export function subjectText(subject) {
  const parts = [];
  if (subject?.applicantId) parts.push(`applicant ${subject.applicantId}`);
  if (subject?.externalUserId) parts.push(`user ${subject.externalUserId}`);
  if (subject?.verificationId) parts.push(`verification ${subject.verificationId}`);
  if (subject?.checkId) parts.push(`check ${subject.checkId}`);
  return parts.join(', ');
}

export function Subject({ subject }) {
  const text = subjectText(subject);
  return text ? html`<span class="subject">${text}</span>` : html`<span class="muted">none</span>`;
}

/** Lower-cased provider names in a fixed order, so each keeps its colour in the chart. */
export const KNOWN_PROVIDERS = ['allpass', 'complycube', 'verifik', 'sumsub', 'onfido', 'veriff', 'persona', 'stripe'];

/** Verification statuses (contract), for filters. */
export const VERIFICATION_STATUSES = ['created', 'started', 'incomplete', 'processing', 'review', 'on_hold', 'approved', 'rejected', 'completed', 'expired', 'cancelled'];

let documentOnce;
/** The admin API's OpenAPI document, read once per tab (null when it cannot be read). */
function apiSchemas(getDocument) {
  documentOnce ??= getDocument().then(
    (document) => document?.components?.schemas ?? null,
    () => null,
  );
  return documentOnce;
}

/**
 * The vendors the gateway knows, with the secrets a connection of each takes (GET /admin/providers,
 * read from the provider registry): a vendor added there appears here without a console change.
 */
export function loadProviders(getProviders) {
  return getProviders().then(({ data }) => data);
}

/** The refusal reasons of GET /admin/inbound, from the OpenAPI document (empty when unknown). */
export async function loadRefusalReasons(getDocument) {
  const schemas = await apiSchemas(getDocument);
  const names = schemas?.InboundRefusal?.properties?.reason?.enum;
  return Array.isArray(names) ? names : [];
}
