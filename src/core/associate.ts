/**
 * The association cascade of DESIGN §2, per external participant:
 * 1. entities already attached to the conversation are kept, and the search goes on: a reply
 *    to an imported email inherits that email's records (`attached.thread`, see thread.ts);
 * 2. a contact with the same address → the contact and its account;
 * 3. otherwise an account whose domain is the participant's registrable domain
 *    (`mail.acme.co.uk` → `acme.co.uk`);
 * 4. otherwise another contact on that domain with an account → that account;
 * 5. otherwise (no contact and no account) a lead with that address, else on that domain;
 * 6. otherwise the participant is unassociated.
 * Free-mail domains never match by domain, only by exact address. Results are the union over
 * participants; every step that matched leaves a short reason for the explanation.
 */
import type { DecisionTrace, ParticipantMatch } from './decision-trace.js';
import { DEFAULT_FREE_MAIL, type FreeMail } from './free-mail.js';
import type { Participant } from './participants.js';
import type { DomainIndex, ImportedAssociation } from './ports.js';
import { threadRef } from './thread.js';

/** Entities the conversation already carries (e.g. a reply in a thread that was logged). */
export interface AttachedEntities {
  contactIds?: readonly string[];
  accountIds?: readonly string[];
  leadIds?: readonly string[];
  /** Attached deals are taken as they are; a thread's deal is checked against the send date. */
  dealIds?: readonly string[];
  /** The imported email this one replies to: its records are inherited. */
  thread?: ImportedAssociation;
}

/** The inherited thread, as the deal choice and the explanation need it. */
export interface InheritedThread {
  key: string;
  activityId: string | null;
  /** The thread's deals: kept when still eligible at this email's send date (classify.ts). */
  dealIds: string[];
}

export interface Association {
  contactIds: string[];
  accountIds: string[];
  leadIds: string[];
  /** Explicitly attached deals; eligible deals are added by the deal ranking. */
  attachedDealIds: string[];
  /** Set when the email replies to an imported one and inherited its records. */
  thread: InheritedThread | null;
  /** One reason per association step that matched, in participant order. */
  reasons: string[];
}

export function isEmptyAssociation(a: Association): boolean {
  return !a.thread && !a.contactIds.length && !a.accountIds.length && !a.leadIds.length && !a.attachedDealIds.length;
}

/** "reply in thread of activity 00X → account Acme, deal Renewal 2027, 1 contact". */
function describeThread(parent: ImportedAssociation, index: DomainIndex): string {
  const dealNames = new Map<string, string>();
  for (const accountId of parent.accountIds) for (const d of index.dealsByAccount(accountId)) dealNames.set(d.id, d.name);
  const parts = [
    ...parent.accountIds.map((id) => `account ${accountLabel(index, id)}`),
    ...parent.dealIds.map((id) => `deal ${dealNames.get(id) ?? id}`),
  ];
  const count = (n: number, what: string) => (n ? [`${n} ${what}${n === 1 ? '' : 's'}`] : []);
  parts.push(...count(parent.contactIds.length, 'contact'), ...count(parent.leadIds.length, 'lead'));
  return `reply in thread of ${threadRef(parent)} → ${parts.join(', ') || 'no CRM record'}`;
}

function accountLabel(index: DomainIndex, id: string): string {
  return index.account(id)?.name ?? id;
}

/** Why a participant matched nothing, for the explain trace. */
function unmatchedWhy(p: Participant, byDomain: boolean): string {
  if (byDomain) return `no contact or lead with this address, no account or lead on ${p.registrable}`;
  if (p.registrable === null) return `no contact or lead with this address (${p.domain} is not a registrable domain)`;
  return `no contact or lead with this address (${p.registrable} is free mail: matched by exact address only)`;
}

/**
 * Associates the external participants (not internal, not CRM users) with CRM records.
 * `external` must already exclude company-domain addresses and CRM users.
 */
export function associate(
  external: readonly Participant[],
  index: DomainIndex,
  attached?: AttachedEntities,
  trace?: DecisionTrace,
  freeMail: FreeMail = DEFAULT_FREE_MAIL,
): Association {
  const parent = attached?.thread;
  const contacts = new Set<string>([...(attached?.contactIds ?? []), ...(parent?.contactIds ?? [])]);
  const accounts = new Set<string>([...(attached?.accountIds ?? []), ...(parent?.accountIds ?? [])]);
  const leads = new Set<string>([...(attached?.leadIds ?? []), ...(parent?.leadIds ?? [])]);
  const reasons: string[] = [];
  if (attached && (attached.contactIds?.length || attached.accountIds?.length || attached.leadIds?.length || attached.dealIds?.length)) {
    reasons.push('records already attached to the conversation');
  }
  const threadWhy = parent ? describeThread(parent, index) : null;
  if (threadWhy) reasons.push(threadWhy);

  const matches: ParticipantMatch[] | null = trace ? [] : null;
  for (const p of external) {
    const before = reasons.length;
    const byDomain = p.registrable !== null && !freeMail.has(p.registrable);
    let foundContact = false;
    let foundAccount = false;

    const matchedContacts = index.contactsByEmail(p.address);
    for (const c of matchedContacts) {
      foundContact = true;
      contacts.add(c.id);
      if (c.accountId) {
        foundAccount = true;
        accounts.add(c.accountId);
        reasons.push(`contact ${p.address} → account ${accountLabel(index, c.accountId)}`);
      } else {
        reasons.push(`contact ${p.address}`);
      }
    }

    if (!foundAccount && byDomain) {
      for (const a of index.accountsByDomain(p.registrable!)) {
        foundAccount = true;
        accounts.add(a.id);
        reasons.push(`${p.address} → account ${a.name} by domain ${p.registrable}`);
      }
    }

    if (!foundAccount && byDomain) {
      for (const accountId of index.contactAccountIdsByDomain(p.registrable!)) {
        foundAccount = true;
        accounts.add(accountId);
        reasons.push(`${p.address} → account ${accountLabel(index, accountId)} via a contact on ${p.registrable}`);
      }
    }

    if (!foundContact && !foundAccount) {
      let matchedLead = false;
      for (const l of index.leadsByEmail(p.address)) {
        matchedLead = true;
        leads.add(l.id);
        reasons.push(`lead ${p.address}`);
      }
      if (!matchedLead && byDomain) {
        for (const l of index.leadsByDomain(p.registrable!)) {
          leads.add(l.id);
          reasons.push(`${p.address} → lead ${l.company ?? l.name ?? l.id} by domain ${p.registrable}`);
        }
      }
    }
    matches?.push({ address: p.address, role: p.role, matched: reasons.length > before ? reasons.slice(before) : [unmatchedWhy(p, byDomain)] });
  }
  if (trace && matches) {
    trace.association({
      ours: [],
      external: matches,
      thread: parent && threadWhy ? { ...parent, why: threadWhy } : null,
      contactIds: [...contacts],
      accountIds: [...accounts],
      leadIds: [...leads],
    });
  }

  return {
    contactIds: [...contacts],
    accountIds: [...accounts],
    leadIds: [...leads],
    attachedDealIds: [...(attached?.dealIds ?? [])],
    thread: parent ? { key: parent.key, activityId: parent.activityId, dealIds: [...parent.dealIds] } : null,
    reasons,
  };
}
