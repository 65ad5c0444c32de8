/**
 * The demo's seeded tenant: Harbor Labs (harborlabs.io), ten sellers' mailboxes, their CRM
 * (accounts, contacts, leads, deals, contact roles) and a realistic mix of mail, every email
 * labelled with what the engine must do with it. Deterministic: a fixed "now", dates relative to
 * it, and the filler conversations drawn from a seeded PRNG.
 *
 * Labels are written from the rules of DESIGN §1.3 and §2 by hand, not by running the engine,
 * so tests can compare the sync's figures against them.
 */
import type { CrmSnapshot, Deal, SkipReason } from '../core/types.js';
import type { MailboxDescription, RawHeader, SeedMessage } from '../emulators/common/mail-store.js';
import { prng } from '../emulators/common/prng.js';

/** The demo's clock. Every date below is relative to it. */
export const DEMO_NOW = new Date('2026-05-15T12:00:00Z');
export const DEMO_COMPANY_DOMAIN = 'harborlabs.io';
export const DEMO_SEED = 2026;

const DAY = 86_400_000;
/** An instant `days` (negative: before) from the demo's now, at `hour`:`minute` UTC. */
export function demoDay(days: number, hour = 12, minute = 0): Date {
  const d = new Date(DEMO_NOW.getTime() + days * DAY);
  d.setUTCHours(hour, minute, 0, 0);
  return d;
}
const isoDay = (days: number) => demoDay(days).toISOString().slice(0, 10);

/**
 * What must happen to an email: imported (on a contact, account or deal); imported on a lead (a
 * Salesforce Lead, a HubSpot contact at lifecycle stage `lead`); skipped for a reason; or never
 * scanned because it is older than the mailbox's backfill window.
 */
export type Expectation = 'import' | 'import-lead' | Exclude<SkipReason, 'unparseable'> | 'outside-window';

export interface DemoEmail {
  /** Short name used by the tests and the demo's output. */
  label: string;
  /** 1: in the mailboxes from the start; 2: new mail delivered before the delta round. */
  round: 1 | 2;
  expect: Expectation;
  /** Why, in a few words (the label's reasoning, shown nowhere but here and in tests). */
  why: string;
  /** The record the activity must hang on, where the example is about that (deal windows). */
  relatedTo?: string;
  /** Skipped at first (`no-crm-match`), imported by late matching once the CRM change round adds its sender. */
  lateMatch?: true;
  /** Every mailbox and folder holding a copy: the same Message-ID in each. */
  copies: { mailbox: string; folder: 'inbox' | 'sent' }[];
  message: Omit<SeedMessage, 'folder'>;
}

export interface DemoTenant {
  now: Date;
  seed: number;
  companyDomains: string[];
  /** The CRM both emulators are seeded from; its blocklist is also the config's. */
  snapshot: CrmSnapshot;
  /** Mailbox owners (all CRM users). */
  mailboxAddresses: string[];
  /** Who may delete any message (the sales director). */
  admins: string[];
  emails: DemoEmail[];
}

interface Person {
  name: string;
  address: string;
}

const at = (local: string): string => `${local}@${DEMO_COMPANY_DOMAIN}`;

const SELLERS = [
  { id: '005-alice', name: 'Alice Nguyen', local: 'alice.nguyen' },
  { id: '005-ben', name: 'Ben Okafor', local: 'ben.okafor' },
  { id: '005-carla', name: 'Carla Mendes', local: 'carla.mendes' },
  { id: '005-dan', name: 'Dan Schmidt', local: 'dan.schmidt' },
  { id: '005-emma', name: 'Emma Li', local: 'emma.li' },
  { id: '005-farid', name: 'Farid Haddad', local: 'farid.haddad' },
  { id: '005-grace', name: 'Grace Kim', local: 'grace.kim' },
  { id: '005-hugo', name: 'Hugo Martin', local: 'hugo.martin' },
  { id: '005-isla', name: 'Isla Romero', local: 'isla.romero' },
  { id: '005-jonas', name: 'Jonas Berg', local: 'jonas.berg' },
] as const;
type SellerKey = 'alice' | 'ben' | 'carla' | 'dan' | 'emma' | 'farid' | 'grace' | 'hugo' | 'isla' | 'jonas';
const seller = (key: SellerKey): Person & { id: string } => {
  const s = SELLERS.find((x) => x.id === `005-${key}`)!;
  return { id: s.id, name: s.name, address: at(s.local) };
};

