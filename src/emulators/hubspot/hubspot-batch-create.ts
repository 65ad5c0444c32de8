/**
 * How the HubSpot emulator answers a batch create whose inputs meet a unique value that already
 * exists (or repeat one within the batch). Live HubSpot does not answer this with a 207 the way
 * it does for other per-input errors: it has been reported to refuse the WHOLE batch with 409
 * (`CONFLICT`, or `OBJECT_ALREADY_EXISTS` with `errors[].in`), naming only the first existing id,
 * and with a 400 "already has that value" for custom unique properties. Whether the other inputs
 * were saved is not documented, so both are modelled. Sources are cited in
 * test/contract/hubspot/hubspot-batch-conflict.test.ts.
 *
 * An input naming a property the portal does not define refuses the whole batch with 400
 * VALIDATION_ERROR, whatever the mode.
 */
import { randomUUID } from 'node:crypto';

/**
 * - `reject-409` (default): 409 CONFLICT for the whole batch, nothing saved.
 * - `reject-400-unique`: 400 VALIDATION_ERROR "already has that value", nothing saved.
 * - `reject-409-after-saving`: 409 OBJECT_ALREADY_EXISTS, but every other input WAS saved.
 * - `partial-207`: the colliding inputs fail as 207 items, the others are created.
 */
export const BATCH_CONFLICT_MODES = ['reject-409', 'reject-400-unique', 'reject-409-after-saving', 'partial-207'] as const;
export type BatchConflictMode = (typeof BATCH_CONFLICT_MODES)[number];

/** One input that meets a taken unique value: which property, which value, and its holder if saved. */
export interface UniqueCollision {
  index: number;
  property: string;
  value: string;
  /** Id of the object already holding the value; undefined when an earlier input of the batch repeats it. */
  existingId: string | undefined;
}

/** The whole-batch refusal for `mode`, naming only the first collision as the live API does. */
export function wholeBatchConflict(mode: Exclude<BatchConflictMode, 'partial-207'>, first: UniqueCollision): { status: number; body: Record<string, unknown> } {
  const correlationId = randomUUID();
  const held = first.existingId ? ` Existing ID: ${first.existingId}` : ' (repeated within the batch)';
  if (mode === 'reject-400-unique') {
    const detail = { isValid: false, message: `${first.value} already has that value.`, error: 'INVALID_UNIQUE_VALUE', name: first.property };
    return {
      status: 400,
      body: {
        status: 'error',
        message: `Property values were not valid: ${JSON.stringify([detail])}`,
        correlationId,
        category: 'VALIDATION_ERROR',
        errors: [{ message: `${first.value} already has that value.`, code: 'INVALID_UNIQUE_VALUE', context: { propertyName: [first.property] } }],
      },
    };
  }
  const message = `An object with ${first.property} ${first.value} already exists.${held}`;
  if (mode === 'reject-409-after-saving') {
    return {
      status: 409,
      body: { status: 'error', message, correlationId, category: 'OBJECT_ALREADY_EXISTS', errors: [{ message, in: first.property }] },
    };
  }
  return { status: 409, body: { status: 'error', message, correlationId, category: 'CONFLICT' } };
}

/** The 400 for properties the portal does not define: the whole batch is refused. */
export function unknownPropertiesError(names: string[]): { status: number; body: Record<string, unknown> } {
  const details = names.map((name) => ({ isValid: false, message: `Property "${name}" does not exist`, error: 'PROPERTY_DOESNT_EXIST', name }));
  return {
    status: 400,
    body: {
      status: 'error',
      message: `Property values were not valid: ${JSON.stringify(details)}`,
      correlationId: randomUUID(),
      category: 'VALIDATION_ERROR',
      errors: names.map((name) => ({ message: `Property "${name}" does not exist`, code: 'PROPERTY_DOESNT_EXIST', context: { propertyName: [name] } })),
    },
  };
}
