/**
 * An imported email as the CRM activity it becomes (DESIGN §1.8, §3 "Captured fields"):
 * sender, To and Cc (Bcc never shown), subject, plain text, date and threading ids.
 */
import type { EmailDecision } from './classify.js';
import { plainText } from './html-text.js';
import { capRecipients } from './participants.js';
import type { ActivityDraft } from './ports.js';
import type { MailAddress, MessageBody, MessageMeta } from './types.js';

const person = (a: MailAddress) => ({ name: a.name, address: a.address.trim().toLowerCase() });

/** The activity of an imported message; To and Cc distinct and capped with the From (`MAX_PARTICIPANTS`). */
export function toActivity(meta: MessageMeta, decision: EmailDecision, body: MessageBody | null, now: Date): ActivityDraft {
  const [to, cc] = capRecipients([meta.to.filter((a) => a.address), meta.cc.filter((a) => a.address)], 1);
  return {
    key: decision.key!,
    direction: decision.direction ?? 'inbound',
    sentAt: meta.sentAt ?? now.toISOString(),
    from: meta.from ? person(meta.from) : { name: '', address: '' },
    to: to!.map(person),
    cc: cc!.map(person),
    subject: meta.subject,
    text: body ? plainText(body) : '',
    messageId: meta.messageId,
    inReplyTo: meta.inReplyTo,
    references: meta.references,
    contactIds: decision.contacts,
    accountIds: decision.accounts,
    leadIds: decision.leads,
    dealIds: decision.deals,
    userIds: decision.userIds,
    ownerId: decision.owner,
    relatedToId: decision.relatedToId,
    explanation: decision.explanation,
  };
}
