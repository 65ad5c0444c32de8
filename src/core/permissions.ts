/**
 * Every permission mailbridge needs, per service and mode: the one list the providers read for
 * the scopes they request, the packaging tests compare the HubSpot app and the Salesforce
 * permission set with, and docs/permissions.md must name exactly (a test checks it both ways).
 * Adding a call that needs a new right starts here.
 */

export interface Permission {
  /** The name as the service spells it (scope, permission, object or field API name). */
  name: string;
  /** What mailbridge does with it. */
  why: string;
  /** Only needed with this setting (else always, in its mode). */
  when?: string;
}

/** Microsoft Graph (Entra app registration). */
export const GRAPH_PERMISSIONS = {
  /**
   * Company mode: application permissions, granted by an admin. The token asks for
   * `https://graph.microsoft.com/.default`, which carries whatever was granted.
   */
  application: [
    { name: 'Mail.Read', why: "read each synced mailbox's Inbox and Sent Items (metadata, then bodies of kept mail)" },
    { name: 'User.Read.All', why: 'list the users whose mailboxes are synced (`/users`), also to resolve `mail.users`' },
    { name: 'GroupMember.Read.All', why: "list a security group's members", when: 'mail.group' },
  ],
  /** User mode: delegated permissions, asked for in each user's consent link. */
  delegated: [
    { name: 'Mail.Read', why: "read the user's own Inbox and Sent Items" },
    { name: 'User.Read', why: 'sign the user in and read their address' },
    { name: 'offline_access', why: 'a refresh token, so the sync runs without the user' },
  ],
  /** Meetings (issue 15), company mode: an application permission granted by an admin. */
  calendarApplication: [
    { name: 'Calendars.Read', why: "read each synced mailbox's calendar (calendarView delta) for meetings with CRM contacts", when: 'calendar.enabled' },
  ],
  /** Meetings, user mode: asked for in the consent link only when meetings are read. */
  calendarDelegated: [{ name: 'Calendars.Read', why: "read the user's own calendar for meetings with CRM contacts", when: 'calendar.enabled' }],
} as const satisfies Record<string, readonly Permission[]>;

const GOOGLE = 'https://www.googleapis.com/auth/';

/** Google Workspace (OAuth scopes). */
export const GMAIL_PERMISSIONS = {
  /** Company and user mode: the one Gmail scope, through domain-wide delegation or consent. */
  mail: [{ name: `${GOOGLE}gmail.readonly`, why: 'read messages and history of each synced mailbox' }],
  /**
   * Meetings (issue 15): events only, read-only (narrower than `calendar.readonly`, which also
   * reads calendar settings). Asked for with the Gmail scope when meetings are read.
   */
  calendar: [{ name: `${GOOGLE}calendar.events.readonly`, why: "read each synced user's calendar events for meetings with CRM contacts", when: 'calendar.enabled' }],
  /**
   * Company mode without `users`: asked for together (both must be granted in the domain-wide
   * delegation) while impersonating `directory.adminSubject`.
   */
  directory: [
    { name: `${GOOGLE}admin.directory.user.readonly`, why: "list the domain's users", when: 'mail.directory' },
    { name: `${GOOGLE}admin.directory.group.member.readonly`, why: "list a group's members", when: 'mail.directory' },
  ],
} as const satisfies Record<string, readonly Permission[]>;

/** HubSpot private app scopes (hubspot-app/src/app/app-hsmeta.json must ask for exactly these). */
export const HUBSPOT_PERMISSIONS = {
  scopes: [
    { name: 'crm.objects.contacts.read', why: 'the CRM index: contacts and their addresses' },
    { name: 'crm.objects.companies.read', why: 'the CRM index: companies and their domains' },
    { name: 'crm.objects.deals.read', why: 'the CRM index: deals, their pipelines and stages' },
    { name: 'crm.objects.owners.read', why: 'who owns each deal: the backfill window and the rep a mailbox belongs to' },
    { name: 'crm.objects.emails.write', why: 'create, associate and delete the email engagements mailbridge logs' },
    // The meetings API asks for the contacts scopes (developers.hubspot.com, "Activities | Meetings", scope requirements).
    { name: 'crm.objects.contacts.write', why: 'create, update (moved, cancelled), associate and delete the meetings mailbridge logs' },
  ],
} as const satisfies Record<string, readonly Permission[]>;

/**
 * Salesforce: the connected app's OAuth scope, and the integration user's rights (the
 * `Mailbridge_Integration` permission set in salesforce-pkg grants every one).
 */
export const SALESFORCE_PERMISSIONS = {
  oauthScopes: [{ name: 'api', why: 'REST API calls with the client credentials or JWT bearer token' }],
  userPermissions: [
    { name: 'ApiEnabled', why: 'the integration user may use the API' },
    {
      name: 'EditTask',
      why: 'create and delete EmailMessage and EmailMessageRelation records: their access follows activities (Edit Tasks), not object permissions',
    },
    { name: 'EditEvent', why: 'create, update and delete the Events (and EventRelation rows) of logged meetings: Edit Events' },
  ],
  /** Objects read with View All, so every record reaches the index. */
  objectsRead: [
    { name: 'Account', why: 'accounts and their domains' },
    { name: 'Contact', why: 'contacts and their addresses' },
    { name: 'Lead', why: 'leads and their addresses' },
    { name: 'Opportunity', why: 'open deals, their owners and contact roles (OpportunityContactRole follows Opportunity)' },
  ],
  fieldsRead: [{ name: 'Account.Mailbridge_Domains__c', why: "the account's extra domains" }],
  fieldsEdit: [
    { name: 'EmailMessage.Mailbridge_Key__c', why: 'the idempotency key of each logged email' },
    { name: 'EmailMessage.Mailbridge_Explanation__c', why: 'why the email was logged where it was' },
    { name: 'Activity.Mailbridge_Key__c', why: 'the idempotency key of each logged meeting (Event external id)' },
    { name: 'Activity.Mailbridge_Explanation__c', why: 'why the meeting was logged where it was' },
  ],
} as const satisfies Record<string, readonly Permission[]>;

/**
 * A permission of `list` by name, for messages that tell the admin what to grant (`doctor`): the
 * compiler refuses a name the registry does not hold, so a fix never names a stray permission.
 */
export function permissionOf<L extends readonly Permission[]>(list: L, name: L[number]['name']): string {
  return name;
}

/** The names of a group of permissions, as an API call takes them. */
export const names = (list: readonly Permission[]): string[] => list.map((p) => p.name);

/** Every permission name of the registry, for the documentation check. */
export function allPermissionNames(): string[] {
  const groups = [GRAPH_PERMISSIONS, GMAIL_PERMISSIONS, HUBSPOT_PERMISSIONS, SALESFORCE_PERMISSIONS] as const;
  return [...new Set(groups.flatMap((g) => Object.values(g).flatMap((list: readonly Permission[]) => names(list))))].sort();
}
