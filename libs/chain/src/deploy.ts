// Deploys the Upstream contracts from the ABI/bytecode in ./generated/artifacts (no Hardhat at run
// time) and leaves every admin and parameter role with the timelock.
import { ethers } from 'ethers';
import {
  LicenseTemplateRegistry,
  DisputeBonds,
  LocalToken,
  ProvenanceRegistry,
  RoyaltySplitter,
  UpstreamGovernor,
  UpstreamTimelock,
  UpstreamVotes,
} from './generated/artifacts';

/** The splitter's root delay when a deployment names none (the local chain's): a day. */
export const DEFAULT_ROOT_DELAY_SECONDS = 86_400;

export interface UpstreamDeployment {
  chainId: number;
  deployedAtBlock: number;
  contracts: {
    RoyaltySplitter: string;
    ProvenanceRegistry: string;
    UpstreamTimelock: string;
    UpstreamGovernor: string;
    UpstreamVotes: string;
    PaymentToken: string | null;
    /** Governance's approved license templates; absent from deployments made before it existed. */
    LicenseTemplateRegistry?: string;
    /** Absent from deployments made before disputes existed. */
    DisputeBonds?: string;
  };
}

export interface DeployOptions {
  /** Holds OPERATOR_ROLE on the splitter and ANCHORER_ROLE on the registry (the backend key). */
  operator: string;
  /** Holds GUARDIAN_ROLE on the splitter: veto pending roots and pause, nothing else (no timelock role). */
  guardian: string;
  /** Receives swept protocol fees. */
  treasury: string;
  /** Protocol fee in basis points (default 250 = 2.5%, at most 1000). */
  feeBps?: number;
  /** Seconds between proposing a root and it becoming claimable (default 86_400). */
  rootDelaySeconds?: number;
  /** Timelock minimum delay in seconds (default 172_800 = 2 days). */
  timelockDelaySeconds?: number;
  /** Deploy LocalToken ("Upstream Test USD", 6 decimals, minted by the deployer) as the payment token; local chains only. */
  deployLocalToken?: boolean;
  /** Accounts that get 1,000,000 local tokens each (needs deployLocalToken). */
  mintLocalTokensTo?: string[];
  /** Governor voting delay in blocks (default 1). */
  votingDelayBlocks?: number;
  /** Governor voting period in blocks (default 50_400, about a week of 12 s blocks). */
  votingPeriodBlocks?: number;
  /** Governor quorum as a percentage of the votes supply (default 4). */
  quorumPercent?: number;
  /** The founding allocation's cap, which governance can shrink and nothing can raise (default 1,000,000e18). */
  foundingVotesCap?: bigint;
  /** Founding votes minted to, and self-delegated by, the deployer at deployment (default 100,000e18, within the cap). */
  foundingVotes?: bigint;
  /** Votes an account needs to propose (default 1e18, one vote). */
  proposalThresholdVotes?: bigint;
  /** Seconds after which anyone may close an unresolved dispute as rejected (default 604_800, a week). */
  disputeTimeoutSeconds?: number;
  /** The smallest dispute bond in the local payment token (default 10 tokens); needs deployLocalToken. */
  minDisputeBond?: bigint;
  /**
   * Accounts given ARBITER_ROLE on DisputeBonds beside the timelock (a multisig, an oracle adapter, or on a
   * local chain the operator). Default none: only governance resolves disputes.
   */
  arbiters?: string[];
  /** Told of each contract as it is deployed (a deployment file records them for explorer verification). */
  onDeployed?: (contract: DeployedContract) => void;
}

/** One contract creation, as `deployUpstream` made it. */
export interface DeployedContract {
  /** The artifact's name (LocalToken for the local payment token). */
  artifact: string;
  address: string;
  constructorArguments: unknown[];
  /** The ABI-encoded constructor arguments, as explorers ask for them (hex, no 0x prefix). */
  encodedConstructorArguments: string;
  blockNumber: number;
  transactionHash: string;
}

export const LOCAL_TOKEN_DECIMALS = 6;
/** The Governor's voting period when a deployment names none: 50,400 blocks, about a week of 12 s blocks. */
export const DEFAULT_VOTING_PERIOD_BLOCKS = 50_400;
/** The founding allocation's default cap: 1,000,000 votes (18 decimals). */
export const DEFAULT_FOUNDING_VOTES_CAP = 1_000_000n * 10n ** 18n;
/** Founding votes minted to the deployer by default: 100,000, a tenth of the cap. */
export const DEFAULT_FOUNDING_VOTES = 100_000n * 10n ** 18n;
const LOCAL_TOKEN_MINT = 1_000_000n * 10n ** BigInt(LOCAL_TOKEN_DECIMALS);
/** Seconds after which anyone may close an unresolved dispute as rejected, when a deployment names none: a week. */
export const DEFAULT_DISPUTE_TIMEOUT_SECONDS = 604_800;
/** The smallest dispute bond in the local payment token by default: 10 tokens. */
export const DEFAULT_MIN_DISPUTE_BOND = 10n * 10n ** BigInt(LOCAL_TOKEN_DECIMALS);

