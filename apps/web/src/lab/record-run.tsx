import { useQuery } from '@tanstack/react-query';
import { useState, type DragEvent } from 'react';
import { Link } from 'wouter';
import type { RunUpload } from '@upstream/api-contract';
import { api } from '../api/client';
import { ErrorView } from '../api/error-view';
import { shortHex, units } from '../format';
import { TableScroll } from '../table-scroll';
import { useWallet } from '../wallet/wallet-context';
import type { PreparedRun } from './lab-signing';
import {
  checkManifest,
  chunkSize,
  EMPTY_DRAFT,
  readManifest,
  UUID,
  WEIGHT_UNITS,
  type FieldProblem,
  type ManifestDraft,
} from './manifest';

type RecordStep =
  | { step: 'editing' }
  | { step: 'checking' }
  | { step: 'checked'; run: PreparedRun; unlicensed: string[] }
  | { step: 'signing'; run: PreparedRun }
  | { step: 'uploading'; run: PreparedRun; sent: number }
  | { step: 'committing'; run: PreparedRun }
  | { step: 'recorded'; upload: RunUpload }
  | { step: 'failed'; error: unknown; run?: PreparedRun };

const PREVIEW_ROWS = 100;

/**
 * Record a run: drop a JSON or CSV manifest (or fill the form), see it checked field by field and its entries
 * root built before signing, sign the TrainingRun in the wallet, upload the entries in chunks with progress.
 */
