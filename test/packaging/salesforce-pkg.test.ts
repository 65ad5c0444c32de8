// Packaging checks for salesforce-pkg/, run from the root suite. Structural checks use only
// node:fs; XML well-formedness and `sf project convert source` run through the package's own
// checker (its parser and pinned CLI live in salesforce-pkg/node_modules).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { names, SALESFORCE_PERMISSIONS } from '../../src/core/permissions.js';

const pkg = fileURLToPath(new URL('../../salesforce-pkg/', import.meta.url));
const source = join(pkg, 'force-app', 'main', 'default');
const checker = join(pkg, 'scripts', 'check-packaging.mjs');
const apexChecker = join(pkg, 'scripts', 'check-apex.mjs');
const installed =
  existsSync(join(pkg, 'node_modules', 'fast-xml-parser')) &&
  existsSync(join(pkg, 'node_modules', '@apexdevtools', 'apex-parser')) &&
  existsSync(join(pkg, 'node_modules', '.bin', 'sf'));
// In CI the package must be installed (npm ci --prefix salesforce-pkg); locally a missing install skips.
const runChecker = installed || process.env.CI === 'true';

const apiVersion = (JSON.parse(readFileSync(join(pkg, 'sfdx-project.json'), 'utf8')) as { sourceApiVersion: string })
  .sourceApiVersion;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

function runCheck(...args: string[]) {
  return spawnSync(process.execPath, [checker, ...args], { encoding: 'utf8', timeout: 180_000 });
}

function runApexCheck(...args: string[]) {
  return spawnSync(process.execPath, [apexChecker, ...args], { cwd: pkg, encoding: 'utf8', timeout: 60_000 });
}

describe('salesforce-pkg structure', () => {
  it('has a .js-meta.xml and a .js for every LWC bundle, with the expected targets', () => {
    const bundles = readdirSync(join(source, 'lwc'), { withFileTypes: true }).filter((d) => d.isDirectory());
    expect(bundles.map((b) => b.name).sort()).toEqual(['mailbridgeTimeline', 'mailbridgeTimelineModel']);
    for (const bundle of bundles) {
      expect(existsSync(join(source, 'lwc', bundle.name, `${bundle.name}.js`)), bundle.name).toBe(true);
      expect(existsSync(join(source, 'lwc', bundle.name, `${bundle.name}.js-meta.xml`)), bundle.name).toBe(true);
    }
    const meta = readFileSync(join(source, 'lwc', 'mailbridgeTimeline', 'mailbridgeTimeline.js-meta.xml'), 'utf8');
    expect(meta).toContain('<target>lightning__RecordPage</target>');
    for (const object of ['Account', 'Opportunity', 'Contact', 'Lead']) expect(meta).toContain(`<object>${object}</object>`);
  });

  it('uses one API version everywhere', () => {
    expect(apiVersion).toMatch(/^\d+\.0$/);
    const versions = filesUnder(source)
      .filter((file) => file.endsWith('-meta.xml'))
      .flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/<apiVersion>([^<]+)<\/apiVersion>/g)].map((m) => m[1]));
    expect(versions.length).toBeGreaterThanOrEqual(4);
    expect(new Set(versions)).toEqual(new Set([apiVersion]));
  });

  it('defines the fields the adapter writes, and keeps tests out of deployments', () => {
    const key = readFileSync(join(source, 'objects/EmailMessage/fields/Mailbridge_Key__c.field-meta.xml'), 'utf8');
    expect(key).toMatch(/<externalId>true<\/externalId>/);
    expect(key).toMatch(/<unique>true<\/unique>/);
    expect(key).toMatch(/<length>255<\/length>/);
    const why = readFileSync(join(source, 'objects/EmailMessage/fields/Mailbridge_Explanation__c.field-meta.xml'), 'utf8');
    expect(why).toMatch(/<type>LongTextArea<\/type>/);
    expect(readFileSync(join(pkg, '.forceignore'), 'utf8')).toMatch(/^\*\*\/__tests__\/\*\*$/m);
  });

  it("grants the integration user every right of the permissions registry, EmailMessage's included", () => {
    const set = readFileSync(join(source, 'permissionsets/Mailbridge_Integration.permissionset-meta.xml'), 'utf8');
    const blocks = (tag: string) => [...set.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1]!);
    const value = (block: string, tag: string) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(block)?.[1];
    const enabled = blocks('userPermissions').filter((b) => value(b, 'enabled') === 'true').map((b) => value(b, 'name'));
    // EditTask: creating and deleting EmailMessage / EmailMessageRelation follows activity access.
    expect(enabled.sort()).toEqual(names(SALESFORCE_PERMISSIONS.userPermissions).sort());
    const objects = blocks('objectPermissions').filter((b) => value(b, 'allowRead') === 'true' && value(b, 'viewAllRecords') === 'true');
    expect(objects.map((b) => value(b, 'object')).sort()).toEqual(names(SALESFORCE_PERMISSIONS.objectsRead).sort());
    const fields = blocks('fieldPermissions');
    const readable = fields.filter((b) => value(b, 'readable') === 'true').map((b) => value(b, 'field'));
    const editable = fields.filter((b) => value(b, 'editable') === 'true').map((b) => value(b, 'field'));
    expect(readable.sort()).toEqual([...names(SALESFORCE_PERMISSIONS.fieldsRead), ...names(SALESFORCE_PERMISSIONS.fieldsEdit)].sort());
    expect(editable.sort()).toEqual(names(SALESFORCE_PERMISSIONS.fieldsEdit).sort());
  });

  it('ships the connected app the job signs in with: client credentials, the registry scopes, the integration permission set', () => {
    const app = readFileSync(join(source, 'connectedApps/Mailbridge.connectedApp-meta.xml'), 'utf8');
    const oauth = /<oauthConfig>([\s\S]*?)<\/oauthConfig>/.exec(app)?.[1] ?? '';
    // The adapter asks for grant_type=client_credentials unless a JWT key is configured.
    expect(oauth).toMatch(/<isClientCredentialEnabled>true<\/isClientCredentialEnabled>/);
    // Metadata spells the OAuth scope `api` as the enum value `Api`.
    const scopes = [...oauth.matchAll(/<scopes>([^<]+)<\/scopes>/g)].map((m) => m[1]!.toLowerCase());
    expect(scopes.sort()).toEqual(names(SALESFORCE_PERMISSIONS.oauthScopes).sort());
    const sets = [...app.matchAll(/<permissionSetName>([^<]+)<\/permissionSetName>/g)].map((m) => m[1]!);
    expect(sets).toEqual(['Mailbridge_Integration']);
    expect(existsSync(join(source, 'permissionsets', `${sets[0]}.permissionset-meta.xml`))).toBe(true);
    // Nothing org-specific or secret is committed: no consumer key or secret, no Run As user.
    expect(app).not.toMatch(/<consumerKey>|<consumerSecret>|<oauthClientCredentialUser>/);
  });

  it('pins the CLI with the jsforce override and commits its lockfile', () => {
    const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
      overrides: Record<string, string>;
    };
    expect(manifest.devDependencies['@salesforce/cli']).toBe('2.146.3');
    expect(manifest.overrides['@jsforce/jsforce-node']).toBe('3.10.16');
    expect(existsSync(join(pkg, 'package-lock.json'))).toBe(true);
  });
});

