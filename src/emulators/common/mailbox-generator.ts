/**
 * A deterministic mailbox generator: the same options always give the same mailboxes, so page
 * tokens, ids and counts are reproducible in tests, the demo and the benchmark.
 */
import type { Folder } from '../../core/types.js';
import type { MailboxDescription, RawHeader, SeedMessage } from './mail-store.js';
import { prng } from './prng.js';

export interface GeneratorOptions {
  /** Number of mailboxes (users of the company). */
  mailboxes: number;
  messagesPerMailbox: number;
  /** Company domain of the mailbox owners. */
  companyDomain?: string;
  /** Domains of customers: mail with them is what a CRM would match. */
  customerDomains?: string[];
  /** Share of inbox/sent messages exchanged with a customer (default 0.2). */
  customerShare?: number;
  /** Share of messages in drafts, deleted items and junk together (default 0.06). */
  otherFolderShare?: number;
  /** Newest message time; messages go back one hour each (default 2026-11-01T00:00:00Z). */
  newest?: string;
  seed?: number;
}

/** What was generated beside the mailboxes, for assertions. */
export interface GeneratedMail {
  mailboxes: MailboxDescription[];
  customerDomains: string[];
  companyDomain: string;
}

const FIRST = ['ann', 'bob', 'carla', 'dev', 'erin', 'farid', 'gina', 'hugo', 'ines', 'jon', 'kim', 'lena'];
const TOPICS = ['Pricing', 'Renewal', 'Kick-off call', 'Proposal', 'Invoice question', 'Roadmap', 'Contract draft', 'Pilot results'];

/** Generates `mailboxes` mailboxes of `messagesPerMailbox` messages each. */
export function generateMailboxes(opts: GeneratorOptions): GeneratedMail {
  const rand = prng(opts.seed ?? 42);
  const company = opts.companyDomain ?? 'ours.example';
  const customers = opts.customerDomains ?? ['acme.com', 'globex.com', 'initech.com', 'umbrella.co.uk'];
  const customerShare = opts.customerShare ?? 0.2;
  const otherShare = opts.otherFolderShare ?? 0.06;
  const newest = Date.parse(opts.newest ?? '2026-11-01T00:00:00Z');
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;

  const owners = Array.from({ length: opts.mailboxes }, (_, i) => ({
    address: `${FIRST[i % FIRST.length]}${i >= FIRST.length ? i : ''}@${company}`,
    name: `${FIRST[i % FIRST.length]} Seller${i}`,
  }));

  const mailboxes = owners.map((owner, boxIndex): MailboxDescription => {
    const messages: SeedMessage[] = [];
    for (let n = 0; n < opts.messagesPerMailbox; n++) {
      const at = new Date(newest - (opts.messagesPerMailbox - n) * 3_600_000 - boxIndex * 60_000).toISOString();
      const roll = rand();
      let folder: Folder = rand() < 0.35 ? 'sent' : 'inbox';
      if (roll < otherShare) folder = pick(['drafts', 'deleted', 'junk'] as const);
      const customer = rand() < customerShare;
      const other = customer
        ? `${pick(FIRST)}@${pick(customers)}`
        : rand() < 0.5
          ? `${pick(FIRST)}@${company}`
          : `news@mailer${Math.floor(rand() * 5)}.example.net`;
      const bulk = !customer && other.startsWith('news@');
      const outbound = folder === 'sent' || folder === 'drafts';
      const from = outbound ? owner.address : other;
      const to = outbound ? other : owner.address;
      const subject = `${pick(TOPICS)} #${boxIndex}-${n}`;
      const messageId = `<m${boxIndex}.${n}.${Math.floor(rand() * 1e9)}@${outbound ? company : (other.split('@')[1] ?? company)}>`;
      const headers: RawHeader[] = [
        { name: 'From', value: outbound ? `"${owner.name}" <${from}>` : from },
        { name: 'To', value: to },
        { name: 'Subject', value: subject },
        { name: 'Date', value: new Date(at).toUTCString() },
        { name: 'Message-ID', value: messageId },
      ];
      if (bulk) {
        headers.push({ name: 'List-Unsubscribe', value: `<mailto:unsubscribe@${other.split('@')[1]}>` });
        headers.push({ name: 'Precedence', value: 'bulk' });
      }
      const text = `Hello,\n\nAbout ${subject}: message ${n} of mailbox ${boxIndex}.\n\nRegards`;
      messages.push({
        folder,
        isDraft: folder === 'drafts',
        receivedAt: at,
        headers,
        text,
        html: rand() < 0.5 ? `<p>${text.replace(/\n/g, '<br>')}</p>` : null,
      });
    }
    return { address: owner.address, displayName: owner.name, messages };
  });

  return { mailboxes, customerDomains: customers, companyDomain: company };
}
