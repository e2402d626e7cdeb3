// Connections: create one (its ingress URL comes back in the answer), rotate its secrets with a
// grace period, enable or disable it. Secrets are write-only: only fingerprints ever come back.
import { getAll, patch, post, providerList } from '../api.js';
import { CopyButton, Empty, ErrorBox, formatTime, html, Loading, loadProviders, Notice, PageTitle, TableWrap, Time, useApi, useEffect, useRef, useRowActions, useState } from '../ui.js';

/** `webhookSecret` → `Webhook secret`, `hmacKey` → `HMAC key`. */
const labelOf = (name) => {
  const words = name.replace(/([A-Z])/g, ' $1').toLowerCase();
  return (words.charAt(0).toUpperCase() + words.slice(1)).replace(/^Hmac(?= |$)/, 'HMAC');
};

/** The secret fields of a vendor's connection, from GET /admin/providers (the registry). */
function secretFields(providers, name) {
  const provider = providers.find((candidate) => candidate.name === name);
  if (!provider) return [];
  return [
    ...provider.secrets.required.map((field) => ({ name: field, label: labelOf(field), required: true })),
    ...provider.secrets.optional.map((field) => ({ name: field, label: `${labelOf(field)} (optional)`, required: false })),
  ];
}

const ingressUrl = (connection) => `${location.origin}${connection.ingressUrl}`;

