import { describe, expect, it } from 'vitest';
import { canonicalJson, licenseTerms, licenseTermsHash, ProvenanceError } from '@upstream/provenance';

const fee = { token: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0', amount: 1_000_000n };

describe('license terms: optional durationDays', () => {
  it('keeps the hashes of terms without a duration exactly as they were before durations existed', () => {
    // Pinned before durationDays was added: registered datasets signed these hashes.
    expect(licenseTermsHash(licenseTerms('open-training'))).toBe(
      '0xa7a83ab880edd89a182577b33a12a2541b1292097066842e376ecfa2d375d03c',
    );
    expect(licenseTermsHash(licenseTerms('research-only', {}))).toBe(
      '0xe1ab208830c6be2630257215295b09d3cfb0d5f246411d31ed607248be8a4fbd',
    );
    expect(licenseTermsHash(licenseTerms('paid-per-run', fee, { durationDays: undefined }))).toBe(
      '0x0618e5c596ab64ac10d0c388939fca52a54f849feb22e3dbd4eb6f1a8aaf1513',
    );
    expect('durationDays' in licenseTerms('open-training')).toBe(false);
  });

  it('puts a duration in the terms document, so it changes the hash only for terms that set it', () => {
    const terms = licenseTerms('paid-per-run', fee, { durationDays: 30 });
    expect(terms.durationDays).toBe(30);
    expect(canonicalJson(licenseTerms('open-training', { durationDays: 30 }))).toBe(
      '{"attribution":true,"commercialUse":true,"durationDays":30,"fee":null,"redistribution":false,' +
        '"template":"open-training","training":true,"version":1}',
    );
    expect(licenseTermsHash(terms)).not.toBe(licenseTermsHash(licenseTerms('paid-per-run', fee)));
    expect(licenseTermsHash(licenseTerms('open-training', { durationDays: 31 }))).not.toBe(
      licenseTermsHash(licenseTerms('open-training', { durationDays: 30 })),
    );
  });

  it.each([0, -1, 3651, 1.5, Number.NaN])('refuses durationDays %s, naming the field', (days) => {
    let caught: unknown;
    try {
      licenseTerms('open-training', { durationDays: days });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ProvenanceError);
    expect((caught as ProvenanceError).field).toBe('durationDays');
  });

  it('accepts the bounds 1 and 3650', () => {
    expect(licenseTerms('research-only', { durationDays: 1 }).durationDays).toBe(1);
    expect(licenseTerms('research-only', { durationDays: 3650 }).durationDays).toBe(3650);
  });
});
