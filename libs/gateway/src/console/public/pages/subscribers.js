// Subscribers: create one (an http one's signing secret is shown once, in the answer), enable or
// disable, and their health: failing since when, disabled by delivery and why.
import { getAll, patch, post } from '../api.js';
import { CopyButton, Empty, ErrorBox, html, Loading, Notice, PageTitle, TableWrap, Time, useApi, useEffect, useRef, useRowActions, useState } from '../ui.js';
import { list } from './forms.js';

export function Subscribers() {
  const subscribers = useApi(() => getAll('/admin/subscribers').then(({ items }) => items), []);
  const [created, setCreated] = useState(null);
  const [notice, setNotice] = useState(null);
  const rowActions = useRowActions();

  const setEnabled = (subscriber, enabled) =>
    rowActions.run(subscriber.id, async () => {
      const updated = await patch(`/admin/subscribers/${subscriber.id}`, { enabled });
      subscribers.setData((current) => current.map((row) => (row.id === updated.id ? updated : row)));
      setNotice({ text: `${updated.name} is ${enabled ? 'enabled: its waiting deliveries resume' : 'disabled: its deliveries wait until it is enabled again'}.` });
    });

  return html`<section class="page subscribers">
    <${PageTitle}>Subscribers</${PageTitle}>
    <${CreateSubscriber}
      onCreated=${(subscriber) => {
        setCreated(subscriber);
        setNotice(null);
        subscribers.setData((rows) => [...(rows ?? []), subscriber]);
      }}
    />
    ${created ? html`<${Created} subscriber=${created} onDone=${() => setCreated(null)} />` : null}
    <${Notice} notice=${notice} />
    <${ErrorBox} error=${rowActions.error} />
    <${ErrorBox} error=${subscribers.error} title="Subscribers could not be loaded." />
    ${subscribers.loading && !subscribers.data ? html`<${Loading} what="Loading subscribers" />` : null}
    ${subscribers.data && subscribers.data.length === 0 ? html`<${Empty}>No subscribers yet: events are stored but delivered to no one</${Empty}>` : null}
    ${
      subscribers.data && subscribers.data.length > 0
        ? html`<${TableWrap} label="Subscribers">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th><th scope="col">Delivers to</th><th scope="col">Filter</th><th scope="col">Retry</th><th scope="col">State</th><th scope="col">Health</th>
                <th scope="col"><span class="offscreen">Action</span></th>
              </tr>
            </thead>
            <tbody>
              ${subscribers.data.map(
                (subscriber) => html`<tr key=${subscriber.id} data-subscriber-id=${subscriber.id}>
                  <td><strong>${subscriber.name}</strong></td>
                  <td>${subscriber.kind === 'http' ? html`HTTP <code class="wrap">${subscriber.url}</code>` : html`queue <code>${subscriber.queue}</code>`}</td>
                  <td class="small">
                    types <code>${subscriber.filter.types.join(', ')}</code>
                    ${subscriber.filter.providers.length > 0 ? html`<br />providers ${subscriber.filter.providers.join(', ')}` : null}
                    ${subscriber.filter.connections.length > 0 ? html`<br />connections ${subscriber.filter.connections.join(', ')}` : null}
                    ${subscriber.filter.includeStale ? html`<br />with stale events` : null}
                  </td>
                  <td class="small">${subscriber.retry.maxAttempts} ${subscriber.retry.maxAttempts === 1 ? 'attempt' : 'attempts'}, ${subscriber.retry.backoff.type} from ${subscriber.retry.backoff.delayMs} ms</td>
                  <td>${subscriber.enabled ? html`<span class="badge ok">enabled</span>` : html`<span class="badge off">disabled</span>`}</td>
                  <td class="small"><${Health} subscriber=${subscriber} /></td>
                  <td>
                    ${
                      subscriber.enabled
                        ? html`<button type="button" class="small secondary" onClick=${() => setEnabled(subscriber, false)} disabled=${rowActions.busy[subscriber.id]} title=${`Disable ${subscriber.name}`}>Disable</button>`
                        : html`<button type="button" class="small" onClick=${() => setEnabled(subscriber, true)} disabled=${rowActions.busy[subscriber.id]} title=${`Enable ${subscriber.name}`}>Enable</button>`
                    }
                  </td>
                </tr>`,
              )}
            </tbody>
          </table>
        </${TableWrap}>`
        : null
    }
  </section>`;
}

function Health({ subscriber }) {
  const lines = [];
  if (subscriber.disabledReason) lines.push(html`<span class="reason">Disabled by delivery: ${subscriber.disabledReason}</span>`);
  if (subscriber.disabledAt) lines.push(html`<span>since <${Time} iso=${subscriber.disabledAt} /></span>`);
  if (subscriber.failingSince) lines.push(html`<span class="alarm-text">Failing since <${Time} iso=${subscriber.failingSince} /></span>`);
  if (lines.length === 0) return html`<span class="muted">${subscriber.enabled ? 'healthy' : 'disabled by an operator'}</span>`;
  return html`${lines.map((line, index) => html`${index > 0 ? html`<br />` : null}${line}`)}`;
}

