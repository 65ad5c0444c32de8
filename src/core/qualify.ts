/**
 * Qualification on metadata only (DESIGN §1.3), in this order, first failure wins:
 * `draft-or-deleted`, `internal-only`, `blocklisted`, `automated`, `no-crm-match`.
 * A message that passes carries its participants and associations to the next steps, so the
 * cascade runs once per message.
 */
import { isOnDomains } from './address.js';
import { associate, isEmptyAssociation, type AttachedEntities, type Association } from './associate.js';
import { automatedByHeaders } from './automated.js';
import { blockHit, type BlockHit } from './blocklist.js';
import type { DecisionTrace } from './decision-trace.js';
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

/** `trace` (explain only) receives each rule's verdict with the participant, list or header. */
export function qualify(meta: MessageMeta, ctx: EngineContext, attached?: AttachedEntities, trace?: DecisionTrace): Qualification {
  if (meta.isDraft || meta.folder === 'drafts' || meta.folder === 'deleted' || meta.folder === 'junk') {
    const why = meta.isDraft || meta.folder === 'drafts' ? 'draft' : `in ${meta.folder}`;
    trace?.rule('draft-or-deleted', 'fail', `${why} (folder ${meta.folder}${meta.isDraft ? ', draft flag set' : ''})`);
    return reject('draft-or-deleted', why);
  }
  trace?.rule('draft-or-deleted', 'pass', `folder ${meta.folder}, not a draft`);

  const participants = participantsOf(meta, ctx.rules.companyDomains);
  // No readable participant at all is not "internal": it falls through to the automated check
  // (bounces and system mail often carry no usable From) and ends as no-crm-match otherwise.
  const firstExternal = participants.find((p) => !p.internal);
  if (participants.length && !firstExternal) {
    trace?.rule('internal-only', 'fail', `every participant is on a company domain: ${participants.map(who).join(', ')}`);
    return reject('internal-only', 'every participant is on a company domain');
  }
  trace?.rule('internal-only', 'pass', firstExternal ? `external participant ${who(firstExternal)}` : 'no readable participant');

  const blocked = blockHit(participants, meta.subject, ctx.rules);
  if (blocked) {
    trace?.rule('blocklisted', 'fail', describeBlockHit(blocked, ctx));
    return reject('blocklisted', blocked.why);
  }
  trace?.rule('blocklisted', 'pass', 'no participant, domain or subject phrase on the blocklist or the erase list');

  const automated = automatedByHeaders(meta);
  if (automated) {
    trace?.rule('automated-headers', 'fail', automated);
    return reject('automated', automated);
  }
  trace?.rule('automated-headers', 'pass', 'no bulk-mail header, machine sender or mailer trace');
  if (isBulkInbound(meta, participants, ctx)) {
    const why = `more than ${ctx.rules.bulkRecipientThreshold} recipients from a sender outside the CRM`;
    trace?.rule('bulk-recipients', 'fail', `${recipientCount(meta)} recipients: ${why}`);
    return reject('automated', why);
  }
  trace?.rule('bulk-recipients', 'pass', `${recipientCount(meta)} recipients (inbound mail from outside the CRM is bulk above ${ctx.rules.bulkRecipientThreshold})`);

  const userIds = new Set<string>();
  const external: Participant[] = [];
  for (const p of participants) {
    const user = ctx.index.userByEmail(p.address);
    if (user) userIds.add(user.id);
    else if (!p.internal) external.push(p);
  }
  const association = associate(external, ctx.index, attached, trace, ctx.rules.freeMail);
  if (trace) traceOurs(trace, participants, ctx);
  if (isEmptyAssociation(association)) {
    trace?.rule('crm-match', 'fail', `no external participant matches a contact, account or lead (${external.map(who).join(', ') || 'none external'})`);
    return reject('no-crm-match', 'no external participant matches a contact, account or lead');
  }
  trace?.rule('crm-match', 'pass', association.reasons.join('; '));
  return { ok: true, participants, external, userIds, association };
}

const recipientCount = (meta: MessageMeta): number => meta.to.length + meta.cc.length + meta.bcc.length;
const who = (p: Participant): string => `${p.address} (${p.role})`;

function describeBlockHit(hit: BlockHit, ctx: EngineContext): string {
  const p = hit.participant;
  if (hit.list === 'phrase') return `subject contains the blocked phrase "${hit.phrase}"`;
  if (hit.list === 'address') return `participant ${who(p!)} is on the address list`;
  if (hit.list === 'suppressed') return `participant ${who(p!)} is on the erase (suppression) list`;
  const entry = [...ctx.rules.blockedDomains].find((d) => isOnDomains(p!.domain, new Set([d]))) ?? p!.domain;
  return `participant ${who(p!)} is on the domain list: ${entry}`;
}

/** The participants that are ours (company domain or CRM user): named, never matched. */
function traceOurs(trace: DecisionTrace, participants: readonly Participant[], ctx: EngineContext): void {
  const ours: { address: string; role: string; why: string }[] = [];
  for (const p of participants) {
    const user = ctx.index.userByEmail(p.address);
    if (user) ours.push({ address: p.address, role: p.role, why: `CRM user ${user.id}` });
    else if (p.internal) ours.push({ address: p.address, role: p.role, why: 'company domain' });
  }
  if (trace.associationTrace) trace.associationTrace.ours = ours;
}
