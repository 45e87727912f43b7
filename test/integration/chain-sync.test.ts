import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AbiCoder, Contract, Interface, Wallet, hexlify } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChainIndexer, TransactionOutbox, artifacts } from '@upstream/chain';
import { postgresOptions } from '@upstream/database';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startTestChain, type TestChain } from '../support/chain';

const registryAbi = new Interface(artifacts.ProvenanceRegistry.abi);
const anchorCall = (root: string) => registryAbi.encodeFunctionData('anchor', [0, root, 1, '']);
const randomRoot = () => hexlify(randomBytes(32));

describe('transaction outbox and chain indexer (real Postgres, real anvil)', () => {
  let database: TestDatabase;
  let chain: TestChain;
  let db: DataSource;
  let operator: Wallet;
  let registry: string;

  const newIndexer = (confirmations = 0) =>
    new ChainIndexer(db, chain.provider, {
      name: 'test',
      contracts: [{ address: registry, abi: artifacts.ProvenanceRegistry.abi }],
      confirmations,
      startBlock: chain.deployment.deployedAtBlock,
    });

  async function enqueue(key: string, root: string) {
    return db.transaction((em) =>
      TransactionOutbox.enqueue(em, operator.address, { key, kind: 'anchor', to: registry, data: anchorCall(root) }),
    );
  }

  beforeAll(async () => {
    [database, chain] = await Promise.all([createTestDatabase(), startTestChain()]);
    db = await new DataSource(postgresOptions(database.url)).initialize();
    operator = new Wallet(chain.privateKey(0), chain.provider);
    registry = chain.deployment.contracts.ProvenanceRegistry;
  });
  afterAll(async () => {
    await db?.destroy();
    await chain?.stop();
    await database?.drop();
  });

  it('sends each queued intent once and the indexer records its event once', async () => {
    const roots = [randomRoot(), randomRoot(), randomRoot()];
    for (const [i, root] of roots.entries()) expect((await enqueue(`anchor:${i}`, root)).created).toBe(true);
    expect((await enqueue('anchor:0', roots[0])).created).toBe(false);

    const outbox = new TransactionOutbox(db, operator);
    await outbox.drain();
    for (let i = 0; i < 3; i++) expect((await outbox.find(`anchor:${i}`))?.status).toBe('mined');

    const indexer = newIndexer();
    await indexer.catchUp();
    await indexer.catchUp();
    const events = await db.query(`SELECT args FROM chain_events WHERE event_name = 'Anchored' ORDER BY id`);
    expect(events.map((e: { args: { root: string } }) => e.args.root)).toEqual(roots);
  });

  it('keeps an event whose text is not valid UTF-8 or holds NUL (U+FFFD in their place) and goes on indexing', async () => {
    // Anyone can put such text in a Governor proposal or a vote's reason; here, an anchor's uri.
    const [bad, good] = [randomRoot(), randomRoot()];
    const text = new Uint8Array([0x68, 0x69, 0xff, 0x00, 0x21]); // "hi", an invalid byte, NUL, "!"
    const data =
      registryAbi.getFunction('anchor')!.selector +
      AbiCoder.defaultAbiCoder().encode(['uint8', 'bytes32', 'uint64', 'bytes'], [0, bad, 1, text]).slice(2);
    await (await operator.sendTransaction({ to: registry, data })).wait();
    await (await operator.sendTransaction({ to: registry, data: anchorCall(good) })).wait();
    await newIndexer().catchUp();
    const rows = await db.query<{ args: { root: string; uri: string } }[]>(
      `SELECT args FROM chain_events WHERE event_name = 'Anchored' AND args->>'root' = ANY($1) ORDER BY id`,
      [[bad, good]],
    );
    expect(rows.map((r) => r.args)).toMatchObject([
      { root: bad, uri: 'hi\uFFFD\uFFFD!' },
      { root: good, uri: '' },
    ]);
  });

  it('re-broadcasts the same signed transaction after a crash between signing and sending', async () => {
    const root = randomRoot();
    await enqueue('anchor:crash', root);
    const nonceBefore = await chain.provider.getTransactionCount(operator.address);

    const crashing = new TransactionOutbox(db, operator);
    // The process dies after the signed bytes are committed but before they reach the node.
    (crashing as unknown as { broadcast: () => Promise<void> }).broadcast = async () => undefined;
    await crashing.tick();
    const signed = await crashing.find('anchor:crash');
    expect(signed?.status).toBe('signed');
    expect(await chain.provider.getTransactionCount(operator.address)).toBe(nonceBefore);

    const restarted = new TransactionOutbox(db, operator);
    await restarted.drain();
    const mined = await restarted.find('anchor:crash');
    expect(mined?.status).toBe('mined');
    expect(mined?.mined_tx_hash).toBe(signed?.tx_hashes[0]);
    expect(await chain.provider.getTransactionCount(operator.address)).toBe(nonceBefore + 1);
  });

  it('marks an intent that would revert as failed without spending a nonce', async () => {
    const root = randomRoot();
    await enqueue('anchor:first', root);
    const outbox = new TransactionOutbox(db, operator);
    await outbox.drain();
    expect((await outbox.find('anchor:first'))?.status).toBe('mined');
    await enqueue('anchor:again', root);
    await outbox.drain();
    const failed = await outbox.find('anchor:again');
    expect(failed?.status).toBe('failed');
    expect(failed?.nonce).toBeNull();
  });

  it('names a custom-error revert (arguments and all) and goes on sending the intents behind it', async () => {
    const root = randomRoot();
    await enqueue('anchor:named-first', root);
    const outbox = new TransactionOutbox(db, operator);
    await outbox.drain();
    // Reverts with ProvenanceRegistryAlreadyAnchored(root, anchoredAt): revert data with arguments,
    // which nodes put into their message as raw bytes (NUL included).
    await enqueue('anchor:named-again', root);
    await enqueue('anchor:named-next', randomRoot());
    await outbox.drain();
    const failed = await outbox.find('anchor:named-again');
    expect(failed).toMatchObject({ status: 'failed', nonce: null });
    expect(failed?.last_error).toMatch(new RegExp(`^ProvenanceRegistryAlreadyAnchored\\(${root}, \\d+\\)$`));
    expect((await outbox.find('anchor:named-next'))?.status).toBe('mined');
  });

  it('waits for the configured confirmation depth', async () => {
    await new TransactionOutbox(db, operator).drain();
    const indexer = newIndexer();
    await indexer.catchUp();
    const root = randomRoot();
    await enqueue('anchor:deep', root);
    await new TransactionOutbox(db, operator).drain();
    const deep = newIndexer(3);
    await deep.catchUp();
    const seen = async () =>
      Number((await db.query(`SELECT count(*) AS n FROM chain_events WHERE args->>'root' = $1`, [root]))[0].n);
    expect(await seen()).toBe(0);
    for (let i = 0; i < 3; i++) await chain.provider.send('evm_mine', []);
    await deep.catchUp();
    expect(await seen()).toBe(1);
  });
  it('sends a mined transaction again when a reorganisation drops it before it is final', async () => {
    const outbox = new TransactionOutbox(db, operator, { confirmations: 2 });
    await outbox.drain();
    const snapshot = await chain.provider.send('evm_snapshot', []);
    const root = randomRoot();
    await enqueue('anchor:dropped', root);
    await outbox.drain();
    const first = await outbox.find('anchor:dropped');
    expect(first?.status).toBe('mined');

    await chain.provider.send('evm_revert', [snapshot]); // the block with our transaction is gone
    const registryContract = new Contract(registry, artifacts.ProvenanceRegistry.abi, chain.provider);
    expect(await registryContract.anchoredAt(root)).toBe(0n);
    await outbox.drain();
    const again = await outbox.find('anchor:dropped');
    expect(again?.status).toBe('mined');
    expect(again?.mined_tx_hash).toBe(first?.mined_tx_hash); // the very same signed transaction
    expect(await registryContract.anchoredAt(root)).toBeGreaterThan(0n);
  });

  it('rolls back events from blocks that a reorganisation removed', async () => {
    const indexer = newIndexer();
    await indexer.catchUp();
    const snapshot = await chain.provider.send('evm_snapshot', []);
    const root = randomRoot();
    await enqueue('anchor:reorged', root);
    await new TransactionOutbox(db, operator).drain();
    await indexer.catchUp();
    const count = async () =>
      Number((await db.query(`SELECT count(*) AS n FROM chain_events WHERE args->>'root' = $1`, [root]))[0].n);
    expect(await count()).toBe(1);

    await chain.provider.send('evm_revert', [snapshot]);
    await chain.provider.send('evm_mine', []);
    await chain.provider.send('evm_mine', []);
    const result = await indexer.tick();
    expect(result.rolledBackTo).toBeDefined();
    await indexer.catchUp();
    expect(await count()).toBe(0);
  });
});
