/**
 * The wire contract of the Upstream API: request and response bodies, their keys at runtime, and
 * the route table. Plain TypeScript (no Nest, no Node): shared by the API, the CLI and the web app.
 */
export * from './access';
export * from './audit';
export * from './chain';
export type { ContractTypeName, ContractTypes } from './contract-types';
export * from './datasets';
export * from './errors';
export * from './governance';
export * from './disputes';
export * from './integrity';
export * from './licenses';
export * from './royalties';
export * from './routes';
export * from './runs';
export { keysOf, shapeOf, type Field, type Shape } from './shape';
export { SHAPES } from './shapes';
export * from './values';
