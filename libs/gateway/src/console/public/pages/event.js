// One event: the normalized VerificationEvent, its verification's timeline, its deliveries with
// every attempt, and Replay (GET /admin/events/:id, GET /admin/verifications/:id).
import { get, getAll, post } from '../api.js';
import { Empty, ErrorBox, href, html, Json, Loading, Notice, PageTitle, ShortId, Status, Subject, TableWrap, Time, useApi, useInterval, useState } from '../ui.js';
import { ordinal, Timeline } from './timeline.js';

export function EventPage({ id }) {
  const detail = useApi(() => get(`/admin/events/${encodeURIComponent(id)}`), [id]);
  const verificationId = detail.data?.event.verification?.id;
  const verification = useApi(() => (verificationId ? get(`/admin/verifications/${verificationId}`) : Promise.resolve(null)), [verificationId]);
  const subscribers = useApi(() => getAll('/admin/subscribers').then(({ items }) => new Map(items.map((subscriber) => [subscriber.id, subscriber]))), []);
  const [notice, setNotice] = useState(null);
  const [replayError, setReplayError] = useState(null);
  const [replaying, setReplaying] = useState(false);
  const pending = detail.data?.deliveries.some((delivery) => delivery.status === 'pending') ?? false;
  // While a delivery is under way the page follows it, for a minute after opening or a replay
  // (a disabled subscriber's delivery may wait for days).
  const [followUntil, setFollowUntil] = useState(() => Date.now() + 60_000);
  useInterval(() => (Date.now() < followUntil ? detail.reload() : undefined), 2_000, pending && !detail.error && Date.now() < followUntil);

  const replay = async () => {
    setReplaying(true);
    setReplayError(null);
    setNotice(null);
    try {
      const { deliveries } = await post(`/admin/events/${encodeURIComponent(id)}/replay`, {});
      setNotice({
        text:
          deliveries.length === 0
            ? 'No subscriber matches this event now: nothing was replayed.'
            : `Replay started: ${deliveries.length} ${deliveries.length === 1 ? 'delivery' : 'deliveries'} restarted.`,
      });
      setFollowUntil(Date.now() + 60_000);
      detail.reload();
    } catch (error) {
      setReplayError(error);
    } finally {
      setReplaying(false);
    }
  };

  const event = detail.data?.event;
  return html`<section class="page event">
    <${PageTitle} actions=${event ? html`<button type="button" onClick=${replay} disabled=${replaying} title="Deliver this event again to every subscriber whose filter matches it now">Replay</button>` : null}>Event</${PageTitle}>
    <${Notice} notice=${notice} />
    <${ErrorBox} error=${replayError} title="The replay failed." />
    <${ErrorBox} error=${detail.error} title="The event could not be loaded." />
    ${!detail.data && detail.loading ? html`<${Loading} what="Loading the event" />` : null}
    ${
      event
        ? html`<p class="lead"><code>${event.type}</code> <${Status} status=${event.status} /> from <strong>${event.provider}</strong>/${event.connection}${
            event.verification?.stale ? html` <span class="badge stale">Stale</span> <span class="stale-text">older than the status already applied: it changed nothing</span>` : null
          }</p>
        <section aria-labelledby="event-heading">
          <h2 id="event-heading">Normalized event</h2>
          <${EventFields} event=${event} />
          <details class="raw">
            <summary>As JSON (what subscribers receive)</summary>
            <${Json} value=${event} />
          </details>
        </section>
        <section aria-labelledby="timeline-heading">
          <h2 id="timeline-heading">Verification timeline</h2>
          ${
            event.verification
              ? html`<p class="muted small">Verification <a href=${href(`/verifications/${event.verification.id}`)}><${ShortId} id=${event.verification.id} /></a>: this event was processed ${ordinal(event.verification.sequence)}; status before <${Status} status=${event.verification.previousStatus} />, after <${Status} status=${event.verification.status} />.</p>
                <${ErrorBox} error=${verification.error} title="The timeline could not be loaded." />
                ${verification.data ? html`<${Timeline} verification=${verification.data} currentEventId=${event.id} />` : verification.loading ? html`<${Loading} what="Loading the timeline" />` : null}`
              : html`<${Empty}>This event names no subject (or the worker has not taken it in yet): it belongs to no verification</${Empty}>`
          }
        </section>
        <section aria-labelledby="deliveries-heading">
          <h2 id="deliveries-heading">Deliveries</h2>
          ${
            detail.data.deliveries.length === 0
              ? html`<${Empty}>No deliveries: no subscriber matched this event</${Empty}>`
              : detail.data.deliveries.map((delivery) => html`<${DeliveryCard} key=${delivery.id} delivery=${delivery} subscriber=${subscribers.data?.get(delivery.subscriberId)} />`)
          }
        </section>`
        : null
    }
  </section>`;
}

