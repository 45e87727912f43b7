// The contract events the service acts on, decoded once into typed values: integers as bigint,
// addresses and hashes as lowercase 0x-hex. The field lists are checked against the ABIs in a
// unit test (test/unit/chain/upstream-events.test.ts), so a contract change cannot drift silently.
import type { Address, Bytes32 } from '@upstream/api-contract';
import type { IndexedEvent } from './chain-indexer';

/** Hex fields are lowercase (checked by the decoder); the ABI check pins each to an address or a bytes32. */
export interface UpstreamEventArgs {
  RunPaid: { runId: Bytes32; token: Address; payer: Address; amount: bigint; fee: bigint; net: bigint };
  RootProposed: { epoch: bigint; root: Bytes32; dataHash: Bytes32; claimableAt: bigint };
  RootAccepted: { epoch: bigint; root: Bytes32; dataHash: Bytes32 };
  RootVetoed: { epoch: bigint; root: Bytes32; guardian: Address };
  RootWithdrawn: { epoch: bigint; root: Bytes32; operator: Address };
  Claimed: { account: Address; token: Address; epoch: bigint; amount: bigint; cumulativeAmount: bigint };
  DisputeOpened: {
    disputeId: bigint;
    datasetId: Bytes32;
    disputer: Address;
    /** IDisputeBonds.Label: 0 IMPROPER_REGISTRATION, 1 INFRINGEMENT, 2 IMPROPER_USAGE, 3 IMPROPER_PAYMENT. */
    label: bigint;
    token: Address;
    bond: bigint;
    evidenceHash: Bytes32;
    evidenceUri: string;
    claimedOwners: Address[];
  };
  DisputeResolved: {
    disputeId: bigint;
    datasetId: Bytes32;
    upheld: boolean;
    resolver: Address;
    rightfulOwners: Address[];
    shareBps: bigint[];
    bondRunId: Bytes32;
  };
}

export type UpstreamEventName = keyof UpstreamEventArgs;

/** An indexed event with its arguments typed. */
export type UpstreamEvent<N extends UpstreamEventName> = Omit<IndexedEvent, 'name' | 'args'> & {
  name: N;
  args: UpstreamEventArgs[N];
};

type FieldKind = 'uint' | 'hex' | 'bool' | 'text' | 'uint[]' | 'hex[]';

/** Each event's fields and how they decode: the single list the decoder and the ABI check share. */
export const UPSTREAM_EVENT_FIELDS: { [N in UpstreamEventName]: { [F in keyof UpstreamEventArgs[N]]: FieldKind } } = {
  RunPaid: { runId: 'hex', token: 'hex', payer: 'hex', amount: 'uint', fee: 'uint', net: 'uint' },
  RootProposed: { epoch: 'uint', root: 'hex', dataHash: 'hex', claimableAt: 'uint' },
  RootAccepted: { epoch: 'uint', root: 'hex', dataHash: 'hex' },
  RootVetoed: { epoch: 'uint', root: 'hex', guardian: 'hex' },
  RootWithdrawn: { epoch: 'uint', root: 'hex', operator: 'hex' },
  Claimed: { account: 'hex', token: 'hex', epoch: 'uint', amount: 'uint', cumulativeAmount: 'uint' },
  DisputeOpened: {
    disputeId: 'uint',
    datasetId: 'hex',
    disputer: 'hex',
    label: 'uint',
    token: 'hex',
    bond: 'uint',
    evidenceHash: 'hex',
    evidenceUri: 'text',
    claimedOwners: 'hex[]',
  },
  DisputeResolved: {
    disputeId: 'uint',
    datasetId: 'hex',
    upheld: 'bool',
    resolver: 'hex',
    rightfulOwners: 'hex[]',
    shareBps: 'uint[]',
    bondRunId: 'hex',
  },
};

export class EventDecodeError extends Error {
  override readonly name = 'EventDecodeError';
}

/** Types an indexed event's stored arguments (decimal strings, hex, booleans, text, lists) as UpstreamEventArgs. */
export function decodeUpstreamEvent<N extends UpstreamEventName>(name: N, event: IndexedEvent): UpstreamEvent<N> {
  const fields = UPSTREAM_EVENT_FIELDS[name] as Record<string, FieldKind>;
  const args: Record<string, unknown> = {};
  for (const [field, kind] of Object.entries(fields)) {
    const value = event.args[field];
    const at = `${name}.${field}`;
    if (kind === 'uint[]' || kind === 'hex[]') {
      if (!Array.isArray(value)) throw new EventDecodeError(`${at}: ${String(value)} is not a list`);
      const item = kind === 'uint[]' ? 'uint' : 'hex';
      args[field] = value.map((v: unknown, i) => decodeField(item, v, `${at}[${i}]`));
    } else args[field] = decodeField(kind, value, at);
  }
  return { ...event, name, args: args as unknown as UpstreamEventArgs[N] };
}

function decodeField(
  kind: Exclude<FieldKind, 'uint[]' | 'hex[]'>,
  value: unknown,
  at: string,
): bigint | string | boolean {
  switch (kind) {
    case 'uint':
      if (typeof value !== 'string' || !/^\d+$/.test(value))
        throw new EventDecodeError(`${at}: ${String(value)} is not an unsigned integer`);
      return BigInt(value);
    case 'hex':
      if (typeof value !== 'string' || !/^0x[0-9a-f]*$/.test(value))
        throw new EventDecodeError(`${at}: ${String(value)} is not lowercase hex`);
      return value;
    case 'bool':
      if (typeof value !== 'boolean') throw new EventDecodeError(`${at}: ${String(value)} is not a boolean`);
      return value;
    case 'text':
      if (typeof value !== 'string') throw new EventDecodeError(`${at}: ${String(value)} is not text`);
      return value;
  }
}
