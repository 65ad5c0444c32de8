import { describe, expect, it } from 'vitest';
import { KeyFilter } from '../../../src/store/key-filter.js';

describe('KeyFilter', () => {
  it('never forgets a key and rarely claims one it never saw, across growth stages', () => {
    const filter = new KeyFilter(1_000);
    const added = Array.from({ length: 50_000 }, (_, i) => `person.${i}@company${i % 997}.example`);
    for (const key of added) filter.add(key);
    expect(filter.size).toBe(added.length);
    expect(added.every((key) => filter.mayContain(key))).toBe(true);

    let falsePositives = 0;
    const probes = 50_000;
    for (let i = 0; i < probes; i++) if (filter.mayContain(`stranger.${i}@elsewhere${i % 991}.example`)) falsePositives++;
    // Each stage is sized for ~1%; with several stages the sum stays well under 10%.
    expect(falsePositives / probes).toBeLessThan(0.1);
  });

  it('an empty filter contains nothing', () => {
    const filter = new KeyFilter();
    expect(filter.mayContain('jane@acme.com')).toBe(false);
    expect(filter.mayContain('')).toBe(false);
  });
});
