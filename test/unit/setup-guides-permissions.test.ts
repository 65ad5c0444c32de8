/**
 * The setup guides (docs/setup/) name exactly the permissions of the registry
 * (src/core/permissions.ts) for their service: every permission a guide's permission tables name
 * is one the code uses, and every one the code uses for that service is in its guide. A table
 * counts when its header's first cell is one of PERMISSION_HEADERS; its rows' first cells are
 * code spans.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GMAIL_PERMISSIONS, GRAPH_PERMISSIONS, HUBSPOT_PERMISSIONS, names, SALESFORCE_PERMISSIONS, type Permission } from '../../src/core/permissions.js';

const PERMISSION_HEADERS = ['Permission', 'Application permission', 'Delegated permission', 'Scope', 'Right'];

const guide = (name: string) => readFileSync(new URL(`../../docs/setup/${name}`, import.meta.url), 'utf8');

/** Permission names per table header in `markdown`: the code span opening each row of a permission table. */
function permissionTables(markdown: string): Map<string, string[]> {
  const tables = new Map<string, string[]>();
  let inTable = false;
  let target: string[] | null = null;
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|')) {
      inTable = false;
      target = null;
      continue;
    }
    const first = line.split('|')[1]!.trim();
    if (!inTable) {
      inTable = true;
      if (PERMISSION_HEADERS.includes(first)) {
        target = tables.get(first) ?? [];
        tables.set(first, target);
      }
      continue;
    }
    const span = /^`([^`]+)`$/.exec(first);
    if (target && span) target.push(span[1]!);
  }
  return tables;
}

const all = (groups: Record<string, readonly Permission[]>) => [...new Set(Object.values(groups).flatMap((g) => names(g)))].sort();
const documented = (tables: Map<string, string[]>) => [...new Set([...tables.values()].flat())].sort();

describe('setup guides name exactly the permissions the code uses', () => {
  it('Microsoft 365: the application permissions of company mode and the delegated ones of user mode', () => {
    const tables = permissionTables(guide('microsoft-365.md'));
    // Meetings add `Calendars.Read` to each table (only asked for when meetings are captured).
    const application = [...GRAPH_PERMISSIONS.application, ...GRAPH_PERMISSIONS.calendarApplication];
    const delegated = [...GRAPH_PERMISSIONS.delegated, ...GRAPH_PERMISSIONS.calendarDelegated];
    expect([...(tables.get('Application permission') ?? [])].sort()).toEqual(names(application).sort());
    expect([...(tables.get('Delegated permission') ?? [])].sort()).toEqual(names(delegated).sort());
    expect(documented(tables)).toEqual(all(GRAPH_PERMISSIONS));
  });

  it('Google Workspace: the Gmail and directory scopes of the domain-wide delegation', () => {
    expect(documented(permissionTables(guide('google-workspace.md')))).toEqual(all(GMAIL_PERMISSIONS));
  });

  it("Salesforce: the connected app's scope and every right of the integration permission set", () => {
    expect(documented(permissionTables(guide('salesforce.md')))).toEqual(all(SALESFORCE_PERMISSIONS));
  });

  it("HubSpot: the private app's scopes", () => {
    expect(documented(permissionTables(guide('hubspot.md')))).toEqual(all(HUBSPOT_PERMISSIONS));
  });

  it('a table of other things (settings, properties) is not read as permissions, and a stray permission is caught', () => {
    const tables = permissionTables('| Property | What |\n| --- | --- |\n| `mailbridge_key` | x |\n\n| Scope | Why |\n| --- | --- |\n| `crm.objects.deals.write` | x |\n');
    expect(documented(tables)).toEqual(['crm.objects.deals.write']);
    expect(documented(tables)).not.toEqual(all(HUBSPOT_PERMISSIONS));
  });
});
