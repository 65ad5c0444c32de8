/**
 * `mailbridge explain`, `crm snapshot` and `messages list|search` as an admin runs them: the
 * Graph and Salesforce emulators, a synced tenant, the real command in a child process. Explain
 * is checked for an imported message, for each skip reason, for a message the mail service does
 * not have, and for storing nothing about the message it reads.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSnapshot } from '../../src/core/snapshot.js';
import type { SeedMessage } from '../../src/emulators/common/mail-store.js';
import { openDatabase } from '../../src/store/database.js';
import { lastJsonLine, mailbridge, recentMail, startCliTenant, type CliTenant } from '../helpers/cli-tenant.js';

const ALEX = 'alex@example-seller.com';
const SAM = 'sam@example-seller.com';
const STRANGER = { address: 'quokka.visitor@nomatch-corp.example', subject: 'Zephyr-8812 harbour tour', messageId: 'zephyr-8812@nomatch-corp.example' };

const RENEWAL_ID = '<renewal-explain@acme.com>';
/** One message per skip reason: [reason, the rule that fails, its Message-ID, the seed]. */
const SKIPS: [string, string, string, SeedMessage][] = [
  ['draft-or-deleted', 'draft-or-deleted', '<draft-explain@example-seller.com>', { ...recentMail('inbox', 12, { From: ALEX, To: 'Jane <jane.doe@acme.com>', Subject: 'Draft reply', 'Message-ID': '<draft-explain@example-seller.com>' }), folder: 'drafts' }],
  ['internal-only', 'internal-only', '<internal-explain@example-seller.com>', recentMail('inbox', 11, { From: SAM, To: ALEX, Subject: 'Forecast', 'Message-ID': '<internal-explain@example-seller.com>' })],
  ['blocklisted', 'blocklisted', '<blocked-explain@blocked-partner.com>', recentMail('inbox', 10, { From: 'Partner <kim@blocked-partner.com>', To: ALEX, Subject: 'Offer', 'Message-ID': '<blocked-explain@blocked-partner.com>' })],
  ['automated', 'automated-headers', '<digest-explain@acme.com>', recentMail('inbox', 9, { From: 'Acme News <news@acme.com>', To: ALEX, Subject: 'Digest', 'Message-ID': '<digest-explain@acme.com>', 'List-Unsubscribe': '<mailto:u@acme.com>' })],
  ['no-crm-match', 'crm-match', `<${STRANGER.messageId}>`, recentMail('inbox', 8, { From: `Quokka <${STRANGER.address}>`, To: ALEX, Subject: STRANGER.subject, 'Message-ID': `<${STRANGER.messageId}>` })],
];

function mailboxes() {
  const renewal = () =>
    recentMail('inbox', 30, { From: 'Jane Doe <jane.doe@acme.com>', To: ALEX, Cc: SAM, Subject: 'Renewal pricing for next year', 'Message-ID': RENEWAL_ID }, 'Could you send the renewal pricing?');
  return [
    { address: ALEX, messages: [renewal(), ...SKIPS.map(([, , , seed]) => seed)] },
    { address: SAM, messages: [renewal(), recentMail('sent', 20, { From: SAM, To: 'Bob <bob@globex.com>', Subject: 'Pilot wrap-up', 'Message-ID': '<pilot-explain@example-seller.com>' })] },
  ];
}

/** Every row of every table, decrypted: what the database holds. */
function dump(t: CliTenant): string {
  const db = openDatabase({ path: join(t.dir, 'data', 'acme.db'), key: t.key });
  const rows: string[] = [];
  for (const { name } of db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all()) {
    for (const row of db.prepare(`SELECT * FROM "${name.replaceAll('"', '""')}"`).all()) rows.push(`${name} ${JSON.stringify(row)}`);
  }
  db.close();
  return rows.join('\n');
}

interface ExplainJson {
  decision: string;
  reason: string;
  rules: { rule: string; verdict: string; detail: string }[];
  association: { external: { address: string; matched: string[] }[] } | null;
  deal: { chosen: string[]; candidates: { id: string; verdict: string; why: string }[] } | null;
  written: boolean;
  ledger: { crmIds: { activity: string; contacts: string[]; accounts: string[]; deals: string[] }; holders: string[] } | null;
  message: { id: string; folder: string };
}

