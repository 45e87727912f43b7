import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, hasSession, setSessionToken } from '../api/client';
import { discoverWallets, type AnnouncedWallet } from './eip6963';

export type WalletStatus = 'idle' | 'connecting' | 'signing-in' | 'failed';

export interface WalletState {
  /** Wallets announced by EIP-6963. None: the app is read-only. */
  wallets: AnnouncedWallet[];
  connected: { wallet: AnnouncedWallet; address: string } | null;
  signedIn: boolean;
  status: WalletStatus;
  error: string | null;
  connect(wallet: AnnouncedWallet): Promise<void>;
  signIn(): Promise<void>;
  signOut(): Promise<void>;
}

const WalletContext = createContext<WalletState | null>(null);

export function useWallet(): WalletState {
  const state = useContext(WalletContext);
  if (!state) throw new Error('useWallet outside WalletProvider');
  return state;
}

/** Holds the wallets discovered with EIP-6963, the connected account and the SIWE session. */
export function WalletProvider({ children }: { children: ReactNode }) {
  const [wallets, setWallets] = useState<AnnouncedWallet[]>([]);
  const [connected, setConnected] = useState<WalletState['connected']>(null);
  const [signedIn, setSignedIn] = useState(hasSession());
  const [status, setStatus] = useState<WalletStatus>('idle');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => discoverWallets(setWallets), []);

  const connect = useCallback(async (wallet: AnnouncedWallet) => {
    setStatus('connecting');
    setError(null);
    try {
      const accounts = (await wallet.provider.request({ method: 'eth_requestAccounts' })) as string[];
      if (!accounts[0]) throw new Error('the wallet gave no account');
      setConnected({ wallet, address: accounts[0].toLowerCase() });
      setStatus('idle');
    } catch (e) {
      setStatus('failed');
      setError(`Connecting failed: ${(e as Error).message}`);
    }
  }, []);

  const signIn = useCallback(async () => {
    if (!connected) return;
    setStatus('signing-in');
    setError(null);
    try {
      // ethers and siwe load with the first wallet action, not with the catalogue.
      const { signInWithEthereum } = await import('./siwe-sign-in');
      setSessionToken(await signInWithEthereum(connected.wallet.provider, connected.address));
      setSignedIn(true);
      setStatus('idle');
    } catch (e) {
      setStatus('failed');
      setError(`Sign-in failed: ${(e as Error).message}`);
    }
  }, [connected]);

  const signOut = useCallback(async () => {
    try {
      await api('signOut');
    } catch {
      // Already gone on the server: forgetting it here is what matters.
    }
    setSessionToken(null);
    setSignedIn(false);
  }, []);

  const value = useMemo(
    () => ({ wallets, connected, signedIn, status, error, connect, signIn, signOut }),
    [wallets, connected, signedIn, status, error, connect, signIn, signOut],
  );
  return <WalletContext.Provider value={value}>{children}</WalletContext.Provider>;
}
