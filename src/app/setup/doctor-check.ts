/** One line of `mailbridge doctor`: what was checked, whether it passed, and what to do if not. */
import type { ActivityDraft } from '../../core/ports.js';
import { isSyncError } from '../../core/sync-error.js';

export interface DoctorCheck {
  tenant: string;
  name: string;
  ok: boolean;
  detail: string;
  /** What the admin does to make it pass (null when it passes). */
  fix: string | null;
}

export const pass = (tenant: string, name: string, detail: string): DoctorCheck => ({ tenant, name, ok: true, detail, fix: null });
export const fail = (tenant: string, name: string, detail: string, fix: string): DoctorCheck => ({ tenant, name, ok: false, detail, fix });

/** A failure's text: the SyncError code first (`auth: graph 401 …`), never a secret. */
export function describeError(error: unknown): string {
  if (isSyncError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs one check's work; an unexpected error becomes a failed check naming it, so one broken
 * service never hides the others' results.
 */
export async function attempt(tenant: string, name: string, work: () => Promise<DoctorCheck | DoctorCheck[]>, fix: string): Promise<DoctorCheck[]> {
  try {
    const result = await work();
    return Array.isArray(result) ? result : [result];
  } catch (error) {
    return [fail(tenant, name, describeError(error), fix)];
  }
}

/**
 * An empty activity: mapping it through a CRM's write-back mapper lists exactly the fields or
 * properties the write-back sets, so the checks follow the mapper instead of a second list.
 */
export function blankDraft(overrides: Partial<ActivityDraft> = {}): ActivityDraft {
  return {
    key: 'doctor', direction: 'inbound', sentAt: '', from: { name: '', address: '' }, to: [], cc: [], subject: '', text: '',
    messageId: null, inReplyTo: null, references: [], contactIds: [], accountIds: [], leadIds: [], dealIds: [], userIds: [],
    ownerId: null, relatedToId: null, explanation: '',
    ...overrides,
  };
}
