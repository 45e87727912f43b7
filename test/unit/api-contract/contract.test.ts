import { describe, expect, it } from 'vitest';
import type {
  ChainInfo,
  CreateDatasetRequest,
  CreateLicenseRequest,
  CreateRunRequest,
  MissingBlobs,
  MissingBlobsRequest,
  RunEntriesChunk,
  SetLicensingRequest,
  StoredBlob,
  Unparsed,
} from '@upstream/api-contract';
import { ROUTES, SHAPES, keysOf, routeUrl } from '@upstream/api-contract';
import type { ChainInfoDto } from '../../../apps/api/src/chain/chain.controller';
import type {
  BlobResponseDto,
  MissingBlobsRequestDto,
  MissingBlobsResponseDto,
} from '../../../apps/api/src/contributions/blobs/blobs.dto';
import type { CreateDatasetDto } from '../../../apps/api/src/contributions/datasets/dto/create-dataset.dto';
import type { CreateLicenseDto, SetLicensingDto } from '../../../apps/api/src/licenses/dto/create-license.dto';
import type { CreateRunDto, RunEntriesChunkDto } from '../../../apps/api/src/runs/dto/create-run.dto';

// Response DTOs `implements` their contract type. These DTOs do not (yet): the compiler checks here
// that they have the same keys and that what the contract describes is what the DTO accepts.
type Is<T extends true> = T;
type SameKeys<A, B> = [Exclude<keyof A, keyof B> | Exclude<keyof B, keyof A>] extends [never] ? true : false;
// DTO fields parsed into Address/Bytes32/Sha256 are strings on the wire (`Unparsed`).
type Accepts<Dto, Contract> = Contract extends Unparsed<Dto> ? true : false;
export type DtoChecks = [
  Is<SameKeys<ChainInfoDto, ChainInfo>>,
  Is<Accepts<ChainInfoDto, ChainInfo>>,
  Is<SameKeys<BlobResponseDto, StoredBlob>>,
  Is<Accepts<BlobResponseDto, StoredBlob>>,
  Is<SameKeys<MissingBlobsResponseDto, MissingBlobs>>,
  Is<SameKeys<MissingBlobsRequestDto, MissingBlobsRequest>>,
  Is<Accepts<MissingBlobsRequestDto, MissingBlobsRequest>>,
  Is<SameKeys<CreateDatasetDto, CreateDatasetRequest>>,
  Is<Accepts<CreateDatasetDto, CreateDatasetRequest>>,
  Is<SameKeys<CreateLicenseDto, CreateLicenseRequest>>,
  Is<Accepts<CreateLicenseDto, CreateLicenseRequest>>,
  Is<SameKeys<SetLicensingDto, SetLicensingRequest>>,
  Is<Accepts<SetLicensingDto, SetLicensingRequest>>,
  Is<SameKeys<CreateRunDto, CreateRunRequest>>,
  Is<Accepts<CreateRunDto, CreateRunRequest>>,
  Is<SameKeys<RunEntriesChunkDto, RunEntriesChunk>>,
  Is<Accepts<RunEntriesChunkDto, RunEntriesChunk>>,
];

describe('routeUrl', () => {
  it('fills path parameters and writes the query, leaving out what is undefined', () => {
    expect(routeUrl('getEpoch', { params: { epoch: 3 } })).toBe('/epochs/3');
    expect(routeUrl('getRunProvenance', { params: { id: 'abc' }, query: { limit: '100', offset: 0 } })).toBe(
      '/runs/abc/provenance?limit=100&offset=0',
    );
    expect(routeUrl('getRunPayment', { params: { id: '0x01' }, query: { amount: '5', token: undefined } })).toBe(
      '/runs/0x01/payment?amount=5',
    );
    expect(routeUrl('getChain')).toBe('/chain');
  });

  it('encodes parameters and query values', () => {
    expect(routeUrl('getDataset', { params: { id: 'a/b c' } })).toBe('/datasets/a%2Fb%20c');
    expect(routeUrl('listDatasetFiles', { params: { id: 'x' }, query: { limit: 500, cursor: 'dir/a b+c' } })).toBe(
      '/datasets/x/files?limit=500&cursor=dir%2Fa+b%2Bc',
    );
  });

  it('refuses a missing path parameter, naming it', () => {
    expect(() => routeUrl('getEpoch', { params: {} })).toThrow('getEpoch: path parameter epoch is missing');
  });
});

describe('the route table', () => {
  it('names only contract types that have a shape', () => {
    const named = Object.values(ROUTES).flatMap((r) =>
      ['query', 'body', 'response'].map((k) => (r as Record<string, unknown>)[k]).filter(Boolean),
    );
    expect(named.filter((n) => !(String(n) in SHAPES))).toEqual([]);
  });

  it('has one entry per method and path', () => {
    const keys = Object.values(ROUTES).map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('keeps nested references to known types', () => {
    const refs = Object.values(SHAPES).flatMap((s) =>
      typeof s === 'string' ? [] : (Object.values(s) as unknown[]).filter((f): f is string => typeof f === 'string'),
    );
    expect(refs.filter((r) => !(r in SHAPES))).toEqual([]);
    expect(keysOf(SHAPES.ChainInfo)).toContain('eip712Domain');
  });
});
