/**
 * Qualification on metadata only (DESIGN §1.3), in this order, first failure wins:
 * `draft-or-deleted`, `internal-only`, `blocklisted`, `automated`, `no-crm-match`.
 * A message that passes carries its participants and associations to the next steps, so the
 * cascade runs once per message.
 */
import { associate, isEmptyAssociation, type AttachedEntities, type Association } from './associate.js';
import { automatedByHeaders } from './automated.js';
import { blockedBy } from './blocklist.js';
import { participantsOf, type Participant } from './participants.js';
import type { DomainIndex } from './ports.js';
import type { EngineRules } from './rules.js';
import type { MessageMeta, SkipReason } from './types.js';

export interface EngineContext {
  rules: EngineRules;
  index: DomainIndex;
}

export interface Qualified {
  ok: true;
  participants: Participant[];
  /** External participants: not on a company domain and not CRM users. */
  external: Participant[];
  /** CRM user ids among all participants. */
  userIds: Set<string>;
  association: Association;
}

export interface Rejected {
  ok: false;
  reason: SkipReason;
  /** Short, generic why; never contains an address or the subject (it may be logged). */
  why: string;
}

export type Qualification = Qualified | Rejected;

const reject = (reason: SkipReason, why: string): Rejected => ({ ok: false, reason, why });

/**
 * The >15-recipients rule applies to inbound mail only: the From is not on a company domain,
 * not a CRM user, and not a contact or lead by address (DESIGN §2 precise readings).
 */
function isBulkInbound(meta: MessageMeta, participants: readonly Participant[], ctx: EngineContext): boolean {
  const recipients = meta.to.length + meta.cc.length + meta.bcc.length;
  if (recipients <= ctx.rules.bulkRecipientThreshold) return false;
  const from = participants.find((p) => p.role === 'from');
  if (!from) return true;
  if (from.internal) return false;
  const { index } = ctx;
  return !index.userByEmail(from.address) && !index.contactsByEmail(from.address).length && !index.leadsByEmail(from.address).length;
}

export function qualify(meta: MessageMeta, ctx: EngineContext, attached?: AttachedEntities): Qualification {
  if (meta.isDraft || meta.folder === 'drafts' || meta.folder === 'deleted' || meta.folder === 'junk') {
    return reject('draft-or-deleted', meta.isDraft || meta.folder === 'drafts' ? 'draft' : `in ${meta.folder}`);
  }

  const participants = participantsOf(meta, ctx.rules.companyDomains);
  // No readable participant at all is not "internal": it falls through to the automated check
  // (bounces and system mail often carry no usable From) and ends as no-crm-match otherwise.
  if (participants.length && !participants.some((p) => !p.internal)) {
    return reject('internal-only', 'every participant is on a company domain');
  }

  const blocked = blockedBy(participants, meta.subject, ctx.rules);
  if (blocked) return reject('blocklisted', blocked);

  const automated = automatedByHeaders(meta);
  if (automated) return reject('automated', automated);
  if (isBulkInbound(meta, participants, ctx)) {
    return reject('automated', `more than ${ctx.rules.bulkRecipientThreshold} recipients from a sender outside the CRM`);
  }

  const userIds = new Set<string>();
  const external: Participant[] = [];
  for (const p of participants) {
    const user = ctx.index.userByEmail(p.address);
    if (user) userIds.add(user.id);
    else if (!p.internal) external.push(p);
  }
  const association = associate(external, ctx.index, attached, ctx.rules.freeMail);
  if (isEmptyAssociation(association)) {
    return reject('no-crm-match', 'no external participant matches a contact, account or lead');
  }
  return { ok: true, participants, external, userIds, association };
}