function buildSnapshot(): CrmSnapshot {
  const deal = (id: string, accountId: string, name: string, owner: SellerKey, created: number, closed: number | null, roles: string[]): Deal => ({
    id,
    accountId,
    name,
    isClosed: closed !== null,
    closeDate: closed === null ? null : isoDay(closed),
    createdDate: demoDay(created, 9).toISOString(),
    lastModified: demoDay(closed ?? -3, 17).toISOString(),
    ownerId: `005-${owner}`,
    contactRoles: roles,
  });
  const contact = (id: string, name: string, email: string, accountId: string) => ({ id, name, emails: [email], phones: [], accountId });
  return {
    companyDomains: [DEMO_COMPANY_DOMAIN],
    users: SELLERS.map((s) => ({ id: s.id, email: at(s.local), name: s.name })),
    accounts: [
      { id: '001-acme', name: 'Acme Robotics', domains: ['https://www.acme-robotics.com/', 'acmerobotics.de'], ownerId: '005-alice' },
      { id: '001-globex', name: 'Globex Logistics', domains: ['globex.co.uk'], ownerId: '005-ben' },
      { id: '001-initech', name: 'Initech', domains: ['initech.com'], ownerId: '005-carla' },
      { id: '001-massive', name: 'Massive Dynamic', domains: ['massivedynamic.com'], ownerId: '005-dan' },
      { id: '001-umbrella', name: 'Umbrella Health', domains: ['umbrella-health.com'], ownerId: '005-dan' },
      { id: '001-vandelay', name: 'Vandelay Industries', domains: ['vandelay.com'], ownerId: '005-emma' },
      { id: '001-oscorp', name: 'Oscorp Materials', domains: ['oscorp-materials.com'], ownerId: '005-emma' },
      { id: '001-stark', name: 'Stark Freight', domains: ['starkfreight.com'], ownerId: '005-farid' },
      { id: '001-wayne', name: 'Wayne Energy', domains: ['wayne-energy.com'], ownerId: '005-grace' },
      { id: '001-soylent', name: 'Soylent Foods', domains: ['soylentfoods.com'], ownerId: '005-hugo' },
      // The website is cyberdyne.ai; people write from cyberdyne-systems.com (rule 4 of §2).
      { id: '001-cyberdyne', name: 'Cyberdyne Systems', domains: ['cyberdyne.ai'], ownerId: '005-isla' },
      { id: '001-tyrell', name: 'Tyrell Biotech', domains: ['tyrell-bio.com'], ownerId: '005-jonas' },
    ],
    contacts: [
      contact('003-jane', 'Jane Doe', 'jane.doe@acme-robotics.com', '001-acme'),
      contact('003-raj', 'Raj Patel', 'raj.patel@acme-robotics.com', '001-acme'),
      contact('003-hank', 'Hank Scorpio', 'hank@globex.co.uk', '001-globex'),
      // A personal address: matches by the exact address only, never by domain.
      contact('003-pat', 'Pat Kowalski', 'pat.kowalski@gmail.com', '001-globex'),
      contact('003-bill', 'Bill Lumbergh', 'bill.lumbergh@initech.com', '001-initech'),
      contact('003-peter', 'Peter Gibbons', 'peter.gibbons@initech.com', '001-initech'),
      contact('003-nina', 'Nina Sharp', 'nina.sharp@massivedynamic.com', '001-massive'),
      contact('003-jill', 'Jill Valentine', 'jill.valentine@umbrella-health.com', '001-umbrella'),
      contact('003-art', 'Art Vandelay', 'art@vandelay.com', '001-vandelay'),
      contact('003-kel', 'Kel Varnsen', 'kel.varnsen@vandelay.com', '001-vandelay'),
      contact('003-liz', 'Liz Allan', 'liz.allan@oscorp-materials.com', '001-oscorp'),
      contact('003-pepper', 'Pepper Potts', 'pepper.potts@starkfreight.com', '001-stark'),
      contact('003-happy', 'Happy Hogan', 'happy.hogan@starkfreight.com', '001-stark'),
      contact('003-lucius', 'Lucius Fox', 'lucius.fox@wayne-energy.com', '001-wayne'),
      contact('003-sol', 'Sol Roth', 'sol.roth@soylentfoods.com', '001-soylent'),
      contact('003-miles', 'Miles Dyson', 'miles.dyson@cyberdyne-systems.com', '001-cyberdyne'),
      contact('003-rachael', 'Rachael Tyrell', 'rachael@tyrell-bio.com', '001-tyrell'),
    ],
    leads: [
      { id: '00Q-lee', name: 'Lee Park', emails: ['lee@brightpath.io'], phones: [], company: 'Brightpath', domain: 'brightpath.io' },
      { id: '00Q-maria', name: 'Maria Rossi', emails: ['maria.rossi@nimbus-retail.com'], phones: [], company: 'Nimbus Retail', domain: 'nimbus-retail.com' },
    ],
    // Every seller owns an open deal older than the mail, so the backfill window (DESIGN §3)
    // reaches back to it, whatever the wall clock; Jonas's is 10 days old and hides older mail.
    deals: [
      deal('006-acme-arms', '001-acme', 'Acme Robotics — Robot Arms 2026', 'alice', -75, null, ['003-jane']),
      deal('006-globex-scanners', '001-globex', 'Globex — Warehouse Scanners', 'ben', -50, null, ['003-hank']),
      deal('006-initech-platform', '001-initech', 'Initech — Data Platform', 'carla', -40, null, ['003-bill']),
      deal('006-massive-renewal', '001-massive', 'Massive Dynamic — Renewal', 'dan', -90, null, ['003-nina']),
      deal('006-umbrella-poc', '001-umbrella', 'Umbrella Health — Proof of Concept', 'dan', -100, -20, ['003-jill']),
      deal('006-vandelay-import', '001-vandelay', 'Vandelay — Import Platform', 'emma', -120, -20, ['003-art']),
      deal('006-oscorp-sensors', '001-oscorp', 'Oscorp — Sensor Analytics', 'emma', -30, null, ['003-liz']),
      deal('006-stark-pilot', '001-stark', 'Stark Freight — Pilot', 'farid', -110, -22, ['003-pepper']),
      deal('006-stark-rollout', '001-stark', 'Stark Freight — Fleet Rollout', 'farid', -21, null, []),
      deal('006-wayne-grid', '001-wayne', 'Wayne Energy — Grid Monitoring', 'grace', -45, null, ['003-lucius']),
      deal('006-soylent-supply', '001-soylent', 'Soylent — Supply Chain Pilot', 'hugo', -35, null, ['003-sol']),
      deal('006-cyberdyne-vision', '001-cyberdyne', 'Cyberdyne — Vision API', 'isla', -60, null, ['003-miles']),
      deal('006-tyrell-lab', '001-tyrell', 'Tyrell — Lab Automation', 'jonas', -10, null, ['003-rachael']),
    ],
    blocklist: { addresses: ['recruiter@talentbridge.com'], domains: ['rivalsoft.com'], phrases: ['confidential: hr'] },
  };
}

