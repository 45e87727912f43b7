import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'wouter';
import type { DatasetSummary } from '@upstream/api-contract';
import { api } from '../api/client';
import { DatasetTags } from '../dataset/dataset-tags';
import { ErrorView } from '../api/error-view';
import { bytes, dateTime, shortHex } from '../format';
import { ApprovedTemplateBadge } from '../dataset/approved-template-badge';

const PAGE_SIZE = 20;
const LICENSES = ['open-training', 'research-only', 'paid-per-run'] as const;

/** Catalogue and search: words, license and owner filters (kept in the URL), cursor paging. */
export function CataloguePage() {
  const [params, setParams] = useSearchParams();
  const filters = { q: params.get('q') ?? '', license: params.get('license') ?? '', owner: params.get('owner') ?? '' };
  const cursor = params.get('cursor') ?? undefined;
  // Cursors of the pages before this one, so "Previous page" can go back without the API paging backwards.
  const [previous, setPrevious] = useState<(string | undefined)[]>([]);
  const heading = useRef<HTMLHeadingElement>(null);

  const query = useQuery({
    queryKey: ['datasets', filters, cursor],
    queryFn: () =>
      api('listDatasets', {
        query: {
          q: filters.q || undefined,
          license: filters.license || undefined,
          owner: filters.owner || undefined,
          limit: PAGE_SIZE,
          cursor,
        },
      }),
    placeholderData: keepPreviousData,
  });

  useEffect(() => {
    document.title = 'Catalogue · Upstream';
  }, []);

  const search = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next = new URLSearchParams();
    for (const key of ['q', 'license', 'owner']) {
      const entry = form.get(key);
      const value = typeof entry === 'string' ? entry.trim() : '';
      if (value) next.set(key, value);
    }
    setPrevious([]);
    setParams(next);
  };

  const goTo = (nextCursor: string | undefined, back: boolean) => {
    const next = new URLSearchParams(params);
    if (nextCursor) next.set('cursor', nextCursor);
    else next.delete('cursor');
    setPrevious((stack) => (back ? stack.slice(0, -1) : [...stack, cursor]));
    setParams(next);
    heading.current?.focus();
  };

  const items = query.data?.items ?? [];
  return (
    <>
      <h1 ref={heading} tabIndex={-1}>
        Catalogue
      </h1>
      <form role="search" aria-label="Datasets" className="filters" onSubmit={search} key={params.toString()}>
        <label>
          Words
          <input type="search" name="q" defaultValue={filters.q} placeholder="title or description" />
        </label>
        <label>
          License
          <select name="license" defaultValue={filters.license}>
            <option value="">any</option>
            {LICENSES.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <label>
          Owner
          <input name="owner" defaultValue={filters.owner} placeholder="0x… address" spellCheck={false} />
        </label>
        <button type="submit">Search</button>
      </form>

      <ErrorView error={query.error} title="The catalogue could not be loaded" />
      <p role="status" aria-live="polite" className="muted">
        {query.isPending
          ? 'Loading datasets…'
          : query.isSuccess
            ? `${items.length === 0 ? 'No datasets' : `${items.length} dataset${items.length === 1 ? '' : 's'}`} on this page${query.isFetching ? ' (updating…)' : ''}`
            : ''}
      </p>

      <ul className="cards" aria-label="Datasets">
        {items.map((d) => (
          <DatasetCard key={d.id} dataset={d} />
        ))}
      </ul>

      <nav aria-label="Pages" className="pager">
        <button type="button" onClick={() => goTo(previous.at(-1), true)} disabled={previous.length === 0}>
          Previous page
        </button>
        <button
          type="button"
          onClick={() => goTo(query.data?.nextCursor ?? undefined, false)}
          disabled={!query.data?.nextCursor}
        >
          Next page
        </button>
      </nav>
    </>
  );
}

function DatasetCard({ dataset: d }: { dataset: DatasetSummary }) {
  return (
    <li className="card">
      <h2>
        <Link href={`/app/datasets/${d.id}`}>{d.title}</Link>
      </h2>
      <DatasetTags dataset={d} />
      {d.description && <p className="description">{d.description}</p>}
      <dl className="facts">
        <div>
          <dt>License</dt>
          <dd>
            {d.license.template}
            <ApprovedTemplateBadge license={d.license} />
          </dd>
        </div>
        <div>
          <dt>Access</dt>
          <dd>{d.accessPolicy}</dd>
        </div>
        <div>
          <dt>Files</dt>
          <dd>
            {d.fileCount.toLocaleString('en')} ({bytes(d.totalBytes)})
          </dd>
        </div>
        <div>
          <dt>Owners</dt>
          <dd>{d.ownerCount}</dd>
        </div>
        <div>
          <dt>Content root</dt>
          <dd>
            <code title={d.contentRoot}>{shortHex(d.contentRoot)}</code>
          </dd>
        </div>
        <div>
          <dt>Registered</dt>
          <dd>{dateTime(d.createdAt)}</dd>
        </div>
      </dl>
    </li>
  );
}
