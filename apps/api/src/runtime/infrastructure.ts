import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { JsonRpcProvider, NonceManager, Wallet } from 'ethers';
import {
  EmbeddedPostgres,
  indexedChainAgreement,
  migrate,
  reconcileDeployment,
  recordedDeployment,
} from '@upstream/database';
import {
  LocalChain,
  assertDeploymentLive,
  deployUpstream,
  readDeployment,
  writeDeployment,
  type UpstreamDeployment,
} from '@upstream/chain';
import { parseAddress, type Address } from '@upstream/api-contract';
import type { AppConfig } from '../config/app-config';
import { DataDirLock } from './data-dir-lock';

/** What the app runs on: resolved URLs, keys and contract addresses, whether embedded or external. */
export interface Infrastructure {
  databaseUrl: string;
  rpcUrl: string;
  operatorPrivateKey: string;
  deployment: ChainDeployment;
  /** Pids of child processes this service started (for tests and diagnostics). */
  childPids: number[];
  stop(): Promise<void>;
  /** For an exit that cannot wait for `stop()`: asks the child processes to stop (SIGTERM) and returns at once. */
  signalChildren(): void;
}

export interface ChainDeployment {
  chainId: number;
  deployedAtBlock: number;
  /** The contract addresses, parsed once where they enter (the environment, the deployment file). */
  royaltySplitter: Address;
  provenanceRegistry: Address;
  paymentToken: Address | null;
  governance?: { timelock: string; governor: string; votes: string; licenseTemplates?: string };
  /** DisputeBonds, when the deployment has one (local deployments made since disputes exist). */
  disputeBonds?: Address;
}

type Log = (message: string) => void;

/**
 * Starts (or connects to) PostgreSQL and the chain, migrates, deploys the
 * contracts on a fresh local chain, and checks that database and chain agree.
 * On failure everything already started is stopped again.
 */
export async function startInfrastructure(config: AppConfig, log: Log): Promise<Infrastructure> {
  const stops: (() => Promise<void>)[] = [];
  const childPids: number[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((e: Error) => log(`shutdown step failed: ${e.message}`));
    stops.length = 0;
  };
  try {
    if (!config.databaseUrl || !config.rpcUrl) {
      const lock = DataDirLock.acquire(config.dataDir);
      stops.push(async () => lock.release());
    }

    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      const started = Date.now();
      const pg = await EmbeddedPostgres.start({
        dataDir: join(config.dataDir, 'postgres'),
        port: config.embeddedPgPort,
      });
      stops.push(() => pg.stop());
      const pid = await pg.serverPid();
      if (pid) childPids.push(pid);
      await ensureDatabase(pg.url('postgres'), 'upstream');
      databaseUrl = pg.url('upstream');
      log(
        `embedded PostgreSQL on 127.0.0.1:${pg.port} (${Date.now() - started} ms), data in ${join(config.dataDir, 'postgres')}`,
      );
    }
    const applied = await migrate(databaseUrl);
    if (applied.length > 0) log(`applied migrations: ${applied.join(', ')}`);

    let rpcUrl = config.rpcUrl;
    let operatorPrivateKey = config.operatorPrivateKey;
    let deployment: ChainDeployment;
    if (!rpcUrl) {
      const chainDir = join(config.dataDir, 'chain');
      const chain = await LocalChain.start({
        port: config.localChainPort,
        stateFile: join(chainDir, 'state.json'),
        pidFile: join(chainDir, 'anvil.pid'),
        logFile: join(chainDir, 'anvil.log'),
        ownSession: true,
      });
      stops.push(() => chain.stop());
      if (chain.pid) childPids.push(chain.pid);
      rpcUrl = chain.rpcUrl;
      operatorPrivateKey ??= LocalChain.devPrivateKey(0);
      deployment = await ensureLocalDeployment(
        rpcUrl,
        join(chainDir, 'deployment.json'),
        databaseUrl,
        config.localVotingPeriodBlocks,
        log,
      );
      log(`local chain ${deployment.chainId} on ${rpcUrl}, splitter ${deployment.royaltySplitter}`);
    } else {
      deployment = await externalDeployment(config, rpcUrl);
    }

    await reconcileDeployment(databaseUrl, {
      chainId: BigInt(deployment.chainId),
      royaltySplitter: deployment.royaltySplitter,
      provenanceRegistry: deployment.provenanceRegistry,
      paymentToken: deployment.paymentToken,
      deployedAtBlock: deployment.deployedAtBlock,
    });

    await assertChainAgrees(databaseUrl, rpcUrl, deployment.chainId, log);

    const signalChildren = () => {
      // anvil saves its state on SIGTERM; PostgreSQL shuts down once this process's connections are gone.
      for (const pid of childPids) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          /* already gone */
        }
      }
    };
    return {
      databaseUrl,
      rpcUrl,
      operatorPrivateKey: operatorPrivateKey!,
      deployment,
      childPids,
      stop: stopAll,
      signalChildren,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}

