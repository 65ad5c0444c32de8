/**
 * `mailbridge explain --mailbox <address> (--message-id <id> | --id <provider id>)`: why one
 * email was or was not captured, rule by rule. Reads the mail service live; stores nothing.
 */
import type { Command } from 'commander';
import { ExplainError, explainMessage, type Explanation } from '../../app/ops/explain.js';
import type { MessageRef } from '../../core/ports.js';
import { EXIT_BAD_INPUT, UsageError } from '../run-cli.js';
import { tenantOptions, withTenant, type TenantFlags } from '../tenant-command.js';

interface ExplainFlags extends TenantFlags {
  mailbox: string;
  messageId?: string;
  id?: string;
}

export function registerExplain(program: Command): void {
  tenantOptions(
    program
      .command('explain')
      .description('Explain why one email was or was not captured: every rule, the association, the deal ranking, and where it was written')
      .requiredOption('--mailbox <address>', 'the mailbox holding the email')
      .option('--message-id <Message-ID>', 'the Message-ID header, with or without angle brackets')
      .option('--id <provider id>', "the mail service's id of the message (Graph or Gmail id)"),
  )
    .addHelpText(
      'after',
      `
The message's headers are read live from the mail service and decided against the tenant's
current CRM index with the engine the sync runs. Nothing about the message is stored or logged.

Examples:
  mailbridge explain --mailbox alex@example-seller.com --message-id '<renewal-42@acme.com>'
  mailbridge explain --mailbox alex@example-seller.com --id AAMkAGI2… --json

Exit codes: 0 explained, 1 the mail service has no such message (or another failure),
2 bad input (a missing flag, a mailbox this tenant does not read).
With --json the last line is {"decision", "reason", "rules", "association", "deal", "written", …}
or {"error": {"code", "message", "field"}}.`,
    )
    .action(async (flags: ExplainFlags) => {
      const ref = messageRef(flags);
      try {
        const result = await withTenant(flags, (tenant) => explainMessage(tenant, { mailbox: flags.mailbox, ref }));
        process.stdout.write(flags.json ? `${JSON.stringify(result)}\n` : render(result));
      } catch (err) {
        if (!(err instanceof ExplainError)) throw err;
        if (flags.json) process.stdout.write(`${JSON.stringify({ error: { code: err.code, message: err.message, field: err.field } })}\n`);
        else process.stderr.write(`mailbridge: ${err.message}\n`);
        process.exitCode = err.code === 'not-found' ? 1 : EXIT_BAD_INPUT;
      }
    });
}

function messageRef(flags: ExplainFlags): MessageRef {
  if (flags.messageId !== undefined && flags.id !== undefined) throw new UsageError('give either --message-id or --id, not both');
  if (flags.messageId?.trim()) return { messageId: flags.messageId.trim() };
  if (flags.id?.trim()) return { id: flags.id.trim() };
  throw new UsageError('--message-id or --id: say which message to explain');
}

function render(r: Explanation): string {
  const out: string[] = [];
  const m = r.message;
  out.push(`Message ${m.messageId ?? m.id} in ${r.mailbox} (folder ${m.folder}, sent ${m.sentAt ?? 'unknown'})`);
  out.push(`  from ${m.from ?? '(none)'}: ${m.subject}`);
  out.push('', `Decision: ${r.decision} (${r.reason})${r.explanation ? ` — ${r.explanation}` : ''}`, '', 'Rules, in order:');
  const width = Math.max(...r.rules.map((s) => s.rule.length));
  for (const s of r.rules) out.push(`  ${s.verdict.padEnd(11)} ${s.rule.padEnd(width)}  ${s.detail}`);

  if (r.association) {
    out.push('', 'Association:');
    if (r.association.thread) out.push(`  thread (${r.association.thread.key}): ${r.association.thread.why}`);
    for (const p of r.association.external) out.push(`  ${p.address} (${p.role}): ${p.matched.join('; ')}`);
    for (const p of r.association.ours) out.push(`  ${p.address} (${p.role}): ours, ${p.why}`);
  }
  if (r.deal) {
    out.push('', 'Deals:');
    if (!r.deal.candidates.length) out.push('  no deal on the associated accounts');
    for (const c of r.deal.candidates) out.push(`  ${c.verdict.padEnd(10)} ${c.name} (${c.id}): ${c.why}`);
    out.push(`  owner: ${r.deal.owner.id ?? 'none'} (${r.deal.owner.why})`);
  }

  out.push('');
  if (r.ledger) {
    const ids = r.ledger.crmIds;
    const records = (['contacts', 'accounts', 'leads', 'deals'] as const).filter((k) => ids[k].length).map((k) => `${k} ${ids[k].join(', ')}`);
    out.push(`Written: yes, CRM activity ${ids.activity}${records.length ? ` on ${records.join('; ')}` : ''}`);
    out.push(`  ledger key ${r.ledger.key}, recorded ${r.ledger.recordedAt}, held by ${r.ledger.holders.join(', ')}`);
    out.push(`  explanation then: ${r.ledger.explanation}`);
  } else {
    out.push('Written: no (not in the ledger)');
  }
  for (const n of r.notes) out.push(`Note: ${n}`);
  return `${out.join('\n')}\n`;
}
