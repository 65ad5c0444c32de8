/**
 * Progress of long work (first CRM load, backfill): a bar on a terminal; on a pipe or with
 * `--json`, progress lines on stderr (JSON lines with `--json`), at most one per second per
 * mailbox so a big backfill does not flood the log; the last held-back line of each counter is
 * printed when its phase ends, so the final totals always show. stdout stays the command's result.
 */
import cliProgress from 'cli-progress';
import type { SyncProgress } from '../app/run-sync.js';

export interface ProgressReporter {
  onProgress(e: SyncProgress): void;
  stop(): void;
}

export interface ProgressOptions {
  json?: boolean;
  quiet?: boolean;
  out?: NodeJS.WriteStream;
}

const THROTTLE_MS = 1000;

export function createProgress(opts: ProgressOptions = {}): ProgressReporter {
  const out = opts.out ?? process.stderr;
  if (opts.quiet) return { onProgress: () => undefined, stop: () => undefined };
  if (!opts.json && out.isTTY) return terminalBars(out);
  return progressLines(out, opts.json ?? false);
}

function progressLines(out: NodeJS.WritableStream, json: boolean): ProgressReporter {
  const last = new Map<string, number>();
  // Lines the throttle held back, by counter: the latest is printed when its phase ends (or at
  // stop), so the final totals always appear.
  const held = new Map<string, () => void>();
  let crmRecords = 0;
  const write = (e: SyncProgress, text: string) => out.write(json ? `${JSON.stringify({ progress: e })}\n` : `${text}\n`);
  const throttled = (key: string, now: number, print: () => void) => {
    if (now - (last.get(key) ?? 0) < THROTTLE_MS) {
      held.set(key, print);
      return;
    }
    held.delete(key);
    last.set(key, now);
    print();
  };
  const flush = (key: string) => {
    held.get(key)?.();
    held.delete(key);
  };
  return {
    onProgress(e) {
      const now = Date.now();
      if (e.event === 'crm') {
        crmRecords += e.records;
        const text = `[${e.tenant}] CRM: ${crmRecords} records loaded (${e.batches} batches)`;
        throttled('crm', now, () => write(e, text));
      } else if (e.event === 'mailboxes') {
        flush('crm');
        write(e, `[${e.tenant}] ${e.total} mailboxes to sync`);
      } else if (e.event === 'page') {
        throttled(`page:${e.mailbox}`, now, () => write(e, `[${e.tenant}] ${e.mailbox} ${e.folder}: ${e.scanned} scanned, ${e.imported} imported`));
      } else {
        flush(`page:${e.mailbox}`);
        write(e, `[${e.tenant}] ${e.mailbox}: ${e.ok ? `done, ${e.scanned} scanned, ${e.imported} imported` : `failed: ${e.error}`}`);
      }
    },
    stop() {
      for (const key of [...held.keys()]) flush(key);
    },
  };
}

function terminalBars(out: NodeJS.WriteStream): ProgressReporter {
  const multi = new cliProgress.MultiBar(
    {
      stream: out,
      clearOnComplete: false,
      hideCursor: true,
      format: ' {label} [{bar}] {value}/{total} {detail}',
    },
    cliProgress.Presets.shades_classic,
  );
  let crmBar: cliProgress.SingleBar | null = null;
  let crmRecords = 0;
  let boxes: cliProgress.SingleBar | null = null;
  let done = 0;
  let scanned = 0;
  let imported = 0;
  const perMailbox = new Map<string, { scanned: number; imported: number }>();
  const detail = () => `mailboxes · ${scanned} scanned · ${imported} imported`;
  const sums = () => {
    scanned = 0;
    imported = 0;
    for (const m of perMailbox.values()) {
      scanned += m.scanned;
      imported += m.imported;
    }
  };
  return {
    onProgress(e) {
      if (e.event === 'crm') {
        crmRecords += e.records;
        crmBar ??= multi.create(0, 0, { label: `${e.tenant} CRM`, detail: '' });
        crmBar.setTotal(crmRecords);
        crmBar.update(crmRecords, { detail: `records loaded (${e.batches} batches)` });
      } else if (e.event === 'mailboxes') {
        boxes = multi.create(e.total, 0, { label: `${e.tenant} sync`, detail: detail() });
      } else {
        perMailbox.set(e.mailbox, { scanned: e.scanned, imported: e.imported });
        sums();
        if (e.event === 'mailbox') done++;
        boxes?.update(done, { detail: detail() });
      }
    },
    stop: () => multi.stop(),
  };
}
