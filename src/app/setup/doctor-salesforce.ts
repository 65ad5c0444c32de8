/**
 * `doctor`'s Salesforce checks: the integration user's credentials, every object and field the
 * write-back and the pull use (through jsforce's describe: present, `createable`, `updateable`),
 * and the org's daily API headroom.
 */
import { type SalesforceAdapter, type SfObjectAccess } from '../../crm-adapters/salesforce/salesforce-adapter.js';
import { EXPLANATION_FIELD, KEY_FIELD, toEmailMessage } from '../../crm-adapters/salesforce/salesforce-mapping.js';
import { OBJECTS as PULLED } from '../../crm-adapters/salesforce/salesforce-pull.js';
import { RELATION_FIELDS } from '../../crm-adapters/salesforce/salesforce-write.js';
import type { OpenTenant } from '../open-tenant.js';
import { attempt, blankDraft, fail, pass, type DoctorCheck } from './doctor-check.js';

const PERMISSION_SET = 'assign the Mailbridge Integration permission set (salesforce-pkg) to the integration user';
const PACKAGE = 'deploy salesforce-pkg (it defines the Mailbridge_* fields)';

/** The EmailMessage fields the write-back sets: the keys of a mapped (empty) draft. */
function emailMessageFields(): string[] {
  return Object.keys(toEmailMessage(blankDraft()));
}


interface Need {
  object: string;
  /** Object-level rights: create (write-back), delete (purge, blocklist, erase). */
  create?: boolean;
  delete?: boolean;
  /** Fields that must be present (readable). */
  read: string[];
  /** Fields written on insert, and on update (an upsert rewrites the mailbridge fields). */
  createFields?: string[];
  updateFields?: string[];
}

function needs(accountDomainFields: readonly string[]): Need[] {
  const write: Need[] = [
    { object: 'EmailMessage', create: true, delete: true, read: [KEY_FIELD], createFields: emailMessageFields(), updateFields: [KEY_FIELD, EXPLANATION_FIELD] },
    { object: 'EmailMessageRelation', create: true, read: [...RELATION_FIELDS], createFields: [...RELATION_FIELDS] },
  ];
  const pull = PULLED.map((o) => ({ object: o.object, read: ['SystemModstamp', 'IsDeleted', ...o.fields, ...(o.object === 'Account' ? accountDomainFields : [])] }));
  return [...write, ...pull];
}

function objectCheck(tenant: string, need: Need, described: SfObjectAccess | null): DoctorCheck {
  const name = `crm.object.${need.object}`;
  if (!described) return fail(tenant, name, `${need.object} does not exist or the integration user cannot see it`, `${PERMISSION_SET}${need.object === 'EmailMessage' ? '; Enhanced Email must be on' : ''}`);
  const fields = new Map(described.fields.map((f) => [f.name.toLowerCase(), f]));
  const problems: string[] = [];
  if (need.create && !described.createable) problems.push(`cannot create ${need.object} records`);
  if (need.delete && !described.deletable) problems.push(`cannot delete ${need.object} records`);
  const wanted = [...new Set([...need.read, ...(need.createFields ?? [])])];
  const missing = wanted.filter((f) => !fields.has(f.toLowerCase()));
  if (missing.length) problems.push(`missing or hidden: ${missing.join(', ')}`);
  const notCreateable = (need.createFields ?? []).filter((f) => fields.has(f.toLowerCase()) && !fields.get(f.toLowerCase())!.createable);
  if (notCreateable.length) problems.push(`not createable: ${notCreateable.join(', ')}`);
  const notUpdateable = (need.updateFields ?? []).filter((f) => fields.has(f.toLowerCase()) && !fields.get(f.toLowerCase())!.updateable);
  if (notUpdateable.length) problems.push(`not updateable: ${notUpdateable.join(', ')}`);
  if (!problems.length) return pass(tenant, name, `${need.object}: ${need.create ? 'createable, ' : ''}${wanted.length} fields as needed`);
  const custom = missing.some((f) => f.startsWith('Mailbridge_'));
  return fail(tenant, name, `${need.object}: ${problems.join('; ')}`, custom ? `${PACKAGE}, then ${PERMISSION_SET}` : PERMISSION_SET);
}

export async function salesforceChecks(tenant: OpenTenant, crm: SalesforceAdapter): Promise<DoctorCheck[]> {
  const id = tenant.config.id;
  const config = tenant.config.crm;
  if (config.kind !== 'salesforce') return [];
  const at = `tenants[${id}].crm`;
  const credentialsFix = config.privateKeyFile
    ? `check that ${at}.username is pre-authorized for the connected app ${at}.clientId and that ${at}.privateKeyFile matches the certificate uploaded to it`
    : `set ${at}.clientSecret (or the environment variable it names) to the connected app's consumer secret and ${at}.clientId to its consumer key; the app's client credentials flow needs a run-as user`;
  const credentials = await attempt(id, 'crm.credentials', async () => {
    await crm.checkCredentials();
    return pass(id, 'crm.credentials', 'Salesforce accepted the credentials');
  }, credentialsFix);
  if (!credentials.every((c) => c.ok)) return credentials;

  // Headroom first: once the share is spent every further call (the describes too) would wait.
  const budget = await attempt(
    id,
    'crm.api-budget',
    async () => {
      const { max, remaining } = await crm.dailyApiRequests();
      const used = max - remaining;
      const cap = Math.floor(max * tenant.config.limits.share);
      const detail = `${used} of ${max} daily API requests used (mailbridge may use ${cap})`;
      return used < cap
        ? pass(id, 'crm.api-budget', detail)
        : fail(id, 'crm.api-budget', `${detail}; objects and fields not checked`, `the sync would pause now: wait for the rolling 24 h window, buy more API calls, or raise tenants[${id}].limits.share`);
    },
    'check the API Enabled permission of the integration user',
  );
  const checks = [...credentials, ...budget];
  if (!budget.every((c) => c.ok)) return checks;
  for (const need of needs(config.accountDomainFields ?? ['Mailbridge_Domains__c'])) {
    checks.push(...(await attempt(id, `crm.object.${need.object}`, async () => objectCheck(id, need, await crm.describeObject(need.object)), PERMISSION_SET)));
  }
  return checks;
}
