import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';
import { Link } from 'wouter';
import { routeUrl, type DatasetDetail, type LineageNode } from '@upstream/api-contract';
import { api } from '../api/client';
import { ErrorView } from '../api/error-view';
import { PageFrame } from '../page-frame';
import { TableScroll } from '../table-scroll';
import { LocalFileCheck } from './local-file-check';
import { DatasetTags } from '../dataset/dataset-tags';
import { Disputes, NearDuplicates, Overlaps, TakedownStatus } from '../dataset/integrity-sections';
import { bytes, dateTime, percent, shortHex, units } from '../format';
import { ApprovedTemplateBadge } from '../dataset/approved-template-badge';

const FILES_PER_PAGE = 50;
// @xyflow/react loads only for a dataset with a lineage to draw.
const LineageGraph = lazy(() => import('../dataset/lineage-graph'));

/** A dataset: owners and shares, files with hashes and proofs, lineage, license, runs, anchoring, earnings. */
export default function DatasetPage({ id }: { id: string }) {
  const dataset = useQuery({ queryKey: ['dataset', id], queryFn: () => api('getDataset', { params: { id } }) });
  return (
    <PageFrame query={dataset} noun="dataset" heading="Dataset" documentTitle={(d) => d?.title ?? 'Dataset'}>
      {(d) => <DatasetView dataset={d} />}
    </PageFrame>
  );
}

function DatasetView({ dataset: d }: { dataset: DatasetDetail }) {
  return (
    <>
      <p className="breadcrumb">
        <Link href="/app/datasets">Catalogue</Link> / dataset
      </p>
      <h1>{d.title}</h1>
      <DatasetTags dataset={d} link />
      {d.description && <p className="description">{d.description}</p>}
      <dl className="facts">
        <div>
          <dt>Content root</dt>
          <dd>
            <code className="hash">{d.contentRoot}</code>
          </dd>
        </div>
        <div>
          <dt>Files</dt>
          <dd>
            {d.fileCount.toLocaleString('en')} ({bytes(d.totalBytes)})
          </dd>
        </div>
        <div>
          <dt>Access</dt>
          <dd>{d.accessPolicy}</dd>
        </div>
        <div>
          <dt>Storage</dt>
          <dd>{d.externalUri ? `${d.storage}: ${d.externalUri}` : d.storage}</dd>
        </div>
        <div>
          <dt>Registered</dt>
          <dd>{dateTime(d.createdAt)}</dd>
        </div>
      </dl>
      <TakedownStatus dataset={d} />
      <Owners dataset={d} />
      <Anchoring dataset={d} />
      <License dataset={d} />
      <LineageSection id={d.id} title={d.title} parents={d.parents} />
      <Overlaps id={d.id} />
      <NearDuplicates id={d.id} />
      <Disputes id={d.id} />
      <Runs id={d.id} />
      <Files id={d.id} />
      <LocalFileCheck datasetId={d.id} contentRoot={d.contentRoot} />
    </>
  );
}

