// A deployment to a public chain, as `upstream deploy` makes it and `npm start` reads it
// (DEPLOYMENT_FILE): the same `deployUpstream` as the local chain, plus what an operator needs
// to verify it on an explorer: each contract's creation, its constructor arguments, the role
// holders and the settings, all read back from the chain after the deployment.
import { Contract, ethers } from 'ethers';
import { deployUpstream, ROLES, type DeployOptions, type DeployedContract, type UpstreamDeployment } from './deploy';
import * as artifacts from './generated/artifacts';

export const DEPLOYMENT_FILE_FORMAT = 'upstream-deployment/1';

export interface DeploymentFile extends UpstreamDeployment {
  format: typeof DEPLOYMENT_FILE_FORMAT;
  deployer: string;
  /** Every contract this deployment created, in creation order. */
  deployed: DeployedContract[];
  /** Every (contract, role, account) where the account holds the role, among the accounts this deployment names. */
  roles: RoleGrant[];
  /** The settings as the contracts answer them, by contract name. */
  settings: Record<string, Record<string, string>>;
}

export interface RoleGrant {
  contract: string;
  role: keyof typeof ROLES;
  holder: string;
  /** What the holder is in this deployment: deployer, operator, guardian, treasury, a contract's name, or anyone. */
  holderIs: string;
}

/** The zero-argument getters worth recording as a contract's settings (those its ABI has). */
const SETTINGS: Record<string, string[]> = {
  RoyaltySplitter: ['feeBps', 'rootDelay', 'treasury', 'tokenAllowlistEnabled', 'paused'],
  UpstreamTimelock: ['getMinDelay'],
  UpstreamGovernor: ['votingDelay', 'votingPeriod', 'proposalThreshold', 'quorumNumerator', 'quorumDenominator'],
  UpstreamVotes: ['FOUNDING_CAP', 'foundingAllocation', 'foundingMinted'],
};

type Abi = ethers.InterfaceAbi;
const abiOf = (artifact: string): Abi | undefined =>
  (artifacts as Record<string, { abi: Abi } | undefined>)[artifact]?.abi;

/**
 * Deploys with `deployUpstream` (the local chain's code, so contracts added there follow) and
 * describes the result. `paymentToken` is an existing ERC-20 the service quotes prices in, if any.
 */
export async function deployToChain(
  deployer: ethers.Signer,
  options: Omit<DeployOptions, 'onDeployed' | 'deployLocalToken' | 'mintLocalTokensTo'> & { paymentToken?: string },
): Promise<DeploymentFile> {
  const deployed: DeployedContract[] = [];
  const { paymentToken, ...deployOptions } = options;
  if (paymentToken !== undefined && !ethers.isAddress(paymentToken))
    throw new Error('deployToChain: options.paymentToken is not an address');
  const deployment = await deployUpstream(deployer, { ...deployOptions, onDeployed: (c) => deployed.push(c) });
  const provider = deployer.provider!;
  const deployerAddress = await deployer.getAddress();
  const contracts = { ...deployment.contracts, PaymentToken: paymentToken ? ethers.getAddress(paymentToken) : null };

  const named = new Map<string, string>([[ethers.ZeroAddress, 'anyone']]);
  for (const [is, account] of [
    ['deployer', deployerAddress],
    ['operator', options.operator],
    ['guardian', options.guardian],
    ['treasury', options.treasury],
  ] as const) {
    const holder = ethers.getAddress(account);
    const already = named.get(holder);
    named.set(holder, already ? `${already}, ${is}` : is);
  }
  for (const c of deployed) named.set(ethers.getAddress(c.address), c.artifact);

  const roles: RoleGrant[] = [];
  const settings: Record<string, Record<string, string>> = {};
  for (const c of deployed) {
    const abi = abiOf(c.artifact);
    if (!abi) continue;
    const contract = new Contract(c.address, abi, provider);
    if (contract.interface.getFunction('hasRole')) {
      for (const [role, id] of Object.entries(ROLES) as [keyof typeof ROLES, string][])
        for (const [holder, holderIs] of named)
          if ((await contract.getFunction('hasRole').staticCall(id, holder)) === true)
            roles.push({ contract: c.artifact, role, holder, holderIs });
    }
    const getters = (SETTINGS[c.artifact] ?? []).filter((name) => contract.interface.getFunction(`${name}()`) !== null);
    if (getters.length > 0)
      settings[c.artifact] = Object.fromEntries(
        await Promise.all(
          getters.map(async (name) => [name, String(await contract.getFunction(`${name}()`).staticCall())] as const),
        ),
      );
  }
  return {
    format: DEPLOYMENT_FILE_FORMAT,
    ...deployment,
    contracts,
    deployer: deployerAddress,
    deployed,
    roles,
    settings,
  };
}

/** JSON for the file: bigints (constructor arguments) as decimal strings. */
export function deploymentFileJson(file: DeploymentFile): string {
  return JSON.stringify(file, (_key: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n';
}

/** What to check on a block explorer, one contract at a time, then who holds which role. */
export function explorerChecklist(file: DeploymentFile): string {
  const lines = [`chain ${file.chainId}, deployed by ${file.deployer} from block ${file.deployedAtBlock}`, ''];
  for (const c of file.deployed) {
    lines.push(`${c.artifact} at ${c.address} (block ${c.blockNumber}, tx ${c.transactionHash})`);
    lines.push(
      `  constructor arguments: ${JSON.stringify(c.constructorArguments, (_k: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`,
    );
    lines.push(`  ABI-encoded: ${c.encodedConstructorArguments || '(none)'}`);
  }
  if (file.contracts.PaymentToken) lines.push(`payment token ${file.contracts.PaymentToken} (existing, not deployed)`);
  lines.push('', 'roles (no admin role may be left with the deployer):');
  for (const r of file.roles) lines.push(`  ${r.contract}.${r.role}: ${r.holder} (${r.holderIs})`);
  lines.push('', 'settings:');
  for (const [contract, values] of Object.entries(file.settings))
    lines.push(
      `  ${contract}: ${Object.entries(values)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}`,
    );
  return lines.join('\n');
}
