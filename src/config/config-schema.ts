/**
 * The configuration file (`mailbridge.config.json`), validated with zod so every error names the
 * field. Secrets may be written inline or as `{ "env": "NAME" }` (read from the environment when
 * the file is loaded); `init` writes the file with 0600 permissions either way.
 */
import { Cron } from 'croner';
import { z } from 'zod';

/** A secret value: inline, or the name of an environment variable holding it. */
export const secret = z.union([z.string().min(1), z.object({ env: z.string().min(1) }).strict()]);
export type SecretRef = z.infer<typeof secret>;

const addressList = z.array(z.string().email());

/** A cron pattern croner accepts (5 fields, or 6 with seconds). */
const cronPattern = z.string().refine((p) => {
  try {
    new Cron(p, { paused: true }).stop();
    return true;
  } catch {
    return false;
  }
}, 'not a valid cron pattern (e.g. "*/15 * * * *")');

/**
 * The Graph API origin. `emulate graph` prints its URL with the version (`…/v1.0`) as Graph's
 * documentation does, while the SDK adds the version itself: both forms are accepted.
 */
const graphOrigin = z
  .string()
  .url()
  .transform((url) => url.replace(/\/+$/, '').replace(/\/(v1\.0|beta)$/i, ''));

const graphMail = z
  .object({
    provider: z.literal('graph'),
    /** company: app-only over all users (or `users` / `group`); user: delegated, one consent each. */
    mode: z.enum(['company', 'user']).default('company'),
    tenantId: z.string().min(1),
    clientId: z.string().min(1),
    clientSecret: secret,
    users: addressList.optional(),
    group: z.string().min(1).optional(),
    /** Default https://graph.microsoft.com (a trailing /v1.0 is dropped); an emulator's URL in the demo. */
    baseUrl: graphOrigin.optional(),
    /** Default https://login.microsoftonline.com; an http URL sends identity requests there. */
    authorityHost: z.string().url().optional(),
    /** Redirect URI registered for user-by-user consent. */
    redirectUri: z.string().url().optional(),
  })
  .strict();

const gmailMail = z
  .object({
    provider: z.literal('gmail'),
    mode: z.enum(['company', 'user']).default('company'),
    /** Company mode: a service account key with domain-wide delegation (JSON file path). */
    serviceAccountFile: z.string().min(1).optional(),
    /** User mode: the OAuth web client. */
    oauthClient: z.object({ clientId: z.string().min(1), clientSecret: secret }).strict().optional(),
    users: addressList.default([]),
    /** Company mode without `users`: list the domain's users (or a group) as this admin. */
    directory: z
      .object({ adminSubject: z.string().email(), group: z.string().min(1).optional(), rootUrl: z.string().url().optional() })
      .strict()
      .optional(),
    rootUrl: z.string().url().optional(),
    tokenOrigin: z.string().url().optional(),
    redirectUri: z.string().url().optional(),
  })
  .strict();

/**
 * A Salesforce field API name, as SOQL takes it: letters, digits and single underscores, starting
 * with a letter, optionally a namespace prefix and the `__c` suffix (`Website`,
 * `Mailbridge_Domains__c`, `acme__Domains__c`). These names are put into a SOQL query, so
 * anything else (spaces, commas, quotes, `FROM`) is refused. Salesforce object reference,
 * "Custom Fields": a custom field's API name ends in two underscores and `c`.
 */
const SF_WORD = '[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*';
const sfFieldName = z
  .string()
  .max(120)
  .regex(new RegExp(`^(?:${SF_WORD}__)?${SF_WORD}(?:__c)?$`), 'not a Salesforce field API name (e.g. "Website" or "Mailbridge_Domains__c")');

const salesforceCrm = z
  .object({
    kind: z.literal('salesforce'),
    loginUrl: z.string().url().default('https://login.salesforce.com'),
    clientId: z.string().min(1),
    clientSecret: secret.optional(),
    /** Integration user and private key file: the JWT bearer flow; otherwise client credentials. */
    username: z.string().min(1).optional(),
    privateKeyFile: z.string().min(1).optional(),
    accountDomainFields: z.array(sfFieldName).min(1).optional(),
  })
  .strict();

const hubspotCrm = z
  .object({
    kind: z.literal('hubspot'),
    accessToken: secret,
    basePath: z.string().url().optional(),
    /**
     * The portal's `mailbridge_key` email property has unique values (hubspot-app/README): a
     * retried create is refused as a conflict. false: read before every create instead (one more
     * call per batch).
     */
    uniqueKeyProperty: z.boolean().default(true),
  })
  .strict();

const blocklist = z
  .object({
    addresses: z.array(z.string().min(1)).default([]),
    domains: z.array(z.string().min(1)).default([]),
    phrases: z.array(z.string().min(1)).default([]),
  })
  .strict();

