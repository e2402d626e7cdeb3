// Deliveries, failed ones first: filters, Retry (one), Retry all (every delivery matching the
// filter, after confirming how many). Retried rows are followed until they settle.
import { get, getAll, post } from '../api.js';
import { Empty, ErrorBox, formatCount, href, html, Loading, navigate, Notice, PageTitle, ShortId, TableWrap, Time, useApi, useEffect, useInterval, useRef, useRowActions, useState } from '../ui.js';
import { fromLocalInput, toLocalInput } from './forms.js';

const STATUSES = [
  ['failed', 'Failed'],
  ['pending', 'Pending'],
  ['succeeded', 'Succeeded'],
  ['any', 'Any status'],
];
const FOLLOW_MS = 1_500;
const FOLLOW_FOR_MS = 90_000;

function filterOf(params) {
  return {
    status: params.get('status') ?? 'failed',
    subscriberId: params.get('subscriberId') ?? '',
    eventId: params.get('eventId') ?? '',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
  };
}

/** The filter as the API takes it: no `any` status, no empty fields. */
function apiFilter(filter) {
  const body = {};
  if (filter.status !== 'any') body.status = filter.status;
  for (const name of ['subscriberId', 'eventId', 'from', 'to']) if (filter[name]) body[name] = filter[name];
  return body;
}

