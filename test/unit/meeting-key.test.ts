import { describe, expect, it } from 'vitest';
import { meetingKey } from '../../src/core/meeting.js';

describe('meetingKey', () => {
  it('is the iCalUId for a single meeting', () => {
    expect(meetingKey('040000008200E0')).toBe('040000008200E0');
  });

  it('gives each occurrence of a series its own key, whatever the offset notation', () => {
    const a = meetingKey('series-1', '2026-12-07T09:00:00+01:00');
    const b = meetingKey('series-1', '2026-12-07T08:00:00Z');
    const c = meetingKey('series-1', '2026-12-14T08:00:00Z');
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a).not.toBe('series-1');
  });
});
