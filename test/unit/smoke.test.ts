import { describe, expect, it } from 'vitest';
describe('smoke', () => {
  it('runs on node >= 22', () => {
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(22);
  });
});