const fmt = (p: Person) => `"${p.name}" <${p.address}>`;

interface MailSpec {
  label: string;
  round?: 1 | 2;
  expect: Expectation;
  why: string;
  relatedTo?: string;
  lateMatch?: true;
  when: Date;
  from: Person;
  to: Person[];
  cc?: Person[];
  subject: string;
  text: string;
  html?: string;
  /** Where the copies are; default: the sender's Sent (if ours) and each of our recipients' Inbox. */
  copies?: DemoEmail['copies'];
  headers?: Record<string, string>;
}

function ourMailbox(p: Person, mailboxes: ReadonlySet<string>): boolean {
  return mailboxes.has(p.address.toLowerCase());
}

function buildEmail(spec: MailSpec, mailboxes: ReadonlySet<string>): DemoEmail {
  const domain = spec.from.address.split('@')[1] ?? DEMO_COMPANY_DOMAIN;
  const messageId = `<${spec.label}.${spec.when.getTime().toString(36)}@${domain}>`;
  const headers: RawHeader[] = [
    { name: 'From', value: fmt(spec.from) },
    { name: 'To', value: spec.to.map(fmt).join(', ') },
    ...(spec.cc?.length ? [{ name: 'Cc', value: spec.cc.map(fmt).join(', ') }] : []),
    { name: 'Subject', value: spec.subject },
    { name: 'Date', value: spec.when.toUTCString() },
    { name: 'Message-ID', value: messageId },
    ...Object.entries(spec.headers ?? {}).map(([name, value]) => ({ name, value })),
  ];
  const copies =
    spec.copies ??
    [
      ...(ourMailbox(spec.from, mailboxes) ? [{ mailbox: spec.from.address, folder: 'sent' as const }] : []),
      ...[...spec.to, ...(spec.cc ?? [])].filter((p) => ourMailbox(p, mailboxes)).map((p) => ({ mailbox: p.address, folder: 'inbox' as const })),
    ];
  return {
    label: spec.label,
    round: spec.round ?? 1,
    expect: spec.expect,
    why: spec.why,
    ...(spec.relatedTo ? { relatedTo: spec.relatedTo } : {}),
    ...(spec.lateMatch ? { lateMatch: true as const } : {}),
    copies,
    message: { receivedAt: spec.when.toISOString(), headers, text: spec.text, html: spec.html ?? null },
  };
}

/** The Message-ID a label's email carries (angle brackets included). */
export function messageIdOf(email: DemoEmail): string {
  return email.message.headers.find((h) => h.name === 'Message-ID')!.value;
}