/** Changes to the built-in list of consumer mailbox domains (docs/rules.md "Free mail"). */
const freeMail = z
  .object({
    add: z.array(z.string().min(1)).default([]),
    remove: z.array(z.string().min(1)).default([]),
  })
  .strict();

/**
 * What this tenant may spend of each API (DESIGN §4): mailbridge uses `share` of every limit.
 * `mail` replaces the provider's documented per-mailbox limit (Graph 10,000 requests / 10 min,
 * 4 concurrent; Gmail 15,000 quota units / min) when the tenant's is lower; HubSpot's burst
 * limit depends on the portal's tier (100 per 10 s on Free/Starter, 190 on Pro/Enterprise).
 */
const limitsSchema = z
  .object({
    share: z.number().gt(0).max(1).default(0.75),
    mail: z
      .object({ limit: z.number().int().positive(), windowMs: z.number().int().positive(), concurrency: z.number().int().min(1).max(64) })
      .strict()
      .optional(),
    hubspotRequestsPer10s: z.number().int().positive().optional(),
  })
  .strict();

type TenantShape = {
  mail: { provider: 'graph' | 'gmail'; mode: 'company' | 'user'; redirectUri?: string; users?: string[]; serviceAccountFile?: string; oauthClient?: unknown; directory?: unknown };
  crm: { kind: 'salesforce' | 'hubspot'; clientSecret?: unknown; privateKeyFile?: string; username?: string };
};

/**
 * What a tenant needs beyond each field's own shape, checked here so `init`, `config check` and
 * every command that loads the file refuse the same things, naming the same field.
 */
function tenantRules(t: TenantShape, ctx: z.RefinementCtx): void {
  const need = (path: string[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const mail = t.mail;
  if (mail.mode === 'user' && !mail.redirectUri) need(['mail', 'redirectUri'], 'user-by-user consent needs the redirect URI registered for the app');
  if (mail.provider === 'gmail') {
    if (mail.mode === 'company' && !mail.serviceAccountFile) need(['mail', 'serviceAccountFile'], 'company-wide Gmail needs a service account key');
    if (mail.mode === 'company' && !mail.users?.length && !mail.directory) {
      need(['mail', 'users'], 'company-wide Gmail needs the users to scan, or a directory admin (directory.adminSubject) to list them');
    }
    if (mail.mode === 'user' && !mail.oauthClient) need(['mail', 'oauthClient'], 'user-by-user Gmail needs an OAuth client');
  }
  if (t.crm.kind === 'salesforce') {
    if (!t.crm.clientSecret && !t.crm.privateKeyFile) need(['crm', 'clientSecret'], 'Salesforce needs a client secret or a private key file (JWT bearer flow)');
    if (t.crm.privateKeyFile && !t.crm.username) need(['crm', 'username'], 'the JWT bearer flow needs the integration user');
  }
}

/** The first-run backfill window (core/backfill-window.ts). */
const backfillSchema = z
  .object({
    /** Days scanned when the mailbox owner holds no older open deal. */
    defaultDays: z.number().int().min(0).default(7),
    /** Never further back than this many days, whatever the deals say (no cap when absent). */
    maxDays: z.number().int().positive().optional(),
    /** Start at the creation of the oldest open deal the owner holds, when older. */
    oldestOpenDeal: z.boolean().default(true),
  })
  .strict()
  .refine((b) => b.maxDays === undefined || b.maxDays >= b.defaultDays, { message: 'must be at least defaultDays', path: ['maxDays'] });

export const tenantSchema = z
  .object({
    /** Names the tenant's database file (`<dataDir>/<id>.db`): letters, digits, - and _. */
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/i, 'letters, digits, - and _ only'),
    companyDomains: z.array(z.string().min(1)).min(1),
    mail: z.discriminatedUnion('provider', [graphMail, gmailMail]),
    crm: z.discriminatedUnion('kind', [salesforceCrm, hubspotCrm]),
    /** Entries from the file; `mailbridge blocklist add` keeps its own list in the database. */
    blocklist: blocklist.default({ addresses: [], domains: [], phrases: [] }),
    /** Domains this tenant also treats as free mail (`add`) or as company domains (`remove`). */
    freeMail: freeMail.default({ add: [], remove: [] }),
    timeZone: z.string().default('UTC'),
    /** Imported messages older than this are deleted by `retention run` (DESIGN §3: 3 years). */
    retentionDays: z.number().int().positive().default(3 * 365),
    /**
     * What retention deletes besides mailbridge's own copy: with `crm` on, the CRM activity of
     * each expired message too, in every run (scheduled or `retention run`). Off by default: the
     * CRM is the system of record with its own retention.
     */
    retention: z.object({ crm: z.boolean().default(false) }).strict().default({ crm: false }),
    /**
     * Mailboxes synced at once. Provider limits are per mailbox and CRM calls go through the
     * tenant's one writer and bucket, so more lanes never exceed a limit; 16 keeps thousands of
     * mailboxes current at a 15-minute cadence (docs/benchmarks.md "Scale-out").
     */
    mailboxConcurrency: z.number().int().min(1).max(64).default(16),
    limits: limitsSchema.default({ share: 0.75 }),
    /** Admins may delete any message; others only those on accounts they own. */
    admins: addressList.default([]),
    backfill: backfillSchema.default({ defaultDays: 7, oldestOpenDeal: true }),
    /**
     * Late matching (docs/rules.md): when the CRM gains an address or domain, mail of the last
     * `windowDays` is searched for in each mailbox, at most `maxQueriesPerRound` searches a round.
     */
    lateMatch: z
      .object({ windowDays: z.number().int().min(1).max(365).default(30), maxQueriesPerRound: z.number().int().min(0).default(50) })
      .strict()
      .default({ windowDays: 30, maxQueriesPerRound: 50 }),
    /**
     * Re-association (docs/rules.md): imported emails of the last `windowDays` that a CRM change
     * touches are decided again, at most `maxPerRound` a round (the rest wait; 0: off).
     */
    reassociation: z
      .object({ windowDays: z.number().int().min(1).max(365).default(30), maxPerRound: z.number().int().min(0).default(200) })
      .strict()
      .default({ windowDays: 30, maxPerRound: 200 }),
    /**
     * Meetings (docs/rules.md "Meetings"): `enabled` reads each synced mailbox's calendar after
     * its mail (the provider then asks for the calendar scope too); more than `webinarAttendees`
     * attendees from outside the CRM is a webinar (`automated`); upcoming meetings are read
     * `daysAhead` days ahead.
     */
    calendar: z
      .object({
        /** Capture meetings (asks for the calendar permission: docs/permissions.md). */
        enabled: z.boolean().default(false),
        webinarAttendees: z.number().int().min(1).default(50),
        daysAhead: z.number().int().min(0).max(365).default(30),
      })
      .strict()
      .default({ enabled: false, webinarAttendees: 50, daysAhead: 30 }),
  })
  .strict()
  .superRefine(tenantRules);

export const storeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('sqlite') }).strict(),
  z.object({ kind: z.literal('postgres'), url: secret }).strict(),
]);
export type StoreConfig = z.infer<typeof storeSchema>;