export function Deliveries({ params }) {
  const filter = filterOf(params);
  const wanted = apiFilter(filter);
  const key = JSON.stringify(wanted);
  const subscribers = useApi(() => getAll('/admin/subscribers').then(({ items }) => items), []);
  const first = useApi(() => get('/admin/deliveries', { ...wanted, limit: 50 }), [key]);
  const [rows, setRows] = useState([]);
  const [next, setNext] = useState(null);
  const [moreError, setMoreError] = useState(null);
  const [notice, setNotice] = useState(null);
  const [progress, setProgress] = useState(null);
  // Retry of one row, and the retry-all steps, share the page's error box.
  const rowActions = useRowActions();
  const setActionError = rowActions.setError;
  const [confirming, setConfirming] = useState(null);
  const [counting, setCounting] = useState(false);
  // Deliveries restarted from this page, followed until they leave `pending`.
  const followed = useRef({ ids: new Set(), until: 0 });
  const [following, setFollowing] = useState(false);

  useEffect(() => {
    if (first.data) {
      setRows(first.data.data);
      setNext(first.data.nextCursor);
    }
  }, [first.data]);
  useEffect(() => {
    setNotice(null);
    setProgress(null);
    setActionError(null);
    setConfirming(null);
    followed.current = { ids: new Set(), until: 0 };
    setFollowing(false);
  }, [key]);

  const names = new Map((subscribers.data ?? []).map((subscriber) => [subscriber.id, subscriber.name]));
  const merge = (updates) => setRows((current) => current.map((row) => updates.get(row.id) ?? row));

  const follow = (ids) => {
    for (const id of ids) followed.current.ids.add(id);
    followed.current.until = Date.now() + FOLLOW_FOR_MS;
    setFollowing(true);
  };

  const refreshFollowed = async () => {
    const { ids, until } = followed.current;
    if (ids.size === 0 || Date.now() > until) return setFollowing(false);
    try {
      const targets = rows.filter((row) => ids.has(row.id));
      const found =
        targets.length === 1
          ? (await get('/admin/deliveries', { eventId: targets[0].eventId, subscriberId: targets[0].subscriberId, limit: 1 })).data
          : (await get('/admin/deliveries', { ...wanted, status: undefined, limit: 500 })).data;
      const updates = new Map(found.filter((delivery) => ids.has(delivery.id)).map((delivery) => [delivery.id, delivery]));
      merge(updates);
      const settled = [...updates.values()].filter((delivery) => delivery.status !== 'pending');
      for (const delivery of settled) ids.delete(delivery.id);
      if (settled.length > 0) {
        const succeeded = settled.filter((delivery) => delivery.status === 'succeeded').length;
        const failed = settled.length - succeeded;
        setProgress({
          kind: failed > 0 ? 'warn' : 'ok',
          text: [succeeded > 0 ? `${succeeded} ${succeeded === 1 ? 'delivery' : 'deliveries'} succeeded` : '', failed > 0 ? `${failed} failed again` : ''].filter(Boolean).join(', ') + '.',
        });
      }
      if (ids.size === 0) setFollowing(false);
    } catch (error) {
      setActionError(error);
      setFollowing(false);
    }
  };
  useInterval(refreshFollowed, FOLLOW_MS, following);

  const retryOne = (delivery) => {
    setProgress(null);
    return rowActions.run(delivery.id, async () => {
      const restarted = await post(`/admin/deliveries/${delivery.id}/retry`);
      merge(new Map([[restarted.id, restarted]]));
      setNotice({ text: `Retry started for the delivery of event …${delivery.eventId.slice(-8)} to ${names.get(delivery.subscriberId) ?? 'its subscriber'}.` });
      follow([restarted.id]);
    });
  };

  const askRetryAll = async () => {
    setCounting(true);
    setActionError(null);
    setNotice(null);
    setProgress(null);
    try {
      const { items, more } = await getAll('/admin/deliveries', wanted);
      if (items.length === 0) setNotice({ kind: 'warn', text: 'No deliveries match this filter: nothing to retry.' });
      else setConfirming({ count: items.length, more });
    } catch (error) {
      setActionError(error);
    } finally {
      setCounting(false);
    }
  };

  const retryAll = async () => {
    setConfirming(null);
    setActionError(null);
    try {
      const { queued } = await post('/admin/deliveries/retry', wanted);
      setNotice({ text: `${formatCount(queued)} ${queued === 1 ? 'delivery' : 'deliveries'} queued for a new round of attempts.` });
      // The rows that matched the filter were restarted: pending until their new round ends.
      const restarted = new Set(rows.filter((row) => wanted.status === undefined || row.status === wanted.status).map((row) => row.id));
      follow([...restarted]);
      setRows((current) => current.map((row) => (restarted.has(row.id) ? { ...row, status: 'pending' } : row)));
    } catch (error) {
      setActionError(error);
    }
  };

  const loadMore = async () => {
    setMoreError(null);
    try {
      const page = await get('/admin/deliveries', { ...wanted, limit: 50, cursor: next });
      setRows((current) => [...current, ...page.data]);
      setNext(page.nextCursor);
    } catch (error) {
      setMoreError(error);
    }
  };

  const hasFilter = Object.keys(wanted).length > 0;
  const title = filter.status === 'failed' ? 'Failed deliveries' : 'Deliveries';
  return html`<section class="page deliveries">
    <${PageTitle}
      actions=${html`<button type="button" onClick=${askRetryAll} disabled=${!hasFilter || counting || rows.length === 0} title=${hasFilter ? 'Retry every delivery matching the filter' : 'Choose at least one filter first'}>Retry all</button>`}
    >${title}</${PageTitle}>
    <${DeliveryFilters} filter=${filter} subscribers=${subscribers.data ?? []} />
    ${confirming ? html`<${ConfirmRetryAll} confirming=${confirming} filter=${filter} names=${names} onConfirm=${retryAll} onCancel=${() => setConfirming(null)} />` : null}
    <${Notice} notice=${notice} />
    <${Notice} notice=${progress} />
    <${ErrorBox} error=${rowActions.error} />
    <${ErrorBox} error=${subscribers.error} title="Subscribers could not be loaded." />
    <${ErrorBox} error=${first.error} title="Deliveries could not be loaded." />
    ${first.loading && !first.data ? html`<${Loading} what="Loading deliveries" />` : null}
    ${
      first.data && first.data.data.length === 0 && rows.length === 0
        ? html`<${Empty}>${filter.status === 'failed' && Object.keys(wanted).length === 1 ? 'No failed deliveries' : 'No deliveries match these filters'}</${Empty}>`
        : null
    }
    ${
      rows.length > 0
        ? html`<${TableWrap} label=${title}>
          <table>
            <thead>
              <tr>
                <th scope="col">Created</th><th scope="col">Event</th><th scope="col">Subscriber</th><th scope="col">Status</th>
                <th scope="col" class="num">Attempts</th><th scope="col" class="num">Rounds</th><th scope="col">Last error</th><th scope="col"><span class="offscreen">Action</span></th>
              </tr>
            </thead>
            <tbody>
              ${rows.map(
                (delivery) => html`<tr key=${delivery.id} data-delivery-id=${delivery.id} data-event-id=${delivery.eventId}>
                  <td><${Time} iso=${delivery.createdAt} /></td>
                  <td><a href=${href(`/events/${delivery.eventId}`)} aria-label=${`Event ${delivery.eventId}`}><${ShortId} id=${delivery.eventId} /></a></td>
                  <td>${names.get(delivery.subscriberId) ?? html`<${ShortId} id=${delivery.subscriberId} />`}</td>
                  <td><span class=${`badge delivery-${delivery.status}`}>${delivery.status}</span></td>
                  <td class="num">${delivery.attempts}</td>
                  <td class="num">${delivery.replays + 1}</td>
                  <td><code class="wrap">${delivery.lastError ?? ''}</code></td>
                  <td>
                    <button type="button" class="small" onClick=${() => retryOne(delivery)} disabled=${rowActions.busy[delivery.id] || delivery.status === 'pending'} title=${`Retry the delivery of event ${delivery.eventId}`}>
                      Retry
                    </button>
                  </td>
                </tr>`,
              )}
            </tbody>
          </table>
        </${TableWrap}>`
        : null
    }
    <${ErrorBox} error=${moreError} />
    ${next ? html`<button type="button" class="secondary" onClick=${loadMore}>Load more</button>` : null}
  </section>`;
}

