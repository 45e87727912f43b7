// A public chain, played by a second anvil that nothing has deployed to: `upstream deploy` puts the
// contracts on it with the timelock and governor holding the admin roles and writes the deployment
// file; the built service starts on it with RPC_URL, DEPLOYMENT_FILE and CONFIRMATIONS=3, indexes
// from the deployment's block, anchors a registration and settles a paid run. Then the chain
// reorganises (anvil_reorg): shallower than the confirmations, the indexer never saw the replaced
// blocks; deeper, it rolls back the payment and applies it again from the block it lands in on the
// new chain. Afterwards the ledger equals the chain and the accepted root pays it out.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Contract, ContractFactory, JsonRpcProvider, NonceManager, Transaction, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifacts, LocalChain, ROLES, type DeploymentFile } from '@upstream/chain';
import { CLI_BUILT, runCli } from '../support/cli';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { freePort } from '../support/ports';
import { RoyaltyFixtures, type FixtureRun } from '../support/royalty-fixtures';
import { auditSettlement } from '../support/settlement-audit';
import { MAIN, spawnService, waitForHealth, waitUntil, type ServiceProcess } from '../support/service-process';

const CONFIRMATIONS = 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!existsSync(MAIN) || !CLI_BUILT)(
  'a public chain: upstream deploy, then the service on it through reorganisations',
  () => {
    let remote: LocalChain;
    let provider: JsonRpcProvider;
    let database: TestDatabase;
    let fx: RoyaltyFixtures;
    let work: string;
    let file: DeploymentFile;
    let service: ServiceProcess;
    let apiUrl: string;
    let run: FixtureRun;
    let splitter: Contract;
    const key = (i: number) => LocalChain.devPrivateKey(i);
    const account = (i: number) => new Wallet(key(i)).address;
    const lab = () => new NonceManager(new Wallet(key(7), provider));
    const mine = (blocks: number) => provider.send('anvil_mine', [blocks]);
    const paymentsOf = (txHash: string) =>
      fx.query<{ block_number: string; allocated: boolean }>(
        `SELECT block_number::text, allocation_seq IS NOT NULL AS allocated FROM royalty_payments WHERE tx_hash = $1`,
        [txHash],
      );

    beforeAll(async () => {
      remote = await LocalChain.start({ port: await freePort() });
      provider = new JsonRpcProvider(remote.rpcUrl, undefined, { cacheTimeout: -1 });
      [database, work] = await Promise.all([createTestDatabase(), mkdtemp(join(tmpdir(), 'upstream-public-chain-'))]);
      fx = RoyaltyFixtures.connect(database.url);
    });
    afterAll(async () => {
      if (service && service.child.exitCode === null && service.child.signalCode === null) {
        service.child.kill('SIGKILL');
        await service.exited;
      }
      await fx?.close();
      provider?.destroy();
      await remote?.stop();
      await database?.drop();
      if (work) await rm(work, { recursive: true, force: true });
    });

    it('deploys with the CLI: governance holds every admin role, the deployer none, and it says what to verify', async () => {
      // An ERC-20 already on the chain, as USDC would be on a public one.
      const token = await new ContractFactory(
        artifacts.LocalToken.abi,
        artifacts.LocalToken.bytecode,
        new Wallet(key(9), provider),
      ).deploy('Remote USD', 'rUSD', 6, account(9));
      await token.waitForDeployment();
      await (await (token as Contract).mint(account(7), 10n ** 12n)).wait();

      const out = join(work, 'deployment.json');
      const deployed = await runCli(
        [
          'deploy',
          '--rpc',
          remote.rpcUrl,
          '--guardian',
          account(1),
          '--treasury',
          account(2),
          '--operator',
          account(0),
          '--payment-token',
          await token.getAddress(),
          '--fee-bps',
          '300',
          '--root-delay',
          '60',
          '--out',
          out,
        ],
        { UPSTREAM_PRIVATE_KEY: key(8) },
      );
      expect(deployed.stderr).toBe('');
      expect(deployed.code).toBe(0);
      file = JSON.parse(await readFile(out, 'utf8')) as DeploymentFile;
      expect(file.chainId).toBe(31337);
      expect(file.deployer).toBe(account(8));
      expect(file.contracts.PaymentToken).toBe(await token.getAddress());
      const names = file.deployed.map((c) => c.artifact);
      for (const name of [
        'RoyaltySplitter',
        'ProvenanceRegistry',
        'UpstreamTimelock',
        'UpstreamGovernor',
        'UpstreamVotes',
      ])
        expect(names).toContain(name);
      expect(file.deployedAtBlock).toBe(Math.min(...file.deployed.map((c) => c.blockNumber)));

      // Every contract, its constructor arguments and the role holders are printed for an explorer.
      for (const c of file.deployed) {
        expect(deployed.stdout).toContain(`${c.artifact} at ${c.address}`);
        expect(deployed.stdout).toContain(c.encodedConstructorArguments);
        expect((await provider.getTransaction(c.transactionHash))?.blockNumber).toBe(c.blockNumber);
      }
      const holders = (contract: string, role: keyof typeof ROLES) =>
        file.roles.filter((r) => r.contract === contract && r.role === role).map((r) => r.holderIs);
      expect(holders('RoyaltySplitter', 'DEFAULT_ADMIN_ROLE')).toEqual(['UpstreamTimelock']);
      expect(holders('RoyaltySplitter', 'PARAMS_ROLE')).toEqual(['UpstreamTimelock']);
      expect(holders('RoyaltySplitter', 'OPERATOR_ROLE')).toEqual(['operator']);
      expect(holders('RoyaltySplitter', 'GUARDIAN_ROLE')).toEqual(['guardian']);
      expect(holders('ProvenanceRegistry', 'DEFAULT_ADMIN_ROLE')).toEqual(['UpstreamTimelock']);
      expect(holders('ProvenanceRegistry', 'ANCHORER_ROLE')).toEqual(['operator']);
      expect(holders('UpstreamTimelock', 'PROPOSER_ROLE')).toEqual(['UpstreamGovernor']);
      expect(holders('UpstreamTimelock', 'EXECUTOR_ROLE')).toEqual(['anyone']);
      expect(file.roles.filter((r) => r.holder === account(8))).toEqual([]);
      for (const r of file.roles) expect(deployed.stdout).toContain(`${r.contract}.${r.role}: ${r.holder}`);
      expect(file.settings.RoyaltySplitter).toMatchObject({ feeBps: '300', rootDelay: '60', treasury: account(2) });

      // The chain agrees with the file.
      splitter = new Contract(file.contracts.RoyaltySplitter, artifacts.RoyaltySplitter.abi, provider);
      expect(await splitter.hasRole(ROLES.DEFAULT_ADMIN_ROLE, account(8))).toBe(false);
      expect(await splitter.hasRole(ROLES.DEFAULT_ADMIN_ROLE, file.contracts.UpstreamTimelock)).toBe(true);
    });

    it('runs the service on it from the deployment file, and settles through a shallow and a deep reorganisation', async () => {
      expect(file, 'the deployment above').toBeDefined();
      const dataset = await fx.dataset({ owners: [{ account: account(3), shareBps: 10_000 }] });
      run = await fx.run({ lab: account(7), entries: [{ dataset, weight: 1n }] });
      const port = await freePort();
      apiUrl = `http://127.0.0.1:${port}`;
      service = spawnService({
        DATABASE_URL: database.url,
        RPC_URL: remote.rpcUrl,
        DEPLOYMENT_FILE: join(work, 'deployment.json'),
        OPERATOR_PRIVATE_KEY: key(0),
        CONFIRMATIONS: String(CONFIRMATIONS),
        WORKER_INTERVAL_MS: '200',
        EPOCH_INTERVAL_MS: '0',
        ANCHOR_INTERVAL_MS: '0',
        PORT: String(port),
        DATA_DIR: join(work, 'data'),
      });
      await waitForHealth(apiUrl, service, 120_000);
      const [recorded] = await fx.query<{ deployed_at_block: string; royalty_splitter: string }>(
        `SELECT deployed_at_block::text, trim(royalty_splitter) AS royalty_splitter FROM chain_deployments`,
      );
      expect(recorded).toEqual({
        deployed_at_block: String(file.deployedAtBlock),
        royalty_splitter: file.contracts.RoyaltySplitter.toLowerCase(),
      });

      const token = new Contract(file.contracts.PaymentToken!, artifacts.LocalToken.abi, lab());
      await (await token.approve(file.contracts.RoyaltySplitter, 10n ** 12n)).wait();
      const payer = splitter.connect(lab()) as Contract;
      const pay = async (amount: bigint) => {
        const response = await payer.payRun(run.runId, file.contracts.PaymentToken, amount);
        await response.wait();
        return Transaction.from((await provider.getTransaction(response.hash))!).serialized;
      };
      /** Mines blocks (confirmations, a root's delay) until the worker has anchored, allocated, proposed and accepted everything. */
      const settle = (what: string, txHash: string) =>
        waitUntil(what, 90_000, async () => {
          const [s] = await fx.query<{ quiet: boolean }>(
            `SELECT NOT EXISTS (SELECT 1 FROM anchor_items WHERE batch_id IS NULL)
              AND NOT EXISTS (SELECT 1 FROM outbox_transactions WHERE status IN ('pending', 'signed'))
              AND NOT EXISTS (SELECT 1 FROM royalty_payments WHERE allocation_seq IS NULL)
              AND EXISTS (SELECT 1 FROM royalty_payments WHERE tx_hash = $1)
              AND (SELECT ledger_watermark FROM royalty_epochs ORDER BY epoch DESC LIMIT 1) = (SELECT max(allocation_seq) FROM royalty_payments)
              AND EXISTS (SELECT 1 FROM epoch_root_events r WHERE r.kind = 'accepted'
                            AND r.epoch = (SELECT max(epoch) FROM royalty_epochs)) AS quiet`,
            [txHash],
          );
          if (s.quiet) return true;
          await provider.send('evm_increaseTime', [61]);
          await mine(1);
          await sleep(250);
          return false;
        });

      const firstHash = Transaction.from(await pay(5_000_000n)).hash!;
      await settle('the registration anchored and the first payment settled', firstHash);

      // Shallower than the confirmations: the payment's block and the next are replaced before the
      // indexer may read them; the payment lands again in a later block and is applied once, from there.
      const shallowRaw = await pay(1_000_000n);
      const shallowHash = Transaction.from(shallowRaw).hash!;
      await mine(1);
      await provider.send('anvil_reorg', [2, []]);
      expect(await provider.getTransactionReceipt(shallowHash)).toBeNull();
      expect(await paymentsOf(shallowHash)).toEqual([]);
      await (await provider.broadcastTransaction(shallowRaw)).wait();
      const shallowBlock = (await provider.getTransactionReceipt(shallowHash))!.blockNumber;
      await settle('the shallowly reorganised payment settled', shallowHash);
      expect(await paymentsOf(shallowHash)).toEqual([{ block_number: String(shallowBlock), allocated: true }]);

      // Deeper than the confirmations: the indexer has applied the payment; the chain drops its block
      // and those after it. The indexer rolls the payment back, then applies it from its new block.
      const deepRaw = await pay(2_500_000n);
      const deepHash = Transaction.from(deepRaw).hash!;
      const deepBlock = (await provider.getTransactionReceipt(deepHash))!.blockNumber;
      await mine(CONFIRMATIONS);
      await waitUntil('the deep payment indexed', 30_000, async () => (await paymentsOf(deepHash)).length === 1);
      // The worker may mine a block of its own between reading the head and the reorganisation: then again.
      for (let attempt = 0; attempt < 3 && (await provider.getTransactionReceipt(deepHash)); attempt++) {
        const depth = (await provider.getBlockNumber()) - deepBlock + 1;
        expect(depth).toBeGreaterThan(CONFIRMATIONS);
        await provider.send('anvil_reorg', [depth, []]);
      }
      expect(await provider.getTransactionReceipt(deepHash)).toBeNull();
      await waitUntil(
        'the indexer rolls the payment back',
        30_000,
        async () => (await paymentsOf(deepHash)).length === 0,
      );
      await (await provider.broadcastTransaction(deepRaw)).wait();
      const newBlock = (await provider.getTransactionReceipt(deepHash))!.blockNumber;
      await settle('the deeply reorganised payment settled again', deepHash);
      expect(await paymentsOf(deepHash)).toEqual([{ block_number: String(newBlock), allocated: true }]);

      // The ledger equals the chain; the accepted root rebuilds from the public inputs and pays it out.
      expect(await fx.invariantViolations()).toEqual([]);
      const problems = await auditSettlement(
        {
          provider,
          splitter: file.contracts.RoyaltySplitter,
          get: async (path) => (await fetch(new URL(path, apiUrl))).json(),
          query: (sql, params) => fx.query(sql, params),
        },
        { expectQuiescent: true },
      );
      expect(problems).toEqual([]);
      const [{ n }] = await fx.query<{ n: number }>(`SELECT count(*)::int AS n FROM royalty_payments`);
      expect(n).toBe(3);
    }, 240_000);
  },
);
