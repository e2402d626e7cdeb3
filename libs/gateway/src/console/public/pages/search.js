// Results of the one search box: events and verifications whose id, applicant id, external user
// id or vendor verification id is exactly the text (GET /admin/search).
import { get } from '../api.js';
import { Empty, ErrorBox, href, html, Loading, PageTitle, ShortId, Status, Subject, TableWrap, Time, useApi } from '../ui.js';

export function SearchResults({ q }) {
  const { data, error, loading } = useApi(() => (q ? get('/admin/search', { q }) : Promise.resolve(null)), [q]);
  return html`<section class="page">
    <${PageTitle}>Results</${PageTitle}>
    ${q ? html`<p>For <code class="query">${q}</code>, matched exactly against event ids, verification ids, applicant ids, external user ids and vendor verification ids.</p>` : html`<p>Type an id in the box above.</p>`}
    <${ErrorBox} error=${error} title="The search failed." />
    ${loading ? html`<${Loading} what="Looking" />` : null}
    ${
      data && !loading
        ? data.events.length === 0 && data.verifications.length === 0
          ? html`<${Empty}>Nothing found for this id</${Empty}>`
          : html`<section aria-labelledby="found-events"><h2 id="found-events">Events (${data.events.length})</h2>
              ${data.events.length === 0 ? html`<${Empty}>No events</${Empty}>` : html`<${EventTable} events=${data.events} />`}</section>
            <section aria-labelledby="found-verifications"><h2 id="found-verifications">Verifications (${data.verifications.length})</h2>
              ${data.verifications.length === 0 ? html`<${Empty}>No verifications</${Empty}>` : html`<${VerificationTable} verifications=${data.verifications} />`}</section>`
        : null
    }
  </section>`;
}

export function EventTable({ events }) {
  return html`<${TableWrap} label="Events">
    <table>
      <thead>
        <tr><th scope="col">Received</th><th scope="col">Event</th><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Provider</th><th scope="col">Subject</th><th scope="col">Occurred</th></tr>
      </thead>
      <tbody>
        ${events.map(
          (event) => html`<tr key=${event.id}>
            <td><${Time} iso=${event.receivedAt} /></td>
            <td><a href=${href(`/events/${event.id}`)} aria-label=${`Event ${event.type} ${event.id}`}><${ShortId} id=${event.id} /></a></td>
            <td><code>${event.type}</code>${event.verification?.stale ? html` <span class="badge stale">stale</span>` : null}</td>
            <td><${Status} status=${event.status} /></td>
            <td>${event.provider}/${event.connection}</td>
            <td><${Subject} subject=${event.subject} /></td>
            <td><${Time} iso=${event.occurredAt} /></td>
          </tr>`,
        )}
      </tbody>
    </table>
  </${TableWrap}>`;
}

export function VerificationTable({ verifications }) {
  return html`<${TableWrap} label="Verifications">
    <table>
      <thead>
        <tr><th scope="col">Verification</th><th scope="col">Status</th><th scope="col">Provider</th><th scope="col">Subject</th><th scope="col" class="num">Events</th><th scope="col">Status since</th><th scope="col">Updated</th></tr>
      </thead>
      <tbody>
        ${verifications.map(
          (verification) => html`<tr key=${verification.id}>
            <td><a href=${href(`/verifications/${verification.id}`)} aria-label=${`Verification ${verification.id}`}><${ShortId} id=${verification.id} /></a></td>
            <td><${Status} status=${verification.status} /></td>
            <td>${verification.provider}/${verification.connection}</td>
            <td><${Subject} subject=${verification.subject} /></td>
            <td class="num">${verification.events}</td>
            <td><${Time} iso=${verification.statusSince} /></td>
            <td><${Time} iso=${verification.updatedAt} /></td>
          </tr>`,
        )}
      </tbody>
    </table>
  </${TableWrap}>`;
}
