import { ChainDeployments1700000000000 } from './1700000000000-chain-deployments';
import { ChainSync1700000000100 } from './1700000000100-chain-sync';
import { Catalogue1700000001000 } from './1700000001000-catalogue';
import { Contributions1700000002000 } from './1700000002000-contributions';
import { SignedOrder1700000002100 } from './1700000002100-signed-order';
import { LicensingRuns1700000003000 } from './1700000003000-licensing-runs';
import { Royalties1700000004000 } from './1700000004000-royalties';
import { SettlementRollbacks1700000005000 } from './1700000005000-settlement-rollbacks';
import { HexTextColumns1700000006000 } from './1700000006000-hex-text-columns';
import { Access1700000007000 } from './1700000007000-access';
import { BlobDeletions1700000008000 } from './1700000008000-blob-deletions';
import { LicenseTermsInForce1700000009000 } from './1700000009000-license-terms-in-force';
import { HexChecksByLength1700000010000 } from './1700000010000-hex-checks-by-length';
import { AccountStorage1700000011000 } from './1700000011000-account-storage';
import { UploadCompletions1700000012000 } from './1700000012000-upload-completions';
import { ContributionVersion1700000013000 } from './1700000013000-contribution-version';
import { DatasetOverlaps1700000014000 } from './1700000014000-dataset-overlaps';
import { DatasetTakedowns1700000015000 } from './1700000015000-dataset-takedowns';
import { NearDuplicates1700000016100 } from './1700000016100-near-duplicates';
import { EpochBalanceChanges1700000018000 } from './1700000018000-epoch-balance-changes';
import { RateLimitHits1700000019000 } from './1700000019000-rate-limit-hits';
import { Disputes1700000020000 } from './1700000020000-disputes';
import { TakedownAnchoring1700000021000 } from './1700000021000-takedown-anchoring';
import { DisputeEscrow1700000022000 } from './1700000022000-dispute-escrow';
import { RunEntriesSetChecks1700000023100 } from './1700000023100-run-entries-set-checks';
import { EpochBalancesStatementCascade1700000023700 } from './1700000023700-epoch-balances-statement-cascade';
import { EpochLeavesIndexAndTotals1700000024000 } from './1700000024000-epoch-leaves-index-and-totals';

/**
 * Every migration, in order. Listed explicitly so tests (TS) and the build
 * (JS) load the same set. Add new ones at the end, one line each.
 */
export const MIGRATIONS = [
  ChainDeployments1700000000000,
  ChainSync1700000000100,
  Catalogue1700000001000,
  Contributions1700000002000,
  SignedOrder1700000002100,
  LicensingRuns1700000003000,
  Royalties1700000004000,
  SettlementRollbacks1700000005000,
  HexTextColumns1700000006000,
  Access1700000007000,
  BlobDeletions1700000008000,
  LicenseTermsInForce1700000009000,
  HexChecksByLength1700000010000,
  AccountStorage1700000011000,
  UploadCompletions1700000012000,
  ContributionVersion1700000013000,
  DatasetOverlaps1700000014000,
  DatasetTakedowns1700000015000,
  NearDuplicates1700000016100,
  EpochBalanceChanges1700000018000,
  RateLimitHits1700000019000,
  Disputes1700000020000,
  TakedownAnchoring1700000021000,
  DisputeEscrow1700000022000,
  RunEntriesSetChecks1700000023100,
  EpochBalancesStatementCascade1700000023700,
  EpochLeavesIndexAndTotals1700000024000,
];