function Created({ subscriber, onDone }) {
  const box = useRef(null);
  useEffect(() => box.current?.focus(), []);
  return html`<div class="card created" tabindex="-1" ref=${box} role="status">
    <p><strong>Subscriber ${subscriber.name} created.</strong></p>
    ${
      subscriber.secret
        ? html`<p>Its signing secret, <strong>shown this once</strong> (the gateway keeps only a fingerprint): give it to the receiving service to verify the Standard Webhooks signatures.</p>
          <p class="secret"><code>${subscriber.secret}</code> <${CopyButton} text=${subscriber.secret} description="Copy the signing secret" /></p>`
        : null
    }
    <button type="button" class="secondary" onClick=${onDone}>Done</button>
  </div>`;
}

function CreateSubscriber({ onCreated }) {
  const [kind, setKind] = useState('http');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const number = (name) => (form.get(name) === '' || form.get(name) === null ? undefined : Number(form.get(name)));
    const body = {
      name: String(form.get('name')).trim(),
      kind,
      ...(kind === 'http' ? { url: String(form.get('url')).trim(), timeoutMs: number('timeoutMs') } : { queue: String(form.get('queue')).trim() }),
      filter: { types: list(form.get('types')).length > 0 ? list(form.get('types')) : ['*'], providers: list(form.get('providers')), includeStale: form.get('includeStale') === 'on' },
      retry: { maxAttempts: number('maxAttempts'), backoff: { type: String(form.get('backoff')), delayMs: number('delayMs') } },
      enabled: form.get('enabled') === 'on',
    };
    setBusy(true);
    setError(null);
    try {
      onCreated(await post('/admin/subscribers', body));
      formElement.reset();
      setKind('http');
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return html`<details class="card create" open>
    <summary>New subscriber</summary>
    <form onSubmit=${submit} class="form-grid" aria-label="New subscriber">
      <div class="field">
        <label for="subscriber-name">Name</label>
        <input id="subscriber-name" name="name" required maxlength="100" autocomplete="off" aria-describedby="subscriber-name-hint" />
        <span class="hint" id="subscriber-name-hint">Letters, digits, _ . -</span>
      </div>
      <div class="field">
        <label for="subscriber-kind">Kind</label>
        <select id="subscriber-kind" name="kind" value=${kind} onChange=${(event) => setKind(event.currentTarget.value)}>
          <option value="http">HTTP endpoint (signed)</option>
          <option value="queue">BullMQ queue</option>
        </select>
      </div>
      ${
        kind === 'http'
          ? html`<div class="field wide">
              <label for="subscriber-url">URL</label>
              <input id="subscriber-url" name="url" type="url" required placeholder="https://crm.example.com/kyc" autocomplete="off" />
            </div>
            <div class="field">
              <label for="subscriber-timeout">Timeout (ms)</label>
              <input id="subscriber-timeout" name="timeoutMs" type="number" min="100" max="60000" defaultValue="10000" />
            </div>`
          : html`<div class="field wide">
            <label for="subscriber-queue">Queue name</label>
            <input id="subscriber-queue" name="queue" required placeholder="kyc-billing" autocomplete="off" />
          </div>`
      }
      <div class="field wide">
        <label for="subscriber-types">Event types</label>
        <input id="subscriber-types" name="types" defaultValue="*" autocomplete="off" aria-describedby="subscriber-types-hint" />
        <span class="hint" id="subscriber-types-hint">Comma-separated: <code>*</code>, <code>verification.*</code>, <code>verification.approved</code>…</span>
      </div>
      <div class="field wide">
        <label for="subscriber-providers">Providers</label>
        <input id="subscriber-providers" name="providers" placeholder="every provider" autocomplete="off" aria-describedby="subscriber-providers-hint" />
        <span class="hint" id="subscriber-providers-hint">Comma-separated; empty for every provider</span>
      </div>
      <div class="field">
        <label for="subscriber-attempts">Max attempts</label>
        <input id="subscriber-attempts" name="maxAttempts" type="number" min="1" max="50" defaultValue="10" />
      </div>
      <div class="field">
        <label for="subscriber-backoff">Backoff</label>
        <select id="subscriber-backoff" name="backoff">
          <option value="exponential">Exponential</option>
          <option value="fixed">Fixed</option>
        </select>
      </div>
      <div class="field">
        <label for="subscriber-delay">First delay (ms)</label>
        <input id="subscriber-delay" name="delayMs" type="number" min="100" max="86400000" defaultValue="1000" />
      </div>
      <div class="field checks">
        <label><input type="checkbox" name="includeStale" /> Include stale events</label>
        <label><input type="checkbox" name="enabled" defaultChecked /> Enabled</label>
      </div>
      <div class="field buttons wide">
        <button type="submit" disabled=${busy}>Create subscriber</button>
      </div>
    </form>
    <${ErrorBox} error=${error} title="The subscriber was not created." />
  </details>`;
}
