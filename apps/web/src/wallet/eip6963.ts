/** EIP-1193: what every browser wallet exposes. */
export interface Eip1193Provider {
  request(args: { method: string; params?: unknown[] | Record<string, unknown> }): Promise<unknown>;
  on?(event: string, listener: (...args: unknown[]) => void): void;
  removeListener?(event: string, listener: (...args: unknown[]) => void): void;
}

/** EIP-6963: a wallet announces itself with this detail (several wallets can live side by side). */
export interface Eip6963ProviderInfo {
  uuid: string;
  name: string;
  icon: string;
  rdns: string;
}

export interface AnnouncedWallet {
  info: Eip6963ProviderInfo;
  provider: Eip1193Provider;
}

/**
 * Listens for wallets announced under EIP-6963 and asks them to announce themselves; calls `onChange`
 * with every wallet seen so far (one per uuid). Returns the function that stops listening.
 */
export function discoverWallets(onChange: (wallets: AnnouncedWallet[]) => void): () => void {
  const byUuid = new Map<string, AnnouncedWallet>();
  const onAnnounce = (event: Event) => {
    const detail = (event as CustomEvent<AnnouncedWallet>).detail;
    if (!detail?.info?.uuid || typeof detail.provider?.request !== 'function') return;
    byUuid.set(detail.info.uuid, detail);
    onChange([...byUuid.values()]);
  };
  window.addEventListener('eip6963:announceProvider', onAnnounce);
  window.dispatchEvent(new Event('eip6963:requestProvider'));
  return () => window.removeEventListener('eip6963:announceProvider', onAnnounce);
}
