/**
 * Connection status per mailbox (DESIGN §3): invited (no consent yet), connected, revoked
 * (consent withdrawn or refresh refused: the mailbox stops), failing (repeated transient errors).
 */
export type ConnectionStatus = 'invited' | 'connected' | 'revoked' | 'failing';

export type StatusListener = (address: string, status: ConnectionStatus) => void;

/** Tracks and reports status changes. */
export class ConnectionStatuses {
  private readonly statuses = new Map<string, ConnectionStatus>();

  constructor(private readonly onChange?: StatusListener) {}

  get(address: string): ConnectionStatus | undefined {
    return this.statuses.get(address.toLowerCase());
  }

  set(address: string, status: ConnectionStatus): void {
    const key = address.toLowerCase();
    if (this.statuses.get(key) === status) return;
    this.statuses.set(key, status);
    this.onChange?.(key, status);
  }

  all(): Record<string, ConnectionStatus> {
    return Object.fromEntries(this.statuses.entries());
  }
}
