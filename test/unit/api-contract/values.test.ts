import { describe, expect, it } from 'vitest';
import {
  ValueParseError,
  isAddress,
  isBytes32,
  isSha256,
  parseAddress,
  parseBytes32,
  parseSha256,
} from '@upstream/api-contract';

const address = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8';
const checksummed = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const bytes32 = '0x' + 'ab'.repeat(32);
const sha256 = 'cd'.repeat(32);

function refusal(parse: () => unknown): ValueParseError {
  try {
    parse();
  } catch (e) {
    if (e instanceof ValueParseError) return e;
    throw e;
  }
  throw new Error('expected a ValueParseError');
}

describe('parseAddress', () => {
  it('accepts a lowercase address as it is', () => {
    expect(parseAddress(address, 'owner')).toBe(address);
  });
  it('normalises an EIP-55 checksummed address to lowercase', () => {
    expect(parseAddress(checksummed, 'owner')).toBe(address);
  });
  it.each([
    ['no 0x', address.slice(2)],
    ['upper-case 0X', '0X' + address.slice(2)],
    ['too short', address.slice(0, -1)],
    ['too long', address + '0'],
    ['not hex', '0x' + 'g'.repeat(40)],
    ['not a string', 42],
    ['undefined', undefined],
  ])('refuses %s, naming the field', (_case, value) => {
    const e = refusal(() => parseAddress(value, 'licensee'));
    expect(e.field).toBe('licensee');
    expect(e.message).toBe('licensee: must be 0x followed by 40 hex digits');
  });
});

describe('parseBytes32', () => {
  it('accepts lowercase and normalises mixed case', () => {
    expect(parseBytes32(bytes32, 'runId')).toBe(bytes32);
    expect(parseBytes32(bytes32.toUpperCase().replace('0X', '0x'), 'runId')).toBe(bytes32);
  });
  it.each([
    ['no 0x', bytes32.slice(2)],
    ['an address', address],
    ['too long', bytes32 + 'a'],
    ['not hex', '0x' + 'z'.repeat(64)],
    ['not a string', null],
  ])('refuses %s, naming the field', (_case, value) => {
    const e = refusal(() => parseBytes32(value, 'datasetId'));
    expect(e.field).toBe('datasetId');
    expect(e.message).toContain('datasetId:');
  });
});

describe('parseSha256', () => {
  it('accepts lowercase, drops 0x and normalises mixed case', () => {
    expect(parseSha256(sha256, 'sha256')).toBe(sha256);
    expect(parseSha256('0x' + sha256, 'sha256')).toBe(sha256);
    expect(parseSha256(sha256.toUpperCase(), 'sha256')).toBe(sha256);
  });
  it.each([
    ['too short', sha256.slice(1)],
    ['too long', sha256 + 'a'],
    ['not hex', 'x'.repeat(64)],
    ['not a string', 7],
  ])('refuses %s, naming the field', (_case, value) => {
    const e = refusal(() => parseSha256(value, 'files[0].sha256'));
    expect(e.field).toBe('files[0].sha256');
  });
});

describe('type guards', () => {
  it('hold only for the normalised forms', () => {
    expect(isAddress(address)).toBe(true);
    expect(isAddress(checksummed)).toBe(false);
    expect(isBytes32(bytes32)).toBe(true);
    expect(isBytes32(bytes32.toUpperCase())).toBe(false);
    expect(isSha256(sha256)).toBe(true);
    expect(isSha256('0x' + sha256)).toBe(false);
  });
});
