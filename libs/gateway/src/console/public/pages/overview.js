// Overview: traffic of the last hour, refusals, the delivery backlog, paused subscribers, and
// when each connection last heard from its vendor. One call: GET /admin/overview.
import { get } from '../api.js';
import { WebhookChart } from '../chart.js';
import { Empty, ErrorBox, formatCount, href, html, Loading, PageTitle, TableWrap, Time, useApi, useInterval } from '../ui.js';

export function Overview() {
  const { data, error, loading, reload } = useApi(() => get('/admin/overview'), []);
  useInterval(reload, 30_000, !error);
  return html`<section class="page overview">
    <${PageTitle} actions=${html`<button type="button" class="secondary" onClick=${reload} disabled=${loading}>Refresh</button>`}>Overview</${PageTitle}>
    <${ErrorBox} error=${error} title="The overview could not be loaded." />
    ${!data && loading ? html`<${Loading} what="Loading the overview" />` : null}
    ${data ? html`<${OverviewBody} data=${data} />` : null}
  </section>`;
}

function OverviewBody({ data }) {
  const { deliveries, refusalsByReason, pausedSubscribers, connections } = data;
  return html`<p class="muted small">As of <${Time} iso=${data.generatedAt} />; refreshed every 30 seconds.</p>
    <div class="grid">
      <section class="card wide" aria-labelledby="traffic-heading">
        <h2 id="traffic-heading">Webhooks per minute, last hour</h2>
        <${WebhookChart} data=${data.webhooksPerMinute} />
      </section>
      <section class="card" aria-labelledby="deliveries-heading">
        <h2 id="deliveries-heading">Deliveries</h2>
        <dl class="figures">
          <div><dt>Pending</dt><dd>${formatCount(deliveries.pending)}</dd></div>
          <div class=${deliveries.failed > 0 ? 'alarm' : ''}><dt>Failed</dt><dd>${formatCount(deliveries.failed)}</dd></div>
        </dl>
        <p><a href=${href('/deliveries', { status: 'failed' })}>See failed deliveries</a></p>
      </section>
      <section class="card" aria-labelledby="refusals-heading">
        <h2 id="refusals-heading">Refusals by reason, last 24 hours</h2>
        ${
          refusalsByReason.length === 0
            ? html`<${Empty}>No refusals in the last 24 hours</${Empty}>`
            : html`<table class="compact">
              <thead><tr><th scope="col">Reason</th><th scope="col" class="num">Count</th></tr></thead>
              <tbody>
                ${refusalsByReason.map(
                  ({ reason, count }) => html`<tr key=${reason}><td><a href=${href('/refusals', { reason })}><code>${reason}</code></a></td><td class="num">${formatCount(count)}</td></tr>`,
                )}
              </tbody>
            </table>`
        }
      </section>
      <section class="card" aria-labelledby="paused-heading">
        <h2 id="paused-heading">Paused subscribers</h2>
        ${
          pausedSubscribers.length === 0
            ? html`<${Empty}>No paused subscribers</${Empty}>`
            : html`<ul class="plain">
              ${pausedSubscribers.map(
                (subscriber) => html`<li key=${subscriber.id}>
                  <a href="#/subscribers"><strong>${subscriber.name}</strong></a>
                  ${subscriber.disabledReason ? html`<span class="reason">${subscriber.disabledReason}</span>` : html`<span class="muted">disabled by an operator</span>`}
                  ${subscriber.disabledAt ? html`<span class="muted small">since <${Time} iso=${subscriber.disabledAt} /></span>` : null}
                </li>`,
              )}
            </ul>`
        }
      </section>
      <section class="card wide" aria-labelledby="connections-heading">
        <h2 id="connections-heading">Connections: last webhook</h2>
        ${
          connections.length === 0
            ? html`<${Empty}>No connections yet: <a href="#/connections">create one</a></${Empty}>`
            : html`<${TableWrap} label="Connections and their last webhook">
              <table>
                <thead><tr><th scope="col">Connection</th><th scope="col">State</th><th scope="col">Last webhook</th></tr></thead>
                <tbody>
                  ${connections.map(
                    (connection) => html`<tr key=${connection.id}>
                      <td><strong>${connection.provider}</strong>/${connection.name}</td>
                      <td>${connection.enabled ? html`<span class="badge ok">enabled</span>` : html`<span class="badge off">disabled</span>`}</td>
                      <td><${Time} iso=${connection.lastWebhookAt} empty="never" /></td>
                    </tr>`,
                  )}
                </tbody>
              </table>
            </${TableWrap}>`
        }
      </section>
    </div>`;
}
