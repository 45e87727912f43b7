import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../apps/api/src/config/app-config';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((p) => p.variable);
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('starts on embedded defaults with nothing set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, databaseUrl: undefined, rpcUrl: undefined, workerMode: 'embedded' });
    expect(config.dataDir).toMatch(/\.data$/);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: '' }).port).toBe(3000);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://localhost/db' }, 'DATABASE_URL'],
    [{ RPC_URL: 'not a url' }, 'RPC_URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ OPERATOR_PRIVATE_KEY: '0x1234' }, 'OPERATOR_PRIVATE_KEY'],
    [{ WORKER_MODE: 'sometimes' }, 'WORKER_MODE'],
    [{ RATE_LIMIT_STORE: 'redis' }, 'RATE_LIMIT_STORE'],
    [{ EXTERNAL_URI_SCHEMES: 'https,s3://' }, 'EXTERNAL_URI_SCHEMES'],
    [{ OVERLAP_REFUSE_FRACTION: '0' }, 'OVERLAP_REFUSE_FRACTION'],
    [{ OVERLAP_REFUSE_FRACTION: '1.5' }, 'OVERLAP_REFUSE_FRACTION'],
    [{ OVERLAP_REFUSE_FRACTION: '0.0000001' }, 'OVERLAP_REFUSE_FRACTION'],
    [{ OVERLAP_REFUSE_FRACTION: 'half' }, 'OVERLAP_REFUSE_FRACTION'],
    [{ NEAR_DUPLICATE_SIMILARITY: '0' }, 'NEAR_DUPLICATE_SIMILARITY'],
    [{ NEAR_DUPLICATE_SIMILARITY: '1.01' }, 'NEAR_DUPLICATE_SIMILARITY'],
    [{ BLOB_STORE_URL: 'https://bucket/prefix' }, 'BLOB_STORE_URL'],
    [{ BLOB_STORE_URL: 's3://b/prefix' }, 'BLOB_STORE_URL'],
    [{ BLOB_STORE_URL: 's3://Upper/prefix' }, 'BLOB_STORE_URL'],
    [{ BLOB_STORE_URL: 's3://bucket', S3_ENDPOINT: 'not a url' }, 'S3_ENDPOINT'],
    [{ BLOB_STORE_URL: 's3://bucket', BLOB_REDIRECT: 'always' }, 'BLOB_REDIRECT'],
    [{ BLOB_REDIRECT: 'presigned' }, 'BLOB_REDIRECT'],
    [{ S3_ENDPOINT: 'http://127.0.0.1:9000' }, 'S3_ENDPOINT'],
    [{ LOCAL_VOTING_PERIOD_BLOCKS: '0' }, 'LOCAL_VOTING_PERIOD_BLOCKS'],
    [{ LOCAL_VOTING_PERIOD_BLOCKS: '20.5' }, 'LOCAL_VOTING_PERIOD_BLOCKS'],
  ])('refuses %o naming %s', (env, variable) => {
    expect(problems(env)).toEqual([variable]);
  });

  it('counts the rate limit in memory unless RATE_LIMIT_STORE=postgres (for API replicas)', () => {
    expect(loadConfig({}).rateLimitStore).toBe('memory');
    expect(loadConfig({ WORKER_MODE: 'off' }).rateLimitStore).toBe('memory');
    expect(loadConfig({ WORKER_MODE: 'off', RATE_LIMIT_STORE: 'postgres' }).rateLimitStore).toBe('postgres');
  });

  it('reads EXTERNAL_URI_SCHEMES as lowercase schemes, https/s3/ipfs/ar by default', () => {
    expect(loadConfig({}).externalUriSchemes).toEqual(['https', 's3', 'ipfs', 'ar']);
    expect(loadConfig({ EXTERNAL_URI_SCHEMES: ' HTTPS , gs ' }).externalUriSchemes).toEqual(['https', 'gs']);
  });

  it("reads LOCAL_VOTING_PERIOD_BLOCKS for the local chain's Governor, a week of 12 s blocks by default", () => {
    expect(loadConfig({}).localVotingPeriodBlocks).toBe(50_400);
    expect(loadConfig({ LOCAL_VOTING_PERIOD_BLOCKS: '20' }).localVotingPeriodBlocks).toBe(20);
  });

  it('reads NEAR_DUPLICATE_SIMILARITY as a fraction, 0.5 by default', () => {
    expect(loadConfig({}).nearDuplicateSimilarity).toBe(0.5);
    expect(loadConfig({ NEAR_DUPLICATE_SIMILARITY: '0.8' }).nearDuplicateSimilarity).toBe(0.8);
  });

  it('reads OVERLAP_REFUSE_FRACTION in millionths, 0.5 by default', () => {
    expect(loadConfig({}).overlapRefusePpm).toBe(500_000);
    expect(loadConfig({ OVERLAP_REFUSE_FRACTION: '0.25' }).overlapRefusePpm).toBe(250_000);
    expect(loadConfig({ OVERLAP_REFUSE_FRACTION: '.000001' }).overlapRefusePpm).toBe(1);
    expect(loadConfig({ OVERLAP_REFUSE_FRACTION: '1' }).overlapRefusePpm).toBe(1_000_000);
  });

  it('keeps blobs on the local disk by default; BLOB_STORE_URL=s3://bucket/prefix selects S3', () => {
    expect(loadConfig({}).blobStore).toBeUndefined();
    expect(loadConfig({}).blobRedirect).toEqual({ mode: 'off', ttlSeconds: 300 });
    expect(loadConfig({ BLOB_STORE_URL: 's3://my-bucket' }).blobStore).toEqual({
      bucket: 'my-bucket',
      prefix: '',
      endpoint: undefined,
    });
    const config = loadConfig({
      BLOB_STORE_URL: 's3://my-bucket/upstream/prod/',
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      BLOB_REDIRECT: 'presigned',
      BLOB_REDIRECT_TTL_SECONDS: '60',
    });
    expect(config.blobStore).toEqual({
      bucket: 'my-bucket',
      prefix: 'upstream/prod',
      endpoint: 'http://127.0.0.1:9000',
    });
    expect(config.blobRedirect).toEqual({ mode: 'presigned', ttlSeconds: 60 });
  });

  it('takes the contracts from DEPLOYMENT_FILE on an external chain, and refuses it with addresses or without RPC_URL', () => {
    const key = `0x${'11'.repeat(32)}`;
    const rpc = { RPC_URL: 'http://127.0.0.1:8545', OPERATOR_PRIVATE_KEY: key };
    expect(loadConfig({ ...rpc, DEPLOYMENT_FILE: 'deploy/base.json' }).deploymentFile).toMatch(/\/deploy\/base\.json$/);
    expect(problems({ RPC_URL: rpc.RPC_URL, DEPLOYMENT_FILE: 'd.json' })).toEqual(['OPERATOR_PRIVATE_KEY']);
    expect(problems({ DEPLOYMENT_FILE: 'd.json' })).toEqual(['DEPLOYMENT_FILE']);
    expect(problems({ ...rpc, DEPLOYMENT_FILE: 'd.json', ROYALTY_SPLITTER_ADDRESS: `0x${'22'.repeat(20)}` })).toEqual([
      'ROYALTY_SPLITTER_ADDRESS',
    ]);
  });

  it('names every variable an external chain needs', () => {
    expect(problems({ RPC_URL: 'http://127.0.0.1:8545' })).toEqual([
      'OPERATOR_PRIVATE_KEY',
      'ROYALTY_SPLITTER_ADDRESS',
      'PROVENANCE_REGISTRY_ADDRESS',
    ]);
  });

  it('does not echo a private key back in the message', () => {
    expect(() => loadConfig({ OPERATOR_PRIVATE_KEY: '0xsecretsecret' })).toThrow(/\(hidden\)/);
  });
});
