/**
 * The read-only status page (`/`): per tenant its last round, mailboxes (failing and revoked
 * first) with connection and last sync, counts by reason over 24 h / 7 d / all time, the CRM
 * budget and recent audit entries. Server-rendered through `html` (everything escaped), no
 * script, no external asset; the one inline stylesheet is allowed by its hash (STYLE_HASH).
 */
import { createHash } from 'node:crypto';
import { html, raw, type SafeHtml } from './html.js';
import { failingFirst, mailboxHealth, tenantProblems, type TenantView } from './ops-state.js';

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#222}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}tr.failing td{background:#fdecea}tr.revoked td{background:#fff4e5}
.ok{color:#1b5e20}.bad{color:#b71c1c;font-weight:600}code{font-size:.9em}`;

/** For the Content-Security-Policy header: `style-src 'sha256-…'`. */
export const STYLE_HASH = `sha256-${createHash('sha256').update(STYLE).digest('base64')}`;

const when = (iso: string | null | undefined) => iso ?? 'never';

function countsTable(v: TenantView): SafeHtml {
  const total = v.status.totals.skipped;
  const reasons = [...new Set([...Object.keys(v.counts.week), ...Object.keys(v.counts.day), ...Object.keys(total)])].sort();
  if (!reasons.length) return html`<p>No messages counted yet.</p>`;
  return html`<table><thead><tr><th>reason</th><th>24 h</th><th>7 d</th><th>all time (skipped)</th></tr></thead><tbody>
${reasons.map((r) => html`<tr><td>${r}</td><td>${v.counts.day[r] ?? 0}</td><td>${v.counts.week[r] ?? 0}</td><td>${total[r] ?? '-'}</td></tr>\n`)}</tbody></table>`;
}

function mailboxTable(v: TenantView): SafeHtml {
  if (!v.status.mailboxes.length) return html`<p>No mailbox yet.</p>`;
  return html`<table class="mailboxes"><thead><tr><th>mailbox</th><th>health</th><th>connection</th><th>last sync</th><th>last success</th><th>imported</th><th>last error</th></tr></thead><tbody>
${failingFirst(v.status.mailboxes).map((m) => {
  const health = mailboxHealth(m);
  return html`<tr class="${health}"><td>${m.address}</td><td class="${health === 'ok' ? 'ok' : 'bad'}">${health}</td><td>${m.connection}</td><td>${when(m.lastSyncAt)}</td><td>${when(m.lastOkAt)}</td><td>${m.imported}</td><td>${m.lastError ?? ''}</td></tr>\n`;
})}</tbody></table>`;
}

function auditTable(v: TenantView): SafeHtml {
  if (!v.audit.length) return html`<p>No audit entries.</p>`;
  return html`<table><thead><tr><th>at</th><th>actor</th><th>action</th><th>target</th><th>detail</th></tr></thead><tbody>
${v.audit.map((a) => html`<tr><td>${a.at}</td><td>${a.actor}</td><td>${a.action}</td><td>${a.target ?? ''}</td><td><code>${a.detail === null ? '' : JSON.stringify(a.detail)}</code></td></tr>\n`)}</tbody></table>`;
}

function tenantSection(v: TenantView): SafeHtml {
  const s = v.status;
  const problems = tenantProblems(v);
  const round = v.round;
  const b = s.crm.budget;
  const budget = b && b.dailyUsed !== null ? `${b.dailyUsed}${b.dailyMax !== null ? ` of ${b.dailyMax}` : ''} API calls today (as of ${b.at ?? '?'})` : 'not measured yet';
  return html`<section class="tenant" id="tenant-${s.tenant}">
<h2>Tenant ${s.tenant}: ${s.provider} (${s.mode} mode) → ${s.crm.kind}</h2>
<p class="${problems.length ? 'bad' : 'ok'}">${problems.length ? problems.join('; ') : 'healthy'}</p>
<p>Last round: ${round ? html`${round.at}, ${round.outcome}${round.error ? html` (<code>${round.error.code}</code>: ${round.error.message})` : ''}` : when(s.lastRound?.at)}.
Next run: ${s.schedule.nextRun ?? 'unknown'} (schedule <code>${s.schedule.cron}</code>).
${s.totals.mailboxes} mailboxes, ${s.totals.connected} connected, ${s.totals.needingAttention} needing attention, ${s.totals.imported} emails imported.</p>
<p>CRM ${s.crm.kind}: ${budget}; ${s.crm.pendingDeletions} deletions pending.</p>
<h3>Mailboxes</h3>
${mailboxTable(v)}
<h3>Messages by reason</h3>
${countsTable(v)}
<h3>Recent audit entries</h3>
${auditTable(v)}
</section>`;
}

export function renderStatusPage(views: readonly TenantView[], now: Date): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>mailbridge status</title><style>${raw(STYLE)}</style></head>
<body><h1>mailbridge status</h1><p>Read at ${now.toISOString()}; refreshed after every job. Metrics: <code>/metrics</code>.</p>
${views.length ? views.map(tenantSection) : html`<p>No tenant read yet.</p>`}
</body></html>
`.value;
}