describe('mailbridge explain, crm snapshot, messages list|search', { timeout: 180_000 }, () => {
  let t: CliTenant;
  const env = () => ({ MAILBRIDGE_DB_KEY: t.key });
  const run = (args: string[]) => mailbridge([...args, '--config', t.configFile], env());
  const explain = async (messageId: string, mailbox = ALEX) => {
    const r = await run(['explain', '--mailbox', mailbox, '--message-id', messageId, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return lastJsonLine(r.stdout) as unknown as ExplainJson;
  };

  beforeAll(async () => {
    t = await startCliTenant(mailboxes());
    const sync = await run(['sync', '--once', '--json', '--quiet']);
    expect(sync.code).toBe(0);
    expect(lastJsonLine(sync.stdout)).toMatchObject({ totals: { imported: 2, skipped: { 'no-crm-match': 1, automated: 1, 'internal-only': 1, blocklisted: 1 } } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('explains an imported message: every rule passes, the association, the deal ranking, and where it was written', async () => {
    const r = await explain(RENEWAL_ID);
    expect(r).toMatchObject({ decision: 'import', reason: 'matched', written: true });
    expect(r.rules.map((s) => s.verdict)).toEqual(r.rules.map(() => 'pass'));
    expect(r.rules.map((s) => s.rule)).toEqual(['draft-or-deleted', 'internal-only', 'blocklisted', 'automated-headers', 'bulk-recipients', 'crm-match', 'automated-body']);
    expect(r.association!.external).toEqual([expect.objectContaining({ address: 'jane.doe@acme.com', matched: ['contact jane.doe@acme.com → account Acme Corp'] })]);
    // The renewal (jane holds a contact role) wins; the expansion closed long before is out.
    expect(r.deal!.chosen).toEqual(['006-acme-renewal']);
    expect(r.deal!.candidates).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: '006-acme-renewal', verdict: 'won' }),
        expect.objectContaining({ id: '006-acme-expansion', verdict: 'ineligible', why: expect.stringMatching(/beyond the 14-day window/) }),
      ]),
    );
    // Written: the ledger's CRM activity is the one Salesforce holds.
    const emails = t.sf.control.emails();
    const renewal = emails.find((e) => e.record.Subject === 'Renewal pricing for next year')!;
    expect(r.ledger!.crmIds).toMatchObject({ activity: renewal.record.Id, contacts: ['003-jane'], accounts: ['001-acme'], deals: ['006-acme-renewal'] });
    expect(r.ledger!.holders).toEqual([ALEX, SAM]);

    // The same message by its Graph id, and the human output.
    const byId = await run(['explain', '--mailbox', ALEX, '--id', r.message.id, '--json']);
    expect(lastJsonLine(byId.stdout)).toMatchObject({ decision: 'import', written: true, message: { id: r.message.id } });
    const human = await run(['explain', '--mailbox', ALEX, '--message-id', RENEWAL_ID]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/Decision: import \(matched\)/);
    expect(human.stdout).toMatch(/won\s+Acme Renewal 2026 \(006-acme-renewal\)/);
    expect(human.stdout).toContain(`Written: yes, CRM activity ${renewal.record.Id}`);
  });

  it('explains each skip reason: the rule that failed, with what it found, and nothing written', async () => {
    const details: Record<string, string> = {};
    for (const [reason, rule, messageId] of SKIPS) {
      const r = await explain(messageId);
      details[rule] = r.rules.find((s) => s.rule === rule)!.detail;
      expect({ messageId, decision: r.decision, reason: r.reason, written: r.written }).toEqual({ messageId, decision: 'skip', reason, written: false });
      const at = r.rules.findIndex((s) => s.verdict === 'fail');
      expect(r.rules[at]!.rule).toBe(rule);
      expect(r.rules.slice(0, at).every((s) => s.verdict === 'pass')).toBe(true);
      expect(r.rules.slice(at + 1).every((s) => s.verdict === 'not-reached')).toBe(true);
      expect(r.deal).toBeNull();
    }
    expect(details['draft-or-deleted']).toMatch(/folder drafts/);
    expect(details['internal-only']).toBe(`every participant is on a company domain: ${SAM} (from), ${ALEX} (to)`);
    expect(details.blocklisted).toBe('participant kim@blocked-partner.com (from) is on the domain list: blocked-partner.com');
    expect(details['automated-headers']).toBe('List-Unsubscribe header');
    expect(details['crm-match']).toContain(STRANGER.address);
  });

  it('a message the mail service does not have: exit 1 and a JSON error', async () => {
    const r = await run(['explain', '--mailbox', ALEX, '--message-id', '<never-sent@acme.com>', '--json']);
    expect(r.code).toBe(1);
    expect(lastJsonLine(r.stdout)).toEqual({ error: { code: 'not-found', message: expect.stringContaining('never-sent@acme.com'), field: 'messageId' } });
    const byId = await run(['explain', '--mailbox', ALEX, '--id', 'AAMkbm9uZQ=', '--json']);
    expect(byId.code).toBe(1);
    expect(lastJsonLine(byId.stdout)).toMatchObject({ error: { code: 'not-found' } });
    const human = await run(['explain', '--mailbox', ALEX, '--message-id', '<never-sent@acme.com>']);
    expect(human.code).toBe(1);
    expect(human.stderr).toMatch(/the mail service has no message with Message-ID <never-sent@acme.com>/);
    const noBox = await run(['explain', '--mailbox', 'typo@example-seller.com', '--message-id', RENEWAL_ID, '--json']);
    expect(noBox.code).toBe(2);
    expect(lastJsonLine(noBox.stdout)).toMatchObject({ error: { code: 'unknown-mailbox', field: 'mailbox' } });
  });

  it('stores and logs nothing about the message it explains', async () => {
    const before = dump(t);
    for (const s of [STRANGER.address, STRANGER.subject, STRANGER.messageId]) expect(before.toLowerCase()).not.toContain(s.toLowerCase());
    const json = await run(['explain', '--mailbox', ALEX, '--message-id', `<${STRANGER.messageId}>`, '--json']);
    const human = await run(['explain', '--mailbox', ALEX, '--message-id', `<${STRANGER.messageId}>`]);
    expect(json.code).toBe(0);
    expect(human.code).toBe(0);
    // Shown to the admin who asked, on stdout only…
    expect(json.stdout).toContain(STRANGER.address);
    expect(human.stdout).toContain(STRANGER.address);
    // …and nowhere else: no log line, no row in any table, nothing changed at all.
    expect(json.stderr + human.stderr).toBe('');
    expect(dump(t)).toBe(before);
  });

  it('crm snapshot writes the index in the classify format, and classify runs on it with the same decisions', async () => {
    const snap = await run(['crm', 'snapshot']);
    expect(snap.code).toBe(0);
    const snapshot = parseSnapshot(JSON.parse(snap.stdout));
    expect(snapshot.companyDomains).toEqual(['example-seller.com']);
    expect(snapshot.contacts.map((c) => c.id).sort()).toEqual(['003-bob', '003-jane', '003-pat']);
    expect(snapshot.deals.find((d) => d.id === '006-acme-renewal')).toMatchObject({ accountId: '001-acme', isClosed: false, contactRoles: ['003-jane'] });
    expect(snapshot.blocklist.domains).toContain('blocked-partner.com');

    // Round trip: the exported mail, classified against the exported CRM.
    const crmFile = join(t.dir, 'crm.json');
    writeFileSync(crmFile, snap.stdout);
    const mailDir = join(t.dir, 'exported');
    mkdirSync(mailDir);
    const eml = (name: string, headers: Record<string, string>) =>
      writeFileSync(join(mailDir, name), `${Object.entries({ Date: new Date().toUTCString(), ...headers }).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\nHello there.\r\n`);
    eml('1-renewal.eml', { From: 'Jane Doe <jane.doe@acme.com>', To: ALEX, Subject: 'Renewal', 'Message-ID': '<r1@acme.com>' });
    eml('2-blocked.eml', { From: 'kim@blocked-partner.com', To: ALEX, Subject: 'Offer', 'Message-ID': '<b1@blocked-partner.com>' });
    eml('3-stranger.eml', { From: 'x@nomatch-corp.example', To: ALEX, Subject: 'Hi', 'Message-ID': '<s1@nomatch-corp.example>' });
    const classify = await mailbridge(['classify', '--crm', crmFile, '--mail', mailDir, '--owner', ALEX, '--json']);
    expect(classify.stderr).toBe('');
    const lines = classify.stdout.trim().split('\n').map((l) => JSON.parse(l) as { file: string; reason: string; deals: string[]; owner: string });
    expect(lines.map((l) => [l.file.split('/').pop(), l.reason])).toEqual([
      ['1-renewal.eml', 'matched'],
      ['2-blocked.eml', 'blocklisted'],
      ['3-stranger.eml', 'no-crm-match'],
    ]);
    expect(lines[0]).toMatchObject({ deals: ['006-acme-renewal'], owner: '005-alex' });

    // --out writes a private file with the same content.
    const outFile = join(t.dir, 'crm-out.json');
    expect((await run(['crm', 'snapshot', '--out', outFile])).code).toBe(0);
    expect(readFileSync(outFile, 'utf8')).toBe(snap.stdout);
  });

  it('messages list and search show imported mail with holders and CRM ids, as JSON lines', async () => {
    const list = await run(['messages', 'list', '--json']);
    expect(list.code).toBe(0);
    const rows = list.stdout.trim().split('\n').map((l) => JSON.parse(l) as { messageId: string; subject: string; sentAt: string; holders: string[]; crmIds: { activity: string; deals: string[] } });
    expect(rows.map((m) => m.subject)).toEqual(['Pilot wrap-up', 'Renewal pricing for next year']);
    const renewal = rows[1]!;
    expect(renewal).toMatchObject({ messageId: RENEWAL_ID, holders: [ALEX, SAM], crmIds: { deals: ['006-acme-renewal'] } });
    expect(Date.parse(renewal.sentAt)).not.toBeNaN();
    expect(t.sf.control.emails().map((e) => e.record.Id)).toContain(renewal.crmIds.activity);

    const found = await run(['messages', 'search', 'renewal pricing', '--json']);
    expect(found.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { subject: string }).subject)).toEqual(['Renewal pricing for next year']);
    // Participants are searchable; FTS syntax typed by the admin is taken as plain words.
    const byAddress = await run(['messages', 'search', 'bob@globex.com', '--json']);
    expect(byAddress.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { subject: string }).subject)).toEqual(['Pilot wrap-up']);
    const syntax = await run(['messages', 'search', 'renewal OR "pilot', '--json']);
    expect(syntax.code).toBe(0);
    expect(syntax.stdout).toBe('');
    // Rejected mail was never imported: nothing to find.
    expect((await run(['messages', 'search', 'Zephyr-8812', '--json'])).stdout).toBe('');
    const human = await run(['messages', 'list']);
    expect(human.stdout).toMatch(/Renewal pricing for next year/);
  });
});