export function Connections() {
  const connections = useApi(() => getAll('/admin/connections').then(({ items }) => items), []);
  const providers = useApi(() => loadProviders(providerList), []);
  const [created, setCreated] = useState(null);
  const [notice, setNotice] = useState(null);
  const [rotating, setRotating] = useState(null);
  const rowActions = useRowActions();

  const replace = (updated) => connections.setData((rows) => rows.map((row) => (row.id === updated.id ? updated : row)));
  const setEnabled = (connection, enabled) =>
    rowActions.run(connection.id, async () => {
      const updated = await patch(`/admin/connections/${connection.id}`, { enabled });
      replace(updated);
      setNotice({ text: `${updated.provider}/${updated.name} is ${enabled ? 'enabled' : 'disabled: its webhooks are answered 404 until it is enabled again'}.` });
    });

  return html`<section class="page connections">
    <${PageTitle}>Connections</${PageTitle}>
    <p class="muted small">
      Each connection has its own URL; <code>${location.origin}/webhooks</code> also takes every vendor and finds the connection whose secret verifies the request.
      Secrets are write-only: the gateway shows fingerprints, never values.
    </p>
    <${CreateConnection}
      providers=${providers.data ?? []}
      onCreated=${(connection) => {
        setCreated(connection);
        setNotice(null);
        connections.setData((rows) => [...(rows ?? []), connection]);
      }}
    />
    ${
      created
        ? html`<div class="card created" role="status">
          <p><strong>Connection ${created.provider}/${created.name} created.</strong> Give the vendor this URL:</p>
          <p class="url"><code>${ingressUrl(created)}</code> <${CopyButton} text=${ingressUrl(created)} description="Copy the new connection's ingress URL" /></p>
          <button type="button" class="secondary" onClick=${() => setCreated(null)}>Done</button>
        </div>`
        : null
    }
    ${
      rotating
        ? html`<${RotateForm}
            providers=${providers.data ?? []}
          connection=${rotating}
          onRotated=${(updated) => {
            replace(updated);
            setRotating(null);
            setNotice({
              text: updated.previousSecretsExpireAt
                ? `Secrets of ${updated.provider}/${updated.name} rotated: the previous ones keep verifying until ${formatTime(updated.previousSecretsExpireAt)}.`
                : `Secrets of ${updated.provider}/${updated.name} rotated, without grace: only the new ones verify.`,
            });
          }}
          onCancel=${() => setRotating(null)}
        />`
        : null
    }
    <${Notice} notice=${notice} />
    <${ErrorBox} error=${rowActions.error} />
    <${ErrorBox} error=${connections.error} title="Connections could not be loaded." />
    ${connections.loading && !connections.data ? html`<${Loading} what="Loading connections" />` : null}
    ${connections.data && connections.data.length === 0 ? html`<${Empty}>No connections yet: webhooks are refused until one exists</${Empty}>` : null}
    ${
      connections.data && connections.data.length > 0
        ? html`<${TableWrap} label="Connections">
          <table>
            <thead>
              <tr>
                <th scope="col">Connection</th><th scope="col">State</th><th scope="col">Ingress URL</th><th scope="col">Secrets (fingerprints)</th><th scope="col">Warnings</th>
                <th scope="col"><span class="offscreen">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              ${connections.data.map(
                (connection) => html`<tr key=${connection.id} data-connection=${`${connection.provider}/${connection.name}`}>
                  <td><strong>${connection.provider}</strong>/${connection.name}</td>
                  <td>${connection.enabled ? html`<span class="badge ok">enabled</span>` : html`<span class="badge off">disabled</span>`}</td>
                  <td class="nowrap"><code>${connection.ingressUrl}</code> <${CopyButton} text=${ingressUrl(connection)} description=${`Copy the ingress URL of ${connection.provider}/${connection.name}`} /></td>
                  <td class="small">
                    ${Object.entries(connection.secrets).map(([name, { fingerprint }]) => html`<div key=${name}>${name} <code>${fingerprint}</code></div>`)}
                    ${
                      connection.previousSecrets
                        ? html`<div class="grace">previous ${Object.entries(connection.previousSecrets).map(([name, { fingerprint }]) => html`${name} <code>${fingerprint}</code> `)}verifying until <${Time} iso=${connection.previousSecretsExpireAt} /></div>`
                        : null
                    }
                  </td>
                  <td class="small warnings">${connection.warnings.length === 0 ? html`<span class="muted">none</span>` : connection.warnings.map((warning) => html`<div class="warn-text">${warning}</div>`)}</td>
                  <td class="nowrap">
                    <button type="button" class="small" onClick=${() => setRotating(connection)} title=${`Rotate the secrets of ${connection.provider}/${connection.name}`}>Rotate</button>
                    ${' '}
                    ${
                      connection.enabled
                        ? html`<button type="button" class="small secondary" onClick=${() => setEnabled(connection, false)} disabled=${rowActions.busy[connection.id]} title=${`Disable ${connection.provider}/${connection.name}`}>Disable</button>`
                        : html`<button type="button" class="small" onClick=${() => setEnabled(connection, true)} disabled=${rowActions.busy[connection.id]} title=${`Enable ${connection.provider}/${connection.name}`}>Enable</button>`
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

function readSecrets(form, fields) {
  const secrets = {};
  for (const field of fields) {
    const value = String(form.get(`secret-${field.name}`) ?? '');
    if (value !== '') secrets[field.name] = value;
  }
  return secrets;
}

function CreateConnection({ providers, onCreated }) {
  const [provider, setProvider] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const chosen = provider || providers[0]?.name || '';
  const submit = async (event) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    setError(null);
    let options;
    const optionsText = String(form.get('options') ?? '').trim();
    if (optionsText) {
      try {
        options = JSON.parse(optionsText);
      } catch {
        setError({ message: 'Options must be a JSON object, e.g. {"encryptionMethod": "aes-256-gcm"}.' });
        return;
      }
    }
    setBusy(true);
    try {
      const connection = await post('/admin/connections', {
        provider: chosen,
        name: String(form.get('name')).trim(),
        secrets: readSecrets(form, secretFields(providers, chosen)),
        options,
        enabled: form.get('enabled') === 'on',
      });
      // The secrets leave the page with the request: the form forgets them.
      formElement.reset();
      onCreated(connection);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return html`<details class="card create">
    <summary>New connection</summary>
    <form onSubmit=${submit} class="form-grid" aria-label="New connection" autocomplete="off">
      <div class="field">
        <label for="connection-provider">Provider</label>
        <select id="connection-provider" name="provider" value=${chosen} onChange=${(event) => setProvider(event.currentTarget.value)}>
          ${providers.map(({ name, displayName }) => html`<option key=${name} value=${name}>${displayName}</option>`)}
        </select>
      </div>
      <div class="field">
        <label for="connection-name">Name</label>
        <input id="connection-name" name="name" required maxlength="100" placeholder="eu-app" autocomplete="off" aria-describedby="connection-name-hint" />
        <span class="hint" id="connection-name-hint">The last part of its URL: /webhooks/${chosen || '<provider>'}/${'<name>'}</span>
      </div>
      ${secretFields(providers, chosen).map(
        (field) => html`<div class="field" key=${`${chosen}-${field.name}`}>
          <label for=${`connection-${field.name}`}>${field.label}</label>
          <input id=${`connection-${field.name}`} name=${`secret-${field.name}`} type="password" required=${field.required} autocomplete="new-password" spellcheck=${false} />
        </div>`,
      )}
      <div class="field wide">
        <label for="connection-options">Options (JSON, optional)</label>
        <textarea id="connection-options" name="options" rows="2" spellcheck=${false} placeholder='{"encryptionMethod": "aes-256-gcm"}'></textarea>
      </div>
      <div class="field checks">
        <label><input type="checkbox" name="enabled" defaultChecked /> Enabled</label>
      </div>
      <div class="field buttons wide">
        <button type="submit" disabled=${busy || !chosen}>Create connection</button>
      </div>
    </form>
    <${ErrorBox} error=${error} title="The connection was not created." />
  </details>`;
}

function RotateForm({ connection, providers, onRotated, onCancel }) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const first = useRef(null);
  useEffect(() => first.current?.focus(), [connection.id]);
  const submit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const graceSeconds = Number(form.get('graceSeconds'));
      onRotated(await post(`/admin/connections/${connection.id}/rotate`, { secrets: readSecrets(form, secretFields(providers, connection.provider)), graceSeconds }));
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };
  return html`<section class="card rotate" aria-labelledby="rotate-heading">
    <h2 id="rotate-heading">Rotate the secrets of ${connection.provider}/${connection.name}</h2>
    <p class="small">The new secrets apply at once; the current ones keep verifying during the grace period, while the vendor switches over.</p>
    <form onSubmit=${submit} class="form-grid" autocomplete="off">
      ${secretFields(providers, connection.provider).map(
        (field, index) => html`<div class="field" key=${field.name}>
          <label for=${`rotate-${field.name}`}>New ${field.label.charAt(0).toLowerCase()}${field.label.slice(1)}</label>
          <input id=${`rotate-${field.name}`} name=${`secret-${field.name}`} type="password" required=${field.required} autocomplete="new-password" spellcheck=${false} ref=${index === 0 ? first : undefined} />
        </div>`,
      )}
      <div class="field">
        <label for="rotate-grace">Grace (seconds)</label>
        <input id="rotate-grace" name="graceSeconds" type="number" min="0" max="2592000" defaultValue="86400" required aria-describedby="rotate-grace-hint" />
        <span class="hint" id="rotate-grace-hint">0 to stop the current secrets at once; at most 30 days</span>
      </div>
      <div class="field buttons wide">
        <button type="submit" disabled=${busy}>Rotate secrets</button>
        <button type="button" class="secondary" onClick=${onCancel}>Cancel</button>
      </div>
    </form>
    <${ErrorBox} error=${error} title="The secrets were not rotated." />
  </section>`;
}
