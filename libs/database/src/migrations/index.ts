import { ChainDeployments1700000000000 } from './1700000000000-chain-deployments';

/** Every migration, in order. Listed explicitly so tests (TS) and the build (JS) load the same set. */
export const MIGRATIONS = [ChainDeployments1700000000000];
