import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../../apps/cli/src/main';

const TOKEN = '0x5fbdb2315678afecb367f032d93f642f64180aa3';
// Nothing listens here: an upload that got past its flags would fail on the connection instead.
const NOWHERE = 'http://127.0.0.1:9';

/** `upstream <args>` in-process; what it wrote to stderr and its exit code. */
async function upstream(args: string[]): Promise<{ stderr: string; exitCode: number }> {
  let stderr = '';
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    await run(['node', 'upstream', '--api', NOWHERE, ...args]);
    return { stderr, exitCode: Number(process.exitCode ?? 0) };
  } finally {
    write.mockRestore();
    process.exitCode = undefined;
  }
}

describe('upstream upload: the fee flags of a paid-per-run license are checked before anything is sent', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'upstream-fee-flags-'));
    writeFileSync(join(dir, 'a.txt'), 'a\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => vi.restoreAllMocks());

  const upload = (...flags: string[]) => upstream(['upload', dir, '--title', 'Interviews', ...flags]);

  it('refuses paid-per-run without either fee flag, naming both', async () => {
    const { stderr, exitCode } = await upload('--license', 'paid-per-run');
    expect(exitCode).toBe(1);
    expect(stderr).toBe(
      'upstream: --license paid-per-run needs --fee-token <address> and --fee-amount <units> (the ERC-20 token and the fee per training run in its smallest units); missing --fee-token <address> and --fee-amount <units>\n',
    );
  });

  it('names the one flag that is missing', async () => {
    const noAmount = await upload('--license', 'paid-per-run', '--fee-token', TOKEN);
    expect(noAmount.stderr).toMatch(/missing --fee-amount <units>\n$/);
    const noToken = await upload('--license', 'paid-per-run', '--fee-amount', '1000000');
    expect(noToken.stderr).toMatch(/missing --fee-token <address>\n$/);
  });

  it('refuses a malformed token or amount instead of failing inside BigInt', async () => {
    const token = await upload('--license', 'paid-per-run', '--fee-token', '0x12', '--fee-amount', '5');
    expect(token.stderr).toBe('upstream: --fee-token must be a 0x address of 40 hex digits, got "0x12"\n');
    for (const amount of ['1.5', '0', '-3', '1e6', 'ten']) {
      const res = await upload('--license', 'paid-per-run', '--fee-token', TOKEN, '--fee-amount', amount);
      expect(res.stderr, amount).toBe(
        `upstream: --fee-amount must be a positive whole number of the token's smallest units, got ${JSON.stringify(amount)}\n`,
      );
    }
  });

  it('refuses fee flags under a free template rather than dropping them', async () => {
    const { stderr, exitCode } = await upload('--fee-amount', '5');
    expect(exitCode).toBe(1);
    expect(stderr).toBe(
      'upstream: --fee-amount applies only to --license paid-per-run (this upload is open-training)\n',
    );
  });

  it('with both flags well formed, goes on to contact the service', async () => {
    const { stderr, exitCode } = await upload(
      '--license',
      'paid-per-run',
      '--fee-token',
      TOKEN,
      '--fee-amount',
      '1000000',
    );
    expect(exitCode).toBe(1);
    expect(stderr).not.toMatch(/--fee-/);
  });
});
