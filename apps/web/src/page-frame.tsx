import type { UseQueryResult } from '@tanstack/react-query';
import { useEffect, type ReactNode } from 'react';
import { ErrorView } from './api/error-view';

/**
 * The frame of a page about one thing loaded from the API: "Loading the {noun}…" while it loads, its
 * heading and the refusal (`<ErrorView>`) when it fails, else the page; the document title follows it.
 */
export function PageFrame<T>({
  query,
  noun,
  heading,
  documentTitle,
  children,
}: {
  query: UseQueryResult<T>;
  /** "dataset", "run". */
  noun: string;
  /** The h1 shown when it could not be loaded. */
  heading: string;
  documentTitle: (data: T | undefined) => string;
  children: (data: T) => ReactNode;
}) {
  const title = documentTitle(query.data);
  useEffect(() => {
    document.title = `${title} · Upstream`;
  }, [title]);
  if (query.isPending) return <p role="status">Loading the {noun}…</p>;
  if (query.isError)
    return (
      <>
        <h1>{heading}</h1>
        <ErrorView error={query.error} title={`The ${noun} could not be loaded`} />
      </>
    );
  return <>{children(query.data)}</>;
}
