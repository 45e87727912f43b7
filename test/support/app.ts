import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { loadConfig, type AppConfig } from '../../apps/api/src/config/app-config';
import { createApp } from '../../apps/api/src/create-app';
import { toChainDeployment } from '../../apps/api/src/runtime/infrastructure';
import { WorkerService } from '../../apps/api/src/worker/worker.service';
import { createTestDatabase, type TestDatabase } from './database';
import { startTestChain, type TestChain } from './chain';

export interface TestApp {
  app: NestExpressApplication;
  http: TestAgent;
  baseUrl: string;
  chain: TestChain;
  database: TestDatabase;
  config: AppConfig;
  /** One worker pass (indexer, jobs such as anchoring, outbox), as the background loop would run it. */
  tick(): Promise<void>;
  close(): Promise<void>;
}

/** The real API on a fresh database and a fresh chain, listening on a free port. */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const [database, chain] = await Promise.all([createTestDatabase(), startTestChain()]);
  const app = await startTestAppOn(database, chain, env);
  return {
    ...app,
    close: async () => {
      await app.close();
      await chain.stop();
      await database.drop();
    },
  };
}

/** The real API on a database and chain the caller owns (to restart it over the same state); close() stops only the app. */
export async function startTestAppOn(
  database: TestDatabase,
  chain: TestChain,
  env: Record<string, string> = {},
): Promise<TestApp> {
  const config = loadConfig({ LOG_LEVEL: 'warn', WORKER_MODE: 'off', ...env });
  const app = await createApp({
    config,
    infrastructure: {
      databaseUrl: database.url,
      rpcUrl: chain.rpcUrl,
      operatorPrivateKey: chain.privateKey(0),
      deployment: toChainDeployment(chain.deployment),
      childPids: [],
    },
  });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    app,
    http: request(app.getHttpServer()),
    baseUrl,
    chain,
    database,
    config,
    tick: () => app.get(WorkerService).tick(),
    close: () => app.close(),
  };
}
