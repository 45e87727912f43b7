// Runs the Solidity suites (unit, fuzz and invariant tests under contracts/test) as part of `npm test`.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTRACTS_DIR } from '../support/hardhat-chain';

const HARDHAT_CLI = join(CONTRACTS_DIR, '..', 'node_modules', 'hardhat', 'dist', 'src', 'cli.js');

describe('Solidity tests (hardhat test solidity)', () => {
  it('pass, fuzz and invariants included', { timeout: 180_000 }, () => {
    const result = spawnSync(process.execPath, [HARDHAT_CLI, 'test', 'solidity'], {
      cwd: CONTRACTS_DIR,
      encoding: 'utf8',
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      timeout: 170_000,
    });
    const output = `${result.stdout ?? ''}\n${result.stderr ?? ''}`;
    const failing = /(\d+) failing/.exec(output)?.[1];
    expect(result.error, output).toBeUndefined();
    expect(failing ?? '0', output).toBe('0');
    expect(result.status, output).toBe(0);
    expect(Number(/(\d+) passing/.exec(output)?.[1] ?? 0), output).toBeGreaterThanOrEqual(30);
  });
});
