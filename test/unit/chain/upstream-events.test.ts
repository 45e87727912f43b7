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
      const fragment = splitter.getEvent(name);
      expect(fragment, `${name} is not a RoyaltySplitter event`).not.toBeNull();
      const fromAbi = Object.fromEntries(
        fragment!.inputs.map((input) => [input.name, input.type.startsWith('uint') ? 'uint' : 'hex']),
      );
      expect(UPSTREAM_EVENT_FIELDS[name as keyof typeof UPSTREAM_EVENT_FIELDS]).toEqual(fromAbi);
      for (const input of fragment!.inputs) expect(['address', 'bytes32', 'uint256', 'uint64']).toContain(input.type);
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