function EventFields({ event }) {
  const rows = [
    ['Event id', html`<code>${event.id}</code>`],
    ['Type', html`<code>${event.type}</code>`],
    ['Status', html`<${Status} status=${event.status} />`],
    ['Provider', event.provider],
    ['Connection', event.connection],
    ['Vendor event id', html`<code>${event.providerEventId}</code>`],
    ['Vendor event type', html`<code>${event.providerEventType}</code>`],
    ['Subject', html`<${Subject} subject=${event.subject} />`],
    ['Occurred (vendor time)', html`<${Time} iso=${event.occurredAt} />`],
    ['Received', html`<${Time} iso=${event.receivedAt} />`],
    ['Stale', event.verification ? (event.verification.stale ? html`<strong>yes</strong>: it changed nothing` : 'no') : html`<span class="muted">no verification</span>`],
    ...Object.entries(event.details ?? {}).map(([name, value]) => [`details.${name}`, typeof value === 'object' && value !== null ? html`<code>${JSON.stringify(value)}</code>` : String(value)]),
  ];
  return html`<${TableWrap} label="Event fields">
    <table class="fields">
      <tbody>
        ${rows.map(([name, value]) => html`<tr key=${name}><th scope="row">${name}</th><td>${value}</td></tr>`)}
      </tbody>
    </table>
  </${TableWrap}>`;
}

function DeliveryCard({ delivery, subscriber }) {
  return html`<article class="card delivery" aria-label=${`Delivery to ${subscriber?.name ?? delivery.subscriberId}`}>
    <h3>
      To <a href="#/subscribers">${subscriber?.name ?? html`<${ShortId} id=${delivery.subscriberId} />`}</a>
      ${subscriber ? html` <span class="muted small">(${subscriber.kind === 'http' ? subscriber.url : `queue ${subscriber.queue}`})</span>` : null}
      ${' '}<span class=${`badge delivery-${delivery.status}`}>${delivery.status}</span>
    </h3>
    <p class="small">
      ${delivery.attempts} ${delivery.attempts === 1 ? 'attempt' : 'attempts'} in this round, ${delivery.replays} ${delivery.replays === 1 ? 'retry or replay' : 'retries and replays'} ·
      created <${Time} iso=${delivery.createdAt} />
      ${delivery.completedAt ? html` · completed <${Time} iso=${delivery.completedAt} />` : null}
      ${delivery.nextAttemptAt && delivery.status === 'pending' ? html` · next attempt <${Time} iso=${delivery.nextAttemptAt} />` : null}
    </p>
    ${delivery.lastError ? html`<p class="small">Last error: <code class="wrap">${delivery.lastError}</code></p>` : null}
    ${
      delivery.attemptLog.length === 0
        ? html`<${Empty}>No attempts yet</${Empty}>`
        : html`<${TableWrap} label="Attempts">
          <table class="compact">
            <thead><tr><th scope="col" class="num">#</th><th scope="col">At</th><th scope="col">Outcome</th><th scope="col" class="num">HTTP</th><th scope="col" class="num">ms</th><th scope="col">Error</th></tr></thead>
            <tbody>
              ${delivery.attemptLog.map(
                (attempt, index) => html`<tr key=${index}>
                  <td class="num">${attempt.attemptNumber}</td>
                  <td><${Time} iso=${attempt.attemptedAt} /></td>
                  <td><span class=${`badge attempt-${attempt.outcome}`}>${attempt.outcome}</span></td>
                  <td class="num">${attempt.httpStatus ?? '—'}</td>
                  <td class="num">${attempt.durationMs}</td>
                  <td><code class="wrap">${attempt.error ?? ''}</code></td>
                </tr>`,
              )}
            </tbody>
          </table>
        </${TableWrap}>`
    }
  </article>`;
}
