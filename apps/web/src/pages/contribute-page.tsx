import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState, type ChangeEvent, type DragEvent, type FormEvent } from 'react';
import { Link } from 'wouter';
import type { DatasetDetail } from '@upstream/api-contract';
import { api, currentSessionToken } from '../api/client';
import { ErrorView } from '../api/error-view';
import { bytes, shortHex } from '../format';
import { TableScroll } from '../table-scroll';
import { useWallet } from '../wallet/wallet-context';
import { droppedFiles, hashInWorker, pickedFiles, type HashedFile, type PickedFile } from '../contribute/hash-files';
import type { ContributionDraft } from '../contribute/sign-contribution';
import { newShareRow, ShareRows, type ShareRow } from '../contribute/share-rows';
import { AnchoringProgress } from '../contribute/anchoring-progress';

type Step =
  | { step: 'idle' }
  | { step: 'hashing'; done: number; total: number; startedAt: number }
  | { step: 'hashed'; files: HashedFile[]; root: string; mbPerSecond: number }
  | { step: 'uploading'; files: HashedFile[]; root: string; sent: number; total: number }
  | { step: 'checking'; files: HashedFile[]; root: string }
  | { step: 'signing'; files: HashedFile[]; root: string }
  | { step: 'registering'; files: HashedFile[]; root: string }
  | { step: 'registered'; dataset: DatasetDetail }
  | { step: 'failed'; error: unknown; files?: HashedFile[]; root?: string };

/**
 * Contribute: pick or drop a folder, hash it in a Web Worker, describe it (co-owners, parents, license and
 * access), check it as the API will, upload what the server lacks, sign and register, then follow its anchoring.
 */