const role = (name: string) => ethers.id(name);
const DEFAULT_ADMIN_ROLE = ethers.ZeroHash;
export const ROLES = {
  DEFAULT_ADMIN_ROLE,
  OPERATOR_ROLE: role('OPERATOR_ROLE'),
  GUARDIAN_ROLE: role('GUARDIAN_ROLE'),
  PARAMS_ROLE: role('PARAMS_ROLE'),
  ANCHORER_ROLE: role('ANCHORER_ROLE'),
  PROPOSER_ROLE: role('PROPOSER_ROLE'),
  EXECUTOR_ROLE: role('EXECUTOR_ROLE'),
  CANCELLER_ROLE: role('CANCELLER_ROLE'),
  ARBITER_ROLE: role('ARBITER_ROLE'),
} as const;

interface Artifact {
  contractName: string;
  abi: ethers.InterfaceAbi;
  bytecode: string;
}

/**
 * Deploys RoyaltySplitter, ProvenanceRegistry, UpstreamVotes, UpstreamTimelock, UpstreamGovernor
 * (and optionally a LocalToken payment token), wires the roles and renounces the deployer's admin
 * roles; then the contracts added since, each governed by the timelock: LicenseTemplateRegistry and
 * DisputeBonds. Transactions are sent one at a time with explicit nonces, each awaited, so instant-mining
 * chains and ethers' 250 ms nonce cache cannot collide.
 */