const TOPICS = [
  ['Pricing for the next phase', 'Could you send the updated price sheet for the next phase? Finance wants it before Thursday.'],
  ['Security questionnaire', 'Attached is our vendor security questionnaire; sections 3 and 4 are the ones legal cares about.'],
  ['Kick-off agenda', 'Here is a draft agenda for the kick-off. Happy to move the integration session to the afternoon.'],
  ['Contract redlines', 'Our counsel returned the redlines on the MSA. Two open points on liability caps.'],
  ['Pilot results', 'The pilot numbers look good: throughput up 18% on line two. Can we review them together?'],
  ['Invoice question', 'Quick question on invoice 4471: the support line item seems to be billed twice.'],
  ['Roadmap call', 'Thanks for the roadmap call. Could you share the slides and the dates for the API release?'],
  ['Onboarding plan', 'Proposed onboarding plan attached: three admin sessions and one train-the-trainer.'],
] as const;

/** Each seller's main account and its contacts, for the generated conversations. */
const BOOK: Record<SellerKey, Person[]> = {
  alice: [{ name: 'Jane Doe', address: 'jane.doe@acme-robotics.com' }, { name: 'Raj Patel', address: 'raj.patel@acme-robotics.com' }],
  ben: [{ name: 'Hank Scorpio', address: 'hank@globex.co.uk' }],
  carla: [{ name: 'Bill Lumbergh', address: 'bill.lumbergh@initech.com' }, { name: 'Peter Gibbons', address: 'peter.gibbons@initech.com' }],
  dan: [{ name: 'Nina Sharp', address: 'nina.sharp@massivedynamic.com' }],
  emma: [{ name: 'Liz Allan', address: 'liz.allan@oscorp-materials.com' }],
  farid: [{ name: 'Happy Hogan', address: 'happy.hogan@starkfreight.com' }],
  grace: [{ name: 'Lucius Fox', address: 'lucius.fox@wayne-energy.com' }],
  hugo: [{ name: 'Sol Roth', address: 'sol.roth@soylentfoods.com' }],
  isla: [{ name: 'Miles Dyson', address: 'miles.dyson@cyberdyne-systems.com' }],
  jonas: [{ name: 'Rachael Tyrell', address: 'rachael@tyrell-bio.com' }],
};

/** Seeded everyday traffic: customer threads and internal notes in every mailbox. */
function fillerMail(seed: number): MailSpec[] {
  const rand = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const out: MailSpec[] = [];
  const keys = Object.keys(BOOK) as SellerKey[];
  keys.forEach((key, i) => {
    const me = seller(key);
    const threads = 2 + Math.floor(rand() * 3);
    for (let t = 0; t < threads; t++) {
      const customer = pick(BOOK[key]);
      const [topic, body] = pick(TOPICS);
      // Within the last 9 days: inside every mailbox's backfill window (Jonas's starts at -10).
      const when = demoDay(-1 - Math.floor(rand() * 9), 8 + Math.floor(rand() * 9), Math.floor(rand() * 60));
      const outbound = rand() < 0.5;
      out.push({
        label: `thread-${key}-${t}`,
        expect: 'import',
        why: outbound ? 'to a contact of an account' : 'from a contact of an account',
        when,
        from: outbound ? me : customer,
        to: [outbound ? customer : me],
        subject: outbound ? `Re: ${topic}` : topic,
        text: outbound ? `Hi ${customer.name.split(' ')[0]},\n\nThanks, on it: I will come back to you by Friday.\n\n${me.name}` : `Hi ${me.name.split(' ')[0]},\n\n${body}\n\nBest,\n${customer.name}`,
        ...(rand() < 0.4 ? { html: `<p>${body}</p><p>Best,<br>${customer.name}</p>` } : {}),
      });
    }
    const colleague = seller(keys[(i + 1 + Math.floor(rand() * (keys.length - 1))) % keys.length]!);
    out.push({
      label: `internal-${key}`,
      expect: 'internal-only',
      why: 'every participant is on the company domain',
      when: demoDay(-1 - Math.floor(rand() * 8), 9 + Math.floor(rand() * 8)),
      from: me,
      to: [colleague],
      subject: pick(['Deal desk approval?', 'Lunch & learn slides', 'Can you cover my Thursday call?', 'Quota relief question']),
      text: 'Quick internal note, see you at stand-up.',
    });
  });
  return out;
}

