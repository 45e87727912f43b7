import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { AbiCoder, Wallet } from 'ethers';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildBatchAnchorTree,
  buildContentTree,
  buildRunEntriesTree,
  canonicalEntries,
  canonicalJson,
  decodeFileName,
  encodeContentLeaf,
  licenseTerms,
  normalizeFileEntry,
  ProvenanceError,
  ProvenanceValidationError,
  validateContribution,
  validateDomain,
  validateLicenseAcceptance,
  validateTrainingRun,
  verifyBatchAnchorProof,
  verifyRunEntryProof,
  type ContributionMessage,
  type LicenseAcceptanceMessage,
  type TrainingRunMessage,
  type UpstreamDomain,
} from '@upstream/provenance';
import { listPath, Sha256PassThrough, sha256File, sha256Stream } from '@upstream/provenance/node';

// Every refusal of libs/provenance with its code, field and exact reason: the words a CLI user or an
// API client reads are part of the contract, so a change to them is a change to the rules.
const h = (byte: string) => '0x' + byte.repeat(32);
const sha = 'ab'.repeat(32);
const now = 1_800_000_000n;
const opts = { nowSeconds: now };
const alice = new Wallet('0x' + '01'.repeat(32)).address;
const refusal = (code: string, field: string | undefined, reason: string) =>
  expect.objectContaining({ name: 'ProvenanceError', code, field, reason });

describe('file entries and datasets', () => {
  it('says which field of which file is wrong', () => {
    expect(() => normalizeFileEntry({ path: 'a/b', size: 'x', sha256: sha })).toThrow(
      refusal('INVALID_ENTRY', 'size', 'size of a/b is not an integer'),
    );
    expect(() => normalizeFileEntry({ path: 'a/b', size: -1n, sha256: sha })).toThrow(
      refusal('INVALID_ENTRY', 'size', 'size of a/b must be 0..2^64-1'),
    );
    expect(() => normalizeFileEntry({ path: 'a/b', size: 1, sha256: 'zz' })).toThrow(
      refusal('INVALID_ENTRY', 'sha256', 'sha256 of a/b must be 64 hex digits'),
    );
    expect(() => canonicalEntries([])).toThrow(
      refusal('EMPTY_DATASET', 'entries', 'a dataset needs at least one file'),
    );
    expect(() =>
      canonicalEntries([
        { path: 'x/y', size: 1, sha256: sha },
        { path: 'x\\y', size: 1, sha256: sha },
      ]),
    ).toThrow(refusal('DUPLICATE_PATH', 'path', 'two files have the path "x/y"'));
  });

  it('shows bytes that are not UTF-8 as \\xNN, with or without the folder', () => {
    expect(() => decodeFileName(Buffer.from([0x61, 0xff, 0x62]))).toThrow(
      refusal('INVALID_PATH', 'path', 'path "a\\xffb" is not valid UTF-8: rename the file'),
    );
    // A cut-off sequence at the end, and a bad byte before a good multibyte character.
    expect(() => decodeFileName(Buffer.from([0xc3, 0xa9, 0xe2, 0x82]), 'd/')).toThrow(
      refusal('INVALID_PATH', 'path', 'path "d/é\\xe2\\x82" is not valid UTF-8: rename the file'),
    );
    expect(() => decodeFileName(Buffer.from([0x80, 0xc3, 0xa9, 0x0a]))).toThrow(
      refusal('INVALID_PATH', 'path', 'path "\\x80é\\u000a" is not valid UTF-8: rename the file'),
    );
  });

  it('encodes a content leaf size as a full uint256 word', () => {
    const size = (1n << 256n) - 2n;
    expect('0x' + encodeContentLeaf({ path: 'a', size, sha256: sha }).toString('hex')).toBe(
      AbiCoder.defaultAbiCoder().encode(['string', 'uint256', 'bytes32'], ['a', size, '0x' + sha]),
    );
  });

  it('names the missing file of a content tree', async () => {
    const tree = await buildContentTree([{ path: 'a', size: 1, sha256: sha }]);
    expect(() => tree.proof('b\\c')).toThrow(refusal('ENTRY_NOT_FOUND', 'path', 'no file "b\\\\c" in this dataset'));
  });
});

