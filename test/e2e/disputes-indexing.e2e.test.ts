import { Contract, Wallet, ethers } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifacts, LocalChain } from '@upstream/chain';
import { DisputesRepository } from '../../apps/api/src/disputes/disputes.repository';
import { ChainSyncService } from '../../apps/api/src/worker/chain-sync.service';
import { startTestApp, type TestApp } from '../support/app';
import { openDisputeWith } from '../support/chain';
import { RoyaltyFixtures } from '../support/royalty-fixtures';

describe('disputes: the indexer follows DisputeBonds into the database, and a rollback takes them back', () => {
  let t: TestApp;
  let fx: RoyaltyFixtures;
  const dataset = ethers.id('a disputed dataset');
  const arbiterIndex = 5;
  const disputerIndex = 7;
  const rightful = new Wallet(ethers.id('rightful')).address.toLowerCase();

  const catchUp = () => t.app.get(ChainSyncService).indexer.catchUp();
  const rule = async () => t.app.get(DisputesRepository).forRule(Number.MAX_SAFE_INTEGER);
  const bondsAs = (index: number) =>
    new Contract(
      t.chain.deployment.contracts.DisputeBonds!,
      artifacts.DisputeBonds.abi,
      new Wallet(t.chain.privateKey(index), t.chain.provider),
    );

  /** The receipt's one DisputeBonds event (the token's Transfer and Approval logs are left out). */
  const fromBonds = (receipt: ethers.TransactionReceipt) =>
    receipt.logs.filter((l) => l.address === t.chain.deployment.contracts.DisputeBonds).at(0)!;

  const open = (bond: bigint) =>
    openDisputeWith(t.chain.deployment, new Wallet(t.chain.privateKey(disputerIndex), t.chain.provider), {
      datasetId: dataset,
      label: 1,
      evidenceHash: ethers.id('evidence'),
      evidenceUri: 'ipfs://evidence',
      claimedOwners: [rightful],
      bond,
    });

  beforeAll(async () => {
    // The test chain names a dev account as an arbiter beside the timelock (a multisig would be one in production).
    const arbiter = new Wallet(LocalChain.devPrivateKey(arbiterIndex)).address;
    t = await startTestApp({ EPOCH_INTERVAL_MS: '3600000' }, { chain: { arbiters: [arbiter] } });
    fx = RoyaltyFixtures.connect(t.database.url);
  });
  afterAll(async () => {
    await fx?.close();
    await t?.close();
  });

  it('records the opening with its place in the chain, and the resolution with the rightful owners', async () => {
    const opened = await open(10_000_000n);
    await catchUp();
    const [row] = await fx.query<{ label: string; bond: string; claimed_owners: string[]; evidence_uri: string }>(
      `SELECT label, bond::text, claimed_owners, evidence_uri FROM disputes`,
    );
    expect(row).toEqual({
      label: 'INFRINGEMENT',
      bond: '10000000',
      claimed_owners: [rightful],
      evidence_uri: 'ipfs://evidence',
    });
    const log = fromBonds(opened);
    expect(await rule()).toEqual([
      {
        disputeId: '1',
        datasetId: dataset,
        opened: { blockNumber: opened.blockNumber, logIndex: log.index },
        resolution: null,
      },
    ]);

    const snapshot: string = await t.chain.provider.send('evm_snapshot', []);
    const resolved = await (await bondsAs(arbiterIndex).getFunction('uphold')(1, [rightful], [10_000])).wait();
    await catchUp();
    expect((await rule())[0].resolution).toEqual({
      outcome: 'upheld',
      at: { blockNumber: resolved!.blockNumber, logIndex: fromBonds(resolved).index },
      rightfulOwners: [{ account: rightful, shareBps: 10_000 }],
    });

    // The block with the resolution is reorganised away: the dispute is open again, the opening stays.
    await t.chain.provider.send('evm_revert', [snapshot]);
    await t.chain.provider.send('anvil_mine', ['0x3']);
    await catchUp();
    expect((await rule()).map((d) => d.resolution)).toEqual([null]);
    expect((await fx.query(`SELECT 1 FROM dispute_resolutions`)).length).toBe(0);
  });
});