describe.skipIf(!runChecker)('salesforce-pkg packaging checker', () => {
  const copies: string[] = [];
  afterAll(() => {
    for (const dir of copies) rmSync(dir, { recursive: true, force: true });
  });

  it('passes: XML well-formed, versions agree, sf project convert source succeeds offline', () => {
    const result = runCheck();
    expect(result.status, result.stderr).toBe(0);
    // One package.xml member per component in the source: fields, permission sets, the connected app, classes, LWC bundles.
    const files = filesUnder(source);
    const components =
      files.filter((f) => /\.(field|permissionset|cls|connectedApp)-meta\.xml$/.test(f)).length +
      readdirSync(join(source, 'lwc'), { withFileTypes: true }).filter((e) => e.isDirectory()).length;
    expect(result.stdout).toContain(`convert ok (${components} members), 0 problems`);
  });

  it('fails on malformed XML, a missing .js-meta.xml and a stray API version', () => {
    const copy = mkdtempSync(join(tmpdir(), 'mailbridge-sfpkg-'));
    copies.push(copy);
    cpSync(join(pkg, 'sfdx-project.json'), join(copy, 'sfdx-project.json'));
    cpSync(join(pkg, 'force-app'), join(copy, 'force-app'), { recursive: true });
    const lwc = join(copy, 'force-app/main/default/lwc');
    unlinkSync(join(lwc, 'mailbridgeTimelineModel/mailbridgeTimelineModel.js-meta.xml'));
    writeFileSync(join(copy, 'force-app/main/default/permissionsets/Broken.permissionset-meta.xml'), '<PermissionSet><label>x</PermissionSet>');
    const meta = join(lwc, 'mailbridgeTimeline/mailbridgeTimeline.js-meta.xml');
    writeFileSync(meta, readFileSync(meta, 'utf8').replace(`<apiVersion>${apiVersion}</apiVersion>`, '<apiVersion>58.0</apiVersion>'));

    const result = runCheck('--project', copy, '--skip-convert');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('mailbridgeTimelineModel.js-meta.xml missing');
    expect(result.stderr).toContain('Broken.permissionset-meta.xml: not well-formed XML');
    expect(result.stderr).toContain('apiVersion 58.0 differs');
  });

  it('parses the Apex classes and rejects a syntax error, dynamic SOQL and a controller without sharing', () => {
    expect(runApexCheck().status).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'mailbridge-apex-'));
    copies.push(dir);
    writeFileSync(join(dir, 'Broken.cls'), 'public class Broken { void x( { }');
    writeFileSync(
      join(dir, 'Dynamic.cls'),
      'public with sharing class Dynamic { public static List<SObject> q(String t) { return Database.query(t); } }',
    );
    writeFileSync(
      join(dir, 'Open.cls'),
      'public class Open { @AuraEnabled(cacheable=true) public static Integer n() { return 1; } }',
    );
    const result = runApexCheck(dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/Broken\.cls: 1:\d+ /);
    expect(result.stderr).toContain('Dynamic.cls: dynamic SOQL/SOSL is not allowed');
    expect(result.stderr).toContain('Open.cls: an @AuraEnabled class must be declared "with sharing"');
  });
});
