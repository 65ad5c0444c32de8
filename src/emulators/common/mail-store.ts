/**
 * The mailboxes an emulator serves, shared by the Graph and Gmail emulators: messages with their
 * raw headers and bodies, and a change log (add, delete, read-state update, move) with a global sequence number from which
 * both Graph delta tokens and Gmail history ids are derived.
 */
import { createHash } from 'node:crypto';
import type { Folder } from '../../core/types.js';

/** One header as it appeared in the message, in order. */
export interface RawHeader {
  name: string;
  value: string;
}

/** A message as seeded or added: what the services would hold. */
export interface SeedMessage {
  folder: Folder;
  isDraft?: boolean;
  /** Read state (default read). */
  isRead?: boolean;
  /** When the service received (or sent) it, ISO-8601. */
  receivedAt: string;
  headers: RawHeader[];
  text: string | null;
  html: string | null;
}

/** A mailbox to seed. */
export interface MailboxDescription {
  address: string;
  displayName?: string;
  messages: SeedMessage[];
}

export interface StoredMessage extends SeedMessage {
  /** Emulator-wide unique id; each emulator maps it to its own id format. */
  key: string;
  mailbox: string;
  isDraft: boolean;
  isRead: boolean;
  /** Folder it was delivered to; `folder` is where it is now. */
  originalFolder: Folder;
  /** Moves between folders, in order. */
  moves: { seq: number; from: Folder; to: Folder }[];
  /** Sequence number of the change that created it. */
  createdSeq: number;
  /** Sequence number of the change that deleted it, if deleted. */
  deletedSeq: number | null;
}

export interface StoredMailbox {
  /** Stable user id (a GUID-like string derived from the address). */
  id: string;
  address: string;
  displayName: string;
  messages: StoredMessage[];
  byKey: Map<string, StoredMessage>;
}

/** `updated`: a property changed in place (read state); `moved`: to another folder. */
export interface MailChange {
  seq: number;
  type: 'added' | 'deleted' | 'updated' | 'moved';
  mailbox: string;
  key: string;
  /** Moves: the folders it left and entered. */
  from?: Folder;
  to?: Folder;
  /** Updates: the read state it took. */
  isRead?: boolean;
}

/** The folder a message was in at sequence `at`. */
export function folderAt(m: StoredMessage, at: number): Folder {
  let folder = m.originalFolder;
  for (const move of m.moves) if (move.seq <= at) folder = move.to;
  return folder;
}

/** Whether a message existed (created, not yet deleted) at sequence `at`. */
export function aliveAt(m: StoredMessage, at: number): boolean {
  return m.createdSeq <= at && (m.deletedSeq === null || m.deletedSeq > at);
}

/** Deterministic short digest, used for ids and opaque tokens. */
export function digest(input: string, length = 32): string {
  return createHash('sha256').update(input).digest('hex').slice(0, length);
}

