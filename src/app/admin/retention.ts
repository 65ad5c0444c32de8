/**
 * `mailbridge retention run` and the scheduler's daily run (DESIGN §3): imported messages sent
 * more than `retentionDays` ago (3 years by default) are deleted from mailbridge (ledger and
 * text). What happens to their CRM activities is one tenant setting, `retention.crm`, so every
 * run agrees: off (the default), the CRM keeps them under its own retention; on, each run
 * deletes them too. Both go in one pass: the CRM ids are written down as owed in the same
 * transaction that drops the local rows, then deleted in the CRM, so a crash or a CRM outage
 * leaves a debt the next sync round pays, never an activity nobody can find again. (Deleting
 * locally first without that record would lose the CRM ids: a later run could no longer reach
 * the activities; that is why a one-off `--crm` that disagrees with the setting is refused.)
 */
import { AdminError, type AdminParts } from './admin-parts.js';
import { forgetMeetings } from './forget-meetings.js';
import { forgetMessages, type ForgetResult } from './forget-messages.js';

const DAY_MS = 86_400_000;

export interface RetentionOptions {
  dryRun?: boolean;
  /**
   * Whether the CRM activities go too. Must agree with the tenant's `retention.crm` when given
   * (the CLI's `--crm`); the setting decides when absent.
   */
  crm?: boolean;
}

export interface RetentionResult extends ForgetResult {
  /** Messages sent before this instant are expired. */
  cutoff: string;
  retentionDays: number;
  dryRun: boolean;
  /** Expired messages found (deleted unless a dry run). */
  expired: number;
  /** Imported meetings that ended before the cutoff, and what their deletion did. */
  meetingsExpired: number;
  meetings: ForgetResult;
}

export function retentionCutoff(now: Date, retentionDays: number): Date {
  return new Date(now.getTime() - retentionDays * DAY_MS);
}

export async function runRetention(parts: AdminParts, opts: RetentionOptions = {}): Promise<RetentionResult> {
  const crm = parts.config.retention?.crm ?? false;
  if (opts.crm !== undefined && opts.crm !== crm) {
    throw new AdminError(
      `retention.crm is ${crm ? 'on' : 'off'} for this tenant, so ${opts.crm ? '--crm' : 'a run without the CRM'} would disagree with the scheduled retention: ` +
        `set retention.crm to ${opts.crm} in the configuration to change what retention deletes`,
    );
  }
  const retentionDays = parts.config.retentionDays;
  const cutoff = retentionCutoff(parts.clock.now(), retentionDays);
  const keys = await parts.stores.ledger.keysSentBefore(cutoff);
  const meetingKeys = await parts.stores.meetings.meetingKeysEndedBefore(cutoff);
  const base = { cutoff: cutoff.toISOString(), retentionDays, dryRun: !!opts.dryRun, expired: keys.length, meetingsExpired: meetingKeys.length };
  const none = { messages: 0, crmDeleted: 0, crmOwed: 0 };
  if (opts.dryRun) return { ...base, ...none, meetings: none };
  const result = await forgetMessages(parts, keys, { reason: 'retention', crm });
  const meetings = await forgetMeetings(parts, meetingKeys, { reason: 'retention', crm });
  await parts.stores.audit.audit(parts.actor, 'retention.run', null, { ...base, crm, ...result, meetings });
  return { ...base, ...result, meetings };
}