export default function ContributePage() {
  const wallet = useWallet();
  const [picked, setPicked] = useState<PickedFile[]>([]);
  const [state, setState] = useState<Step>({ step: 'idle' });
  const [owners, setOwners] = useState<ShareRow[]>([]);
  const [parents, setParents] = useState<ShareRow[]>([]);
  const [license, setLicense] = useState<ContributionDraft['license']>('open-training');
  const [dragging, setDragging] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const chain = useQuery({ queryKey: ['chain'], queryFn: () => api('getChain') });
  useEffect(() => {
    document.title = 'Contribute · Upstream';
  }, []);
  const me = wallet.connected?.address;
  useEffect(() => {
    // The contributor is the first owner, with everything until co-owners are added.
    if (me) setOwners((rows) => [newShareRow(me, rows[0]?.percent ?? '100'), ...rows.slice(1)]);
  }, [me]);

  const hash = async (files: PickedFile[]) => {
    setPicked(files);
    const total = files.reduce((sum, f) => sum + f.file.size, 0);
    const startedAt = performance.now();
    setState({ step: 'hashing', done: 0, total, startedAt });
    try {
      const hashed = await hashInWorker(files, (done) => setState({ step: 'hashing', done, total, startedAt }));
      const { rootOf } = await import('../contribute/sign-contribution');
      const seconds = Math.max((performance.now() - startedAt) / 1000, 0.001);
      setState({ step: 'hashed', files: hashed, root: await rootOf(hashed), mbPerSecond: total / 1e6 / seconds });
    } catch (error) {
      setState({ step: 'failed', error });
    }
  };

  const onPick = (event: ChangeEvent<HTMLInputElement>) => {
    if (event.target.files && event.target.files.length > 0) void hash(pickedFiles(event.target.files));
  };

  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setDragging(false);
    droppedFiles(event.dataTransfer).then(
      (files) => (files.length > 0 ? hash(files) : undefined),
      (error: unknown) => setState({ step: 'failed', error }),
    );
  };

  const register = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (state.step !== 'hashed' && state.step !== 'failed') return;
    const files = state.files;
    const root = state.root;
    if (!files || !root || !wallet.connected || !chain.data) return;
    const data = new FormData(event.currentTarget);
    const text = (key: string) => {
      const value = data.get(key);
      return typeof value === 'string' ? value.trim() : '';
    };
    const draft: ContributionDraft = {
      title: text('title'),
      description: text('description'),
      license,
      fee: { token: text('feeToken'), amount: text('feeAmount') },
      durationDays: text('durationDays'),
      accessPolicy: text('accessPolicy') as ContributionDraft['accessPolicy'],
      owners: owners.map((o) => ({ account: o.name, percent: o.percent })),
      parents: parents.map((p) => ({ dataset: p.name, percent: p.percent })),
    };
    try {
      // Checked before anything is sent or signed, by the rule the API applies.
      setState({ step: 'checking', files, root });
      const { prepareContribution, signContribution } = await import('../contribute/sign-contribution');
      const form = await prepareContribution(draft, root, async (id) => {
        try {
          return (await api('getDataset', { params: { id } })).contentRoot;
        } catch {
          return null;
        }
      });
      // Only the blobs the server lacks are sent.
      const { missing } = await api('findMissingBlobs', {
        body: { sha256s: [...new Set(files.map((f) => f.sha256))] },
      });
      const toSend = picked.filter((p, i) => missing.includes(files[i].sha256));
      const total = toSend.reduce((sum, p) => sum + p.file.size, 0);
      let sentBefore = 0;
      const { uploadBlob } = await import('../contribute/upload-blob');
      for (const p of toSend) {
        const sha256 = files[picked.indexOf(p)].sha256;
        setState({ step: 'uploading', files, root, sent: sentBefore, total });
        await uploadBlob(p.file, sha256, currentSessionToken() ?? '', (sent) =>
          setState({ step: 'uploading', files, root, sent: sentBefore + sent, total }),
        );
        sentBefore += p.file.size;
      }
      setState({ step: 'signing', files, root });
      const body = await signContribution(
        wallet.connected.wallet.provider,
        wallet.connected.address,
        chain.data.eip712Domain,
        files,
        form,
      );
      setState({ step: 'registering', files, root });
      const dataset = await api('registerDataset', { body });
      setState({ step: 'registered', dataset });
      heading.current?.focus();
    } catch (error) {
      setState({ step: 'failed', error, files, root });
    }
  };

  if (!wallet.connected || !wallet.signedIn)
    return (
      <>
        <h1>Contribute</h1>
        <p>
          Contributing needs a wallet: connect it and sign in with Ethereum (at the top of the page). Registering a
          dataset is signed with it (EIP-712); the signature is the only authorization.
        </p>
      </>
    );

  const files = 'files' in state ? state.files : undefined;
  const root = 'root' in state ? state.root : undefined;
  const busy =
    state.step === 'hashing' ||
    state.step === 'checking' ||
    state.step === 'uploading' ||
    state.step === 'signing' ||
    state.step === 'registering';
  return (
    <>
      <h1 ref={heading} tabIndex={-1}>
        Contribute
      </h1>
      <section aria-labelledby="pick">
        <h2 id="pick">1. Pick the data</h2>
        <div className="filters">
          <label>
            A folder
            <input
              type="file"
              onChange={onPick}
              disabled={busy}
              ref={(input) => input?.setAttribute('webkitdirectory', '')}
            />
          </label>
          <label>
            Or files
            <input type="file" multiple onChange={onPick} disabled={busy} />
          </label>
        </div>
        <div
          className={`drop-zone${dragging ? ' dragging' : ''}`}
          data-testid="folder-drop"
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={busy ? undefined : onDrop}
        >
          Or drop a folder (or files) here.
        </div>
        <div role="status" aria-live="polite">
          {state.step === 'hashing' && <HashProgress {...state} />}
          {files && root && (
            <p>
              {files.length} file{files.length === 1 ? '' : 's'} hashed
              {state.step === 'hashed' ? ` at ${state.mbPerSecond.toFixed(1)} MB/s` : ''}; content root{' '}
              <code className="hash" data-testid="content-root">
                {root}
              </code>
            </p>
          )}
        </div>
        {files && (
          <TableScroll label="Picked files">
            <table>
              <thead>
                <tr>
                  <th scope="col">Path</th>
                  <th scope="col">Size</th>
                  <th scope="col">SHA-256</th>
                </tr>
              </thead>
              <tbody>
                {files.map((f) => (
                  <tr key={f.path}>
                    <td>{f.path}</td>
                    <td>{bytes(f.size)}</td>
                    <td>
                      <code title={f.sha256}>{shortHex(f.sha256, 12, 6)}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </section>

      {state.step === 'registered' ? (
        <section aria-labelledby="registered">
          <h2 id="registered">Registered</h2>
          <p>
            <Link href={`/app/datasets/${state.dataset.id}`}>{state.dataset.title}</Link> is registered under content
            root <code className="hash">{state.dataset.contentRoot}</code>.
          </p>
          <AnchoringProgress id={state.dataset.id} />
        </section>
      ) : (
        <section aria-labelledby="describe">
          <h2 id="describe">2. Describe, sign and register</h2>
          <form onSubmit={(e) => void register(e)} className="stack-form">
            <label className="stacked">
              Title
              <input name="title" required maxLength={200} />
            </label>
            <label className="stacked">
              Description
              <textarea name="description" rows={3} />
            </label>
            <ShareRows
              legend="Owners and their shares (must add up to 100 %)"
              nameLabel="Owner"
              shareLabel="Share"
              addLabel="Add a co-owner"
              rows={owners}
              onChange={setOwners}
              lockedFirst
              disabled={busy}
            />
            <ShareRows
              legend="Parents: datasets this one derives from, with their upstream shares (at most 100 % together)"
              nameLabel="Parent dataset (content root or id)"
              shareLabel="Upstream share"
              addLabel="Add a parent"
              rows={parents}
              onChange={setParents}
              disabled={busy}
            />
            <label className="stacked">
              License
              <select
                name="license"
                value={license}
                onChange={(e) => setLicense(e.target.value as ContributionDraft['license'])}
              >
                <option value="open-training">open-training</option>
                <option value="research-only">research-only</option>
                <option value="paid-per-run">paid-per-run: a fee per training run</option>
              </select>
            </label>
            {license === 'paid-per-run' && (
              <div className="filters">
                <label>
                  Fee token
                  <input
                    name="feeToken"
                    defaultValue={chain.data?.paymentToken ?? ''}
                    autoComplete="off"
                    spellCheck={false}
                  />
                </label>
                <label>
                  Fee per run (smallest token units)
                  <input name="feeAmount" inputMode="numeric" autoComplete="off" />
                </label>
              </div>
            )}
            <label className="stacked">
              License duration in days (empty: licenses never end)
              <input name="durationDays" inputMode="numeric" autoComplete="off" />
            </label>
            <label className="stacked">
              Who may fetch the bytes
              <select
                name="accessPolicy"
                key={license}
                defaultValue={license === 'open-training' ? 'public' : 'licensed'}
              >
                <option value="public">public</option>
                <option value="licensed">licensed</option>
                <option value="private">private</option>
              </select>
            </label>
            <button type="submit" disabled={!files || busy || !chain.data}>
              Upload, sign and register
            </button>
          </form>
          <div role="status" aria-live="polite">
            {state.step === 'uploading' && (
              <p>
                Uploading the missing files: {bytes(state.sent)} of {bytes(state.total)}
              </p>
            )}
            {state.step === 'checking' && <p>Checking the shares and parents…</p>}
            {state.step === 'signing' && <p>Sign the Contribution in your wallet…</p>}
            {state.step === 'registering' && <p>Registering…</p>}
          </div>
          {state.step === 'failed' && <ErrorView error={state.error} title="Contributing failed" />}
        </section>
      )}
    </>
  );
}

function HashProgress({ done, total, startedAt }: { done: number; total: number; startedAt: number }) {
  const seconds = Math.max((performance.now() - startedAt) / 1000, 0.001);
  const rate = done / seconds;
  const left = rate > 0 ? (total - done) / rate : 0;
  return (
    <>
      <label className="stacked">
        Hashing
        <progress max={total || 1} value={done} />
      </label>
      <p>
        {bytes(done)} of {bytes(total)}, {(rate / 1e6).toFixed(1)} MB/s, about {Math.ceil(left)} s left
      </p>
    </>
  );
}
