// Everything that touches the EVM chain: contract artifacts and deployment,
// the local development chain, and checks that a deployment is live.
export * from './local-chain';
export * from './deployment';
export * from './deploy';
export * from './deployment-file';
export * as artifacts from './generated/artifacts';
export * from './chain-database';
export * from './outbox/transaction-outbox';
export * from './indexer/chain-indexer';
export * from './indexer/upstream-events';
export * from './governance/proposal-actions';
export * from './governance/ballot';
