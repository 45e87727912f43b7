import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { AbiCoder, keccak256, toUtf8Bytes, TypedDataEncoder } from 'ethers';
import { describe, expect, it } from 'vitest';
import {
  buildBatchAnchorTree,
  buildContentTree,
  buildRunEntriesTree,
  canonicalJson,
  encodeContentLeaf,
  LICENSING_CHANGE_TYPES,
  TAKEDOWN_TYPES,
  takedownTypedData,
  licenseTerms,
  licenseTermsHash,
  licensingChangeTypedData,
  upstreamDomain,
  verifyBatchAnchorProof,
  verifyFileProof,
  verifyRunEntryProof,
} from '@upstream/provenance';

const h = (byte: string) => '0x' + byte.repeat(32);
const sha = 'ab'.repeat(32);
const token = '0x' + 'AB'.repeat(20);

describe('content leaves', () => {
  it('encode exactly abi.encode(string, uint256, bytes32) for paths of 0, 31, 32, 33 and multibyte lengths', () => {
    for (const path of ['a', 'x'.repeat(31), 'y'.repeat(32), 'z'.repeat(33), 'é/🙂', 'p'.repeat(64)])
      for (const size of [0n, 1n, (1n << 64n) - 1n]) {
        const entry = { path, size, sha256: sha };
        expect('0x' + encodeContentLeaf(entry).toString('hex')).toBe(
          AbiCoder.defaultAbiCoder().encode(['string', 'uint256', 'bytes32'], [path, size, '0x' + sha]),
        );
      }
  });

  it('prove a file by any spelling of its path and refuse what is not in the dataset', async () => {
    const tree = await buildContentTree([
      { path: 'a/b.txt', size: 1, sha256: sha },
      { path: 'c.txt', size: 2, sha256: sha },
    ]);
    const proof = tree.proof('a\\b.txt');
    expect(
      await verifyFileProof(tree.root, { path: 'a\\b.txt', size: 1, sha256: '0x' + sha.toUpperCase() }, proof),
    ).toBe(true);
    expect(await verifyFileProof(tree.root, { path: 'a/b.txt', size: 2, sha256: sha }, proof)).toBe(false);
    expect(await verifyFileProof(tree.root, { path: '../b.txt', size: 1, sha256: sha }, proof)).toBe(false);
    expect(await verifyFileProof(tree.root, { path: 'a/b.txt', size: 1, sha256: sha }, ['0x12'])).toBe(false);
    expect(() => tree.proof('nope.txt')).toThrow(expect.objectContaining({ code: 'ENTRY_NOT_FOUND', field: 'path' }));
    await expect(
      verifyFileProof(tree.root, { path: 'a/b.txt', size: 1, sha256: sha }, [null as never]),
    ).rejects.toThrow(TypeError);
  });
});

