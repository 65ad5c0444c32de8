/**
 * Alerts on transitions: a tenant or mailbox that becomes failing or revoked, and one that
 * recovers, gets one JSON POST to `alerts.webhook`, not one per round. The body carries a
 * Slack-compatible `text` (incoming webhooks show it as is) and the same facts as fields.
 */
import type { JobLogger } from '../logger.js';
import { mailboxHealth, type MailboxHealth, type TenantView } from './ops-state.js';

export type AlertKind = 'failing' | 'revoked' | 'recovered';

export interface AlertEvent {
  kind: AlertKind;
  tenant: string;
  /** The mailbox; null for the tenant itself (its round). */
  mailbox: string | null;
  /** What failed (the error as recorded), null on recovery. */
  reason: string | null;
  at: string;
}

interface Seen {
  health: MailboxHealth;
  reason: string | null;
}

/** The health of a tenant's round and of each of its mailboxes, keyed for comparison. */
function healthOf(view: TenantView): Map<string, Seen & { mailbox: string | null }> {
  const out = new Map<string, Seen & { mailbox: string | null }>();
  const round = view.round;
  const roundFailed = round?.outcome === 'failed';
  const revoked = roundFailed && (round.error?.code === 'auth' || round.error?.code === 'permission');
  out.set('', {
    mailbox: null,
    health: roundFailed ? (revoked ? 'revoked' : 'failing') : 'ok',
    reason: roundFailed ? `${round.error?.code ?? 'error'}: ${round.error?.message ?? ''}` : null,
  });
  for (const m of view.status.mailboxes) out.set(m.address, { mailbox: m.address, health: mailboxHealth(m), reason: m.lastError ?? (m.connection === 'revoked' ? 'access revoked' : null) });
  return out;
}

/** Remembers the last health of everything it was shown and reports what changed. */
export class AlertWatch {
  private readonly last = new Map<string, MailboxHealth>();

  /**
   * The transitions `view` brings. Something seen for the first time alerts only when it is not
   * ok, so a restart neither hides a failure nor announces a recovery that was none.
   */
  changes(view: TenantView, at: string = view.readAt): AlertEvent[] {
    const events: AlertEvent[] = [];
    for (const [key, now] of healthOf(view)) {
      const id = `${view.status.tenant}\u0000${key}`;
      const before = this.last.get(id);
      this.last.set(id, now.health);
      if (before === now.health || (before === undefined && now.health === 'ok')) continue;
      events.push({ kind: now.health === 'ok' ? 'recovered' : now.health, tenant: view.status.tenant, mailbox: now.mailbox, reason: now.reason, at });
    }
    return events;
  }
}

const VERB: Record<AlertKind, string> = { failing: 'is failing', revoked: 'lost its access (revoked)', recovered: 'recovered' };

/** The webhook body: `text` for Slack and chat tools, the fields for anything else. */
export function alertPayload(e: AlertEvent): Record<string, unknown> {
  const what = e.mailbox ? `mailbox ${e.mailbox} of tenant ${e.tenant}` : `tenant ${e.tenant} (sync round)`;
  const text = `mailbridge: ${what} ${VERB[e.kind]}${e.reason ? `: ${e.reason}` : ''}. Details: \`mailbridge status --tenant ${e.tenant}\`.`;
  return { text, event: e.kind, tenant: e.tenant, mailbox: e.mailbox, reason: e.reason, at: e.at };
}

/** Posts alerts one at a time; a webhook that fails is logged, never fatal to the sync. */
export class AlertSender {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly webhook: string,
    private readonly logger: JobLogger,
    private readonly timeoutMs = 10_000,
  ) {}

  send(events: readonly AlertEvent[]): Promise<void> {
    for (const e of events) this.chain = this.chain.then(() => this.post(e));
    return this.chain;
  }

  private async post(e: AlertEvent): Promise<void> {
    try {
      const res = await fetch(this.webhook, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alertPayload(e)),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (!res.ok) this.logger.warn({ status: res.status, event: e.kind, tenant: e.tenant }, 'alert webhook refused the alert: check alerts.webhook');
      else this.logger.info({ event: e.kind, tenant: e.tenant }, 'alert sent');
    } catch (err) {
      this.logger.warn({ event: e.kind, tenant: e.tenant, error: err instanceof Error ? err.message : String(err) }, 'alert webhook unreachable: check alerts.webhook');
    }
  }
}
