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
}

export type UpstreamEventName = keyof UpstreamEventArgs;

/** An indexed event with its arguments typed. */
export type UpstreamEvent<N extends UpstreamEventName> = Omit<IndexedEvent, 'name' | 'args'> & {
  name: N;
  args: UpstreamEventArgs[N];
};

type FieldKind = 'uint' | 'hex';

/** Each event's fields and how they decode: the single list the decoder and the ABI check share. */
export const UPSTREAM_EVENT_FIELDS: { [N in UpstreamEventName]: { [F in keyof UpstreamEventArgs[N]]: FieldKind } } = {
  RunPaid: { runId: 'hex', token: 'hex', payer: 'hex', amount: 'uint', fee: 'uint', net: 'uint' },
  RootProposed: { epoch: 'uint', root: 'hex', dataHash: 'hex', claimableAt: 'uint' },
  RootAccepted: { epoch: 'uint', root: 'hex', dataHash: 'hex' },
  RootVetoed: { epoch: 'uint', root: 'hex', guardian: 'hex' },
  RootWithdrawn: { epoch: 'uint', root: 'hex', operator: 'hex' },
  Claimed: { account: 'hex', token: 'hex', epoch: 'uint', amount: 'uint', cumulativeAmount: 'uint' },
};

export class EventDecodeError extends Error {
  override readonly name = 'EventDecodeError';
}

/** Types an indexed event's stored arguments (decimal strings and hex) as UpstreamEventArgs. */
export function decodeUpstreamEvent<N extends UpstreamEventName>(name: N, event: IndexedEvent): UpstreamEvent<N> {
  const fields = UPSTREAM_EVENT_FIELDS[name] as Record<string, FieldKind>;
  const args: Record<string, bigint | string> = {};
  for (const [field, kind] of Object.entries(fields)) {
    const value = event.args[field];
    if (kind === 'uint') {
      if (typeof value !== 'string' || !/^\d+$/.test(value))
        throw new EventDecodeError(`${name}.${field}: ${String(value)} is not an unsigned integer`);
      args[field] = BigInt(value);
    } else {
      if (typeof value !== 'string' || !/^0x[0-9a-f]*$/.test(value))
        throw new EventDecodeError(`${name}.${field}: ${String(value)} is not lowercase hex`);
      args[field] = value;
    }
  }
  return { ...event, name, args: args as unknown as UpstreamEventArgs[N] };
}
