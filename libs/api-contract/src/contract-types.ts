import type * as access from './access';
import type * as audit from './audit';
import type * as chain from './chain';
import type * as datasets from './datasets';
import type * as governance from './governance';
import type * as integrity from './integrity';
import type * as licenses from './licenses';
import type * as royalties from './royalties';
import type * as runs from './runs';

/** Every named type of the wire contract, by name: what the route table and the shapes refer to. */
export interface ContractTypes {
  // access
  SignInRequest: access.SignInRequest;
  CreateApiKeyRequest: access.CreateApiKeyRequest;
  SetAccessPolicyRequest: access.SetAccessPolicyRequest;
  SignedUrlRequest: access.SignedUrlRequest;
  SiweChallenge: access.SiweChallenge;
  Session: access.Session;
  StorageUse: access.StorageUse;
  CallerInfo: access.CallerInfo;
  SignOutResult: access.SignOutResult;
  ApiKeyInfo: access.ApiKeyInfo;
  CreatedApiKey: access.CreatedApiKey;
  ApiKeyList: access.ApiKeyList;
  AccessPolicyState: access.AccessPolicyState;
  SignedUrl: access.SignedUrl;
  Delivery: access.Delivery;
  DeliveryPage: access.DeliveryPage;
  UndeclaredDelivery: access.UndeclaredDelivery;
  UndeclaredDeliveries: access.UndeclaredDeliveries;
  // chain
  ChainInfo: chain.ChainInfo;
  Eip712Domain: chain.Eip712Domain;
  ContractCall: chain.ContractCall;
  // datasets and blobs
  CreateDatasetRequest: datasets.CreateDatasetRequest;
  FileEntryBody: datasets.FileEntryBody;
  OwnerShare: datasets.OwnerShare;
  ParentShare: datasets.ParentShare;
  LicenseChoice: datasets.LicenseChoice;
  CursorPageQuery: datasets.CursorPageQuery;
  DatasetQuery: datasets.DatasetQuery;
  FilePathQuery: datasets.FilePathQuery;
  MissingBlobsRequest: datasets.MissingBlobsRequest;
  DatasetOwner: datasets.DatasetOwner;
  DatasetOwnerPage: datasets.DatasetOwnerPage;
  DatasetLicense: datasets.DatasetLicense;
  DatasetSummary: datasets.DatasetSummary;
  DatasetParent: datasets.DatasetParent;
  AnchorBatch: datasets.AnchorBatch;
  AnchorTransaction: datasets.AnchorTransaction;
  AnchorEvent: datasets.AnchorEvent;
  DatasetAnchorStatus: datasets.DatasetAnchorStatus;
  DatasetDetail: datasets.DatasetDetail;
  DatasetPage: datasets.DatasetPage;
  ContributorDataset: datasets.ContributorDataset;
  ContributorDatasetPage: datasets.ContributorDatasetPage;
  DatasetFile: datasets.DatasetFile;
  FilePage: datasets.FilePage;
  FileProof: datasets.FileProof;
  LineageNode: datasets.LineageNode;
  Lineage: datasets.Lineage;
  StoredBlob: datasets.StoredBlob;
  MissingBlobs: datasets.MissingBlobs;
  // governance
  GovernanceInfo: governance.GovernanceInfo;
  ProposalAction: governance.ProposalAction;
  ProposalTally: governance.ProposalTally;
  Proposal: governance.Proposal;
  ProposalPage: governance.ProposalPage;
  AccountVotes: governance.AccountVotes;
  EpochVotes: governance.EpochVotes;
  ApprovedLicenseTemplate: governance.ApprovedLicenseTemplate;
  LicenseTemplateList: governance.LicenseTemplateList;
  // integrity
  DatasetOverlap: integrity.DatasetOverlap;
  DatasetOverlapSummary: integrity.DatasetOverlapSummary;
  OverlapQuery: integrity.OverlapQuery;
  DatasetOverlapPage: integrity.DatasetOverlapPage;
  DatasetSimilarity: integrity.DatasetSimilarity;
  SimilarQuery: integrity.SimilarQuery;
  DatasetSimilarPage: integrity.DatasetSimilarPage;
  TakedownRequest: integrity.TakedownRequest;
  DatasetTakedown: integrity.DatasetTakedown;
  // licenses
  CreateLicenseRequest: licenses.CreateLicenseRequest;
  SetLicensingRequest: licenses.SetLicensingRequest;
  OffsetPageQuery: licenses.OffsetPageQuery;
  PayRunInstructions: licenses.PayRunInstructions;
  PayRunFee: licenses.PayRunFee;
  LicenseGrantFee: licenses.LicenseGrantFee;
  LicenseGrant: licenses.LicenseGrant;
  LicenseResult: licenses.LicenseResult;
  LicenseList: licenses.LicenseList;
  LicensingState: licenses.LicensingState;
  // runs
  RunEntryBody: runs.RunEntryBody;
  CreateRunRequest: runs.CreateRunRequest;
  RunEntriesChunk: runs.RunEntriesChunk;
  RunPaymentQuery: runs.RunPaymentQuery;
  EntryProofQuery: runs.EntryProofQuery;
  RunAnchorBatch: runs.RunAnchorBatch;
  AnchorTx: runs.AnchorTx;
  RunAnchorStatus: runs.RunAnchorStatus;
  RunPaymentTotal: runs.RunPaymentTotal;
  RunFee: runs.RunFee;
  Run: runs.Run;
  RunUpload: runs.RunUpload;
  RunEntryRow: runs.RunEntryRow;
  RunEntriesPage: runs.RunEntriesPage;
  RunEntryProof: runs.RunEntryProof;
  // audit
  EntryOwner: audit.EntryOwner;
  EntryLicense: audit.EntryLicense;
  ProvenanceEntry: audit.ProvenanceEntry;
  RunProvenance: audit.RunProvenance;
  ModelProvenance: audit.ModelProvenance;
  DatasetRun: audit.DatasetRun;
  DatasetRuns: audit.DatasetRuns;
  ContributorRuns: audit.ContributorRuns;
  CroissantDocument: audit.CroissantDocument;
  // royalties
  PageQuery: royalties.PageQuery;
  PaymentsQuery: royalties.PaymentsQuery;
  TokenBalance: royalties.TokenBalance;
  ContributorBalances: royalties.ContributorBalances;
  HistoryItem: royalties.HistoryItem;
  ContributorHistory: royalties.ContributorHistory;
  ClaimProof: royalties.ClaimProof;
  ContributorProofs: royalties.ContributorProofs;
  VotesClaim: royalties.VotesClaim;
  EarnedVotesRule: royalties.EarnedVotesRule;
  TokenTotal: royalties.TokenTotal;
  Epoch: royalties.Epoch;
  EpochList: royalties.EpochList;
  EpochLeaf: royalties.EpochLeaf;
  EpochLeaves: royalties.EpochLeaves;
  PublicEntry: royalties.PublicEntry;
  PublicRunFee: royalties.PublicRunFee;
  PublicPayment: royalties.PublicPayment;
  EpochInputs: royalties.EpochInputs;
  Payment: royalties.Payment;
  PaymentList: royalties.PaymentList;
}

export type ContractTypeName = keyof ContractTypes;
