/** A value a canonical order compares: strings by UTF-16 code units (as `<` does), numbers and bigints by value. */
export type SortKey = string | number | bigint;

/**
 * The comparator of a canonical order: by the first key, then by the next where the first ties, and so
 * on; 0 when every key ties. Each key reads one value of an item; every item gives the same type there.
 * `byKeys((b) => b.token, (b) => b.account)` orders balances by token, then account.
 */
export function byKeys<T>(...keys: readonly ((item: T) => SortKey)[]): (a: T, b: T) => number {
  return (a, b) => {
    for (const key of keys) {
      const x = key(a);
      const y = key(b);
      if (x < y) return -1;
      if (x > y) return 1;
    }
    return 0;
  };
}

/** The order of shares (a payment's, a dispute's): by dataset, then account. */
export const byDatasetThenAccount = byKeys<{ datasetId: string; account: string }>(
  (s) => s.datasetId,
  (s) => s.account,
);
