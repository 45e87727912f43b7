// Bundles each browser entry of the pure libs for the browser (esbuild, platform 'browser') and fails
// if any Node built-in (node:*, fs, path, crypto, stream, buffer, …) is imported, directly or through a dependency.
// Usage: `npm run check:browser`; `checkBrowserEntry(file)` is exported for tests.
import { builtinModules } from 'node:module';
import { relative, resolve } from 'node:path';
import { build, type Metafile, type Plugin } from 'esbuild';

const root = resolve(__dirname, '..');

/** What a web app may import; the Node-only halves (`@upstream/provenance/node`) are left out on purpose. */
export const BROWSER_ENTRIES: Record<string, string> = {
  '@upstream/provenance': 'libs/provenance/src/index.ts',
  '@upstream/merkle': 'libs/merkle/src/index.ts',
  '@upstream/royalties': 'libs/royalties/src/index.ts',
  '@upstream/api-contract': 'libs/api-contract/src/index.ts',
  '@upstream/chain/governance': 'libs/chain/src/governance/proposal-actions.ts',
};

const builtins = new Set(builtinModules.flatMap((m) => [m, m.split('/')[0]]));
const isNodeBuiltin = (specifier: string) => specifier.startsWith('node:') || builtins.has(specifier.split('/')[0]);

// Node globals a bundler does not see as imports: reported so they are known, not failed (see NODE_GLOBALS_NOTE).
const NODE_GLOBALS = ['Buffer', 'process', '__dirname', '__filename', 'require'];
const NODE_GLOBALS_NOTE =
  'Node globals are not imports, so they do not fail the check; a browser needs them provided (e.g. a Buffer polyfill) or removed.';

export interface NodeImport {
  specifier: string;
  importer: string;
  /** From the entry to the built-in, e.g. index.ts -> path.hasher.ts -> node:fs. */
  chain: string[];
}

export interface BrowserCheck {
  nodeImports: NodeImport[];
  nodeGlobals: { global: string; modules: string[] }[];
  bytes: number;
}

/**
 * Bundles `entry` (relative to `absWorkingDir`) for the browser and reports every Node built-in reached
 * from it, with the import chain from the entry, and the Node globals each module reads.
 */
export async function checkBrowserEntry(entry: string, { absWorkingDir = root } = {}): Promise<BrowserCheck> {
  const nodeImports: NodeImport[] = [];
  const flagBuiltins: Plugin = {
    name: 'flag-node-builtins',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === 'entry-point' || !isNodeBuiltin(args.path)) return undefined;
        nodeImports.push({ specifier: args.path, importer: relative(absWorkingDir, args.importer), chain: [] });
        // Kept external so the bundle goes on and every offender is listed, not only the first.
        return { path: args.path, external: true };
      });
    },
  };
  const marker = (name: string) => `__NODE_GLOBAL_${name}__`;
  const result = await build({
    entryPoints: [resolve(absWorkingDir, entry)],
    absWorkingDir,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
    tsconfig: resolve(root, 'tsconfig.json'),
    define: Object.fromEntries(NODE_GLOBALS.map((g) => [g, marker(g)])),
    plugins: [flagBuiltins],
  });
  const chains = importChains(result.metafile, relative(absWorkingDir, resolve(absWorkingDir, entry)));
  for (const hit of nodeImports) hit.chain = [...(chains.get(hit.importer) ?? [hit.importer]), hit.specifier];
  const text = result.outputFiles[0].text;
  return { nodeImports, nodeGlobals: globalsByModule(text, marker), bytes: text.length };
}

/** For each bundled module, the shortest import chain from the entry (breadth first over the metafile). */
function importChains(metafile: Metafile, entry: string): Map<string, string[]> {
  const chains = new Map([[entry, [entry]]]);
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const imp of metafile.inputs[file]?.imports ?? []) {
      if (imp.external || chains.has(imp.path)) continue;
      chains.set(imp.path, [...chains.get(file)!, imp.path]);
      queue.push(imp.path);
    }
  }
  return chains;
}

/** Which modules read which Node global, using esbuild's `// path` comments that open each module. */
function globalsByModule(text: string, marker: (name: string) => string): BrowserCheck['nodeGlobals'] {
  const found = new Map<string, Set<string>>();
  let module = '(bundle)';
  for (const line of text.split('\n')) {
    const opening = /^\/\/ (\S+\.[cm]?[jt]sx?)$/.exec(line);
    if (opening) module = opening[1];
    for (const g of NODE_GLOBALS) {
      if (!line.includes(marker(g))) continue;
      if (!found.has(g)) found.set(g, new Set());
      found.get(g)!.add(module);
    }
  }
  return [...found].map(([global, modules]) => ({ global, modules: [...modules].sort() }));
}

async function main(): Promise<void> {
  let failed = false;
  for (const [name, entry] of Object.entries(BROWSER_ENTRIES)) {
    const { nodeImports, nodeGlobals, bytes } = await checkBrowserEntry(entry);
    if (nodeImports.length === 0) {
      console.log(`ok   ${name} (${entry}): no Node built-ins, ${(bytes / 1024).toFixed(0)} KiB bundled`);
    } else {
      failed = true;
      console.log(`FAIL ${name} (${entry}) imports Node built-ins:`);
      for (const hit of nodeImports) console.log(`       ${hit.chain.join(' -> ')}`);
    }
    for (const { global, modules } of nodeGlobals) {
      console.log(`     note: the Node global ${global} is read in ${modules.length} module(s): ${modules.join(', ')}`);
    }
  }
  console.log(`note: ${NODE_GLOBALS_NOTE}`);
  if (failed) {
    console.log('check:browser failed: move Node-only code behind a `/node` entry (see libs/provenance/src/node).');
    process.exitCode = 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === __filename) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