describe('run entries and batch anchors', () => {
  it('refuses each bad run entry by index and reason', async () => {
    await expect(buildRunEntriesTree([])).rejects.toEqual(
      refusal('EMPTY_DATASET', 'entries', 'a training run needs at least one entry'),
    );
    for (const datasetId of ['zz' + h('aa'), { toString: () => h('aa') }, h('aa') + '0'])
      await expect(buildRunEntriesTree([{ datasetId: datasetId as string, weight: 1n }])).rejects.toEqual(
        refusal('INVALID_FIELD', 'entries[0].datasetId', 'must be 0x followed by 64 hex digits'),
      );
    await expect(
      buildRunEntriesTree([
        { datasetId: h('aa'), weight: 1n },
        { datasetId: h('AA'), weight: 2n },
      ]),
    ).rejects.toEqual(refusal('INVALID_FIELD', 'entries[1].datasetId', `dataset ${h('aa')} is listed twice`));
    const tree = await buildRunEntriesTree([{ datasetId: h('aa'), weight: 1n }]);
    expect(() => tree.proof(h('bb'))).toThrow(
      refusal('ENTRY_NOT_FOUND', 'datasetId', `dataset ${h('bb')} is not in this run`),
    );
  });

  it('checks a run entry proof against the entry it is given', async () => {
    const entries = [1, 2, 3].map((n) => ({ datasetId: h(`0${n}`), weight: BigInt(n) }));
    const tree = await buildRunEntriesTree(entries);
    for (const [i, entry] of entries.entries()) {
      const proof = tree.proof(entry.datasetId);
      expect(await verifyRunEntryProof(tree.root, entry, proof)).toBe(true);
      expect(await verifyRunEntryProof(tree.root, entries[(i + 1) % 3], proof)).toBe(false);
      expect(await verifyRunEntryProof(tree.root, { ...entry, datasetId: '0x12' }, proof)).toBe(false);
    }
  });

  it('refuses each bad batch by reason, and checks proofs against the item given', async () => {
    await expect(buildBatchAnchorTree([])).rejects.toEqual(
      refusal('EMPTY_DATASET', 'items', 'a batch needs at least one item'),
    );
    await expect(buildBatchAnchorTree([h('aa'), { toString: () => h('bb') } as never])).rejects.toEqual(
      refusal('INVALID_FIELD', 'items[1]', 'must be 0x followed by 64 hex digits'),
    );
    await expect(buildBatchAnchorTree([h('aa'), h('AA')])).rejects.toEqual(
      refusal('INVALID_FIELD', 'items', 'an item appears twice'),
    );
    const items = [h('01'), h('02'), h('03')];
    const tree = await buildBatchAnchorTree(items);
    expect(() => tree.proof(h('04'))).toThrow(refusal('ENTRY_NOT_FOUND', 'item', `${h('04')} is not in this batch`));
    for (const [i, item] of items.entries()) {
      const proof = tree.proof(item);
      expect(await verifyBatchAnchorProof(tree.root, item, proof)).toBe(true);
      expect(await verifyBatchAnchorProof(tree.root, items[(i + 1) % 3], proof)).toBe(false);
      expect(await verifyBatchAnchorProof(tree.root, '0x12', proof)).toBe(false);
    }
  });
});

