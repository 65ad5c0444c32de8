/**
 * Opaque, deterministic page tokens: the state of a listing is kept server-side and the client
 * only sees a digest of it, so it cannot compute the next page, and the same seed and requests
 * always yield the same tokens.
 */
import { digest } from './mail-store.js';

export class PageTokens<S> {
  private readonly states = new Map<string, S>();

  constructor(private readonly prefix = '') {}

  /** Registers a state and returns its token. */
  issue(state: S): string {
    const token = `${this.prefix}${digest(JSON.stringify(state), 40)}`;
    this.states.set(token, state);
    return token;
  }

  /** The state behind a token, or undefined when unknown. */
  resolve(token: string): S | undefined {
    return this.states.get(token);
  }
}
