import { buildRunEntriesTree, type RunEntriesTree } from '@upstream/provenance';

/**
 * Entries trees of recently queried runs, rebuilt from run_entries on a miss. A million-entry
 * tree takes seconds to build and ~100 MB to hold, so only a few are kept.
 */
export class RunTreeCache {
  private readonly trees = new Map<string, Promise<RunEntriesTree>>();

  constructor(private readonly capacity = 4) {}

  get(runUuid: string, load: () => Promise<{ roots: string[]; weights: string[] }>): Promise<RunEntriesTree> {
    let tree = this.trees.get(runUuid);
    if (tree) {
      this.trees.delete(runUuid); // refresh recency
    } else {
      tree = load().then(({ roots, weights }) =>
        buildRunEntriesTree(roots.map((r, i) => ({ datasetId: r, weight: BigInt(weights[i]) }))),
      );
      tree.catch(() => this.trees.delete(runUuid));
    }
    this.trees.set(runUuid, tree);
    while (this.trees.size > this.capacity) this.trees.delete(this.trees.keys().next().value!);
    return tree;
  }
}