describe('license terms', () => {
  const token = '0x' + 'ab'.repeat(20);
  it('says what is wrong with a template, its fee or its duration', () => {
    expect(() => licenseTerms('paid-per-run', { token: '0x12', amount: 1n })).toThrow(
      refusal('INVALID_TEMPLATE', 'fee.token', 'paid-per-run needs a fee token address'),
    );
    expect(() => licenseTerms('paid-per-run', { token, amount: 0n })).toThrow(
      refusal('INVALID_TEMPLATE', 'fee.amount', 'paid-per-run needs a positive fee amount'),
    );
    expect(() => licenseTerms('nope' as 'open-training')).toThrow(
      refusal('INVALID_TEMPLATE', 'template', 'unknown license template "nope"'),
    );
    expect(() => licenseTerms('open-training', { durationDays: 0 })).toThrow(
      refusal('INVALID_TEMPLATE', 'durationDays', 'durationDays must be an integer from 1 to 3650'),
    );
    expect(() => canonicalJson({ a: 1.5 })).toThrow(
      refusal('INVALID_FIELD', 'terms', '1.5 is not a safe integer; use a decimal string'),
    );
    expect(() => canonicalJson({ a: new Date(0) })).toThrow(
      refusal('INVALID_FIELD', 'terms', 'cannot serialize a object canonically'),
    );
  });
});

