// Refused ingress requests (GET /admin/inbound): why, from where, how big. Never their bodies.
import { apiDocument, get } from '../api.js';
import { Empty, ErrorBox, formatCount, href, html, Loading, loadRefusalReasons, navigate, PageTitle, TableWrap, Time, useApi, useState } from '../ui.js';

export function Refusals({ params }) {
  const filter = { provider: params.get('provider') ?? '', reason: params.get('reason') ?? '' };
  const key = JSON.stringify(filter);
  const reasons = useApi(() => loadRefusalReasons(apiDocument), []);
  const first = useApi(() => get('/admin/inbound', { ...filter, limit: 50 }), [key]);
  const [extra, setExtra] = useState({ key: '', rows: [], next: undefined });
  const [moreError, setMoreError] = useState(null);
  const rows = [...(first.data?.data ?? []), ...(extra.key === key ? extra.rows : [])];
  const next = extra.key === key && extra.next !== undefined ? extra.next : first.data?.nextCursor;

  const submit = (event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    navigate('/refusals', { provider: String(form.get('provider') ?? '').trim(), reason: form.get('reason') });
  };
  const loadMore = async () => {
    setMoreError(null);
    try {
      const page = await get('/admin/inbound', { ...filter, limit: 50, cursor: next });
      setExtra((current) => ({ key, rows: [...(current.key === key ? current.rows : []), ...page.data], next: page.nextCursor }));
    } catch (error) {
      setMoreError(error);
    }
  };
  const knownReasons = reasons.data ?? [];

  return html`<section class="page refusals">
    <${PageTitle}>Refusals</${PageTitle}>
    <p class="muted small">Webhooks the gateway refused, alike ones from one source counted together. Bodies are never kept.</p>
    <form class="filters card" onSubmit=${submit} aria-label="Refusal filters" key=${key}>
      <div class="field">
        <label for="refusal-provider">Provider</label>
        <input id="refusal-provider" name="provider" defaultValue=${filter.provider} placeholder="any" autocomplete="off" />
      </div>
      <div class="field">
        <label for="refusal-reason">Reason</label>
        ${
          knownReasons.length > 0
            ? html`<select id="refusal-reason" name="reason">
              <option value="">Any reason</option>
              ${knownReasons.map((reason) => html`<option key=${reason} value=${reason} selected=${reason === filter.reason}>${reason}</option>`)}
            </select>`
            : html`<input id="refusal-reason" name="reason" defaultValue=${filter.reason} placeholder="any" autocomplete="off" />`
        }
      </div>
      <div class="field buttons">
        <button type="submit">Apply filters</button>
        <a href=${href('/refusals')}>Reset</a>
      </div>
    </form>
    <${ErrorBox} error=${first.error} title="Refusals could not be loaded." />
    ${first.loading && !first.data ? html`<${Loading} what="Loading refusals" />` : null}
    ${first.data && rows.length === 0 ? html`<${Empty}>${filter.provider || filter.reason ? 'No refusals match these filters' : 'No refused webhooks'}</${Empty}>` : null}
    ${
      rows.length > 0
        ? html`<${TableWrap} label="Refused webhooks">
          <table>
            <thead>
              <tr>
                <th scope="col">First at</th><th scope="col" class="num">Count</th><th scope="col">Provider</th><th scope="col">Answer</th><th scope="col">Reason</th><th scope="col">Detail</th>
                <th scope="col">Source</th><th scope="col" class="num">Bytes</th>
              </tr>
            </thead>
            <tbody>
              ${rows.map(
                (refusal) => html`<tr key=${refusal.id}>
                  <td><${Time} iso=${refusal.receivedAt} /></td>
                  <td class="num">${formatCount(refusal.count)}</td>
                  <td>${refusal.provider ?? html`<span class="muted">not recognised</span>`}${refusal.connection ? `/${refusal.connection}` : ''}</td>
                  <td class="num">${refusal.statusCode}</td>
                  <td><code>${refusal.reason}</code></td>
                  <td class="small">${refusal.detail}</td>
                  <td><code>${refusal.sourceIp ?? '—'}</code></td>
                  <td class="num">${formatCount(refusal.sizeBytes)}</td>
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
