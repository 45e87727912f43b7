import { shapeOf } from './shape';

/** The EIP-712 domain every Upstream message is signed under. */
export interface Eip712Domain {
  name: 'Upstream';
  version: '1';
  chainId: number;
  verifyingContract: string;
}

/** GET /chain: the chain, contract addresses and signing domain the API runs on. */
export interface ChainInfo {
  chainId: number;
  royaltySplitter: string;
  provenanceRegistry: string;
  paymentToken: string | null;
  /** Blocks before an event counts as final. */
  confirmations: number;
  eip712Domain: Eip712Domain;
}

/** An ABI-encoded call the client sends as is. */
export interface ContractCall {
  to: string;
  data: string;
}

export const Eip712DomainShape = shapeOf<Eip712Domain>({
  name: true,
  version: true,
  chainId: true,
  verifyingContract: true,
});
export const ChainInfoShape = shapeOf<ChainInfo>({
  chainId: true,
  royaltySplitter: true,
  provenanceRegistry: true,
  paymentToken: true,
  confirmations: true,
  eip712Domain: 'Eip712Domain',
});
export const ContractCallShape = shapeOf<ContractCall>({ to: true, data: true });
