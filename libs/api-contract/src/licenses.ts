import type { ContractCall } from './chain';
import { shapeOf } from './shape';

// ---- requests ----

/** POST /licenses: a signed EIP-712 LicenseAcceptance. */
export interface CreateLicenseRequest {
  datasetId: string;
  termsHash: string;
  licensee: string;
  /** uint256, decimal string. */
  nonce: string;
  /** Unix seconds. */
  deadline: number;
  signature: string;
}

/** POST /datasets/:id/licensing: an owner's signed EIP-712 LicensingChange. */
export interface SetLicensingRequest {
  open: boolean;
  signer: string;
  nonce: string;
  deadline: number;
  signature: string;
}

export interface OffsetPageQuery {
  limit?: number;
  offset?: number;
}

// ---- responses ----

/** The payment to make on the RoyaltySplitter: approve the token, then payRun(runId, token, amount). */
export interface PayRunInstructions {
  runId: string;
  splitter: string;
  token: string;
  /** Smallest token units, decimal string. */
  amount: string;
  approve: ContractCall;
  call: ContractCall;
  /** A run's payment: the royalty asked for, on top of `fees`. */
  royalty?: string;
  /** A run's payment: the per-run fees still owed in this token, included in `amount` (each: amount − paid). */
  fees?: PayRunFee[];
}

/** One per-run fee a run payment includes. */
export interface PayRunFee {
  /** The paid-per-run dataset's content root. */
  datasetId: string;
  /** What this payment pays of the fee. */
  amount: string;
}

export interface LicenseGrantFee {
  token: string;
  amount: string;
}

export interface LicenseGrant {
  id: string;
  /** The dataset's content root. */
  datasetId: string;
  datasetUuid: string;
  template: string;
  licensee: string;
  termsHash: string;
  /** pending_payment | active | expired | revoked */
  status: string;
  fee: LicenseGrantFee | null;
  paymentRef: string | null;
  digest: string;
  expiresAt: string | null;
  activatedAt: string | null;
  activationTx: string | null;
  createdAt: string;
}

export interface LicenseResult {
  license: LicenseGrant;
  /** Present while the license waits for its fee. */
  payment?: PayRunInstructions;
}

/** A page of licenses, in the shape of every offset-paged list: `{ items, total, limit, offset }`. */
export interface LicenseList {
  items: LicenseGrant[];
  total: number;
  limit: number;
  offset: number;
}

export interface LicensingState {
  datasetId: string;
  licensingOpen: boolean;
  changedAt: string;
}

// ---- shapes ----

export const CreateLicenseRequestShape = shapeOf<CreateLicenseRequest>({
  datasetId: true,
  termsHash: true,
  licensee: true,
  nonce: true,
  deadline: true,
  signature: true,
});
export const SetLicensingRequestShape = shapeOf<SetLicensingRequest>({
  open: true,
  signer: true,
  nonce: true,
  deadline: true,
  signature: true,
});
export const OffsetPageQueryShape = shapeOf<OffsetPageQuery>({ limit: true, offset: true });
export const PayRunInstructionsShape = shapeOf<PayRunInstructions>({
  runId: true,
  splitter: true,
  token: true,
  amount: true,
  approve: 'ContractCall',
  call: 'ContractCall',
  royalty: true,
  fees: 'PayRunFee',
});
export const PayRunFeeShape = shapeOf<PayRunFee>({ datasetId: true, amount: true });
export const LicenseGrantFeeShape = shapeOf<LicenseGrantFee>({ token: true, amount: true });
export const LicenseGrantShape = shapeOf<LicenseGrant>({
  id: true,
  datasetId: true,
  datasetUuid: true,
  template: true,
  licensee: true,
  termsHash: true,
  status: true,
  fee: 'LicenseGrantFee',
  paymentRef: true,
  digest: true,
  expiresAt: true,
  activatedAt: true,
  activationTx: true,
  createdAt: true,
});
export const LicenseResultShape = shapeOf<LicenseResult>({ license: 'LicenseGrant', payment: 'PayRunInstructions' });
export const LicenseListShape = shapeOf<LicenseList>({
  items: 'LicenseGrant',
  total: true,
  limit: true,
  offset: true,
});
export const LicensingStateShape = shapeOf<LicensingState>({ datasetId: true, licensingOpen: true, changedAt: true });