/**
 * The chain must still have the blocks the database was indexed from. A shallow loss (the local
 * chain restored from its last save, a reorganisation) is rolled back by the indexer on its first
 * pass; a chain that has none of the kept blocks is another chain, and the service refuses it.
 */
async function assertChainAgrees(databaseUrl: string, rpcUrl: string, chainId: number, log: Log): Promise<void> {
  const provider = new JsonRpcProvider(rpcUrl, chainId, { cacheTimeout: -1, staticNetwork: true });
  try {
    const check = await indexedChainAgreement(
      databaseUrl,
      `chain-${chainId}`,
      async (n) => (await provider.getBlock(n))?.hash ?? null,
    );
    if (check.agrees) return;
    if (check.lastAgreedBlock !== null) {
      log(
        `the chain no longer has indexed block ${check.cursor}; the last block both agree on is ${check.lastAgreedBlock}: ` +
          'the worker rolls back what came after it and settles again from what the chain has',
      );
      return;
    }
    if (!check.indexedEvents) return;
    throw new Error(
      `chain diverged: the chain at ${redact(rpcUrl)} has none of the blocks this database indexed (up to block ${check.cursor}), ` +
        'so no block is known that both agree on. Refusing to start on it: its records and money would no longer match. ' +
        'Point RPC_URL at the chain this database describes (or restore the local chain state from a backup); to start afresh, move the data directory away.',
    );
  } finally {
    provider.destroy();
  }
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

async function ensureLocalDeployment(
  rpcUrl: string,
  file: string,
  databaseUrl: string,
  votingPeriodBlocks: number,
  log: Log,
): Promise<ChainDeployment> {
  const provider = new JsonRpcProvider(rpcUrl, undefined, { cacheTimeout: -1 });
  try {
    const remembered = await readDeployment(file);
    if (!remembered) {
      const recorded = await recordedDeployment(databaseUrl);
      if (recorded) {
        throw new Error(
          `${file} is missing, but the database records contracts on chain ${recorded.chainId} (splitter ${recorded.royaltySplitter}, ` +
            `deployed at block ${recorded.deployedAtBlock}); refusing to deploy new contracts under a database that has records ` +
            '(they could even land at the same addresses on a chain with none of its history). Restore the chain folder from a backup, ' +
            'or move the data directory away to start afresh.',
        );
      }
    }
    if (remembered) {
      await assertDeploymentLive(provider, remembered).catch((error: Error) => {
        throw new Error(
          `${error.message}. The local chain state (${file.replace('deployment.json', 'state.json')}) no longer matches the ` +
            `deployment remembered in ${file}; refusing to redeploy over existing records. Move the data directory away to start afresh.`,
        );
      });
      return toChainDeployment(remembered);
    }
    const deployer = new NonceManager(new Wallet(LocalChain.devPrivateKey(0), provider));
    const accounts = Array.from({ length: 10 }, (_, i) => new Wallet(LocalChain.devPrivateKey(i)).address);
    const deployment = await deployUpstream(deployer, {
      operator: accounts[0],
      guardian: accounts[1],
      treasury: accounts[2],
      deployLocalToken: true,
      mintLocalTokensTo: accounts,
      votingPeriodBlocks,
    });
    await writeDeployment(file, deployment);
    // anvil saves its state every second: wait for one save so a kill -9 right after first start keeps the contracts.
    await sleep(1_500);
    log(`deployed contracts to the local chain; addresses in ${file}`);
    return toChainDeployment(deployment);
  } finally {
    provider.destroy();
  }
}

async function externalDeployment(config: AppConfig, rpcUrl: string): Promise<ChainDeployment> {
  const provider = new JsonRpcProvider(rpcUrl, undefined, { cacheTimeout: -1 });
  try {
    if (config.deploymentFile) return await deploymentFromFile(provider, config.deploymentFile, rpcUrl);
    const chainId = Number((await provider.getNetwork()).chainId);
    const deployment: ChainDeployment = {
      chainId,
      deployedAtBlock: 0,
      royaltySplitter: config.contracts.royaltySplitter!,
      provenanceRegistry: config.contracts.provenanceRegistry!,
      paymentToken: config.contracts.paymentToken ?? null,
    };
    for (const [name, address] of Object.entries({
      ROYALTY_SPLITTER_ADDRESS: deployment.royaltySplitter,
      PROVENANCE_REGISTRY_ADDRESS: deployment.provenanceRegistry,
    })) {
      if ((await provider.getCode(address)) === '0x') {
        throw new Error(`${name}: no contract code at ${address} on chain ${chainId} (${rpcUrl})`);
      }
    }
    return deployment;
  } finally {
    provider.destroy();
  }
}

/** The deployment `upstream deploy` wrote: its contracts must be live on this chain; the indexer starts at its first block. */
async function deploymentFromFile(provider: JsonRpcProvider, file: string, rpcUrl: string): Promise<ChainDeployment> {
  const fail = (reason: string) => new Error(`DEPLOYMENT_FILE: ${reason}`);
  const deployment = await readDeployment(file).catch((error: Error) => {
    throw fail(error.message);
  });
  if (!deployment) throw fail(`no file at ${file} (write one with \`upstream deploy\`)`);
  if (!Number.isSafeInteger(deployment.chainId) || !Number.isSafeInteger(deployment.deployedAtBlock))
    throw fail(`${file} has no chainId and deployedAtBlock (is it a deployment file?)`);
  await assertDeploymentLive(provider, deployment).catch((error: Error) => {
    throw fail(`${file} does not match the chain at ${redact(rpcUrl)}: ${error.message}`);
  });
  try {
    return toChainDeployment(deployment);
  } catch (error) {
    throw fail(`${file}: ${(error as Error).message}`);
  }
}

export function toChainDeployment(d: UpstreamDeployment): ChainDeployment {
  return {
    chainId: d.chainId,
    deployedAtBlock: d.deployedAtBlock,
    royaltySplitter: parseAddress(d.contracts.RoyaltySplitter, 'RoyaltySplitter'),
    provenanceRegistry: parseAddress(d.contracts.ProvenanceRegistry, 'ProvenanceRegistry'),
    paymentToken: d.contracts.PaymentToken ? parseAddress(d.contracts.PaymentToken, 'PaymentToken') : null,
    governance: {
      timelock: d.contracts.UpstreamTimelock,
      governor: d.contracts.UpstreamGovernor,
      votes: d.contracts.UpstreamVotes,
      ...(d.contracts.LicenseTemplateRegistry ? { licenseTemplates: d.contracts.LicenseTemplateRegistry } : {}),
    },
    ...(d.contracts.DisputeBonds ? { disputeBonds: parseAddress(d.contracts.DisputeBonds, 'DisputeBonds') } : {}),
  };
}