function ConfirmRetryAll({ confirming, filter, names, onConfirm, onCancel }) {
  const confirm = useRef(null);
  useEffect(() => confirm.current?.focus(), []);
  const parts = [];
  if (filter.status !== 'any') parts.push(`status ${filter.status}`);
  if (filter.subscriberId) parts.push(`subscriber ${names.get(filter.subscriberId) ?? filter.subscriberId}`);
  if (filter.eventId) parts.push(`event ${filter.eventId}`);
  if (filter.from) parts.push(`created from ${filter.from}`);
  if (filter.to) parts.push(`created before ${filter.to}`);
  const count = `${formatCount(confirming.count)}${confirming.more ? '+' : ''}`;
  return html`<div class="confirm card" role="alertdialog" aria-labelledby="confirm-text" aria-modal="false">
    <p id="confirm-text"><strong>Retry all ${count} ${confirming.count === 1 ? 'delivery' : 'deliveries'}</strong> matching ${parts.join(', ')}? Each gets a new round of attempts.</p>
    <div class="row">
      <button type="button" ref=${confirm} onClick=${onConfirm}>Confirm (${count})</button>
      <button type="button" class="secondary" onClick=${onCancel}>Cancel</button>
    </div>
  </div>`;
}

function DeliveryFilters({ filter, subscribers }) {
  const submit = (event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    navigate('/deliveries', {
      status: form.get('status'),
      subscriberId: form.get('subscriberId'),
      eventId: String(form.get('eventId') ?? '').trim(),
      from: fromLocalInput(form.get('from')),
      to: fromLocalInput(form.get('to')),
    });
  };
  return html`<form class="filters card" onSubmit=${submit} aria-label="Delivery filters" key=${JSON.stringify(filter)}>
    <div class="field">
      <label for="delivery-status">Status</label>
      <select id="delivery-status" name="status">
        ${STATUSES.map(([value, label]) => html`<option key=${value} value=${value} selected=${value === filter.status}>${label}</option>`)}
      </select>
    </div>
    <div class="field">
      <label for="delivery-subscriber">Subscriber</label>
      <select id="delivery-subscriber" name="subscriberId">
        <option value="">Any subscriber</option>
        ${subscribers.map((subscriber) => html`<option key=${subscriber.id} value=${subscriber.id} selected=${subscriber.id === filter.subscriberId}>${subscriber.name}</option>`)}
      </select>
    </div>
    <div class="field">
      <label for="delivery-event">Event id</label>
      <input id="delivery-event" name="eventId" defaultValue=${filter.eventId} autocomplete="off" spellcheck=${false} />
    </div>
    <div class="field">
      <label for="delivery-from">Created from</label>
      <input id="delivery-from" name="from" type="datetime-local" step="1" defaultValue=${toLocalInput(filter.from)} />
    </div>
    <div class="field">
      <label for="delivery-to">Created before</label>
      <input id="delivery-to" name="to" type="datetime-local" step="1" defaultValue=${toLocalInput(filter.to)} />
    </div>
    <div class="field buttons">
      <button type="submit">Apply filters</button>
      <a href=${href('/deliveries', { status: 'failed' })}>Reset</a>
    </div>
  </form>`;
}
