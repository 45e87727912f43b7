import { readFile, writeFile, mkdir, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Provider } from 'ethers';
import type { UpstreamDeployment } from './deploy';

export class DeploymentError extends Error {
  override readonly name = 'DeploymentError';
}

/** Reads a deployment remembered by an earlier start; undefined when there is none. */
export async function readDeployment(file: string): Promise<UpstreamDeployment | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as UpstreamDeployment;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DeploymentError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

/** Written to a temp file and renamed, so a crash never leaves half a file. */
export async function writeDeployment(file: string, deployment: UpstreamDeployment): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.tmp`;
  await writeFile(temp, JSON.stringify(deployment, null, 2) + '\n');
  await rename(temp, file);
}

/**
 * Checks that the chain is the one the deployment was made on and that every
 * contract still has code. A chain that lost its state (or another chain on
 * the same URL) is refused rather than silently redeployed to.
 */
export async function assertDeploymentLive(provider: Provider, deployment: UpstreamDeployment): Promise<void> {
  const network = await provider.getNetwork();
  if (network.chainId !== BigInt(deployment.chainId)) {
    throw new DeploymentError(
      `the chain answers with chain id ${network.chainId}, but the contracts were deployed on chain id ${deployment.chainId}`,
    );
  }
  const missing: string[] = [];
  for (const [name, address] of Object.entries(deployment.contracts)) {
    if (!address) continue;
    if ((await provider.getCode(address)) === '0x') missing.push(`${name} at ${address}`);
  }
  if (missing.length > 0) {
    throw new DeploymentError(`no contract code on chain ${deployment.chainId} for ${missing.join(', ')}`);
  }
}
