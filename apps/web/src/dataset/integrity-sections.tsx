// A dataset's integrity, as its page shows it: its takedown, the datasets it shares files with (overlaps,
// by SHA-256), the near-duplicates the worker found (similar, by MinHash and perceptual hashes), its tags
// and the disputes against it.
import { useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { Link } from 'wouter';
import type {
  DatasetDetail,
  DatasetOverlap,
  DatasetSimilarity,
  Dispute,
  OverlapRelation,
} from '@upstream/api-contract';
import { api } from '../api/client';
import { ErrorView } from '../api/error-view';
import { bytes, dateTime, shortHex } from '../format';
import { TableScroll } from '../table-scroll';

const PER_PAGE = 20;
type Direction = 'earlier' | 'later';

const RELATION_WORDS: Record<OverlapRelation, string> = {
  own: 'same owners',
  declared: 'declared lineage',
  undeclared: 'undeclared',
};

const share = (fraction: number): string => `${(fraction * 100).toLocaleString('en', { maximumFractionDigits: 1 })} %`;

/** The takedown record, when its owners withdrew the dataset. */
export function TakedownStatus({ dataset: d }: { dataset: DatasetDetail }) {
  const t = d.takedown;
  if (!t)
    return (
      <p className="muted" data-testid="takedown-status">
        Live: licensable and delivered under its terms.
      </p>
    );
  return (
    <section aria-labelledby="takedown" className="error-box" data-testid="takedown-status">
      <h2 id="takedown">Taken down</h2>
      <p>
        Its owners took it down on {dateTime(t.takenDownAt)} (signed by <code className="hash">{t.signer}</code>):{' '}
        <q>{t.reason}</q>. No new licenses and no deliveries; runs that used it keep their record.
      </p>
      <p className="muted">
        {t.bytesDeletedAt
          ? `Bytes deleted on ${dateTime(t.bytesDeletedAt)}: ${t.blobsDeleted} blob(s) deleted, ${t.blobsKept} kept because another live dataset holds them.`
          : 'Its bytes were kept.'}
      </p>
    </section>
  );
}

/** Column by column, one row per other dataset; shared by the overlaps and the near-duplicates. */
function RelatedDatasets<T extends DatasetOverlap | DatasetSimilarity>({
  label,
  items,
  columns,
}: {
  label: string;
  items: T[];
  columns: { heading: string; cell: (item: T) => ReactNode }[];
}) {
  return (
    <TableScroll label={label}>
      <table>
        <thead>
          <tr>
            <th scope="col">Dataset</th>
            <th scope="col">Relation</th>
            {columns.map((c) => (
              <th scope="col" key={c.heading}>
                {c.heading}
              </th>
            ))}
            <th scope="col">Registered</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr key={item.datasetId}>
              <td>
                <Link href={`/app/datasets/${item.datasetId}`}>{item.title}</Link>{' '}
                <code className="muted" title={item.contentRoot}>
                  {shortHex(item.contentRoot)}
                </code>
              </td>
              <td>
                <span className={`badge badge-${item.relation}`}>{RELATION_WORDS[item.relation]}</span>
              </td>
              {columns.map((c) => (
                <td key={c.heading}>{c.cell(item)}</td>
              ))}
              <td>{dateTime(item.registeredAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

function DirectionChoice({
  name,
  value,
  onChange,
}: {
  name: string;
  value: Direction;
  onChange: (d: Direction) => void;
}) {
  return (
    <fieldset className="filters">
      <legend className="visually-hidden">Compared with</legend>
      {(['earlier', 'later'] as const).map((d) => (
        <label key={d} className="choice">
          <input type="radio" name={name} value={d} checked={value === d} onChange={() => onChange(d)} />{' '}
          {d === 'earlier' ? 'datasets registered before it' : 'datasets registered since'}
        </label>
      ))}
    </fieldset>
  );
}

const moreText = (shown: number, total: number) =>
  total > shown ? (
    <p className="muted">
      The first {shown} of {total.toLocaleString('en')}.
    </p>
  ) : null;

/** Datasets sharing files with this one (by SHA-256), with the files and bytes they share. */
export function Overlaps({ id }: { id: string }) {
  const [direction, setDirection] = useState<Direction>('earlier');
  const overlaps = useQuery({
    queryKey: ['overlaps', id, direction],
    queryFn: () => api('listDatasetOverlaps', { params: { id }, query: { direction, limit: PER_PAGE } }),
  });
  const page = overlaps.data;
  return (
    <section aria-labelledby="overlaps">
      <h2 id="overlaps">Shared files</h2>
      <DirectionChoice name="overlaps-direction" value={direction} onChange={setDirection} />
      <ErrorView error={overlaps.error} title="The overlaps could not be loaded" />
      {page && page.items.length === 0 && (
        <p className="muted">No {direction === 'earlier' ? 'earlier' : 'later'} dataset shares a file with it.</p>
      )}
      {page && page.items.length > 0 && (
        <>
          <RelatedDatasets
            label="Datasets sharing files"
            items={page.items}
            columns={[
              { heading: 'Shared files', cell: (o) => o.sharedFiles.toLocaleString('en') },
              { heading: 'Shared bytes', cell: (o) => `${bytes(o.sharedBytes)} (${share(o.fraction)})` },
            ]}
          />
          {moreText(page.items.length, page.total)}
        </>
      )}
    </section>
  );
}

/** Near-duplicates: datasets whose text and images resemble this one's, with the estimated similarity. */
export function NearDuplicates({ id }: { id: string }) {
  const [direction, setDirection] = useState<Direction>('earlier');
  const similar = useQuery({
    queryKey: ['similar', id, direction],
    queryFn: () => api('listSimilarDatasets', { params: { id }, query: { direction, limit: PER_PAGE } }),
    // The worker reads the bytes after upload: ask again until it has compared them.
    refetchInterval: (query) => (query.state.data?.status === 'pending' ? 2000 : false),
  });
  const page = similar.data;
  return (
    <section aria-labelledby="similar">
      <h2 id="similar">Near-duplicates</h2>
      <DirectionChoice name="similar-direction" value={direction} onChange={setDirection} />
      <ErrorView error={similar.error} title="The near-duplicates could not be loaded" />
      {page && (
        <p className="muted" data-testid="similarity-status">
          {page.status === 'pending' && 'Not compared yet: the worker reads the bytes after upload.'}
          {page.status === 'no-bytes' && 'Registered by hashes alone: there are no bytes to compare.'}
          {page.status === 'checked' &&
            `Compared ${dateTime(page.checkedAt)}: ${page.signedFiles ?? 0} text or image file(s), ${bytes(page.signedBytes ?? '0')}; flagged from ${share(page.threshold)} similar.`}
        </p>
      )}
      {page && page.status === 'checked' && page.items.length === 0 && (
        <p className="muted">No {direction === 'earlier' ? 'earlier' : 'later'} dataset resembles it.</p>
      )}
      {page && page.items.length > 0 && (
        <>
          <RelatedDatasets
            label="Near-duplicate datasets"
            items={page.items}
            columns={[
              { heading: 'Similarity', cell: (s) => share(s.similarity) },
              { heading: 'Matched files', cell: (s) => s.matchedFiles.toLocaleString('en') },
              { heading: 'Matched bytes', cell: (s) => bytes(s.matchedBytes) },
            ]}
          />
          {moreText(page.items.length, page.total)}
        </>
      )}
    </section>
  );
}

/** An evidence URI as a link when it is a web address; shown as text otherwise (it is anyone's input). */
function EvidenceLink({ uri }: { uri: string }) {
  return /^https?:\/\//i.test(uri) ? (
    <a href={uri} rel="noopener noreferrer nofollow" target="_blank">
      {uri}
    </a>
  ) : (
    <code>{uri}</code>
  );
}

/** The disputes against this dataset, newest first: label, evidence, bond, and how each ended. */
export function Disputes({ id }: { id: string }) {
  const disputes = useQuery({
    queryKey: ['disputes', id],
    queryFn: () => api('listDatasetDisputes', { params: { id }, query: { limit: PER_PAGE } }),
  });
  const page = disputes.data;
  return (
    <section aria-labelledby="disputes">
      <h2 id="disputes">Disputes</h2>
      <ErrorView error={disputes.error} title="The disputes could not be loaded" />
      {page && page.items.length === 0 && <p className="muted">Nobody has disputed it.</p>}
      {page && page.items.length > 0 && (
        <>
          <TableScroll label="Disputes">
            <table>
              <thead>
                <tr>
                  <th scope="col">Dispute</th>
                  <th scope="col">Status</th>
                  <th scope="col">Label</th>
                  <th scope="col">Evidence</th>
                  <th scope="col">Bond</th>
                  <th scope="col">Opened</th>
                  <th scope="col">Outcome</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((x: Dispute) => (
                  <tr key={x.id}>
                    <td>
                      {x.id} by <code title={x.disputer}>{shortHex(x.disputer)}</code>
                    </td>
                    <td>
                      <span className={`badge badge-dispute-${x.status}`}>{x.status}</span>
                    </td>
                    <td>{x.label}</td>
                    <td>
                      <EvidenceLink uri={x.evidenceUri} />{' '}
                      <code className="muted" title={x.evidenceHash}>
                        {shortHex(x.evidenceHash)}
                      </code>
                    </td>
                    <td>
                      {x.bond} of <code title={x.token}>{shortHex(x.token)}</code>
                    </td>
                    <td>{dateTime(x.opened.at)}</td>
                    <td>
                      {x.resolution
                        ? `${x.resolution.outcome} ${dateTime(x.resolution.event.at)}${x.resolution.rightfulOwners.length > 0 ? `; rightful: ${x.resolution.rightfulOwners.map((o) => `${shortHex(o.account)} (${o.shareBps / 100} %)`).join(', ')}` : ''}`
                        : x.closableFrom
                          ? `anyone may close it from ${dateTime(x.closableFrom)}`
                          : 'open'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          {moreText(page.items.length, page.total)}
        </>
      )}
    </section>
  );
}