/** The hand-written scenarios: every rule of DESIGN §1.3 and §2 at least once. */
function scenarioMail(): MailSpec[] {
  const s = seller;
  const jane = { name: 'Jane Doe', address: 'jane.doe@acme-robotics.com' };
  const all = SELLERS.filter((x) => x.id !== '005-isla').map((x) => ({ name: x.name, address: at(x.local) }));
  const newsletter = (label: string, round: 1 | 2, when: Date, to: Person[]): MailSpec => ({
    label,
    round,
    expect: 'automated',
    why: 'List-Unsubscribe and List-Id: a newsletter',
    when,
    from: { name: 'SaaS Weekly', address: 'digest@news.saasweekly.com' },
    to,
    subject: 'SaaS Weekly: pricing pages that convert',
    text: 'This week: five pricing pages that convert.',
    headers: { 'List-Unsubscribe': '<mailto:leave@news.saasweekly.com>', 'List-Id': 'SaaS Weekly <weekly.news.saasweekly.com>', Precedence: 'list' },
    copies: to.map((p) => ({ mailbox: p.address, folder: 'inbox' as const })),
  });
  return [
    // Customer mail, several mailboxes: one activity, every holder recorded.
    {
      label: 'acme-pricing',
      expect: 'import',
      why: 'contact on a deal; also in Isla’s inbox (cc): one activity, two holders',
      when: demoDay(-6, 9, 12),
      from: jane,
      to: [s('alice')],
      cc: [s('isla')],
      subject: 'Robot arm pricing for Q3',
      text: 'Hi Alice,\n\nCould you send the Q3 pricing for the six-axis arms? We are planning 40 units.\n\nJane',
    },
    {
      label: 'acme-pricing-reply',
      expect: 'import',
      why: 'outbound reply to a contact, in Alice’s Sent and Isla’s Inbox',
      when: demoDay(-6, 11, 40),
      from: s('alice'),
      to: [jane],
      cc: [s('isla')],
      subject: 'Re: Robot arm pricing for Q3',
      text: 'Hi Jane,\n\nPricing attached: volume discount from 25 units.\n\nAlice',
    },
    {
      label: 'acme-to-three',
      expect: 'import',
      why: 'one email to three sellers: three copies, one activity',
      when: demoDay(-4, 15, 5),
      from: { name: 'Raj Patel', address: 'raj.patel@acme-robotics.com' },
      to: [s('alice'), s('ben'), s('carla')],
      subject: 'Site visit in Munich',
      text: 'Hi all,\n\nConfirming the site visit in Munich on the 28th. Parking is at gate B.\n\nRaj',
    },
    {
      label: 'globex-subdomain',
      expect: 'import',
      why: 'not a contact: ops.globex.co.uk → account by registrable domain globex.co.uk',
      when: demoDay(-5, 8, 30),
      from: { name: 'Tom Hale', address: 'tom.hale@ops.globex.co.uk' },
      to: [s('ben')],
      subject: 'Warehouse scanners: delivery schedule',
      text: 'Ben,\n\nThe Leeds depot can take the scanners from Monday.\n\nTom',
    },
    {
      label: 'globex-personal',
      expect: 'import',
      why: 'personal gmail address of a contact: matched by exact address only',
      when: demoDay(-3, 18, 10),
      from: s('ben'),
      to: [{ name: 'Pat Kowalski', address: 'pat.kowalski@gmail.com' }],
      subject: 'Following up from the trade show',
      text: 'Hi Pat,\n\nGreat meeting you in Birmingham. Here is the brochure I mentioned.\n\nBen',
    },
    {
      label: 'initech-three-holders',
      expect: 'import',
      why: 'Carla’s Sent plus Dan’s and Emma’s Inbox (cc): one activity, three holders',
      when: demoDay(-2, 10, 0),
      from: s('carla'),
      to: [{ name: 'Bill Lumbergh', address: 'bill.lumbergh@initech.com' }],
      cc: [s('dan'), s('emma')],
      subject: 'Data platform: proposal v2',
      text: 'Hi Bill,\n\nProposal v2 attached, with the TPS report connector included.\n\nCarla',
    },
    // The 14-day rule of DESIGN §2, through the whole pipeline.
    {
      label: 'vandelay-13-days',
      expect: 'import',
      why: 'deal closed 13 days before the email: still eligible, logged on the closed deal',
      relatedTo: '006-vandelay-import',
      when: demoDay(-7, 14, 0),
      from: { name: 'Art Vandelay', address: 'art@vandelay.com' },
      to: [s('emma')],
      subject: 'Import platform: go-live feedback',
      text: 'Emma,\n\nThe go-live went well. A few notes on the latex import workflow attached.\n\nArt',
    },
    {
      label: 'stark-15-days',
      expect: 'import',
      why: 'pilot closed 15 days before: not eligible; goes to the open rollout deal',
      relatedTo: '006-stark-rollout',
      when: demoDay(-7, 9, 45),
      from: { name: 'Pepper Potts', address: 'pepper.potts@starkfreight.com' },
      to: [s('farid')],
      subject: 'Fleet rollout: next steps',
      text: 'Farid,\n\nWith the pilot closed, let us plan the rollout to the remaining 300 trucks.\n\nPepper',
    },
    {
      label: 'umbrella-15-days',
      expect: 'import',
      why: 'only deal closed 15 days before: not eligible; logged on the account',
      relatedTo: '001-umbrella',
      when: demoDay(-5, 16, 20),
      from: { name: 'Jill Valentine', address: 'jill.valentine@umbrella-health.com' },
      to: [s('dan')],
      subject: 'Question about the POC report',
      text: 'Dan,\n\nOne question on page 4 of the POC report: which sites were included?\n\nJill',
    },
    // Leads: Salesforce Leads; in HubSpot, contacts at lifecycle stage `lead` with no company.
    {
      label: 'lead-by-address',
      expect: 'import-lead',
      why: 'lead with the same address',
      when: demoDay(-4, 13, 0),
      from: { name: 'Lee Park', address: 'lee@brightpath.io' },
      to: [s('grace')],
      subject: 'Interested in grid monitoring',
      text: 'Hi Grace,\n\nWe run 40 substations and are looking at monitoring options. Do you have a demo slot?\n\nLee',
    },
    {
      label: 'lead-by-domain',
      expect: 'import-lead',
      why: 'not the lead, but the lead’s domain',
      when: demoDay(-3, 11, 25),
      from: { name: 'Sam Ortiz', address: 'sam.ortiz@nimbus-retail.com' },
      to: [s('hugo')],
      subject: 'Maria asked me to follow up',
      text: 'Hi Hugo,\n\nMaria asked me to follow up on the supply chain pilot.\n\nSam',
    },
    {
      label: 'cyberdyne-contact-domain',
      expect: 'import',
      why: 'not a contact, no account on the domain: another contact on it has an account',
      when: demoDay(-2, 15, 30),
      from: { name: 'Sarah Connor', address: 'sarah.connor@cyberdyne-systems.com' },
      to: [s('isla')],
      subject: 'Vision API rate limits',
      text: 'Isla,\n\nWhat are the rate limits on the Vision API enterprise tier?\n\nSarah',
      html: '<p>Isla,</p><p>What are the <b>rate limits</b> on the Vision API enterprise tier?</p><p>Sarah</p>',
    },
    {
      label: 'tyrell-recent',
      expect: 'import',
      why: 'outbound to a contact, inside Jonas’s 10-day window',
      when: demoDay(-3, 10, 0),
      from: s('jonas'),
      to: [{ name: 'Rachael Tyrell', address: 'rachael@tyrell-bio.com' }],
      subject: 'Lab automation: architecture notes',
      text: 'Rachael,\n\nArchitecture notes from today, with the sample-tracking flow.\n\nJonas',
    },
    {
      label: 'tyrell-before-window',
      expect: 'outside-window',
      why: 'older than Jonas’s only open deal (created 10 days ago): never scanned',
      when: demoDay(-12, 10, 0),
      from: { name: 'Rachael Tyrell', address: 'rachael@tyrell-bio.com' },
      to: [s('jonas')],
      subject: 'Intro from the conference',
      text: 'Jonas,\n\nNice to meet you at the conference.\n\nRachael',
    },
    // Skipped: nothing of these is kept but a reason counter.
    {
      label: 'pipeline-review',
      expect: 'internal-only',
      why: 'to the whole team: ten copies, all internal',
      when: demoDay(-7, 8, 0),
      from: s('isla'),
      to: all,
      subject: 'Weekly pipeline review',
      text: 'Team, pipeline review at 10:00. Update your next steps before then.',
    },
    {
      label: 'internal-subdomain',
      expect: 'internal-only',
      why: 'from a company subdomain (eu.harborlabs.io): still internal',
      when: demoDay(-3, 7, 30),
      from: { name: 'EU Ops', address: 'ops@eu.harborlabs.io' },
      to: [s('grace')],
      subject: 'Travel policy update',
      text: 'New travel policy attached.',
      copies: [{ mailbox: s('grace').address, folder: 'inbox' }],
    },
    newsletter('newsletter', 1, demoDay(-6, 6, 0), [s('alice'), s('carla'), s('hugo')]),
    {
      label: 'acme-marketing',
      expect: 'automated',
      why: 'a customer’s domain, but a List-Id mailing: automated before any CRM match',
      when: demoDay(-5, 7, 0),
      from: { name: 'Acme Robotics News', address: 'news@acme-robotics.com' },
      to: [s('alice')],
      subject: 'Acme Robotics product news, May',
      text: 'New grippers and a firmware update.',
      headers: { 'List-Id': 'Acme News <news.acme-robotics.com>', 'List-Unsubscribe': '<mailto:news-off@acme-robotics.com>' },
    },
    {
      label: 'bounce',
      expect: 'automated',
      why: 'a bounce from mailer-daemon',
      when: demoDay(-3, 18, 11),
      from: { name: 'Mail Delivery Subsystem', address: 'mailer-daemon@googlemail.com' },
      to: [s('ben')],
      subject: 'Delivery Status Notification (Failure)',
      text: "Address not found: your message wasn't delivered to hank.s@globex.co.uk.",
      headers: { 'Auto-Submitted': 'auto-replied' },
    },
    {
      label: 'postmaster-bounce',
      expect: 'automated',
      why: 'undeliverable notice from postmaster',
      when: demoDay(-2, 12, 3),
      from: { name: 'Postmaster', address: 'postmaster@starkfreight.com' },
      to: [s('farid')],
      subject: 'Undeliverable: Fleet rollout: next steps',
      text: 'Delivery has failed to these recipients or groups.',
      headers: { 'Auto-Submitted': 'auto-generated' },
    },
    {
      label: 'blocked-domain',
      expect: 'blocklisted',
      why: 'sender domain on the blocklist (rivalsoft.com)',
      when: demoDay(-4, 9, 0),
      from: { name: 'Bob Rival', address: 'bob@rivalsoft.com' },
      to: [s('dan')],
      subject: 'Partnership?',
      text: 'Dan, would you be open to a partnership chat?',
    },
    {
      label: 'blocked-address',
      expect: 'blocklisted',
      why: 'sender address on the blocklist',
      when: demoDay(-2, 9, 30),
      from: { name: 'Talent Bridge', address: 'recruiter@talentbridge.com' },
      to: [s('carla')],
      subject: 'Exciting sales leadership role',
      text: 'Carla, I came across your profile…',
    },
    {
      label: 'blocked-phrase',
      expect: 'blocklisted',
      why: 'subject phrase on the blocklist, though the sender is a contact',
      when: demoDay(-1, 16, 0),
      from: jane,
      to: [s('alice')],
      subject: 'Confidential: HR matter',
      text: 'Alice, a private matter about one of our staff.',
    },
    {
      label: 'no-match-vendor',
      expect: 'no-crm-match',
      why: 'a vendor nobody in the CRM knows',
      when: demoDay(-5, 10, 10),
      from: { name: 'Office Supplies Co', address: 'quotes@bean-and-leaf.net' },
      to: [s('emma')],
      subject: 'Your coffee machine quote',
      text: 'Emma, please find the quote for two machines below.',
    },
    {
      label: 'northwind-late',
      expect: 'no-crm-match',
      lateMatch: true,
      why: 'nobody at Northwind is in the CRM yet; the CRM change round adds Dana, and late matching finds this again',
      when: demoDay(-10, 14, 20),
      from: { name: 'Dana Whitlock', address: 'dana.whitlock@northwind-traders.com' },
      to: [s('farid')],
      subject: 'Freight rates for Northwind',
      text: 'Farid,\n\nCould you quote container rates Rotterdam to Boston for Q3?\n\nDana',
    },
    {
      label: 'no-match-freemail',
      expect: 'no-crm-match',
      why: 'a stranger on gmail.com: free-mail never matches by domain',
      when: demoDay(-1, 20, 45),
      from: { name: 'Chris Stranger', address: 'chris.stranger1990@gmail.com' },
      to: [s('hugo')],
      subject: 'Saw your talk',
      text: 'Hugo, loved your talk on supply chains.',
    },

    // Round 2: the new mail the delta round picks up.
    {
      label: 'acme-followup',
      round: 2,
      expect: 'import',
      why: 'new reply in the thread, Alice and Isla again: one activity, two holders',
      when: demoDay(0, 8, 15),
      from: jane,
      to: [s('alice')],
      cc: [s('isla')],
      subject: 'Re: Robot arm pricing for Q3',
      text: 'Alice,\n\nThanks. We will go with 40 units; please send the order form.\n\nJane',
    },
    {
      label: 'stark-signed',
      round: 2,
      expect: 'import',
      why: 'contact on the account, open deal',
      when: demoDay(0, 9, 0),
      from: { name: 'Happy Hogan', address: 'happy.hogan@starkfreight.com' },
      to: [s('farid')],
      subject: 'Signed rollout order',
      text: 'Farid,\n\nSigned order attached.\n\nHappy',
    },
    {
      label: 'lead-followup',
      round: 2,
      expect: 'import-lead',
      why: 'the lead writes again',
      when: demoDay(0, 9, 30),
      from: { name: 'Lee Park', address: 'lee@brightpath.io' },
      to: [s('grace')],
      subject: 'Re: Interested in grid monitoring',
      text: 'Grace, Tuesday 14:00 works for the demo.',
    },
    newsletter('newsletter-2', 2, demoDay(0, 6, 0), [s('ben'), s('dan')]),
    {
      label: 'internal-2',
      round: 2,
      expect: 'internal-only',
      why: 'internal',
      when: demoDay(0, 10, 0),
      from: s('farid'),
      to: [s('isla')],
      subject: 'Stark signed!',
      text: 'Stark signed the rollout. Drinks on me.',
    },
    {
      label: 'no-match-2',
      round: 2,
      expect: 'no-crm-match',
      why: 'unknown sender',
      when: demoDay(0, 10, 30),
      from: { name: 'Event Team', address: 'events@expo-berlin.de' },
      to: [s('jonas')],
      subject: 'Your stand at Expo Berlin',
      text: 'Jonas, your stand number is B-112.',
    },
  ];
}