describe('signed messages: every reason, and no crash on missing parts', () => {
  const contribution = (over: Partial<ContributionMessage> = {}): ContributionMessage => ({
    contentRoot: h('aa'),
    owners: [{ account: alice, shareBps: 10_000 }],
    parents: [],
    licenseTermsHash: h('cc'),
    nonce: 0n,
    deadline: now + 1n,
    ...over,
  });

  it('gives each refusal of a Contribution its reason', () => {
    expect(validateContribution(contribution({ contentRoot: '0x12' }), opts)).toEqual([
      { field: 'contentRoot', reason: 'must be 0x followed by 64 hex digits' },
    ]);
    expect(validateContribution(contribution({ owners: [] }), opts)).toEqual([
      { field: 'owners', reason: 'must list at least one owner' },
    ]);
    expect(validateContribution(contribution({ owners: [{ account: alice, shareBps: 4_000 }] }), opts)).toEqual([
      { field: 'owners', reason: 'shareBps must sum to 10000, got 4000' },
    ]);
    const bob = '0x' + '0b'.repeat(20);
    expect(
      validateContribution(
        contribution({
          owners: [
            { account: bob, shareBps: 5_000 },
            { account: bob.toUpperCase().replace('0X', '0x'), shareBps: 4_000 },
          ],
        }),
        opts,
      ),
    ).toEqual([{ field: 'owners[1].account', reason: 'duplicates owners[0].account' }]);
    // A bad or zero account is one error each, never also a duplicate of another bad one.
    for (const [account, reason] of [
      ['0x1234', 'must be a 0x address (40 hex digits, valid EIP-55 checksum if mixed case)'],
      ['0x' + '0'.repeat(40), 'must not be the zero address'],
    ])
      expect(
        validateContribution(
          contribution({
            owners: [
              { account, shareBps: 5_000 },
              { account, shareBps: 5_000 },
            ],
          }),
          opts,
        ),
      ).toEqual([
        { field: 'owners[0].account', reason },
        { field: 'owners[1].account', reason },
      ]);
    expect(validateContribution(contribution({ owners: [{ account: alice, shareBps: 0 }] }), opts)).toEqual([
      { field: 'owners[0].shareBps', reason: 'must be an integer 1..10000 (basis points)' },
    ]);
    expect(validateContribution(contribution({ parents: {} as never }), opts)).toEqual([
      { field: 'parents', reason: 'must be a list (empty when the dataset has no parents)' },
    ]);
    expect(
      validateContribution(
        contribution({
          parents: [
            { datasetId: h('bb'), upstreamBps: 6_000 },
            { datasetId: h('BB'), upstreamBps: 5_000 },
            { datasetId: h('AA'), upstreamBps: 0 },
          ],
        }),
        opts,
      ),
    ).toEqual([
      { field: 'parents[1].datasetId', reason: 'duplicates parents[0].datasetId' },
      { field: 'parents[2].datasetId', reason: 'a dataset cannot be its own parent' },
      { field: 'parents', reason: 'upstreamBps must sum to at most 10000, got 11000' },
    ]);
    expect(validateContribution(contribution({ deadline: now }), opts)).toEqual([
      { field: 'deadline', reason: 'must be in the future' },
    ]);
    expect(validateContribution(contribution({ deadline: 'soon' as never }), opts)).toEqual([
      { field: 'deadline', reason: 'must be an unsigned 256-bit integer' },
    ]);
    // Only whole decimal or 0x-hex strings are numbers: "x5" is refused, not a crash in BigInt().
    expect(validateContribution(contribution({ nonce: 'x5' as never }), opts)).toEqual([
      { field: 'nonce', reason: 'must be an unsigned 256-bit integer' },
    ]);
  });

  it('names missing parts instead of crashing on them', () => {
    expect(validateContribution(undefined as never, opts).map((e) => e.field)).toEqual([
      'contentRoot',
      'owners',
      'parents',
      'licenseTermsHash',
      'nonce',
      'deadline',
    ]);
    expect(
      validateContribution(
        contribution({ metadataHash: '0x12', owners: [null as never], parents: [null as never] }),
        opts,
      ),
    ).toEqual([
      { field: 'metadataHash', reason: 'must be 0x followed by 64 hex digits' },
      {
        field: 'owners[0].account',
        reason: 'must be a 0x address (40 hex digits, valid EIP-55 checksum if mixed case)',
      },
      { field: 'owners[0].shareBps', reason: 'must be an integer 1..10000 (basis points)' },
      { field: 'parents[0].datasetId', reason: 'must be 0x followed by 64 hex digits' },
      { field: 'parents[0].upstreamBps', reason: 'must be an integer 0..10000 (basis points)' },
    ]);
    expect(
      validateContribution(
        contribution({
          contentRoot: undefined as never,
          parents: [{ upstreamBps: 1 } as never, { datasetId: h('bb'), upstreamBps: 1 }],
        }),
        opts,
      ).map((e) => e.field),
    ).toEqual(['contentRoot', 'parents[0].datasetId']);
    expect(validateTrainingRun(undefined as never, opts).map((e) => e.field)).toEqual([
      'runRef',
      'modelName',
      'modelHash',
      'entriesRoot',
      'entryCount',
      'weightUnit',
      'startedAt',
      'endedAt',
      'nonce',
      'deadline',
    ]);
    expect(validateLicenseAcceptance(undefined as never, opts).map((e) => e.field)).toEqual([
      'datasetId',
      'termsHash',
      'licensee',
      'nonce',
      'deadline',
    ]);
  });

  it('gives each refusal of a TrainingRun and of the domain its reason', () => {
    const run: TrainingRunMessage = {
      runRef: h('01'),
      modelName: '',
      modelHash: h('02'),
      entriesRoot: h('03'),
      entryCount: 0n,
      weightUnit: 'x'.repeat(33),
      startedAt: 1n << 64n,
      endedAt: 5n,
      nonce: 1n,
      deadline: now + 1n,
    };
    expect(validateTrainingRun(run, opts)).toEqual([
      { field: 'modelName', reason: 'must be a non-empty string of at most 256 characters' },
      { field: 'entryCount', reason: 'a run must use at least one dataset' },
      { field: 'weightUnit', reason: 'must be a non-empty string of at most 32 characters' },
      { field: 'startedAt', reason: 'must be an integer 0..18446744073709551615' },
    ]);
    const acceptance: LicenseAcceptanceMessage = {
      datasetId: h('aa'),
      termsHash: h('bb'),
      licensee: '0x' + '0'.repeat(40),
      nonce: 1n,
      deadline: now + 1n,
    };
    expect(validateLicenseAcceptance(acceptance, opts)).toEqual([
      { field: 'licensee', reason: 'must not be the zero address' },
    ]);
    expect(
      validateDomain({ name: 'x', version: '2', chainId: 1, verifyingContract: alice } as unknown as UpstreamDomain),
    ).toEqual([
      { field: 'domain.name', reason: 'must be "Upstream"' },
      { field: 'domain.version', reason: 'must be "1"' },
    ]);
  });

  it('throws all field errors at once, named by the first', () => {
    const error = new ProvenanceValidationError([
      { field: 'a', reason: 'is bad' },
      { field: 'b', reason: 'is worse' },
    ]);
    expect(error).toBeInstanceOf(ProvenanceError);
    expect(error).toMatchObject({ name: 'ProvenanceValidationError', code: 'INVALID_FIELD', field: 'a' });
    expect(error.message).toBe('INVALID_FIELD a: a: is bad; b: is worse');
    expect(new ProvenanceValidationError([]).message).toBe('INVALID_FIELD: ');
    expect(new ProvenanceError('EMPTY_DATASET', 'nothing').message).toBe('EMPTY_DATASET: nothing');
  });
});

