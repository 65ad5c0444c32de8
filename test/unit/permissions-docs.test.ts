/**
 * docs/permissions.md names every permission of the registry (src/core/permissions.ts) and no
 * other, and the providers request their scopes from that registry.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allPermissionNames, GMAIL_PERMISSIONS, GRAPH_PERMISSIONS, names } from '../../src/core/permissions.js';
import { DIRECTORY_SCOPES } from '../../src/providers/gmail/gmail-directory.js';
import { GMAIL_SCOPES, gmailScopes } from '../../src/providers/gmail/gmail-tokens.js';
import { DELEGATED_SCOPES, delegatedScopes } from '../../src/providers/graph/graph-tokens.js';

const doc = readFileSync(new URL('../../docs/permissions.md', import.meta.url), 'utf8');

/** The permission each table row of the page names: the code span of its first cell. */
function documented(markdown: string): string[] {
  const out: string[] = [];
  for (const line of markdown.split('\n')) {
    const cell = /^\|\s*`([^`]+)`\s*\|/.exec(line);
    if (cell) out.push(cell[1]!);
  }
  return [...new Set(out)].sort();
}

describe('permissions registry and its documentation', () => {
  it('docs/permissions.md names each permission of the registry, and no other', () => {
    expect(documented(doc)).toEqual(allPermissionNames());
  });

  it('the providers ask for the registry scopes', () => {
    expect(DELEGATED_SCOPES).toEqual(names(GRAPH_PERMISSIONS.delegated));
    expect(GMAIL_SCOPES).toEqual(names(GMAIL_PERMISSIONS.mail));
    expect(DIRECTORY_SCOPES).toEqual(names(GMAIL_PERMISSIONS.directory));
  });

  it('meetings add the registry calendar scopes, and only when meetings are read', () => {
    expect(delegatedScopes(false)).toEqual(names(GRAPH_PERMISSIONS.delegated));
    expect(delegatedScopes(true)).toEqual([...names(GRAPH_PERMISSIONS.delegated), ...names(GRAPH_PERMISSIONS.calendarDelegated)]);
    expect(names(GRAPH_PERMISSIONS.calendarApplication)).toEqual(['Calendars.Read']);
    expect(gmailScopes(false)).toEqual(names(GMAIL_PERMISSIONS.mail));
    expect(gmailScopes(true)).toEqual([...names(GMAIL_PERMISSIONS.mail), ...names(GMAIL_PERMISSIONS.calendar)]);
  });

  it('company mode lists users and group members: the directory read permissions are in the registry', () => {
    expect(names(GRAPH_PERMISSIONS.application)).toEqual(expect.arrayContaining(['Mail.Read', 'User.Read.All', 'GroupMember.Read.All']));
  });
});