export const configSchema = z
  .object({
    version: z.literal(1).default(1),
    /** Where the databases live (one encrypted file per tenant); relative to the config file. */
    dataDir: z.string().min(1).default('mailbridge-data'),
    /** The database key: a file (0600) written by `init`, or the MAILBRIDGE_DB_KEY variable. */
    keyFile: z.string().min(1).optional(),
    schedule: z
      .object({
        /** Cron pattern of sync rounds (default every 15 minutes). */
        cron: cronPattern.default('*/15 * * * *'),
        /** Retention runs once a day at this pattern. */
        retentionCron: cronPattern.default('30 3 * * *'),
      })
      .strict()
      .default({ cron: '*/15 * * * *', retentionCron: '30 3 * * *' }),
    log: z
      .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'), file: z.string().optional() })
      .strict()
      .default({ level: 'info' }),
    /**
     * `mailbridge run --http`: the status page, /metrics and /healthz (docs/operations.md).
     * `listen` is host:port (off when absent and no --http flag); `token` guards all but /healthz
     * (else MAILBRIDGE_HTTP_TOKEN).
     */
    http: z
      .object({
        listen: z.string().regex(/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+):\d{1,5}$/i, 'host:port, e.g. "127.0.0.1:9464"').optional(),
        token: secret.optional(),
      })
      .strict()
      .optional(),
    /** A JSON POST (Slack-compatible `text`) when a tenant or mailbox fails, is revoked or recovers. */
    alerts: z.object({ webhook: z.string().url() }).strict().optional(),
    /**
     * The worker pool's queue (pg-boss, docs/scale-out.md): a PostgreSQL URL. Defaults to
     * store.url with store.kind "postgres"; set it to run `mailbridge worker` processes on one
     * host over the embedded SQLite store.
     */
    pool: z.object({ url: secret }).strict().optional(),
    /**
     * Where state lives (docs/scale-out.md): `sqlite` (default) keeps one encrypted file per
     * tenant in dataDir; `postgres` shares one PostgreSQL among many workers, a schema per tenant.
     */
    store: storeSchema.default({ kind: 'sqlite' }),
    tenants: z.array(tenantSchema).min(1),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.tenants.forEach((t, i) => {
      if (seen.has(t.id.toLowerCase())) ctx.addIssue({ code: 'custom', path: ['tenants', i, 'id'], message: `duplicate tenant id "${t.id}"` });
      seen.add(t.id.toLowerCase());
    });
  });

export type MailbridgeConfig = z.infer<typeof configSchema>;
export type TenantConfig = z.infer<typeof tenantSchema>;
export type MailConfig = TenantConfig['mail'];
export type CrmConfig = TenantConfig['crm'];