describe('files on disk', () => {
  const root = mkdtempSync(join(tmpdir(), 'upstream-refusals-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const folder = (name: string) => {
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    return dir;
  };

  it('refuses symlinks, FIFOs, bad names and empty folders by path and reason when listing', async () => {
    const dir = folder('refused');
    writeFileSync(join(dir, 'real.txt'), 'x');
    symlinkSync(join(dir, 'real.txt'), join(dir, 'link.txt'));
    await expect(listPath(dir)).rejects.toEqual(
      refusal(
        'SYMLINK_REFUSED',
        'path',
        `"${join(dir, 'link.txt')}" is a symbolic link; symlinks are not followed — copy the target in instead`,
      ),
    );
    const fifo = join(folder('fifo'), 'pipe');
    execFileSync('mkfifo', [fifo]);
    await expect(listPath(fifo)).rejects.toEqual(
      refusal('UNSUPPORTED_FILE_TYPE', 'path', `"${fifo}" is not a regular file or directory`),
    );
    const bad = folder('bad-name');
    writeFileSync(join(bad, 'zero\u200bwidth.txt'), 'x');
    await expect(listPath(bad)).rejects.toEqual(
      refusal('INVALID_PATH', 'path', 'path "zero\\u200bwidth.txt" contains the format character U+200B'),
    );
    const empty = folder('empty/deeper');
    await expect(listPath(empty)).rejects.toEqual(refusal('EMPTY_DATASET', 'path', `"${empty}" contains no files`));
  });

  it('streams a file in 1 MiB reads and counts bytes, not characters, of text chunks', async () => {
    const file = join(folder('big'), 'three-mib.bin');
    writeFileSync(file, Buffer.alloc(3 << 20, 7));
    const seen: bigint[] = [];
    expect((await sha256File(file, (n) => seen.push(n))).size).toBe(3n << 20n);
    expect(seen).toEqual([1n << 20n, 2n << 20n, 3n << 20n]);
    async function* chunks() {
      yield 'é';
      yield Buffer.from('é');
    }
    expect(await sha256Stream(chunks())).toEqual({
      size: 4n,
      sha256: createHash('sha256')
        .update(Buffer.from([0xc3, 0xa9, 0xc3, 0xa9]))
        .digest('hex'),
    });
  });

  it('rejects done when the stream fails, and leaves no unhandled rejection when nobody asks', async () => {
    const hasher = new Sha256PassThrough();
    hasher.on('error', () => undefined);
    hasher.destroy(new Error('disk gone'));
    await expect(hasher.done).rejects.toThrow('disk gone');
    const unawaited = new Sha256PassThrough();
    const errored = new Promise((resolve) => unawaited.on('error', resolve));
    new PassThrough().pipe(unawaited);
    unawaited.destroy(new Error('nobody listens to done'));
    await errored;
  });
});