export function RecordRun() {
  const wallet = useWallet();
  const [draft, setDraft] = useState<ManifestDraft>(EMPTY_DRAFT);
  const [readProblems, setReadProblems] = useState<FieldProblem[]>([]);
  const [fileName, setFileName] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const [state, setState] = useState<RecordStep>({ step: 'editing' });
  const chain = useQuery({ queryKey: ['chain'], queryFn: () => api('getChain') });
  const { problems } = checkManifest(draft);
  const shownProblems = [...readProblems, ...(draft === EMPTY_DRAFT ? [] : problems)];

  const edit = (next: Partial<ManifestDraft>) => {
    setDraft((d) => ({ ...d, ...next }));
    setState({ step: 'editing' });
  };

  const load = async (file: File | undefined) => {
    if (!file) return;
    const { draft: read, problems: found } = readManifest(file.name, await file.text(), draft);
    setFileName(file.name);
    setDraft(read);
    setReadProblems(found);
    setState({ step: 'editing' });
  };

  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setDragging(false);
    void load(event.dataTransfer.files[0]);
  };

  const check = async () => {
    const { manifest, problems: found } = checkManifest(draft);
    if (!manifest || readProblems.length > 0) return;
    setState({ step: 'checking' });
    try {
      // Datasets named by id are signed by their content root, as the CLI does.
      const entries = await Promise.all(
        manifest.entries.map(async (e) =>
          UUID.test(e.datasetId)
            ? { ...e, datasetId: (await api('getDataset', { params: { id: e.datasetId } })).contentRoot }
            : e,
        ),
      );
      const { prepareRun } = await import('./lab-signing');
      const prepared = await prepareRun({ ...manifest, entries });
      if (!prepared.run) {
        setReadProblems([...found, ...prepared.problems]);
        setState({ step: 'editing' });
        return;
      }
      setState({ step: 'checked', run: prepared.run, unlicensed: await unlicensedOf(prepared.run) });
    } catch (error) {
      setState({ step: 'failed', error });
    }
  };

  /** Datasets of the run without a license of this lab in force (the API would refuse the run for them). */
  const unlicensedOf = async (run: PreparedRun): Promise<string[]> => {
    if (!wallet.connected) return [];
    const mine = await api('listLabLicenses', { params: { address: wallet.connected.address }, query: { limit: 100 } });
    if (mine.total > mine.items.length) return [];
    const active = new Set(mine.items.filter((l) => l.status === 'active').map((l) => l.datasetId));
    return run.entries.map((e) => e.datasetId).filter((id) => !active.has(id));
  };

  const record = async (run: PreparedRun) => {
    if (!wallet.connected || !chain.data) return;
    try {
      setState({ step: 'signing', run });
      const { signRun } = await import('./lab-signing');
      const signature = await signRun(
        wallet.connected.wallet.provider,
        wallet.connected.address,
        chain.data.eip712Domain,
        run,
      );
      const size = chunkSize(run.entries.length);
      setState({ step: 'uploading', run, sent: 0 });
      let upload = await api('createRun', {
        body: { ...run.message, lab: wallet.connected.address, signature, entries: run.entries.slice(0, size) },
      });
      setState({ step: 'uploading', run, sent: upload.received });
      while (upload.status === 'open' && upload.received < run.entries.length) {
        const offset = upload.received;
        upload = await api('addRunEntries', {
          params: { id: upload.id },
          body: { offset, entries: run.entries.slice(offset, offset + size) },
        });
        setState({ step: 'uploading', run, sent: upload.received });
      }
      if (upload.status === 'open') {
        setState({ step: 'committing', run });
        upload = await api('commitRun', { params: { id: upload.id } });
      }
      setState({ step: 'recorded', upload });
    } catch (error) {
      setState({ step: 'failed', error, run });
    }
  };

  const run = 'run' in state ? state.run : undefined;
  const busy =
    state.step === 'checking' || state.step === 'signing' || state.step === 'uploading' || state.step === 'committing';
  const canSign = wallet.connected !== null && wallet.signedIn && chain.data !== undefined;
  return (
    <section aria-labelledby="record-a-run">
      <h2 id="record-a-run">Record a training run</h2>
      <div
        className={`drop-zone${dragging ? ' dragging' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        data-testid="manifest-drop"
      >
        <p>
          Drop a manifest here: JSON (<code>modelName</code>, <code>modelHash</code>, <code>runRef</code>,{' '}
          <code>weightUnit</code>, <code>startedAt</code>, <code>endedAt</code>,{' '}
          <code>
            entries: [{'{'} datasetId, weight {'}'}]
          </code>
          , as <code>upstream run record</code> reads it) or CSV (a <code>datasetId,weight</code> header, one row per
          dataset; the run&apos;s other fields below).
        </p>
        <label>
          Or pick the manifest file
          <input
            type="file"
            accept=".json,.csv,application/json,text/csv"
            onChange={(e) => void load(e.target.files?.[0])}
          />
        </label>
        {fileName && (
          <p>
            Read <strong>{fileName}</strong>: {draft.entries.length} entr{draft.entries.length === 1 ? 'y' : 'ies'}.
          </p>
        )}
      </div>
      <form
        className="stack-form"
        onSubmit={(e) => {
          e.preventDefault();
          void check();
        }}
      >
        <label className="stacked">
          Model name
          <input value={draft.modelName} onChange={(e) => edit({ modelName: e.target.value })} maxLength={256} />
        </label>
        <label className="stacked">
          Model hash (bytes32)
          <input
            value={draft.modelHash}
            onChange={(e) => edit({ modelHash: e.target.value.trim() })}
            spellCheck={false}
            placeholder="0x…"
          />
        </label>
        <label className="stacked">
          Run reference (bytes32, optional)
          <input
            value={draft.runRef}
            onChange={(e) => edit({ runRef: e.target.value.trim() })}
            spellCheck={false}
            placeholder="derived from the model and times when empty"
          />
        </label>
        <label className="stacked">
          Weight unit
          <select value={draft.weightUnit} onChange={(e) => edit({ weightUnit: e.target.value })}>
            {WEIGHT_UNITS.map((u) => (
              <option key={u} value={u}>
                {u}
              </option>
            ))}
          </select>
        </label>
        <label className="stacked">
          Started (ISO date or Unix seconds)
          <input value={draft.startedAt} onChange={(e) => edit({ startedAt: e.target.value.trim() })} />
        </label>
        <label className="stacked">
          Ended (ISO date or Unix seconds)
          <input value={draft.endedAt} onChange={(e) => edit({ endedAt: e.target.value.trim() })} />
        </label>
        <button type="submit" disabled={busy || shownProblems.length > 0 || draft.entries.length === 0}>
          Check the manifest
        </button>
      </form>
      {shownProblems.length > 0 && (
        <div role="alert" className="error-box">
          <p>
            <strong>The manifest cannot be signed yet</strong> ({shownProblems.length} problem
            {shownProblems.length === 1 ? '' : 's'}):
          </p>
          <ul>
            {shownProblems.slice(0, 20).map((p) => (
              <li key={`${p.field}:${p.reason}`}>
                <code>{p.field}</code>: {p.reason}
              </li>
            ))}
          </ul>
        </div>
      )}
      {run && (
        <div className="card">
          <p>
            Checked: {run.entries.length} dataset{run.entries.length === 1 ? '' : 's'}, total weight{' '}
            {units(run.totalWeight.toString())} {run.message.weightUnit}; entries root{' '}
            <code className="hash" data-testid="entries-root">
              {run.entriesRoot}
            </code>
          </p>
          <TableScroll label="Manifest entries">
            <table>
              <thead>
                <tr>
                  <th scope="col">Dataset (content root)</th>
                  <th scope="col">Weight</th>
                </tr>
              </thead>
              <tbody>
                {run.entries.slice(0, PREVIEW_ROWS).map((e) => (
                  <tr key={e.datasetId}>
                    <td>
                      <code className="hash">{e.datasetId}</code>
                    </td>
                    <td>{units(e.weight)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          {state.step === 'checked' && state.unlicensed.length > 0 && (
            <p role="alert" className="error">
              No license of yours is in force for {state.unlicensed.length} of these datasets (
              {state.unlicensed
                .slice(0, 3)
                .map((id) => shortHex(id))
                .join(', ')}
              {state.unlicensed.length > 3 ? ', …' : ''}): the API will refuse the run until they are licensed.
            </p>
          )}
          <p>
            <button type="button" onClick={() => void record(run)} disabled={!canSign || busy}>
              Sign and record the run
            </button>{' '}
            {!canSign && <span className="muted">Connect your wallet and sign in to sign and record.</span>}
          </p>
        </div>
      )}
      <div role="status" aria-live="polite">
        {state.step === 'checking' && <p>Checking the manifest…</p>}
        {state.step === 'signing' && <p>Sign the TrainingRun manifest in your wallet…</p>}
        {state.step === 'uploading' && (
          <>
            <label className="stacked">
              Uploading the entries
              <progress max={state.run.entries.length} value={state.sent} />
            </label>
            <p>
              {state.sent.toLocaleString('en')} of {state.run.entries.length.toLocaleString('en')} entries sent
            </p>
          </>
        )}
        {state.step === 'committing' && <p>Committing the run…</p>}
        {state.step === 'recorded' && (
          <p>
            Recorded: <Link href={`/app/runs/${state.upload.id}`}>run {shortHex(state.upload.runId)}</Link> (
            {state.upload.entryCount} entries). Pay it on its page.
          </p>
        )}
      </div>
      {state.step === 'failed' && <ErrorView error={state.error} title="Recording the run failed" />}
    </section>
  );
}
