import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Contract, JsonRpcProvider } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifacts } from '@upstream/chain';
import { freePort } from '../support/ports';
import { isAlive, spawnService, waitForHealth, type ServiceProcess } from '../support/service-process';

/**
 * `npm start` as an operator sees it: one command brings up PostgreSQL, the
 * chain and the API under DATA_DIR; a second start is refused; SIGTERM leaves
 * nothing running; kill -9 and start again keeps data, contracts and balances.
 */
describe('service lifecycle (the built service as its own process)', () => {
  let dataDir: string;
  let env: Record<string, string>;
  let baseUrl: string;
  const running: ServiceProcess[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'upstream-lifecycle-'));
    const port = await freePort();
    env = {
      DATA_DIR: join(dataDir, 'data'),
      PORT: String(port),
      EMBEDDED_PG_PORT: String(await freePort()),
      LOCAL_CHAIN_PORT: String(await freePort()),
    };
    baseUrl = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    for (const s of running) if (s.child.exitCode === null) s.child.kill('SIGKILL');
    // Whatever a failed test left behind: stop the chain and Postgres it started.
    await stopLeftovers(env.DATA_DIR);
    await rm(dataDir, { recursive: true, force: true });
  });

  const start = () => {
    const s = spawnService(env);
    running.push(s);
    return s;
  };

  async function childPids(): Promise<{ postgres: number; anvil: number }> {
    const postmaster = await readFile(join(env.DATA_DIR, 'postgres', 'postmaster.pid'), 'utf8');
    const anvil = await readFile(join(env.DATA_DIR, 'chain', 'anvil.pid'), 'utf8');
    return { postgres: Number(postmaster.split('\n')[0]), anvil: Number(anvil.trim()) };
  }

  async function tokenBalance(holder: string): Promise<bigint> {
    const deployment = JSON.parse(await readFile(join(env.DATA_DIR, 'chain', 'deployment.json'), 'utf8'));
    const provider = new JsonRpcProvider(`http://127.0.0.1:${env.LOCAL_CHAIN_PORT}`, undefined, {
      staticNetwork: true,
    });
    try {
      const token = new Contract(deployment.contracts.PaymentToken, artifacts.LocalToken.abi, provider);
      return (await token.balanceOf(holder)) as bigint;
    } finally {
      provider.destroy();
    }
  }

  it('starts from nothing and answers /health with database and chain up', async () => {
    const service = start();
    const health = (await waitForHealth(baseUrl, service)) as { info: Record<string, { status: string }> };
    expect(health.info.database.status).toBe('up');
    expect(health.info.chain.status).toBe('up');
  });

  it('refuses a second start on the same data directory, saying why', async () => {
    const second = start();
    const { code } = await second.exited;
    expect(code).not.toBe(0);
    expect(second.output()).toMatch(/another Upstream service \(pid \d+\) is already running/);
    await fetch(`${baseUrl}/health`).then((r) => expect(r.status).toBe(200));
  });

  it('exits cleanly on SIGTERM and leaves no postgres or chain process', async () => {
    const [service] = running;
    const pids = await childPids();
    expect(isAlive(pids.postgres) && isAlive(pids.anvil)).toBe(true);
    service.child.kill('SIGTERM');
    expect(await service.exited).toEqual({ code: 0, signal: null });
    expect(isAlive(pids.postgres)).toBe(false);
    expect(isAlive(pids.anvil)).toBe(false);
  });

  it('survives kill -9: the next start recovers the orphans and keeps contracts and balances', async () => {
    const first = start();
    await waitForHealth(baseUrl, first);
    const deploymentBefore = await readFile(join(env.DATA_DIR, 'chain', 'deployment.json'), 'utf8');
    const holder = JSON.parse(deploymentBefore).contracts.PaymentToken
      ? '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
      : '';
    const balanceBefore = await tokenBalance(holder);
    expect(balanceBefore).toBeGreaterThan(0n);
    const orphans = await childPids();

    first.child.kill('SIGKILL');
    await first.exited;
    expect(isAlive(orphans.postgres)).toBe(true); // left behind, as after any kill -9

    const second = start();
    await waitForHealth(baseUrl, second);
    expect(isAlive(orphans.anvil)).toBe(false);
    expect(await readFile(join(env.DATA_DIR, 'chain', 'deployment.json'), 'utf8')).toBe(deploymentBefore);
    expect(await tokenBalance(holder)).toBe(balanceBefore);

    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  });

  it('past SHUTDOWN_TIMEOUT_MS exits anyway, but stops PostgreSQL and the chain first', async () => {
    const hurried = spawnService({ ...env, SHUTDOWN_TIMEOUT_MS: '1' });
    running.push(hurried);
    await waitForHealth(baseUrl, hurried);
    const pids = await childPids();
    hurried.child.kill('SIGTERM');
    expect((await hurried.exited).code).toBe(1);
    expect(hurried.output()).toMatch(/shutdown took longer than SHUTDOWN_TIMEOUT_MS/);
    for (const pid of [pids.anvil, pids.postgres]) {
      const deadline = Date.now() + 15_000;
      while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(isAlive(pid)).toBe(false);
    }
  });

  it('refuses to start when the chain no longer has the remembered contracts', async () => {
    await rm(join(env.DATA_DIR, 'chain', 'state.json'));
    const service = start();
    const { code } = await service.exited;
    expect(code).not.toBe(0);
    expect(service.output()).toMatch(/no contract code .*refusing to redeploy/s);
    // and it stopped what it had started
    const postmaster = join(env.DATA_DIR, 'postgres', 'postmaster.pid');
    await expect(readFile(postmaster)).rejects.toThrow();
  });

  it('refuses to deploy afresh under a database that has records, when the chain folder is gone', async () => {
    // Both the chain state and the remembered deployment are gone: a redeploy would land at the same
    // addresses on a chain with none of the history the database describes.
    await rm(join(env.DATA_DIR, 'chain', 'state.json'), { force: true });
    await rm(join(env.DATA_DIR, 'chain', 'deployment.json'), { force: true });
    const service = start();
    const { code } = await service.exited;
    expect(code).not.toBe(0);
    expect(service.output()).toMatch(
      /deployment\.json is missing, but the database records contracts .*refusing to deploy new contracts/s,
    );
    expect(existsSync(join(env.DATA_DIR, 'chain', 'deployment.json'))).toBe(false);
  });

  it('refuses invalid configuration before starting anything, naming the variable', async () => {
    const service = spawnService({ ...env, PORT: 'eighty' });
    const { code } = await service.exited;
    expect(code).toBe(78);
    expect(service.output()).toMatch(/PORT: .*integer/);
  });
});

async function stopLeftovers(dataDir: string | undefined): Promise<void> {
  if (!dataDir) return;
  for (const file of [join(dataDir, 'chain', 'anvil.pid'), join(dataDir, 'postgres', 'postmaster.pid')]) {
    const pid = Number((await readFile(file, 'utf8').catch(() => '')).split('\n')[0]);
    if (pid > 0 && isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
}