describe('run entries and batch anchors', () => {
  it('builds a run tree over lower-cased ids, sums weights, and finds proofs by any case', async () => {
    const entries = [
      { datasetId: h('AA'), weight: 3n },
      { datasetId: h('0b'), weight: (1n << 256n) - 1n },
      { datasetId: h('0c'), weight: 1n },
    ];
    const tree = await buildRunEntriesTree(entries);
    const oz = StandardMerkleTree.of(
      entries.map((e) => [e.datasetId.toLowerCase(), e.weight]),
      ['bytes32', 'uint256'],
    );
    expect(tree.root).toBe(oz.root);
    expect(tree.totalWeight).toBe((1n << 256n) + 3n);
    expect(tree.entries[0]).toEqual({ datasetId: h('aa'), weight: 3n });
    expect(tree.proof(h('aa'))).toEqual(oz.getProof(0));
    expect(tree.proof(h('0B'))).toEqual(oz.getProof(1));
    expect(await verifyRunEntryProof(tree.root, entries[0], tree.proof(h('AA')))).toBe(true);
    expect(await verifyRunEntryProof(tree.root, { datasetId: '0x12', weight: 1n }, [])).toBe(false);
    expect(await verifyRunEntryProof(tree.root, { datasetId: h('aa'), weight: -1n }, [])).toBe(false);
    expect(() => tree.proof(h('dd'))).toThrow(expect.objectContaining({ code: 'ENTRY_NOT_FOUND', field: 'datasetId' }));
  });

  it('refuses bad run entries by index', async () => {
    const bad = async (entries: { datasetId: string; weight: bigint }[], code: string, field: string) =>
      expect(buildRunEntriesTree(entries)).rejects.toMatchObject({ code, field });
    await bad([], 'EMPTY_DATASET', 'entries');
    await bad(
      [
        { datasetId: h('aa'), weight: 1n },
        { datasetId: h('aa') + '0', weight: 1n },
      ],
      'INVALID_FIELD',
      'entries[1].datasetId',
    );
    await bad([{ datasetId: ' ' + h('aa').slice(1), weight: 1n }], 'INVALID_FIELD', 'entries[0].datasetId');
    await bad([{ datasetId: h('aa'), weight: 0n }], 'INVALID_FIELD', 'entries[0].weight');
    await bad([{ datasetId: h('aa'), weight: 1n << 256n }], 'INVALID_FIELD', 'entries[0].weight');
    await bad([{ datasetId: h('aa'), weight: 1 as never }], 'INVALID_FIELD', 'entries[0].weight');
    await bad(
      [
        { datasetId: h('aa'), weight: 1n },
        { datasetId: h('AA'), weight: 2n },
      ],
      'INVALID_FIELD',
      'entries[1].datasetId',
    );
  });

  it('builds a batch tree over lower-cased digests and refuses repeats, bad items and empty batches', async () => {
    const items = [h('CD'), h('01'), h('ef')];
    const tree = await buildBatchAnchorTree(items);
    const oz = StandardMerkleTree.of(
      items.map((i) => [i.toLowerCase()]),
      ['bytes32'],
    );
    expect(tree.root).toBe(oz.root);
    expect(tree.items).toEqual([h('cd'), h('01'), h('ef')]);
    expect(tree.proof(h('cd'))).toEqual(oz.getProof(0));
    expect(await verifyBatchAnchorProof(tree.root, h('CD'), tree.proof(h('CD')))).toBe(true);
    expect(await verifyBatchAnchorProof(tree.root, '0x12', [])).toBe(false);
    expect(() => tree.proof(h('99'))).toThrow(expect.objectContaining({ code: 'ENTRY_NOT_FOUND', field: 'item' }));
    await expect(buildBatchAnchorTree([])).rejects.toMatchObject({ code: 'EMPTY_DATASET', field: 'items' });
    await expect(buildBatchAnchorTree([h('aa'), h('AA')])).rejects.toMatchObject({
      code: 'INVALID_FIELD',
      field: 'items',
    });
    await expect(buildBatchAnchorTree([h('aa'), h('aa') + '1'])).rejects.toMatchObject({
      code: 'INVALID_FIELD',
      field: 'items[1]',
    });
    await expect(buildBatchAnchorTree(['x' + h('aa')])).rejects.toMatchObject({ field: 'items[0]' });
  });
});

