import { useState, type FormEvent } from 'react';
import { api } from '../api/client';
import { ErrorView } from '../api/error-view';
import { hashInWorker } from '../contribute/hash-files';

type Check =
  | { step: 'idle' }
  | { step: 'checking' }
  | { step: 'verified'; path: string; sha256: string }
  | { step: 'differs'; reason: string }
  | { step: 'failed'; error: unknown };

/**
 * "Is this file of mine in the dataset?": the local file is hashed in the Web Worker, the file's proof is
 * fetched by its path, and the proof is checked against the content root in the browser (@upstream/provenance).
 */
export function LocalFileCheck({ datasetId, contentRoot }: { datasetId: string; contentRoot: string }) {
  const [state, setState] = useState<Check>({ step: 'idle' });
  const check = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const file = data.get('file');
    const typedPath = data.get('path');
    if (!(file instanceof File) || (file.size === 0 && file.name === '')) return;
    const path = typeof typedPath === 'string' && typedPath.trim() ? typedPath.trim() : file.name;
    setState({ step: 'checking' });
    try {
      const [hashed] = await hashInWorker([{ path, file }], () => undefined);
      const proof = await api('getFileProof', { params: { id: datasetId }, query: { path } });
      if (proof.file.sha256 !== hashed.sha256 || proof.file.size !== String(hashed.size)) {
        setState({
          step: 'differs',
          reason: `the dataset's ${path} has SHA-256 ${proof.file.sha256} (${proof.file.size} bytes); yours has ${hashed.sha256} (${hashed.size} bytes)`,
        });
        return;
      }
      await import('../polyfills');
      const { verifyFileProof } = await import('@upstream/provenance');
      const valid = await verifyFileProof(
        contentRoot,
        { path, size: BigInt(hashed.size), sha256: hashed.sha256 },
        proof.proof,
      );
      setState(
        valid
          ? { step: 'verified', path, sha256: hashed.sha256 }
          : { step: 'differs', reason: 'the proof the API gave does not lead to the content root' },
      );
    } catch (error) {
      setState({ step: 'failed', error });
    }
  };
  return (
    <section aria-labelledby="local-file">
      <h2 id="local-file">Check a local file against this dataset</h2>
      <form onSubmit={(e) => void check(e)} className="filters">
        <label>
          Your file
          <input type="file" name="file" required />
        </label>
        <label>
          Its path in the dataset (default: its name)
          <input name="path" spellCheck={false} />
        </label>
        <button type="submit" disabled={state.step === 'checking'}>
          Check the file
        </button>
      </form>
      <div role="status" aria-live="polite">
        {state.step === 'checking' && <p>Hashing and checking…</p>}
        {state.step === 'verified' && (
          <p className="verdict verdict-match">
            <strong>VERIFIED</strong>: {state.path} (SHA-256 <code>{state.sha256}</code>) is in this dataset; its proof
            leads to the content root.
          </p>
        )}
        {state.step === 'differs' && (
          <p className="verdict verdict-mismatch">
            <strong>NOT IN THIS DATASET</strong>: {state.reason}.
          </p>
        )}
      </div>
      {state.step === 'failed' && <ErrorView error={state.error} title="The file could not be checked" />}
    </section>
  );
}