export async function deployUpstream(deployer: ethers.Signer, options: DeployOptions): Promise<UpstreamDeployment> {
  const provider = deployer.provider;
  if (!provider) throw new Error('deployUpstream: the deployer signer needs a provider');
  for (const key of ['operator', 'guardian', 'treasury'] as const) {
    if (!ethers.isAddress(options[key])) throw new Error(`deployUpstream: options.${key} is not an address`);
  }
  const feeBps = options.feeBps ?? 250;
  if (!Number.isInteger(feeBps) || feeBps < 0 || feeBps > 1000) {
    throw new Error('deployUpstream: options.feeBps must be an integer between 0 and 1000');
  }
  if (options.mintLocalTokensTo?.length && !options.deployLocalToken) {
    throw new Error('deployUpstream: options.mintLocalTokensTo needs options.deployLocalToken');
  }

  const deployerAddress = await deployer.getAddress();
  const chainId = Number((await provider.getNetwork()).chainId);
  let nonce = await provider.getTransactionCount(deployerAddress, 'pending');
  let firstBlock: number | undefined;

  const send = async (tx: ethers.TransactionRequest, what: string): Promise<ethers.TransactionReceipt> => {
    const response = await deployer.sendTransaction({ ...tx, nonce: nonce++ });
    const receipt = await response.wait();
    if (!receipt || receipt.status !== 1) throw new Error(`deployUpstream: ${what} failed (tx ${response.hash})`);
    firstBlock ??= receipt.blockNumber;
    return receipt;
  };

  const deploy = async (artifact: Artifact, args: unknown[]): Promise<ethers.Contract> => {
    const factory = new ethers.ContractFactory(artifact.abi, artifact.bytecode, deployer);
    const tx = await factory.getDeployTransaction(...args);
    const receipt = await send(tx, `deploying ${artifact.contractName}`);
    if (!receipt.contractAddress) throw new Error(`deployUpstream: no address for ${artifact.contractName}`);
    options.onDeployed?.({
      artifact: artifact.contractName,
      address: receipt.contractAddress,
      constructorArguments: args,
      encodedConstructorArguments: factory.interface.encodeDeploy(args).slice(2),
      blockNumber: receipt.blockNumber,
      transactionHash: receipt.hash,
    });
    return new ethers.Contract(receipt.contractAddress, artifact.abi, deployer);
  };

  const call = async (contract: ethers.Contract, method: string, args: unknown[]): Promise<void> => {
    const tx = await contract.getFunction(method).populateTransaction(...args);
    await send(tx, `${method}(${args.join(', ')}) on ${await contract.getAddress()}`);
  };

  const paymentToken = options.deployLocalToken
    ? await deploy(LocalToken, ['Upstream Test USD', 'tUSD', LOCAL_TOKEN_DECIMALS, deployerAddress])
    : null;

  const splitter = await deploy(RoyaltySplitter, [
    deployerAddress,
    options.operator,
    options.guardian,
    options.treasury,
    feeBps,
    options.rootDelaySeconds ?? DEFAULT_ROOT_DELAY_SECONDS,
  ]);
  const timelock = await deploy(UpstreamTimelock, [
    options.timelockDelaySeconds ?? 172_800,
    [],
    [ethers.ZeroAddress], // anyone may execute an operation once its delay has passed
    deployerAddress,
  ]);
  const foundingVotes = options.foundingVotes ?? DEFAULT_FOUNDING_VOTES;
  const votes = await deploy(UpstreamVotes, [
    await splitter.getAddress(),
    await timelock.getAddress(),
    deployerAddress,
    options.foundingVotesCap ?? DEFAULT_FOUNDING_VOTES_CAP,
    foundingVotes,
  ]);
  const governor = await deploy(UpstreamGovernor, [
    await votes.getAddress(),
    await timelock.getAddress(),
    options.votingDelayBlocks ?? 1,
    options.votingPeriodBlocks ?? DEFAULT_VOTING_PERIOD_BLOCKS,
    options.proposalThresholdVotes ?? 10n ** 18n,
    options.quorumPercent ?? 4,
  ]);
  const registry = await deploy(ProvenanceRegistry, [deployerAddress, options.operator]);

  const timelockAddress = await timelock.getAddress();
  const governorAddress = await governor.getAddress();

  if (foundingVotes > 0n) await call(votes, 'delegate', [deployerAddress]);

  await call(timelock, 'grantRole', [ROLES.PROPOSER_ROLE, governorAddress]);
  await call(timelock, 'grantRole', [ROLES.CANCELLER_ROLE, governorAddress]);

  await call(splitter, 'grantRole', [ROLES.DEFAULT_ADMIN_ROLE, timelockAddress]);
  await call(splitter, 'grantRole', [ROLES.PARAMS_ROLE, timelockAddress]);
  await call(splitter, 'renounceRole', [ROLES.PARAMS_ROLE, deployerAddress]);
  await call(splitter, 'renounceRole', [ROLES.DEFAULT_ADMIN_ROLE, deployerAddress]);

  await call(registry, 'grantRole', [ROLES.DEFAULT_ADMIN_ROLE, timelockAddress]);
  await call(registry, 'renounceRole', [ROLES.DEFAULT_ADMIN_ROLE, deployerAddress]);

  await call(timelock, 'renounceRole', [ROLES.DEFAULT_ADMIN_ROLE, deployerAddress]);

  if (paymentToken) {
    for (const to of options.mintLocalTokensTo ?? []) {
      await call(paymentToken, 'mint', [to, LOCAL_TOKEN_MINT]);
    }
  }

  // Contracts added since the first release come last, so the earlier ones keep their addresses.
  const licenseTemplates = await deploy(LicenseTemplateRegistry, [timelockAddress]);
  // Deployed after everything above, so that the addresses of the contracts before it stay the same.
  const disputeBonds = await deploy(DisputeBonds, [
    deployerAddress,
    await splitter.getAddress(),
    options.disputeTimeoutSeconds ?? DEFAULT_DISPUTE_TIMEOUT_SECONDS,
  ]);
  if (paymentToken)
    await call(disputeBonds, 'setBondToken', [
      await paymentToken.getAddress(),
      true,
      options.minDisputeBond ?? DEFAULT_MIN_DISPUTE_BOND,
    ]);
  for (const arbiter of options.arbiters ?? []) await call(disputeBonds, 'grantRole', [ROLES.ARBITER_ROLE, arbiter]);
  for (const r of [ROLES.DEFAULT_ADMIN_ROLE, ROLES.PARAMS_ROLE, ROLES.ARBITER_ROLE])
    await call(disputeBonds, 'grantRole', [r, timelockAddress]);
  for (const r of [ROLES.ARBITER_ROLE, ROLES.PARAMS_ROLE, ROLES.DEFAULT_ADMIN_ROLE])
    await call(disputeBonds, 'renounceRole', [r, deployerAddress]);

  return {
    chainId,
    deployedAtBlock: firstBlock!,
    contracts: {
      RoyaltySplitter: await splitter.getAddress(),
      ProvenanceRegistry: await registry.getAddress(),
      UpstreamTimelock: timelockAddress,
      UpstreamGovernor: governorAddress,
      UpstreamVotes: await votes.getAddress(),
      PaymentToken: paymentToken ? await paymentToken.getAddress() : null,
      LicenseTemplateRegistry: await licenseTemplates.getAddress(),
      DisputeBonds: await disputeBonds.getAddress(),
    },
  };
}
