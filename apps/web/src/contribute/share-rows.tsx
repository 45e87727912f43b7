/** One row of a list of shares: who or what (an account, a parent dataset) and its share in percent. */
export interface ShareRow {
  key: number;
  name: string;
  percent: string;
}

let nextKey = 1;
export const newShareRow = (name = '', percent = ''): ShareRow => ({ key: nextKey++, name, percent });

/**
 * Editable rows of shares (co-owners with their shares, parents with their upstream shares): add, edit and
 * remove; `lockedFirst` keeps the first row's name (the contributor's own account).
 */
export function ShareRows({
  legend,
  nameLabel,
  shareLabel,
  addLabel,
  rows,
  onChange,
  lockedFirst = false,
  disabled,
}: {
  legend: string;
  nameLabel: string;
  shareLabel: string;
  addLabel: string;
  rows: ShareRow[];
  onChange: (rows: ShareRow[]) => void;
  lockedFirst?: boolean;
  disabled?: boolean;
}) {
  const edit = (key: number, change: Partial<ShareRow>) =>
    onChange(rows.map((r) => (r.key === key ? { ...r, ...change } : r)));
  return (
    <fieldset className="share-rows">
      <legend>{legend}</legend>
      {rows.map((row, i) => {
        const locked = lockedFirst && i === 0;
        return (
          <div key={row.key} className="filters">
            <label>
              {nameLabel} {i + 1}
              <input
                value={row.name}
                readOnly={locked}
                disabled={disabled}
                autoComplete="off"
                spellCheck={false}
                onChange={(e) => edit(row.key, { name: e.target.value })}
              />
            </label>
            <label>
              {shareLabel} {i + 1} (%)
              <input
                value={row.percent}
                inputMode="decimal"
                disabled={disabled}
                size={6}
                onChange={(e) => edit(row.key, { percent: e.target.value })}
              />
            </label>
            {!locked && (
              <button
                type="button"
                disabled={disabled}
                onClick={() => onChange(rows.filter((r) => r.key !== row.key))}
                aria-label={`Remove ${nameLabel.toLowerCase()} ${i + 1}`}
              >
                Remove
              </button>
            )}
          </div>
        );
      })}
      <button type="button" disabled={disabled} onClick={() => onChange([...rows, newShareRow()])}>
        {addLabel}
      </button>
    </fieldset>
  );
}
