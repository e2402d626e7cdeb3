// Verifications: filters by status, provider and how long they have been stuck; the detail of
// one with its timeline (GET /admin/verifications, GET /admin/verifications/:id).
import { get, providerList } from '../api.js';
import { Empty, ErrorBox, href, html, Loading, loadProviders, navigate, PageTitle, Status, Subject, TableWrap, Time, useApi, useState, VERIFICATION_STATUSES } from '../ui.js';
import { VerificationTable } from './search.js';
import { Timeline } from './timeline.js';

const STUCK = [
  ['', 'Any age'],
  ['900', 'Stuck 15 minutes or more'],
  ['3600', 'Stuck 1 hour or more'],
  ['86400', 'Stuck 1 day or more'],
  ['604800', 'Stuck 1 week or more'],
];

export function Verifications({ params }) {
  const filter = { status: params.get('status') ?? '', provider: params.get('provider') ?? '', stuckForSeconds: params.get('stuckForSeconds') ?? '' };
  const key = JSON.stringify(filter);
  const providers = useApi(() => loadProviders(providerList), []);
  const first = useApi(() => get('/admin/verifications', { ...filter, limit: 50 }), [key]);
  const [extra, setExtra] = useState({ key: '', rows: [], next: undefined });
  const rows = [...(first.data?.data ?? []), ...(extra.key === key ? extra.rows : [])];
  const next = extra.key === key && extra.next !== undefined ? extra.next : first.data?.nextCursor;
  const [moreError, setMoreError] = useState(null);

  const submit = (event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    navigate('/verifications', { status: form.get('status'), provider: form.get('provider'), stuckForSeconds: form.get('stuckForSeconds') });
  };
  const loadMore = async () => {
    setMoreError(null);
    try {
      const page = await get('/admin/verifications', { ...filter, limit: 50, cursor: next });
      setExtra((current) => ({ key, rows: [...(current.key === key ? current.rows : []), ...page.data], next: page.nextCursor }));
    } catch (error) {
      setMoreError(error);
    }
  };
  const stuck = filter.stuckForSeconds !== '';

  return html`<section class="page verifications">
    <${PageTitle}>Verifications</${PageTitle}>
    <form class="filters card" onSubmit=${submit} aria-label="Verification filters" key=${key}>
      <div class="field">
        <label for="verification-status">Status</label>
        <select id="verification-status" name="status">
          <option value="">Any status</option>
          ${VERIFICATION_STATUSES.map((status) => html`<option key=${status} value=${status} selected=${status === filter.status}>${status}</option>`)}
        </select>
      </div>
      <div class="field">
        <label for="verification-provider">Provider</label>
        <select id="verification-provider" name="provider">
          <option value="">Any provider</option>
          ${(providers.data ?? []).map(({ name, displayName }) => html`<option key=${name} value=${name} selected=${name === filter.provider}>${displayName}</option>`)}
        </select>
      </div>
      <div class="field">
        <label for="verification-stuck">Stuck</label>
        <select id="verification-stuck" name="stuckForSeconds">
          ${STUCK.map(([value, label]) => html`<option key=${value} value=${value} selected=${value === filter.stuckForSeconds}>${label}</option>`)}
        </select>
      </div>
      <div class="field buttons">
        <button type="submit">Apply filters</button>
        <a href="#/verifications">Reset</a>
      </div>
    </form>
    ${stuck ? html`<p class="muted small">Stuck: in a status that is not final (not approved, rejected, completed, expired or cancelled), unchanged for at least that long in vendor time.</p>` : null}
    <${ErrorBox} error=${first.error} title="Verifications could not be loaded." />
    ${first.loading && !first.data ? html`<${Loading} what="Loading verifications" />` : null}
    ${first.data && rows.length === 0 ? html`<${Empty}>${stuck ? 'No stuck verifications' : 'No verifications match these filters'}</${Empty}>` : null}
    ${rows.length > 0 ? html`<${VerificationTable} verifications=${rows} />` : null}
    <${ErrorBox} error=${moreError} />
    ${next ? html`<button type="button" class="secondary" onClick=${loadMore}>Load more</button>` : null}
  </section>`;
}

export function VerificationPage({ id }) {
  const { data, error, loading } = useApi(() => get(`/admin/verifications/${encodeURIComponent(id)}`), [id]);
  return html`<section class="page verification">
    <${PageTitle}>Verification</${PageTitle}>
    <${ErrorBox} error=${error} title="The verification could not be loaded." />
    ${!data && loading ? html`<${Loading} what="Loading the verification" />` : null}
    ${
      data
        ? html`<p class="lead"><${Status} status=${data.status} /> at <strong>${data.provider}</strong>/${data.connection}, <${Subject} subject=${data.subject} /></p>
          <${TableWrap} label="Verification fields">
            <table class="fields">
              <tbody>
                <tr><th scope="row">Verification id</th><td><code>${data.id}</code></td></tr>
                <tr><th scope="row">Status</th><td><${Status} status=${data.status} /></td></tr>
                <tr><th scope="row">Status event time (vendor)</th><td><${Time} iso=${data.statusAt} /></td></tr>
                <tr><th scope="row">Status held since (vendor)</th><td><${Time} iso=${data.statusSince} /></td></tr>
                <tr><th scope="row">Events</th><td>${data.events}</td></tr>
                <tr><th scope="row">Created</th><td><${Time} iso=${data.createdAt} /></td></tr>
                <tr><th scope="row">Updated</th><td><${Time} iso=${data.updatedAt} /></td></tr>
                <tr><th scope="row">Events of this subject</th><td><a href=${href('/search', { q: data.subject.applicantId ?? data.subject.verificationId ?? data.subject.externalUserId ?? data.id })}>Search them</a></td></tr>
              </tbody>
            </table>
          </${TableWrap}>
          <section aria-labelledby="timeline-heading">
            <h2 id="timeline-heading">Timeline</h2>
            <${Timeline} verification=${data} />
          </section>`
        : null
    }
  </section>`;
}