function Owners({ dataset: d }: { dataset: DatasetDetail }) {
  return (
    <section aria-labelledby="owners">
      <h2 id="owners">Owners and shares</h2>
      <table>
        <caption className="visually-hidden">Owners in signed order with their shares</caption>
        <thead>
          <tr>
            <th scope="col">Account</th>
            <th scope="col">Share</th>
          </tr>
        </thead>
        <tbody>
          {d.owners.map((o) => (
            <tr key={o.account}>
              <td>
                <code className="hash">{o.account}</code>
              </td>
              <td>{percent(o.shareBps)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Anchoring({ dataset: d }: { dataset: DatasetDetail }) {
  const a = d.anchorStatus;
  const [check, setCheck] = useState<'idle' | 'checking' | 'valid' | 'invalid' | 'failed'>('idle');
  const verify = async () => {
    if (!a.batch) return;
    setCheck('checking');
    try {
      await import('../polyfills');
      const { verifyBatchAnchorProof } = await import('@upstream/provenance');
      setCheck((await verifyBatchAnchorProof(a.batch.root, a.leaf, a.batch.proof)) ? 'valid' : 'invalid');
    } catch {
      setCheck('failed');
    }
  };
  return (
    <section aria-labelledby="anchoring">
      <h2 id="anchoring">Anchor status</h2>
      <dl className="facts">
        <div>
          <dt>State</dt>
          <dd>
            <span className={`badge badge-${a.state}`}>{a.state}</span>
          </dd>
        </div>
        <div>
          <dt>Signed digest (batch leaf)</dt>
          <dd>
            <code className="hash">{a.leaf}</code>
          </dd>
        </div>
        {a.batch && (
          <div>
            <dt>Batch root</dt>
            <dd>
              <code className="hash">{a.batch.root}</code> ({a.batch.itemCount} records)
            </dd>
          </div>
        )}
        {a.transaction && (
          <div>
            <dt>Transaction</dt>
            <dd>
              {a.transaction.status} {a.transaction.hash && <code className="hash">{a.transaction.hash}</code>}
            </dd>
          </div>
        )}
        {a.anchor && (
          <div>
            <dt>Anchored</dt>
            <dd>
              block {a.anchor.blockNumber}, {dateTime(a.anchor.anchoredAt)}
            </dd>
          </div>
        )}
      </dl>
      {a.batch && (
        <p>
          <button type="button" onClick={() => void verify()} disabled={check === 'checking'}>
            Check the batch proof in this browser
          </button>{' '}
          <span role="status">
            {check === 'checking' && 'Checking…'}
            {check === 'valid' && 'Valid: the signed digest is in the batch root.'}
            {check === 'invalid' && 'INVALID: the proof does not lead to the batch root.'}
            {check === 'failed' && 'The check could not run.'}
          </span>
        </p>
      )}
    </section>
  );
}

function License({ dataset: d }: { dataset: DatasetDetail }) {
  const licenses = useQuery({
    queryKey: ['dataset-licenses', d.id],
    queryFn: () => api('listDatasetLicenses', { params: { id: d.id }, query: { limit: 100 } }),
  });
  return (
    <section aria-labelledby="license">
      <h2 id="license">License</h2>
      <p>
        Terms: <strong>{d.license.template}</strong>
        <ApprovedTemplateBadge license={d.license} />, licensing {d.license.licensingOpen ? 'open' : 'closed'}
        {licenses.data ? `, ${licensesText(licenses.data.total)}` : ''}.
      </p>
      <p data-testid="license-duration">{durationText(d.license.terms.durationDays)}</p>
      <details>
        <summary>Terms document (hash {shortHex(d.license.termsHash)})</summary>
        <pre>{JSON.stringify(d.license.terms, null, 2)}</pre>
      </details>
      {d.license.licensingOpen && (
        <p>
          <Link href={`/app/lab?dataset=${d.contentRoot}`}>License it in the Lab</Link>{' '}
          <span className="muted">
            (or <code>upstream license {d.contentRoot}</code>, or <code>POST /licenses</code> with a signed EIP-712
            LicenseAcceptance)
          </span>
        </p>
      )}
    </section>
  );
}

/** The terms' `durationDays` (checked when the dataset was registered), or none: licenses never end. */
const durationText = (days: unknown) =>
  typeof days === 'number'
    ? `A license lasts ${days} day${days === 1 ? '' : 's'} from when it becomes active.`
    : 'A license does not expire.';

const licensesText = (n: number) =>
  n === 0 ? 'no license granted yet' : `${n >= 100 ? '100 or more' : n} license${n === 1 ? '' : 's'} granted`;

function LineageSection({ id, title, parents }: { id: string; title: string; parents: DatasetDetail['parents'] }) {
  const lineage = useQuery({ queryKey: ['lineage', id], queryFn: () => api('getLineage', { params: { id } }) });
  const list = (nodes: LineageNode[], empty: string) =>
    nodes.length === 0 ? (
      <p className="muted">{empty}</p>
    ) : (
      <ul className="lineage">
        {nodes.map((n) => (
          <li key={`${n.id}:${n.via}`} style={{ marginInlineStart: `${(n.depth - 1) * 1.25}rem` }}>
            <Link href={`/app/datasets/${n.id}`}>{n.title}</Link>{' '}
            <span className="muted">
              (depth {n.depth}, upstream share {percent(n.upstreamBps)})
            </span>
          </li>
        ))}
      </ul>
    );
  return (
    <section aria-labelledby="lineage">
      <h2 id="lineage">Lineage</h2>
      <ErrorView error={lineage.error} title="The lineage could not be loaded" />
      {lineage.data && lineage.data.ancestors.length + lineage.data.descendants.length > 0 && (
        <Suspense fallback={<p role="status">Drawing the lineage…</p>}>
          <LineageGraph lineage={lineage.data} title={title} />
        </Suspense>
      )}
      <h3>Derived from</h3>
      {lineage.data
        ? list(lineage.data.ancestors, parents.length === 0 ? 'No parents: an original dataset.' : '')
        : null}
      <h3>Derived datasets</h3>
      {lineage.data ? list(lineage.data.descendants, 'None yet.') : null}
    </section>
  );
}

function Runs({ id }: { id: string }) {
  const runs = useQuery({
    queryKey: ['dataset-runs', id],
    queryFn: () => api('listDatasetRuns', { params: { id }, query: { limit: 100 } }),
  });
  const earned = new Map<string, bigint>();
  for (const run of runs.data?.items ?? [])
    for (const p of run.paid) earned.set(p.token, (earned.get(p.token) ?? 0n) + BigInt(p.amount));
  return (
    <section aria-labelledby="runs">
      <h2 id="runs">Training runs that used it</h2>
      <ErrorView error={runs.error} title="The runs could not be loaded" />
      {runs.data && runs.data.items.length === 0 && <p className="muted">No run has used this dataset yet.</p>}
      {runs.data && runs.data.items.length > 0 && (
        <TableScroll label="Runs">
          <table>
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">Lab</th>
                <th scope="col">Weight</th>
                <th scope="col">Paid for the run</th>
                <th scope="col">Recorded</th>
              </tr>
            </thead>
            <tbody>
              {runs.data.items.map((r) => (
                <tr key={r.id}>
                  <td>{r.modelName}</td>
                  <td>
                    <code>{shortHex(r.lab, 6, 4)}</code>
                  </td>
                  <td>
                    {units(r.weight)} of {units(r.totalWeight)} {r.weightUnit}
                  </td>
                  <td>
                    {r.paid.length === 0
                      ? 'unpaid'
                      : r.paid.map((p) => `${units(p.amount)} (${shortHex(p.token, 6, 4)})`).join(', ')}
                  </td>
                  <td>{dateTime(r.recordedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {earned.size > 0 && (
        <p>
          Paid by runs that used it, per token:{' '}
          {[...earned].map(([token, amount]) => `${units(amount.toString())} (${shortHex(token, 6, 4)})`).join(', ')}.
        </p>
      )}
    </section>
  );
}

function Files({ id }: { id: string }) {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors.at(-1);
  const files = useQuery({
    queryKey: ['files', id, cursor],
    queryFn: () => api('listDatasetFiles', { params: { id }, query: { limit: FILES_PER_PAGE, cursor } }),
  });
  return (
    <section aria-labelledby="files">
      <h2 id="files">Files</h2>
      <ErrorView error={files.error} title="The files could not be loaded" />
      {files.data && files.data.items.length === 0 && <p className="muted">No files are listed for this dataset.</p>}
      {files.data && files.data.items.length > 0 && (
        <TableScroll label="Files">
          <table>
            <thead>
              <tr>
                <th scope="col">Path</th>
                <th scope="col">Size</th>
                <th scope="col">SHA-256</th>
                <th scope="col">Proof</th>
              </tr>
            </thead>
            <tbody>
              {files.data.items.map((f) => (
                <tr key={f.path}>
                  <td>{f.path}</td>
                  <td>{bytes(f.size)}</td>
                  <td>
                    <code className="hash">{f.sha256}</code>
                  </td>
                  <td>
                    <a
                      href={routeUrl('getFileProof', { params: { id }, query: { path: f.path } })}
                      download={`${f.path.split('/').at(-1)}.proof.json`}
                      aria-label={`proof.json: the inclusion proof of ${f.path}`}
                    >
                      proof.json
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      <nav aria-label="File pages" className="pager">
        <button type="button" onClick={() => setCursors((c) => c.slice(0, -1))} disabled={cursors.length === 1}>
          Previous files
        </button>
        <button
          type="button"
          onClick={() => setCursors((c) => [...c, files.data?.nextCursor ?? undefined])}
          disabled={!files.data?.nextCursor}
        >
          More files
        </button>
      </nav>
    </section>
  );
}
