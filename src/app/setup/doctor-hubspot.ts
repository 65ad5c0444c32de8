/**
 * `doctor`'s HubSpot checks: the private app's token, the email object the write-back uses, the
 * unique key property and every property mailbridge writes (`--fix` creates mailbridge's own
 * through the properties API), the owners endpoint, the association types, the daily headroom.
 */
import { HUBSPOT_PERMISSIONS, permissionOf } from '../../core/permissions.js';
import { isSyncError } from '../../core/sync-error.js';
import type { HubspotAdapter } from '../../crm-adapters/hubspot/hubspot-adapter.js';
import { EMAIL_TO_COMPANY, EMAIL_TO_CONTACT, EMAIL_TO_DEAL, KEY_PROPERTY, MAILBRIDGE_EMAIL_PROPERTIES, toEngagement } from '../../crm-adapters/hubspot/hubspot-mapping.js';
import type { OpenTenant } from '../open-tenant.js';
import { attempt, blankDraft, describeError, fail, pass, type DoctorCheck } from './doctor-check.js';

const SCOPES = 'add the missing scope to the private app (hubspot-app/src/app/app-hsmeta.json), upload it and approve the new scopes';
/** The scope names, checked against the registry by the compiler. */
const scopes = (...names: (typeof HUBSPOT_PERMISSIONS.scopes)[number]['name'][]): string =>
  `(${names.map((n) => permissionOf(HUBSPOT_PERMISSIONS.scopes, n)).join(', ')})`;

/** Every email property the write-back sets: the keys of a mapped draft (with an owner). */
function writtenProperties(): string[] {
  return Object.keys(toEngagement(blankDraft({ ownerId: 'owner' })).properties);
}

function headroom(tenant: OpenTenant, crm: HubspotAdapter): DoctorCheck {
  const id = tenant.config.id;
  const { dailyUsed, dailyMax } = crm.limits();
  // OAuth-authorized calls carry no daily headers: nothing to judge.
  if (dailyUsed === null || dailyMax === null) return pass(id, 'crm.api-budget', 'HubSpot reported no daily limit');
  const cap = Math.floor(dailyMax * tenant.config.limits.share);
  const detail = `${dailyUsed} of ${dailyMax} daily API calls used (mailbridge may use ${cap})`;
  return dailyUsed < cap
    ? pass(id, 'crm.api-budget', detail)
    : fail(id, 'crm.api-budget', `${detail}; the other HubSpot checks not run`, `the sync would pause now: wait for the daily reset (midnight in the portal's time zone), buy the API limit increase, or raise tenants[${id}].limits.share`);
}

export async function hubspotChecks(tenant: OpenTenant, crm: HubspotAdapter, opts: { fix: boolean; fixed: string[] }): Promise<DoctorCheck[]> {
  const id = tenant.config.id;
  const config = tenant.config.crm;
  if (config.kind !== 'hubspot') return [];
  const checks: DoctorCheck[] = [];

  // The properties list is the first call: a refused token fails here, and only here.
  let properties: Awaited<ReturnType<HubspotAdapter['emailProperties']>> | null = null;
  let propertiesError: unknown = null;
  try {
    properties = await crm.emailProperties();
  } catch (error) {
    if (isSyncError(error, 'auth')) {
      return [fail(id, 'crm.credentials', describeError(error), `set tenants[${id}].crm.accessToken (or the environment variable it names) to the private app's current access token`)];
    }
    propertiesError = error;
  }
  checks.push(pass(id, 'crm.credentials', 'HubSpot accepted the access token'));

  // Headroom next, from the headers of that first call: once the share is spent every further call would wait.
  const budget = headroom(tenant, crm);
  checks.push(budget);
  if (!budget.ok) return checks;

  checks.push(
    ...(await attempt(id, 'crm.email-object', async () => {
      await crm.probeEmailObject();
      return pass(id, 'crm.email-object', 'email engagements can be read by the mailbridge key');
    }, `${SCOPES} ${scopes('crm.objects.emails.write')}`)),
  );

  // mailbridge's own properties: present, writable, the key unique-valued; `--fix` creates them.
  const byName = new Map((properties ?? []).map((p) => [p.name, p]));
  for (const definition of MAILBRIDGE_EMAIL_PROPERTIES) {
    const name = `crm.property.${definition.name}`;
    if (!properties) {
      checks.push(fail(id, name, `could not read the email properties: ${describeError(propertiesError)}`, `${SCOPES} (crm.schemas.emails.read)`));
      continue;
    }
    const found = byName.get(definition.name);
    if (!found && opts.fix) {
      checks.push(
        ...(await attempt(id, name, async () => {
          await crm.createEmailProperty(definition);
          opts.fixed.push(`created the email property ${definition.name}`);
          return pass(id, name, `${definition.name} created by doctor --fix`);
        }, `${SCOPES} (crm.schemas.emails.write), or create it by hand: Settings › Properties › Email properties`)),
      );
      continue;
    }
    if (!found) {
      checks.push(fail(id, name, `the email property ${definition.name} does not exist`, 'run `mailbridge doctor --fix` to create it (or create it by hand: Settings › Properties › Email properties)'));
    } else if (found.readOnlyValue) {
      checks.push(fail(id, name, `${definition.name} is read-only`, `an admin must make ${definition.name} writable, or delete it and run \`mailbridge doctor --fix\``));
    } else if (definition.name === KEY_PROPERTY && config.uniqueKeyProperty && !found.hasUniqueValue) {
      checks.push(fail(id, name, `${KEY_PROPERTY} does not require unique values`, `delete it and run \`mailbridge doctor --fix\`, or set tenants[${id}].crm.uniqueKeyProperty to false`));
    } else {
      checks.push(pass(id, name, `${definition.name} exists and is writable`));
    }
  }
  // HubSpot's own email properties the write-back sets.
  if (properties) {
    const own = new Set<string>(MAILBRIDGE_EMAIL_PROPERTIES.map((d) => d.name));
    const absent = writtenProperties().filter((p) => !own.has(p) && (!byName.has(p) || byName.get(p)!.readOnlyValue));
    checks.push(
      absent.length
        ? fail(id, 'crm.properties', `email properties missing or read-only: ${absent.join(', ')}`, `${SCOPES} ${scopes('crm.objects.emails.write')}`)
        : pass(id, 'crm.properties', "HubSpot's email properties the write-back sets are writable"),
    );
  }

  checks.push(
    ...(await attempt(id, 'crm.owners', async () => {
      await crm.probeOwners();
      return pass(id, 'crm.owners', 'the owners endpoint answers');
    }, `${SCOPES} ${scopes('crm.objects.owners.read')}`)),
  );
  checks.push(
    ...(await attempt(id, 'crm.association-types', async () => {
      const missing: string[] = [];
      for (const [to, typeId] of [['contacts', EMAIL_TO_CONTACT], ['companies', EMAIL_TO_COMPANY], ['deals', EMAIL_TO_DEAL]] as const) {
        if (!(await crm.emailAssociationTypes(to)).includes(typeId)) missing.push(`email→${to} ${typeId}`);
      }
      return missing.length
        ? fail(id, 'crm.association-types', `association types not defined: ${missing.join(', ')}`, 'the portal lacks HubSpot-defined email associations: contact HubSpot support')
        : pass(id, 'crm.association-types', 'email → contact, company and deal association types exist');
    }, `${SCOPES} ${scopes('crm.objects.contacts.read', 'crm.objects.companies.read', 'crm.objects.deals.read')}`)),
  );

  return checks;
}
