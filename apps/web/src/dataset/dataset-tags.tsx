// A dataset's integrity tags and open disputes as badges: small, so the catalogue (the first chunk) can show them.
import type { DatasetSummary, DatasetTag } from '@upstream/api-contract';

const TAG_WORDS: Record<DatasetTag, string> = {
  disputed: 'disputed',
  'disputed-upheld': 'delisted: dispute upheld',
  'review:upstream-disputed': 'review: an upstream dataset was delisted',
};

/** Its integrity tags and open disputes, as badges (the catalogue's cards and the dataset's page). */
export function DatasetTags({ dataset: d, link }: { dataset: DatasetSummary; link?: boolean }) {
  if (d.tags.length === 0 && d.openDisputes.length === 0) return null;
  return (
    <p className="tags" data-testid="dataset-tags">
      {d.tags.map((tag) => (
        <span key={tag} className={`badge badge-tag-${tag.replace(':', '-')}`}>
          {TAG_WORDS[tag]}
        </span>
      ))}
      {d.openDisputes.map((id) =>
        link ? (
          <a key={id} className="badge" href="#disputes">
            open dispute {id}
          </a>
        ) : (
          <span key={id} className="badge">
            open dispute {id}
          </span>
        ),
      )}
    </p>
  );
}
