/**
 * Store benchmark: builds the domain index of a synthetic 1M-contact tenant into a temporary
 * encrypted database with `loadSnapshot`, then times random lookups: a uniform mix of the eight
 * lookups (half hits, half misses), first-seen known contacts (the SQLite path), and a hot
 * working set that fits the caches. Last line: one JSON object.
 *
 *   npx tsx bench/store.ts [--contacts N] [--accounts N] [--leads N] [--deals N] [--lookups N] [--json]
 *
 * Progress and memory notes go to stderr; stdout's last line is the JSON result.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { domainOf, normalizeAddress, registrableDomain } from '../src/core/address.js';
import { openDatabase } from '../src/store/database.js';
import { SqliteDomainIndex } from '../src/store/domain-index.js';
import { SyntheticTenant } from './synthetic-tenant.js';

const { values } = parseArgs({
  options: {
    contacts: { type: 'string', default: '1000000' },
    accounts: { type: 'string', default: '200000' },
    leads: { type: 'string', default: '50000' },
    deals: { type: 'string', default: '100000' },
    lookups: { type: 'string', default: '1000000' },
    // `npm run bench` passes --json; the JSON line is printed last either way.
    json: { type: 'boolean', default: false },
  },
});
const tenant = new SyntheticTenant({
  contacts: Number(values.contacts),
  accounts: Number(values.accounts),
  leads: Number(values.leads),
  deals: Number(values.deals),
});
const lookups = Number(values.lookups);

const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
const memory = () => {
  const m = process.memoryUsage();
  return `rss ${Math.round(m.rss / 2 ** 20)} MB, JS heap ${Math.round(m.heapUsed / 2 ** 20)} MB, peak ${peakRssMb()} MB`;
};
console.error(`start: ${memory()}`);
const dir = mkdtempSync(join(tmpdir(), 'mailbridge-bench-store-'));
const db = openDatabase({ path: join(dir, 'index.db'), key: randomBytes(32).toString('base64') });
try {
  const index = new SqliteDomainIndex(db);

  const buildStart = performance.now();
  const cpuStart = process.cpuUsage();
  const records = index.loadSnapshot(tenant);
  const indexBuildSec = (performance.now() - buildStart) / 1000;
  // CPU time too: on a shared machine the wall clock includes time the core was taken away.
  const cpu = process.cpuUsage(cpuStart);
  const indexBuildCpuSec = (cpu.user + cpu.system) / 1e6;
  const buildPeakRssMb = peakRssMb();
  console.error(`built ${records} records in ${indexBuildSec.toFixed(1)} s (${indexBuildCpuSec.toFixed(1)} s CPU): ${memory()}`);
  console.error(index.counts());

  // Deterministic key stream: 1/8 each of the eight lookups, half hits, half misses.
  let state = 12345;
  const rand = (n: number) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state % n;
  };
  const s = tenant.sizes;
  type Probe = () => unknown;
  const makeProbe = (k: number, hit: boolean): Probe => {
    switch (k) {
      case 0: {
        const email = hit ? normalizeAddress(tenant.contactEmail(rand(s.contacts)))! : `nobody${rand(1e9)}@nowhere.example`;
        return () => index.contactsByEmail(email);
      }
      case 1: {
        const domain = hit ? registrableDomain(tenant.accountDomains(rand(s.accounts))[0])! : `unknown${rand(1e9)}.com`;
        return () => index.accountsByDomain(domain);
      }
      case 2: {
        const domain = hit ? domainOf(normalizeAddress(tenant.contactEmail(rand(s.contacts)))!) : `unknown${rand(1e9)}.net`;
        return () => index.contactAccountIdsByDomain(domain);
      }
      case 3: {
        const email = hit ? normalizeAddress(tenant.lead(rand(s.leads)).emails[0])! : `lead${rand(1e9)}@nowhere.example`;
        return () => index.leadsByEmail(email);
      }
      case 4: {
        const domain = hit ? (tenant.lead(rand(s.leads)).domain ?? 'prospect0.com') : `noprospect${rand(1e9)}.io`;
        return () => index.leadsByDomain(domain);
      }
      case 5: {
        const id = hit ? tenant.accountId(rand(s.accounts)) : `001X${rand(1e9)}`;
        return () => index.dealsByAccount(id);
      }
      case 6: {
        const id = hit ? tenant.accountId(rand(s.accounts)) : `001X${rand(1e9)}`;
        return () => index.account(id);
      }
      default: {
        const email = hit ? tenant.user(rand(s.users)).email : `stranger${rand(1e9)}@example-seller.com`;
        return () => index.userByEmail(email);
      }
    }
  };

  /** Runs `count` probes in chunks (keys prepared outside the timed part); returns lookups/s. */
  const time = (count: number, next: () => Probe): number => {
    let elapsed = 0;
    for (let done = 0; done < count; ) {
      const chunk: Probe[] = [];
      for (let i = 0; i < 10_000 && done + i < count; i++) chunk.push(next());
      const t = performance.now();
      for (const probe of chunk) probe();
      elapsed += performance.now() - t;
      done += chunk.length;
    }
    return Math.round(count / (elapsed / 1000));
  };

  let k = 0;
  const lookupsPerSec = time(lookups, () => makeProbe(k++ % 8, rand(2) === 0));
  // Cold hits: known contacts seen for the first time, the case that reaches SQLite.
  const coldContactHitsPerSec = time(Math.min(lookups, 200_000), () => makeProbe(0, true));
  // Hot: the same 20,000 probes over and over, as a sync sees its regular correspondents.
  const working: Probe[] = [];
  for (let i = 0; i < 20_000; i++) working.push(makeProbe(i % 8, rand(2) === 0));
  for (const probe of working) probe(); // first sight: from SQLite, into the caches
  let w = 0;
  const cachedLookupsPerSec = time(lookups, () => working[w++ % working.length]!);

  console.error(
    `lookups: ${lookupsPerSec}/s uniform mix, ${coldContactHitsPerSec}/s first-seen contacts, ` +
      `${cachedLookupsPerSec}/s hot working set: ${memory()}`,
  );
  console.log(
    JSON.stringify({
      records,
      indexBuildSec: Number(indexBuildSec.toFixed(2)),
      recordsPerSec: Math.round(records / indexBuildSec),
      indexBuildCpuSec: Number(indexBuildCpuSec.toFixed(2)),
      recordsPerCpuSec: Math.round(records / indexBuildCpuSec),
      peakRssMb: buildPeakRssMb,
      lookups,
      lookupsPerSec,
      coldContactHitsPerSec,
      cachedLookupsPerSec,
      peakRssAfterLookupsMb: peakRssMb(),
    }),
  );
} finally {
  db.close();
  rmSync(dir, { recursive: true, force: true });
}
