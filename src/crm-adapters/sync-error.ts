/**
 * The adapters' error type. It now lives in core (`src/core/sync-error.ts`), shared with the mail
 * providers, so that the sync's `instanceof` checks see one class; this module re-exports it for
 * the adapters' imports.
 */
export { SyncError, isSyncError, type SyncErrorCode } from '../core/sync-error.js';