describe('license terms', () => {
  it('are exactly these documents, hashed as keccak256 of the canonical JSON', () => {
    const open = licenseTerms('open-training');
    expect(canonicalJson(open)).toBe(
      '{"attribution":true,"commercialUse":true,"fee":null,"redistribution":false,"template":"open-training","training":true,"version":1}',
    );
    expect(licenseTermsHash(open)).toBe(keccak256(toUtf8Bytes(canonicalJson(open))));
    expect(licenseTerms('research-only')).toEqual({ ...open, template: 'research-only', commercialUse: false });
    expect(licenseTerms('paid-per-run', { token, amount: 5n }, { durationDays: 7 })).toEqual({
      ...open,
      template: 'paid-per-run',
      fee: { kind: 'per-run', token: token.toLowerCase(), amount: '5' },
      durationDays: 7,
    });
  });

  it('refuses a paid template without a good fee, unknown templates and bad durations, naming the field', () => {
    const refuses = (fn: () => unknown, field: string) =>
      expect(fn).toThrow(expect.objectContaining({ code: 'INVALID_TEMPLATE', field }));
    refuses(() => licenseTerms('paid-per-run', undefined as never), 'fee.token');
    refuses(() => licenseTerms('paid-per-run', { token: token + '0', amount: 1n }), 'fee.token');
    refuses(() => licenseTerms('paid-per-run', { token: 'x' + token, amount: 1n }), 'fee.token');
    refuses(() => licenseTerms('paid-per-run', { token, amount: 0n }), 'fee.amount');
    refuses(() => licenseTerms('paid-per-run', { token, amount: 1 as never }), 'fee.amount');
    refuses(() => licenseTerms('free-for-all' as never), 'template');
    refuses(() => licenseTerms('open-training', { durationDays: 0 }), 'durationDays');
    refuses(() => licenseTerms('open-training', { durationDays: 3651 }), 'durationDays');
    refuses(() => licenseTerms('open-training', { durationDays: 1.5 }), 'durationDays');
    refuses(() => licenseTerms('open-training', { durationDays: '7' as never }), 'durationDays');
  });

  it('serialises canonically: sorted keys, no undefined, bigints as strings, and refuses what has no canonical form', () => {
    expect(canonicalJson({ b: [1, 'x', null, true], a: 2n, c: undefined, d: { z: false, y: -3 } })).toBe(
      '{"a":"2","b":[1,"x",null,true],"d":{"y":-3,"z":false}}',
    );
    expect(() => canonicalJson({ a: 2 ** 53 })).toThrow(
      expect.objectContaining({ code: 'INVALID_FIELD', field: 'terms' }),
    );
    expect(() => canonicalJson({ a: 0.5 })).toThrow(expect.objectContaining({ code: 'INVALID_FIELD' }));
    expect(() => canonicalJson(new Date(0))).toThrow(
      expect.objectContaining({ code: 'INVALID_FIELD', field: 'terms' }),
    );
    expect(() => canonicalJson(undefined)).toThrow(expect.objectContaining({ code: 'INVALID_FIELD' }));
    expect(() => canonicalJson(() => 1)).toThrow(expect.objectContaining({ code: 'INVALID_FIELD' }));
  });
});

describe('LicensingChange (EIP-712)', () => {
  it('has exactly this type and digest', () => {
    expect(TypedDataEncoder.from(LICENSING_CHANGE_TYPES).encodeType('LicensingChange')).toBe(
      'LicensingChange(bytes32 datasetId,bool open,uint256 nonce,uint256 deadline)',
    );
    const domain = upstreamDomain(1n, '0x5FbDB2315678afecb367f032d93F642f64180aa3');
    const message = { datasetId: h('aa'), open: false, nonce: 1n, deadline: 2n };
    const td = licensingChangeTypedData(domain, message);
    expect(td).toEqual({
      domain,
      types: LICENSING_CHANGE_TYPES,
      primaryType: 'LicensingChange',
      message,
      digest: TypedDataEncoder.hash(domain, LICENSING_CHANGE_TYPES, message),
    });
  });
});

describe('Takedown (EIP-712)', () => {
  it('has exactly this type and digest', () => {
    expect(TypedDataEncoder.from(TAKEDOWN_TYPES).encodeType('Takedown')).toBe(
      'Takedown(bytes32 datasetId,string reason,bool deleteBytes,uint256 nonce,uint256 deadline)',
    );
    const domain = upstreamDomain(1n, '0x5FbDB2315678afecb367f032d93F642f64180aa3');
    const message = { datasetId: h('aa'), reason: 'consent withdrawn', deleteBytes: true, nonce: 1n, deadline: 2n };
    const td = takedownTypedData(domain, message);
    expect(td).toEqual({
      domain,
      types: TAKEDOWN_TYPES,
      primaryType: 'Takedown',
      message,
      digest: TypedDataEncoder.hash(domain, TAKEDOWN_TYPES, message),
    });
    // The reason is signed: another reason is another digest.
    expect(takedownTypedData(domain, { ...message, reason: 'other' }).digest).not.toBe(td.digest);
  });
});
