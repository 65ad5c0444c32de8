// zod schemas for the HubSpot project definition files (platform 2025.2), checked offline
// because HubSpot's own validation runs only on upload, against an account.
import { z } from 'zod';

/** uid: up to 64 characters, letters, digits, `_`, `-`, `.` (HubSpot's app configuration rules). */
export const uidSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.-]+$/, 'uid may contain only letters, digits, "_", "-" and "."');

const httpsUrl = z
  .string()
  .url()
  .refine((value) => value.startsWith('https://'), 'URL must use https');

/**
 * The scopes the sync job needs and nothing more (read CRM records and owners, write email
 * and meeting engagements): the HubSpot list of mailbridge's permissions registry (src/core/permissions.ts).
 */
export const ALLOWED_SCOPES = [
  'crm.objects.contacts.read',
  'crm.objects.companies.read',
  'crm.objects.deals.read',
  'crm.objects.owners.read',
  'crm.objects.emails.write',
  // Meetings (engagements) are written under the contacts scopes.
  'crm.objects.contacts.write',
] as const;

export const projectSchema = z.strictObject({
  name: z.string().min(1).max(200),
  srcDir: z.string().min(1),
  platformVersion: z.literal('2025.2'),
});

export const appSchema = z.strictObject({
  uid: uidSchema,
  type: z.literal('app'),
  config: z.strictObject({
    name: z
      .string()
      .min(1)
      .max(200)
      .refine((value) => value.trim() === value, 'name must not start or end with white space'),
    description: z.string().min(1).max(8192),
    distribution: z.literal('private'),
    auth: z.strictObject({
      type: z.literal('static'),
      requiredScopes: z.array(z.enum(ALLOWED_SCOPES)).min(1),
      optionalScopes: z.array(z.enum(ALLOWED_SCOPES)).default([]),
      conditionallyRequiredScopes: z.array(z.enum(ALLOWED_SCOPES)).default([]),
    }),
    permittedUrls: z.strictObject({
      fetch: z.array(httpsUrl).default([]),
      iframe: z.array(httpsUrl).default([]),
      img: z.array(httpsUrl).default([]),
    }),
    support: z
      .strictObject({
        supportEmail: z.string().email(),
        documentationUrl: httpsUrl.optional(),
        supportUrl: httpsUrl.optional(),
        supportPhone: z.string().optional(),
      })
      .optional(),
  }),
});

export const cardSchema = z.strictObject({
  uid: uidSchema,
  type: z.literal('card'),
  config: z.strictObject({
    name: z.string().min(1).max(200),
    description: z.string().max(8192).optional(),
    location: z.enum(['crm.record.tab', 'crm.record.sidebar', 'crm.preview', 'helpdesk.sidebar']),
    entrypoint: z.string().regex(/^\/app\/cards\/[^/]+\.(jsx|tsx)$/, 'entrypoint must be /app/cards/<file>.jsx|tsx'),
    objectTypes: z.array(z.enum(['contacts', 'companies', 'deals', 'tickets'])).min(1),
  }),
});

export type ProjectDefinition = z.infer<typeof projectSchema>;
export type AppDefinition = z.infer<typeof appSchema>;
export type CardDefinition = z.infer<typeof cardSchema>;
