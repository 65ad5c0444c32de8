/**
 * The HTTP control surface shared by the CRM emulators, under `/__mock/`:
 * - `POST /__mock/faults` a FaultRule; `DELETE /__mock/faults`
 * - `GET /__mock/counters` → requests served by kind
 * - `GET /__mock/emails` → every activity written, for read-back
 * - `GET /__mock/meetings` → every meeting activity written (Events, HubSpot meetings)
 * - `POST /__mock/clock` `{ advanceMs }` → the emulator's new time
 * - `POST /__mock/expire-tokens`
 */
import type { FaultRule } from './faults.js';
import type { EmulatorRequest, EmulatorResponse, RunningEmulator } from './http-emulator.js';

export interface CrmControl {
  emails(): unknown;
  /** Meetings written (issue 15), where the emulator has them. */
  meetings?(): unknown;
  advanceClock(ms: number): void;
  /** Absent where tokens never expire (HubSpot private-app tokens). */
  expireTokens?(): void;
  now(): number;
}

export function serveCrmControl(req: EmulatorRequest, running: RunningEmulator, control: CrmControl): EmulatorResponse {
  const route = `${req.method} ${req.path}`;
  if (route === 'POST /__mock/faults') {
    running.faults.add(req.json<FaultRule>());
    return { status: 204 };
  }
  if (route === 'DELETE /__mock/faults') {
    running.faults.clear();
    return { status: 204 };
  }
  if (req.path === '/__mock/counters') return { status: 200, body: running.counters.byKind() };
  if (req.path === '/__mock/emails') return { status: 200, body: control.emails() };
  if (req.path === '/__mock/meetings' && control.meetings) return { status: 200, body: control.meetings() };
  if (route === 'POST /__mock/clock') {
    control.advanceClock(Number(req.json<{ advanceMs?: number }>()?.advanceMs ?? 0));
    return { status: 200, body: { now: new Date(control.now()).toISOString() } };
  }
  if (route === 'POST /__mock/expire-tokens' && control.expireTokens) {
    control.expireTokens();
    return { status: 204 };
  }
  return { status: 404, body: { error: 'unknown control path' } };
}
