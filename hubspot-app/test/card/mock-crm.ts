// Feeds the testing renderer's hook mocks with CRM data, the way HubSpot would answer.
import type { createRenderer } from '@hubspot/ui-extensions/testing';

type Renderer = ReturnType<typeof createRenderer<'crm.record.tab'>>;

export interface AssociationFixture {
  toObjectId: number;
  associationTypes: { category: string; typeId: number; label: string | null }[];
  properties: Record<string, string | null>;
}

export interface CrmFixture {
  emails: AssociationFixture[];
  contacts: AssociationFixture[];
  deals: AssociationFixture[];
  dealEmails: Record<string, number[]>;
  meetings?: AssociationFixture[];
}

const pagination = {
  hasNextPage: false,
  hasPreviousPage: false,
  currentPage: 1,
  pageSize: 100,
  nextPage: () => {},
  previousPage: () => {},
  reset: () => {},
};

/** Answers useAssociations by object type from the fixture. */
export function serveCrm(renderer: Renderer, crm: CrmFixture, emailState: { isLoading?: boolean; error?: Error } = {}) {
  renderer.mocks.useAssociations.willCall((config) => {
    const byType: Record<string, AssociationFixture[]> = { '0-49': crm.emails, '0-1': crm.contacts, '0-3': crm.deals, '0-47': crm.meetings ?? [] };
    const isEmails = config.toObjectType === '0-49';
    return {
      results: (isEmails && (emailState.isLoading || emailState.error) ? [] : byType[config.toObjectType] ?? []).map((r) => ({
        ...r,
        associationTypes: r.associationTypes.map((t) => ({ ...t, label: t.label ?? '' })),
      })),
      error: isEmails ? (emailState.error ?? null) : null,
      isLoading: isEmails ? Boolean(emailState.isLoading) : false,
      isRefetching: false,
      refetch: async () => {},
      pagination,
    };
  });
}

/** An email engagement as HubSpot returns it. */
export function emailRecord(
  id: number,
  props: Partial<{
    subject: string;
    text: string;
    incoming: boolean;
    at: string;
    from: { email: string; firstName?: string; lastName?: string };
    to: { email: string; firstName?: string; lastName?: string }[];
    cc: { email: string; firstName?: string; lastName?: string }[];
    why: string;
    key: string | null;
  }>,
): AssociationFixture {
  return {
    toObjectId: id,
    associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 185, label: null }],
    properties: {
      hs_email_subject: props.subject ?? `Subject ${id}`,
      hs_email_text: props.text ?? `Body ${id}`,
      hs_email_direction: props.incoming ? 'INCOMING_EMAIL' : 'EMAIL',
      hs_timestamp: props.at ?? '2026-03-01T10:00:00.000Z',
      hs_email_headers: JSON.stringify({
        from: props.from ?? { email: 'ann@ours.example', firstName: 'Ann', lastName: 'Lee' },
        to: props.to ?? [{ email: 'jane@acme.example', firstName: 'Jane', lastName: 'Doe' }],
        cc: props.cc ?? [],
        bcc: [{ email: 'secret@ours.example' }],
      }),
      mailbridge_key: props.key === undefined ? `key-${id}` : props.key,
      mailbridge_explanation: props.why ?? `explanation ${id}`,
    },
  };
}

interface CrmSearchRequest {
  objectType: string;
  filterGroups?: { filters: { propertyName: string; operator: string; value?: unknown }[] }[];
}

/** Records associated with another, by searched object type, pseudo-property and record id. */
export type SearchLinks = Record<string, Record<string, Record<string, number[]>>>;

/**
 * Stands in for the HubSpot page that hosts the card: in @hubspot/ui-extensions 0.17.0 the
 * testing renderer does not route useCrmSearch to its mocks, so the hook calls the host's
 * `hsWorkerAPI.fetchCrmSearch`. This host answers association searches (`associations.deal`,
 * `associations.contact`, EQ; the filters of a group ANDed, as HubSpot's search does) from the
 * fixture, in the response shape the SDK validates: `dealEmails` for emails, `links` for others.
 * Returns a function that removes it.
 */
export function installCrmSearchHost(dealEmails: Record<string, number[]>, links: SearchLinks = {}): { requests: unknown[]; uninstall: () => void } {
  // The SDK looks the host up on `self` when the worker flag is set.
  const host = globalThis as unknown as Record<string, unknown>;
  const requests: unknown[] = [];
  const previousSelf = host.self;
  const all: SearchLinks = { ...links, '0-49': { 'associations.deal': dealEmails, ...links['0-49'] } };
  host.self = globalThis;
  host.__HUBSPOT_EXTENSION_WORKER__ = true;
  host.hsWorkerAPI = {
    fetchCrmSearch: async (request: CrmSearchRequest) => {
      requests.push(request);
      const filters = request.filterGroups?.[0]?.filters ?? [];
      const matches = filters.map((f) => (f.operator === 'EQ' ? (all[request.objectType]?.[f.propertyName]?.[String(f.value)] ?? []) : []));
      const ids = matches.length ? matches.reduce((a, b) => a.filter((id) => b.includes(id))) : [];
      const data = { results: ids.map((objectId) => ({ objectId, properties: {} })), total: ids.length, hasMore: false };
      return { json: async () => ({ data }) };
    },
  };
  return {
    requests,
    uninstall: () => {
      delete host.hsWorkerAPI;
      delete host.__HUBSPOT_EXTENSION_WORKER__;
      host.self = previousSelf;
      if (previousSelf === undefined) delete host.self;
    },
  };
}

/** Picks a value in a Select, as a rep would (the SDK types trigger's argument loosely). */
export function choose(select: { trigger: (event: 'onChange', value?: never) => void }, value: string): void {
  select.trigger('onChange', value as never);
}

/** A meeting engagement as HubSpot returns it (issue 15). */
export function meetingRecord(
  id: number,
  props: Partial<{ title: string; start: string; end: string; location: string; outcome: string; why: string; key: string | null }>,
): AssociationFixture {
  return {
    toObjectId: id,
    associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 187, label: null }],
    properties: {
      hs_meeting_title: props.title ?? `Meeting ${id}`,
      hs_meeting_body: `Agenda of meeting ${id}`,
      hs_timestamp: props.start ?? '2026-03-01T14:00:00.000Z',
      hs_meeting_start_time: props.start ?? '2026-03-01T14:00:00.000Z',
      hs_meeting_end_time: props.end ?? '2026-03-01T15:00:00.000Z',
      hs_meeting_location: props.location ?? null,
      hs_meeting_outcome: props.outcome ?? 'SCHEDULED',
      mailbridge_key: props.key === undefined ? `meeting-key-${id}` : props.key,
      mailbridge_explanation: props.why ?? `meeting explanation ${id}`,
    },
  };
}
