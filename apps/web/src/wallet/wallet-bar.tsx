import { shortHex } from '../format';
import { useWallet } from './wallet-context';

/** The header's wallet area: read-only without a wallet; connect, sign in (SIWE), sign out. */
export function WalletBar() {
  const w = useWallet();
  let content;
  if (w.wallets.length === 0) {
    content = (
      <p className="read-only" role="note">
        Read-only: no wallet found. Install a browser wallet to contribute, license or claim.
      </p>
    );
  } else if (!w.connected) {
    content = (
      <div className="wallet-actions">
        {w.wallets.map((wallet) => (
          <button
            key={wallet.info.uuid}
            type="button"
            onClick={() => void w.connect(wallet)}
            disabled={w.status === 'connecting'}
          >
            {wallet.info.icon && <img src={wallet.info.icon} alt="" width={16} height={16} />}
            Connect {wallet.info.name}
          </button>
        ))}
      </div>
    );
  } else {
    content = (
      <div className="wallet-actions">
        <span className="account" title={w.connected.address}>
          {shortHex(w.connected.address, 6, 4)}
        </span>
        {w.signedIn ? (
          <button type="button" onClick={() => void w.signOut()}>
            Sign out
          </button>
        ) : (
          <button type="button" onClick={() => void w.signIn()} disabled={w.status === 'signing-in'}>
            {w.status === 'signing-in' ? 'Signing in…' : 'Sign in with Ethereum'}
          </button>
        )}
        {w.signedIn && <span role="status">Signed in</span>}
      </div>
    );
  }
  return (
    <section className="wallet-bar" aria-label="Wallet">
      {content}
      {w.error && (
        <p role="alert" className="error">
          {w.error}
        </p>
      )}
    </section>
  );
}