function guidFrom(input: string): string {
  const h = digest(input, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The value of the first header with this name (case-insensitive), or null. */
export function headerValue(headers: readonly RawHeader[], name: string): string | null {
  const lower = name.toLowerCase();
  return headers.find((h) => h.name.toLowerCase() === lower)?.value ?? null;
}

/** Mailboxes and their change log. Message keys are deterministic per seed. */
export class MailStore {
  private readonly boxes = new Map<string, StoredMailbox>();
  private readonly log: MailChange[] = [];
  private seq = 0;

  constructor(mailboxes: readonly MailboxDescription[] = []) {
    for (const box of mailboxes) {
      this.addMailbox(box.address, box.displayName);
      for (const m of box.messages) this.addMessage(box.address, m);
    }
  }

  /** Current sequence number: the last change applied. */
  get sequence(): number {
    return this.seq;
  }

  addMailbox(address: string, displayName?: string): StoredMailbox {
    const lower = address.toLowerCase();
    const existing = this.boxes.get(lower);
    if (existing) return existing;
    const box: StoredMailbox = {
      id: guidFrom(`user:${lower}`),
      address: lower,
      displayName: displayName ?? lower.split('@')[0] ?? lower,
      messages: [],
      byKey: new Map(),
    };
    this.boxes.set(lower, box);
    return box;
  }

  /**
   * A user deleted from the directory: no longer listed, and calls for the mailbox answer 404
   * (Entra ID moves a deleted user to deleted items, out of `/users`).
   */
  removeMailbox(address: string): boolean {
    return this.boxes.delete(address.toLowerCase());
  }

  mailboxes(): StoredMailbox[] {
    return [...this.boxes.values()];
  }

  /** A mailbox by address or user id, case-insensitively. */
  mailbox(addressOrId: string): StoredMailbox | undefined {
    const lower = addressOrId.toLowerCase();
    return this.boxes.get(lower) ?? [...this.boxes.values()].find((b) => b.id === lower);
  }

  /** Adds a message (new mail while running, or seeding); returns the stored message. */
  addMessage(address: string, message: SeedMessage): StoredMessage {
    const box = this.addMailbox(address);
    this.seq += 1;
    const key = digest(`${box.address}#${box.messages.length}#${message.receivedAt}`, 24);
    const stored: StoredMessage = {
      ...message,
      isDraft: message.isDraft ?? message.folder === 'drafts',
      isRead: message.isRead ?? true,
      originalFolder: message.folder,
      moves: [],
      key,
      mailbox: box.address,
      createdSeq: this.seq,
      deletedSeq: null,
    };
    box.messages.push(stored);
    box.byKey.set(key, stored);
    this.log.push({ seq: this.seq, type: 'added', mailbox: box.address, key });
    return stored;
  }

  /** Permanently deletes a message; returns false when it is unknown or already gone. */
  deleteMessage(address: string, key: string): boolean {
    const box = this.mailbox(address);
    const message = box?.byKey.get(key);
    if (!box || !message || message.deletedSeq !== null) return false;
    this.seq += 1;
    message.deletedSeq = this.seq;
    this.log.push({ seq: this.seq, type: 'deleted', mailbox: box.address, key });
    return true;
  }

  /** Sets the read state (a change only when it differs); returns false when unknown or gone. */
  setRead(address: string, key: string, isRead: boolean): boolean {
    const box = this.mailbox(address);
    const message = box?.byKey.get(key);
    if (!box || !message || message.deletedSeq !== null) return false;
    if (message.isRead === isRead) return true;
    this.seq += 1;
    message.isRead = isRead;
    this.log.push({ seq: this.seq, type: 'updated', mailbox: box.address, key, isRead });
    return true;
  }

  /** Moves a live message to another folder; returns false when unknown, gone or already there. */
  moveMessage(address: string, key: string, to: Folder): boolean {
    const box = this.mailbox(address);
    const message = box?.byKey.get(key);
    if (!box || !message || message.deletedSeq !== null || message.folder === to) return false;
    this.seq += 1;
    const from = message.folder;
    message.moves.push({ seq: this.seq, from, to });
    message.folder = to;
    this.log.push({ seq: this.seq, type: 'moved', mailbox: box.address, key, from, to });
    return true;
  }

  /** A live (not deleted) message of a mailbox. */
  message(address: string, key: string): StoredMessage | undefined {
    const m = this.mailbox(address)?.byKey.get(key);
    return m && m.deletedSeq === null ? m : undefined;
  }

  /** Live messages of a mailbox as they were at sequence `at` (default: now). */
  liveAt(address: string, at: number = this.seq): StoredMessage[] {
    const box = this.mailbox(address);
    if (!box) return [];
    return box.messages.filter((m) => aliveAt(m, at));
  }

  /** Changes of one mailbox with `after < seq <= upto`. */
  changes(address: string, after: number, upto: number = this.seq): MailChange[] {
    const lower = this.mailbox(address)?.address;
    return this.log.filter((c) => c.mailbox === lower && c.seq > after && c.seq <= upto);
  }

  /** Any stored message (deleted ones too), for change reporting. */
  anyMessage(address: string, key: string): StoredMessage | undefined {
    return this.mailbox(address)?.byKey.get(key);
  }
}