/** Builds the demo tenant (the same for the same seed). */
export function demoTenant(seed: number = DEMO_SEED): DemoTenant {
  const snapshot = buildSnapshot();
  const mailboxAddresses = SELLERS.map((x) => at(x.local));
  const boxes = new Set(mailboxAddresses);
  const specs = [...scenarioMail(), ...fillerMail(seed)];
  const emails = specs.map((spec) => buildEmail(spec, boxes));
  // Threading: the reply points at the email it answers.
  const byLabel = new Map(emails.map((e) => [e.label, e]));
  for (const [reply, original] of [['acme-pricing-reply', 'acme-pricing'], ['acme-followup', 'acme-pricing-reply']] as const) {
    const id = messageIdOf(byLabel.get(original)!);
    const headers = byLabel.get(reply)!.message.headers.filter((h) => h.name !== 'In-Reply-To' && h.name !== 'References');
    headers.push({ name: 'In-Reply-To', value: id }, { name: 'References', value: id });
    byLabel.get(reply)!.message.headers = headers;
  }
  return { now: DEMO_NOW, seed, companyDomains: [DEMO_COMPANY_DOMAIN], snapshot, mailboxAddresses, admins: [seller('isla').address], emails };
}

/** The mailboxes as they are before the first round (round-1 copies, oldest first). */
export function initialMailboxes(tenant: DemoTenant): MailboxDescription[] {
  return tenant.mailboxAddresses.map((address) => {
    const owner = SELLERS.find((s) => at(s.local) === address);
    const messages = tenant.emails
      .filter((e) => e.round === 1)
      .flatMap((e) => e.copies.filter((c) => c.mailbox === address).map((c) => ({ ...e.message, folder: c.folder }) as SeedMessage))
      .sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
    return { address, displayName: owner?.name ?? address, messages };
  });
}

