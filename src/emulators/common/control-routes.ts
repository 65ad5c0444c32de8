/**
 * The HTTP control surface shared by the mail emulators, for tools outside the process (the
 * standalone `emulate` command, scripts): faults, counters, new and deleted mail, cursor expiry
 * and consent revocation, all under `/__mock/`.
 *
 * - `POST /__mock/faults` a FaultRule; `DELETE /__mock/faults`
 * - `GET /__mock/counters` → requests served by kind
 * - `POST /__mock/messages` `{ mailbox, message: SeedMessage }` → `{ id }`
 * - `DELETE /__mock/messages/{mailbox}/{id}`
 * - `POST /__mock/read` `{ mailbox, id, isRead }`; `POST /__mock/move` `{ mailbox, id, folder }`
 * - `POST /__mock/expire-cursors` `{ mailbox? }` (Graph delta tokens, Gmail history)
 * - `POST /__mock/expire-tokens`; `POST /__mock/revoke` `{ mailbox }`; `POST /__mock/restore` `{ mailbox }`
 */
import type { Folder } from '../../core/types.js';
import type { FaultRule } from './faults.js';

const FOLDERS: Folder[] = ['inbox', 'sent', 'drafts', 'deleted', 'junk', 'other'];
import type { EmulatorRequest, EmulatorResponse } from './http-emulator.js';
import type { SeedMessage } from './mail-store.js';
import type { RequestCounters } from './request-counters.js';

export interface MailControl {
  injectFault(rule: FaultRule): void;
  clearFaults(): void;
  addMessage(address: string, message: SeedMessage): string;
  deleteMessage(address: string, id: string): boolean;
  setRead(address: string, id: string, isRead: boolean): boolean;
  moveMessage(address: string, id: string, folder: Folder): boolean;
  expireCursors(address?: string): void;
  expireTokens(): void;
  revokeUser(address: string): void;
  restoreUser(address: string): void;
}

/** Serves one `/__mock/` request. */
export function serveControl(req: EmulatorRequest, control: MailControl, counters: RequestCounters): EmulatorResponse {
  const body = () => (req.body.length > 0 ? req.json<Record<string, unknown>>() : {});
  const route = `${req.method} ${req.path}`;
  if (route === 'POST /__mock/faults') {
    control.injectFault(req.json<FaultRule>());
    return { status: 204 };
  }
  if (route === 'DELETE /__mock/faults') {
    control.clearFaults();
    return { status: 204 };
  }
  if (route === 'GET /__mock/counters') return { status: 200, body: counters.byKind() };
  if (route === 'POST /__mock/messages') {
    const { mailbox, message } = body() as { mailbox?: string; message?: SeedMessage };
    if (!mailbox || !message) return { status: 400, body: { error: 'mailbox and message are required' } };
    return { status: 201, body: { id: control.addMessage(mailbox, message) } };
  }
  const del = /^DELETE \/__mock\/messages\/([^/]+)\/([^/]+)$/.exec(route);
  if (del) return control.deleteMessage(del[1]!, del[2]!) ? { status: 204 } : { status: 404, body: { error: 'no such message' } };
  if (route === 'POST /__mock/read' || route === 'POST /__mock/move') {
    const { mailbox, id, isRead, folder } = body() as { mailbox?: string; id?: string; isRead?: boolean; folder?: Folder };
    if (!mailbox || !id) return { status: 400, body: { error: 'mailbox and id are required' } };
    if (route.endsWith('read') && typeof isRead !== 'boolean') return { status: 400, body: { error: 'isRead must be true or false' } };
    if (route.endsWith('move') && (!folder || !FOLDERS.includes(folder))) return { status: 400, body: { error: `folder must be one of ${FOLDERS.join(', ')}` } };
    const done = route.endsWith('read') ? control.setRead(mailbox, id, isRead!) : control.moveMessage(mailbox, id, folder!);
    return done ? { status: 204 } : { status: 404, body: { error: 'no such message (or already there)' } };
  }
  if (route === 'POST /__mock/expire-cursors') {
    control.expireCursors(body().mailbox as string | undefined);
    return { status: 204 };
  }
  if (route === 'POST /__mock/expire-tokens') {
    control.expireTokens();
    return { status: 204 };
  }
  if (route === 'POST /__mock/revoke' || route === 'POST /__mock/restore') {
    const mailbox = body().mailbox as string | undefined;
    if (!mailbox) return { status: 400, body: { error: 'mailbox is required' } };
    if (route.endsWith('revoke')) control.revokeUser(mailbox);
    else control.restoreUser(mailbox);
    return { status: 204 };
  }
  return { status: 404, body: { error: `unknown control route ${route}` } };
}
