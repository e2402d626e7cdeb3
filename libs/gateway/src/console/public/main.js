// The operator console: sign-in, the page frame (navigation, search, sign out) and hash routes.
import { html, render, useEffect, useRef, useState } from '../vendor/preact-htm.js';
import { isSignedIn, signIn, signOut, whenKeyRefused } from './api.js';
import { ErrorBox, navigate } from './ui.js';
import { Overview } from './pages/overview.js';
import { SearchResults } from './pages/search.js';
import { EventPage } from './pages/event.js';
import { Deliveries } from './pages/deliveries.js';
import { Verifications, VerificationPage } from './pages/verifications.js';
import { Subscribers } from './pages/subscribers.js';
import { Connections } from './pages/connections.js';
import { Refusals } from './pages/refusals.js';

const NAV = [
  { path: '/', label: 'Overview' },
  { path: '/deliveries', label: 'Failed deliveries' },
  { path: '/verifications', label: 'Verifications' },
  { path: '/subscribers', label: 'Subscribers' },
  { path: '/connections', label: 'Connections' },
  { path: '/refusals', label: 'Refusals' },
];

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, search = ''] = raw.split('?');
  const parts = path
    .split('/')
    .filter(Boolean)
    .map((part) => decodeURIComponent(part));
  return { path: `/${parts.join('/')}`, parts, params: new URLSearchParams(search), raw };
}

function useRoute() {
  const [route, setRoute] = useState(parseHash);
  useEffect(() => {
    const changed = () => setRoute(parseHash());
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return route;
}

function pageOf({ parts, params }) {
  const [first, second] = parts;
  switch (first) {
    case undefined:
    case 'overview':
      return html`<${Overview} />`;
    case 'search':
      return html`<${SearchResults} q=${params.get('q') ?? ''} />`;
    case 'events':
      return second ? html`<${EventPage} id=${second} />` : null;
    case 'deliveries':
      return html`<${Deliveries} params=${params} />`;
    case 'verifications':
      return second ? html`<${VerificationPage} id=${second} />` : html`<${Verifications} params=${params} />`;
    case 'subscribers':
      return html`<${Subscribers} />`;
    case 'connections':
      return html`<${Connections} />`;
    case 'refusals':
      return html`<${Refusals} params=${params} />`;
    default:
      return null;
  }
}

function SignIn({ reason, onSignedIn }) {
  const [error, setError] = useState(reason ? { message: reason } : null);
  const [busy, setBusy] = useState(false);
  const input = useRef(null);
  useEffect(() => {
    document.title = 'Sign in · KYC gateway console';
    input.current?.focus();
  }, []);
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(input.current.value);
      input.current.value = '';
      onSignedIn();
    } catch (failure) {
      setError(
        failure.status === 401
          ? { message: 'The gateway refused this key (401). Check ADMIN_API_KEY (kept in data/admin-api-key on a local start).' }
          : failure.status === 429
            ? { message: 'Too many attempts from this address: wait a minute and try again.' }
            : failure,
      );
      setBusy(false);
      input.current?.focus();
    }
  };
  return html`<main class="signin">
    <h1>KYC gateway console</h1>
    <form onSubmit=${submit} class="card">
      <label for="admin-key">Admin API key</label>
      <input id="admin-key" name="admin-key" type="password" autocomplete="off" spellcheck=${false} required aria-describedby="key-hint" ref=${input} />
      <p id="key-hint" class="hint">Kept in this tab's memory only: closing or reloading the tab signs you out.</p>
      <button type="submit" disabled=${busy}>${busy ? 'Signing in…' : 'Sign in'}</button>
      <${ErrorBox} error=${error} />
    </form>
  </main>`;
}

function SearchBox({ route }) {
  const current = route.parts[0] === 'search' ? (route.params.get('q') ?? '') : '';
  const [value, setValue] = useState(current);
  useEffect(() => setValue(current), [current]);
  const submit = (event) => {
    event.preventDefault();
    const q = value.trim();
    if (q) navigate('/search', { q });
  };
  return html`<form class="search" role="search" onSubmit=${submit}>
    <label for="search-box">Search</label>
    <input
      id="search-box"
      type="search"
      value=${value}
      onInput=${(event) => setValue(event.currentTarget.value)}
      placeholder="event, applicant, user or verification id"
      maxlength="200"
      autocomplete="off"
      spellcheck=${false}
    />
    <button type="submit">Find</button>
  </form>`;
}

function Shell({ route, onSignOut, children }) {
  const main = useRef(null);
  const first = useRef(true);
  // On a new page, focus goes to its heading (screen readers announce it), not back to the top.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    window.scrollTo(0, 0);
    (document.getElementById('page-heading') ?? main.current)?.focus();
  }, [route.raw]);
  const active = (path) => (path === '/' ? route.parts.length === 0 || route.parts[0] === 'overview' : route.path.startsWith(path));
  return html`<div class="shell">
    <button type="button" class="skip" onClick=${() => (document.getElementById('page-heading') ?? main.current)?.focus()}>Skip to content</button>
    <header class="top">
      <a class="brand" href="#/">KYC gateway</a>
      <nav aria-label="Pages">
        <ul>
          ${NAV.map(({ path, label }) => html`<li key=${path}><a href=${`#${path}`} aria-current=${active(path) ? 'page' : undefined}>${label}</a></li>`)}
        </ul>
      </nav>
      <${SearchBox} route=${route} />
      <button type="button" class="secondary signout" onClick=${onSignOut}>Sign out</button>
    </header>
    <main id="main" ref=${main} tabindex="-1">${children ?? html`<h1 id="page-heading" tabindex="-1">Page not found</h1><p>No console page at <code>${route.raw}</code>. <a href="#/">Go to the overview</a>.</p>`}</main>
  </div>`;
}

function App() {
  const [signedIn, setSignedIn] = useState(isSignedIn());
  const [reason, setReason] = useState(null);
  const route = useRoute();
  useEffect(
    () =>
      whenKeyRefused(() => {
        signOut();
        setReason('The gateway refused the key (401): it may have changed. Sign in again.');
        setSignedIn(false);
      }),
    [],
  );
  if (!signedIn) {
    return html`<${SignIn}
      reason=${reason}
      onSignedIn=${() => {
        setReason(null);
        setSignedIn(true);
      }}
    />`;
  }
  const leave = () => {
    signOut();
    setReason(null);
    setSignedIn(false);
  };
  return html`<${Shell} route=${route} onSignOut=${leave}>${pageOf(route)}</${Shell}>`;
}

const root = document.getElementById('app');
root.textContent = '';
render(html`<${App} />`, root);