/** The new mail delivered before the delta round, one entry per copy. */
export function newMail(tenant: DemoTenant): { address: string; message: SeedMessage }[] {
  return tenant.emails
    .filter((e) => e.round === 2)
    .flatMap((e) => e.copies.map((c) => ({ address: c.mailbox, message: { ...e.message, folder: c.folder } as SeedMessage })));
}

/**
 * The CRM change round (docs/rules.md "Re-association", "Late matches"): what a user changes in
 * the CRM after the first sync. Close dates are calendar days relative to the demo's clock.
 */
export const CRM_CHANGES = {
  /** Dana Whitlock joins the CRM: her skipped mail of 10 days ago is found again. */
  newContact: { name: 'Dana Whitlock', email: 'dana.whitlock@northwind-traders.com', accountId: null },
  /** Acme's Robot Arms deal is closed, dated a month back: Acme's mail of the last weeks leaves it. */
  closedDeal: { id: '006-acme-arms', closeDate: new Date(DEMO_NOW.getTime() - 30 * DAY).toISOString().slice(0, 10) },
  /** Raj Patel moves from Acme Robotics to Globex Logistics: his mail follows him. */
  movedContact: { id: '003-raj', accountId: '001-globex' },
} as const;

/** A display name for a CRM id of the tenant (for the demo's output). */
export function recordName(tenant: DemoTenant, id: string): string {
  const s = tenant.snapshot;
  const hit =
    s.accounts.find((a) => a.id === id)?.name ??
    s.deals.find((d) => d.id === id)?.name ??
    s.contacts.find((c) => c.id === id)?.name ??
    s.leads.find((l) => l.id === id)?.name ??
    s.users.find((u) => u.id === id)?.name;
  return hit ?? id;
}
