import type { NestExpressApplication } from '@nestjs/platform-express';
import { Wallet } from 'ethers';
import type { DeployOptions } from '@upstream/chain';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { loadConfig, type AppConfig } from '../../apps/api/src/config/app-config';
import { createApp } from '../../apps/api/src/create-app';
import { toChainDeployment } from '../../apps/api/src/runtime/infrastructure';
import { buildOpenApiDocument } from '../../apps/api/src/openapi/openapi-document';
import { WorkerService } from '../../apps/api/src/worker/worker.service';
import { signIn } from './auth';
import { createTestDatabase, type TestDatabase } from './database';
import { startTestChain, type TestChain } from './chain';
import { OpenApiResponseValidator, type OpenApiDocument } from './openapi-responses';

export interface TestApp {
  app: NestExpressApplication;
  http: TestAgent;
  baseUrl: string;
  chain: TestChain;
  database: TestDatabase;
  config: AppConfig;
  /** A session token for the chain's dev account `index` (or a wallet), signed in once, then reused. */
  tokenOf(who: number | Wallet): Promise<string>;
  /** An HTTP client signed in as the chain's dev account `index` (or a wallet): every request carries its session. */
  as(who: number | Wallet): Promise<TestAgent>;
  /** One worker pass (indexer, jobs such as anchoring, outbox), as the background loop would run it. */
  tick(): Promise<void>;
  /** Stops the app; with `validateResponses`, then fails if a response disagreed with the OpenAPI document. */
  close(): Promise<void>;
}

export interface TestAppOptions {
  /**
   * Check every response against the OpenAPI document the app serves (test/support/openapi-responses.ts).
   * On for the journeys; `OPENAPI_VALIDATE_RESPONSES=1` turns it on for every test app.
   */
  validateResponses?: boolean;
  /** Deployment settings of the test chain that differ from `npm start`'s (startTestApp only). */
  chain?: Partial<DeployOptions>;
}

/** The real API on a fresh database and a fresh chain, listening on a free port. */
export async function startTestApp(env: Record<string, string> = {}, options: TestAppOptions = {}): Promise<TestApp> {
  const [database, chain] = await Promise.all([createTestDatabase(), startTestChain(options.chain)]);
  const app = await startTestAppOn(database, chain, env, options);
  return {
    ...app,
    close: async () => {
      try {
        await app.close();
      } finally {
        await chain.stop();
        await database.drop();
      }
    },
  };
}

/** The real API on a database and chain the caller owns (to restart it over the same state); close() stops only the app. */
export async function startTestAppOn(
  database: TestDatabase,
  chain: TestChain,
  env: Record<string, string> = {},
  options: TestAppOptions = {},
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
  const validator =
    options.validateResponses || process.env.OPENAPI_VALIDATE_RESPONSES === '1'
      ? new OpenApiResponseValidator(buildOpenApiDocument(app, config) as unknown as OpenApiDocument)
      : undefined;
  if (validator) app.use(validator.middleware());
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const tokens = new Map<string, Promise<string>>();
  const tokenOf = (who: number | Wallet): Promise<string> => {
    const key = typeof who === 'number' ? chain.privateKey(who) : who.privateKey;
    let token = tokens.get(key);
    if (!token) {
      token = signIn(baseUrl, new Wallet(key));
      tokens.set(key, token);
    }
    return token;
  };
  return {
    app,
    http: request(app.getHttpServer()),
    tokenOf,
    as: async (who) => request.agent(app.getHttpServer()).set('Authorization', `Bearer ${await tokenOf(who)}`),
    baseUrl,
    chain,
    database,
    config,
    tick: () => app.get(WorkerService).tick(),
    close: async () => {
      await app.close();
      if (validator && validator.problems.length > 0) {
        throw new Error(
          `${validator.problems.length} responses disagree with the OpenAPI document:\n${[...new Set(validator.problems)].join('\n')}`,
        );
      }
    },
  };
}
