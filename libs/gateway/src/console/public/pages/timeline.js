// A verification's timeline: every event of the subject in vendor-time order, stale ones marked.
import { href, html, Empty, ShortId, Status, Time } from '../ui.js';

export function Timeline({ verification, currentEventId }) {
  const entries = verification.timeline ?? [];
  if (entries.length === 0) return html`<${Empty}>No events in this verification's timeline yet</${Empty}>`;
  const stale = entries.filter((entry) => entry.stale).length;
  return html`<p class="timeline-summary">
      ${entries.length} ${entries.length === 1 ? 'event' : 'events'} in vendor-time order${stale > 0 ? html`; <strong>${stale} stale</strong> (older than the status already applied when ${stale === 1 ? 'it' : 'they'} arrived: changed nothing)` : ''}.
      Status now: <${Status} status=${verification.status} />.
    </p>
    <ol class="timeline">
      ${entries.map(
        (entry) => html`<li key=${entry.eventId} class=${[entry.stale ? 'stale' : '', entry.eventId === currentEventId ? 'current' : ''].join(' ')}>
          <div class="when"><${Time} iso=${entry.occurredAt} /></div>
          <div class="what">
            <a href=${href(`/events/${entry.eventId}`)}><code>${entry.type}</code></a>
            ${' '}<${Status} status=${entry.status} />
            ${entry.stale ? html` <span class="badge stale">Stale</span> <span class="stale-text">older than the status already applied: it changed nothing</span>` : null}
            ${entry.eventId === currentEventId ? html` <span class="badge current">this event</span>` : null}
          </div>
          <div class="meta muted small">
            processed ${ordinal(entry.sequence)} · received <${Time} iso=${entry.receivedAt} /> · <${ShortId} id=${entry.eventId} />
          </div>
        </li>`,
      )}
    </ol>`;
}

export function ordinal(n) {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] ?? 'th');
  return `${n}${suffix}`;
}
