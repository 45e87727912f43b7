import { Interface } from 'ethers';
import { describe, expect, it } from 'vitest';
import { parseAddress, parseBytes32 } from '@upstream/api-contract';
import {
  artifacts,
  decodeUpstreamEvent,
  EventDecodeError,
  UPSTREAM_EVENT_FIELDS,
  type IndexedEvent,
} from '@upstream/chain';

const splitter = new Interface(artifacts.RoyaltySplitter.abi);
const disputes = new Interface(artifacts.DisputeBonds.abi);

/** The field kind the decoder must use for an ABI type. */
const kindOf = (type: string): string =>
  type === 'bool'
    ? 'bool'
    : type === 'string'
      ? 'text'
      : type.endsWith('[]')
        ? kindOf(type.slice(0, -2)) + '[]'
        : type.startsWith('uint')
          ? 'uint'
          : 'hex';

function indexed(name: string, args: Record<string, unknown>): IndexedEvent {
  return {
    id: '1',
    name,
    address: parseAddress('0x' + '11'.repeat(20), 'address'),
    args,
    blockNumber: 7,
    blockHash: parseBytes32('0x' + '22'.repeat(32), 'blockHash'),
    txHash: parseBytes32('0x' + '33'.repeat(32), 'txHash'),
    logIndex: 0,
    blockTime: new Date(0),
  };
}

describe('typed contract events', () => {
  it.each(Object.keys(UPSTREAM_EVENT_FIELDS))(
    '%s: the declared fields are exactly the ABI event inputs, with matching kinds',
    (name) => {
      const fragment = splitter.getEvent(name) ?? disputes.getEvent(name);
      expect(fragment, `${name} is not a RoyaltySplitter or DisputeBonds event`).not.toBeNull();
      const fromAbi = Object.fromEntries(fragment!.inputs.map((input) => [input.name, kindOf(input.type)]));
      expect(UPSTREAM_EVENT_FIELDS[name as keyof typeof UPSTREAM_EVENT_FIELDS]).toEqual(fromAbi);
      for (const input of fragment!.inputs)
        expect([
          'address',
          'bytes32',
          'uint256',
          'uint64',
          'uint8',
          'uint16[]',
          'address[]',
          'bool',
          'string',
        ]).toContain(input.type);
    },
  );

  it('decodes integers to bigint and keeps hex as lowercase strings', () => {
    const event = decodeUpstreamEvent(
      'Claimed',
      indexed('Claimed', {
        account: '0x' + 'ab'.repeat(20),
        token: '0x' + 'cd'.repeat(20),
        epoch: '3',
        amount: '1000000000000000000000',
        cumulativeAmount: '2',
      }),
    );
    expect(event.args).toEqual({
      account: '0x' + 'ab'.repeat(20),
      token: '0x' + 'cd'.repeat(20),
      epoch: 3n,
      amount: 10n ** 21n,
      cumulativeAmount: 2n,
    });
    expect(event.blockNumber).toBe(7);
  });

  it('decodes a dispute’s booleans, text and lists', () => {
    const owner = '0x' + 'ab'.repeat(20);
    const event = decodeUpstreamEvent(
      'DisputeResolved',
      indexed('DisputeResolved', {
        disputeId: '4',
        datasetId: '0x' + 'dd'.repeat(32),
        upheld: true,
        resolver: '0x' + 'cd'.repeat(20),
        rightfulOwners: [owner],
        shareBps: ['10000'],
        bondRunId: '0x' + '00'.repeat(32),
      }),
    );
    expect(event.args).toMatchObject({ disputeId: 4n, upheld: true, rightfulOwners: [owner], shareBps: [10_000n] });
    const opened = {
      disputeId: '1',
      datasetId: '0x' + 'dd'.repeat(32),
      disputer: owner,
      label: '1',
      token: owner,
      bond: '5',
      evidenceHash: '0x' + 'ee'.repeat(32),
      evidenceUri: 'ipfs://x',
      claimedOwners: [owner],
    };
    expect(decodeUpstreamEvent('DisputeOpened', indexed('DisputeOpened', opened)).args.evidenceUri).toBe('ipfs://x');
    expect(() =>
      decodeUpstreamEvent('DisputeOpened', indexed('DisputeOpened', { ...opened, claimedOwners: ['0xAB'] })),
    ).toThrow(new EventDecodeError('DisputeOpened.claimedOwners[0]: 0xAB is not lowercase hex'));
    expect(() =>
      decodeUpstreamEvent('DisputeOpened', indexed('DisputeOpened', { ...opened, claimedOwners: owner })),
    ).toThrow(/DisputeOpened\.claimedOwners: .* is not a list/);
    expect(() => decodeUpstreamEvent('DisputeOpened', indexed('DisputeOpened', { ...opened, evidenceUri: 5 }))).toThrow(
      /evidenceUri: 5 is not text/,
    );
  });

  it('refuses stored arguments that do not fit their type, naming the field', () => {
    expect(() =>
      decodeUpstreamEvent('RootAccepted', indexed('RootAccepted', { epoch: '-1', root: '0x00', dataHash: '0x00' })),
    ).toThrow(new EventDecodeError('RootAccepted.epoch: -1 is not an unsigned integer'));
    expect(() =>
      decodeUpstreamEvent('RootAccepted', indexed('RootAccepted', { epoch: '1', root: '0xAB', dataHash: '0x00' })),
    ).toThrow(/RootAccepted\.root: 0xAB is not lowercase hex/);
    expect(() =>
      decodeUpstreamEvent('RootAccepted', indexed('RootAccepted', { epoch: '1', dataHash: '0x00' })),
    ).toThrow(/RootAccepted\.root: undefined/);
  });
});
