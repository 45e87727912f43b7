// A real EIP-1193 wallet for the web app's tests: a provider injected into the page and announced with
// EIP-6963, whose requests go to the Node side (page.exposeFunction). There it signs with an anvil dev
// key (personal_sign, eth_signTypedData_v4), sends transactions to anvil, and forwards every other
// JSON-RPC call to anvil. The app cannot tell it from a browser extension.
import { randomUUID } from 'node:crypto';
import { getBytes, isHexString, NonceManager, Wallet, type JsonRpcProvider, type TypedDataField } from 'ethers';
import type { Page } from 'playwright-core';

export interface TestWallet {
  address: string;
  name: string;
  /** Every request the page made, in order (method names), to check what the app asked for. */
  requests: string[];
}

export async function injectWallet(
  page: Page,
  options: { privateKey: string; provider: JsonRpcProvider; name?: string },
): Promise<TestWallet> {
  const signer = new Wallet(options.privateKey, options.provider);
  const sender = new NonceManager(signer);
  const { chainId } = await options.provider.getNetwork();
  const wallet: TestWallet = { address: signer.address, name: options.name ?? 'Upstream Test Wallet', requests: [] };

  // Other calls go to the chain as they are; a JSON-RPC error comes back whole (code, message and revert
  // data), as a browser wallet hands it on, so the page can decode a revert's custom error.
  const rpcUrl = options.provider._getConnection().url;
  let nextId = 1;
  const forward = async (method: string, params: unknown[]): Promise<unknown> => {
    const response = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
    });
    const body = (await response.json()) as {
      result?: unknown;
      error?: { code: number; message: string; data?: unknown };
    };
    return body.error ? { __rpcError: body.error } : body.result;
  };

  await page.exposeFunction('__upstreamTestWallet', async (method: string, params: unknown[] = []) => {
    wallet.requests.push(method);
    switch (method) {
      case 'eth_requestAccounts':
      case 'eth_accounts':
        return [signer.address];
      case 'eth_chainId':
        return `0x${chainId.toString(16)}`;
      case 'net_version':
        return chainId.toString();
      case 'personal_sign': {
        const [data] = params as [string, string];
        return signer.signMessage(isHexString(data) ? getBytes(data) : data);
      }
      case 'eth_signTypedData_v4': {
        const [, json] = params as [string, string];
        const typed = JSON.parse(json) as {
          domain: Record<string, unknown>;
          types: Record<string, TypedDataField[]>;
          message: Record<string, unknown>;
        };
        const { EIP712Domain: _domain, ...types } = typed.types;
        return signer.signTypedData(typed.domain, types, typed.message);
      }
      case 'eth_sendTransaction': {
        const [tx] = params as [{ to?: string; data?: string; value?: string; gas?: string }];
        const sent = await sender.sendTransaction({
          to: tx.to,
          data: tx.data,
          value: tx.value === undefined ? undefined : BigInt(tx.value),
          gasLimit: tx.gas === undefined ? undefined : BigInt(tx.gas),
        });
        return sent.hash;
      }
      case 'wallet_switchEthereumChain':
      case 'wallet_addEthereumChain':
        return null;
      default:
        return forward(method, params);
    }
  });

  await page.addInitScript(providerScript({ uuid: randomUUID(), name: wallet.name, rdns: 'dev.upstream.test-wallet' }));
  return wallet;
}

const ICON =
  'data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHZpZXdCb3g9IjAgMCAxNiAxNiI+PGNpcmNsZSBjeD0iOCIgY3k9IjgiIHI9IjgiIGZpbGw9IiMwYjU3ZDAiLz48L3N2Zz4=';

/**
 * The script that runs in the page before its own: the EIP-1193 provider and its EIP-6963 announcement.
 * Plain JavaScript text (not a serialised function), so no transpiler's helpers leak into the page.
 */
function providerScript(info: { uuid: string; name: string; rdns: string }): string {
  return `(() => {
  const info = Object.freeze(${JSON.stringify({ ...info, icon: ICON })});
  const provider = {
    isUpstreamTestWallet: true,
    request: async ({ method, params }) => {
      const result = await window.__upstreamTestWallet(method, params);
      if (result && typeof result === 'object' && result.__rpcError) {
        const { code, message, data } = result.__rpcError;
        throw Object.assign(new Error(message), { code, data });
      }
      return result;
    },
    on: () => provider,
    removeListener: () => provider,
  };
  const announce = () =>
    window.dispatchEvent(new CustomEvent('eip6963:announceProvider', { detail: Object.freeze({ info, provider }) }));
  window.addEventListener('eip6963:requestProvider', announce);
  announce();
})();`;
}
