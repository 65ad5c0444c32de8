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
    /** Default https://graph.microsoft.com; an emulator's URL in the demo. */
    baseUrl: z.string().url().optional(),
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

const salesforceCrm = z
  .object({
    kind: z.literal('salesforce'),
    loginUrl: z.string().url().default('https://login.salesforce.com'),
    clientId: z.string().min(1),
    clientSecret: secret.optional(),
    /** Integration user and private key file: the JWT bearer flow; otherwise client credentials. */
    username: z.string().min(1).optional(),
    privateKeyFile: z.string().min(1).optional(),
    accountDomainFields: z.array(z.string().min(1)).optional(),
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

export const tenantSchema = z
  .object({
    /** Names the tenant's database file (`<dataDir>/<id>.db`): letters, digits, - and _. */
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/i, 'letters, digits, - and _ only'),
    companyDomains: z.array(z.string().min(1)).min(1),
    mail: z.discriminatedUnion('provider', [graphMail, gmailMail]),
    crm: z.discriminatedUnion('kind', [salesforceCrm, hubspotCrm]),
    /** Entries from the file; `mailbridge blocklist add` keeps its own list in the database. */
    blocklist: blocklist.default({ addresses: [], domains: [], phrases: [] }),
    timeZone: z.string().default('UTC'),
    /** Imported messages older than this are deleted by `retention run` (DESIGN §3: 3 years). */
    retentionDays: z.number().int().positive().default(3 * 365),
    /**
     * What retention deletes besides mailbridge's own copy: with `crm` on, the CRM activity of
     * each expired message too, in every run (scheduled or `retention run`). Off by default: the
     * CRM is the system of record with its own retention.
     */
    retention: z.object({ crm: z.boolean().default(false) }).strict().default({ crm: false }),
    mailboxConcurrency: z.number().int().min(1).max(64).default(4),
    limits: limitsSchema.default({ share: 0.75 }),
    /** Admins may delete any message; others only those on accounts they own. */
    admins: addressList.default([]),
  })
  .strict();

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
