// `npm run demo`: the whole story on the embedded defaults. Contributors upload datasets (one
// derived from another, one co-owned), a lab licenses them, records a signed training run and
// pays it; the epoch settles on-chain (time warped past the root delay); contributors claim;
// and it prints who got what, exact to the unit. On the way, the lab is refused a licensed
// dataset's bytes, licenses it, then downloads it and verifies every file and the content root; a renamed copy of
// a dataset is refused and a retold one flagged as a near-duplicate. At the end, contributors
// vote a fee change, and a dispute holds a dataset's royalties in escrow until an arbiter upholds it and the rightful
// owner claims them (verify-epoch says MATCH throughout). Starts the built service on a throwaway
// DATA_DIR, or uses a running one: DEMO_API=http://127.0.0.1:3000 DEMO_RPC=http://127.0.0.1:8545.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Contract, JsonRpcProvider, NonceManager, Wallet, ethers, formatEther, hexlify } from 'ethers';
import { LocalChain, artifacts } from '@upstream/chain';
import type { DatasetSimilarPage } from '@upstream/api-contract';
import { signInWith } from '../apps/cli/src/auth/authenticator';
import {
  buildRunEntriesTree,
  licenseAcceptanceTypedData,
  trainingRunTypedData,
  type UpstreamDomain,
} from '@upstream/provenance';

const ROOT = resolve(__dirname, '..');
const CLI = join(ROOT, 'bin/upstream.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const key = (i: number) => LocalChain.devPrivateKey(i);

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? ok(a.port) : fail(new Error('no port'))));
    });
  });
}

/** A kept-alive connection the server closed as it went idle (a GET is sent again once on a new one). */
const closedIdle = (error: unknown) => (error as { cause?: { code?: string } }).cause?.code === 'UND_ERR_SOCKET';

async function api<T>(base: string, path: string, body?: unknown, token?: string): Promise<T> {
  const request = () =>
    fetch(new URL(path, base), {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const res = await request().catch((error: unknown) => {
    if (body === undefined && closedIdle(error)) return request();
    throw error;
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${body === undefined ? 'GET' : 'POST'} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/** The CLI's sessions for this demo only (not the user's ~/.upstream). */
const CLI_HOME = join(tmpdir(), `upstream-demo-cli-${process.pid}`);

function cliRun(base: string, args: string[], privateKey?: string) {
  return spawnSync(process.execPath, [CLI, '--api', base, ...args], {
    cwd: ROOT,
    env: { ...process.env, UPSTREAM_HOME: CLI_HOME, ...(privateKey ? { UPSTREAM_PRIVATE_KEY: privateKey } : {}) },
    encoding: 'utf8',
  });
}

function cli(base: string, args: string[], privateKey?: string): string {
  const r = cliRun(base, args, privateKey);
  if (r.status !== 0) throw new Error(`upstream ${args.join(' ')} failed (${r.status}):\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

async function startService(dataDir: string): Promise<{ api: string; rpc: string; child: ChildProcess }> {
  const [port, pgPort, chainPort] = [await freePort(), await freePort(), await freePort()];
  const child = spawn(process.execPath, [join(ROOT, 'dist/apps/api/src/main.js')], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      EMBEDDED_PG_PORT: String(pgPort),
      LOCAL_CHAIN_PORT: String(chainPort),
      EPOCH_INTERVAL_MS: '0',
      ANCHOR_INTERVAL_MS: '0',
      WORKER_INTERVAL_MS: '200',
      LOCAL_VOTING_PERIOD_BLOCKS: '20', // the default, a week of blocks, is too long to mine in a demo
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  await until('the service to be healthy', async () => {
    if (child.exitCode !== null) throw new Error(`the service exited with code ${child.exitCode}`);
    return (
      (await fetch(`${base}/health`)
        .then((r) => r.ok)
        .catch(() => false)) || undefined
    );
  });
  return { api: base, rpc: `http://127.0.0.1:${chainPort}`, child };
}

interface RunPayment {
  status: string;
  amount: string;
  fee: string;
  net: string;
  ledgerTotal: string;
}

/** The lab pays `amount` of a run's royalties (approve, then payRun) and waits for the payment's allocation. */
async function payRun(
  base: string,
  lab: NonceManager,
  run: { id: string; runId: string },
  amount: bigint,
): Promise<RunPayment> {
  const pay = await api<{ approve: { to: string; data: string }; call: { to: string; data: string } }>(
    base,
    `/runs/${run.id}/payment?amount=${amount}`,
  );
  await (await lab.sendTransaction(pay.approve)).wait();
  await (await lab.sendTransaction(pay.call)).wait();
  return until('the payment to be allocated', async () => {
    const list = await api<{ items: RunPayment[] }>(base, `/runs/${run.runId}/payments`);
    const paid = list.items.find((p) => p.amount === amount.toString());
    return paid?.status === 'allocated' ? paid : undefined;
  });
}

/**
 * Waits for the worker to propose the epoch after `previous`, warps the chain past the root delay
 * (the guardian's veto window), and waits for the root to be accepted. Returns the epoch.
 */
async function settleEpochAfter(
  base: string,
  provider: JsonRpcProvider,
  splitter: Contract,
  previous: number,
): Promise<number> {
  const proposed = await until('an epoch root to be proposed', async () => {
    const { items } = await api<{ items: { epoch: number; status: string; root: string }[] }>(base, '/epochs');
    const latest = items[0];
    return latest && latest.epoch > previous && ['proposed', 'accepted'].includes(latest.status) ? latest : undefined;
  });
  const delay = Number(await splitter.rootDelay());
  console.log(
    `epoch ${proposed.epoch} proposed with root ${proposed.root}; warping the chain past the ${delay} s delay`,
  );
  await provider.send('evm_increaseTime', [delay + 1]);
  await provider.send('evm_mine', []);
  await until('the root to be accepted', async () => {
    const e = await api<{ status: string }>(base, `/epochs/${proposed.epoch}`);
    return e.status === 'accepted' ? e : undefined;
  });
  return proposed.epoch;
}

/** What the demo's later chapters share: the service, the chain, the people, the lab's run and the last epoch. */
interface DemoStory {
  base: string;
  rpc: string;
  provider: JsonRpcProvider;
  splitter: Contract;
  people: Record<string, Wallet>;
  lab: NonceManager;
  run: { id: string; runId: string };
  epoch: number;
}

/**
 * Ada proposes (`governance propose` with `proposeArgs`) and votes it through with the votes delegated to her;
 * Dee queues it and, after the timelock's delay, executes it. Prints the proposal as executed.
 */
async function passProposal(
  story: Pick<DemoStory, 'base' | 'rpc' | 'provider' | 'people'>,
  proposeArgs: string[],
): Promise<{ timelockDelaySeconds: string }> {
  const { base, rpc, provider, people } = story;
  const gov = (args: string[], who: Wallet) => cli(base, ['governance', ...args, '--rpc', rpc], who.privateKey);
  const mine = (blocks: number) => provider.send('anvil_mine', [`0x${blocks.toString(16)}`]);
  const ada = people.Ada;
  const { id } = JSON.parse(
    cli(base, ['--json', 'governance', 'propose', ...proposeArgs, '--rpc', rpc], ada.privateKey),
  ) as { id: string };
  await until('the indexer to record the proposal', async () =>
    api(base, `/governance/proposals/${id}`).then(
      () => true,
      () => undefined,
    ),
  );
  const info = await api<{ votingDelayBlocks: string; votingPeriodBlocks: string; timelockDelaySeconds: string }>(
    base,
    '/governance',
  );
  await mine(Number(info.votingDelayBlocks) + 1);
  gov(['vote', id, 'for', '--reason', 'earned by our data'], ada);
  console.log(`  Ada proposes and votes for it (the vote lasts ${info.votingPeriodBlocks} blocks: mining them)`);
  await mine(Number(info.votingPeriodBlocks) + 1);
  gov(['queue', id], people.Dee);
  await provider.send('evm_increaseTime', [Number(info.timelockDelaySeconds) + 1]);
  await mine(1);
  gov(['execute', id], people.Dee);
  await until('the indexer to see the execution', async () => {
    const p = await api<{ state: string }>(base, `/governance/proposals/${id}`);
    return p.state === 'executed' ? p : undefined;
  });
  console.log(
    cli(base, ['governance', 'show', id])
      .trimEnd()
      .split('\n')
      .map((l) => `  ${l}`)
      .join('\n'),
  );
  return info;
}

/**
 * The demo's end: governance held by the people who take part. The lab pays a larger run, so the
 * contributors' claims mint them enough votes to meet the quorum beside the founding allocation; they
 * delegate to Ada, who proposes a 3 % fee from the CLI and votes it through; anyone queues it, and
 * after the timelock's delay executes it; the next payment pays 3 %, and verify-epoch still says MATCH.
 */
async function contributorsChangeTheFee(story: DemoStory): Promise<number> {
  const { base, rpc, provider, splitter, people, lab, run } = story;
  const gov = (args: string[], who: Wallet) => cli(base, ['governance', ...args, '--rpc', rpc], who.privateKey);
  const ada = people.Ada;
  console.log('\ngovernance: contributors change the protocol fee');

  const larger = await payRun(base, lab, run, 10_000_000_000n); // 10,000 tUSD: the royalties of a longer run
  console.log(`  the lab pays ${larger.amount} for a longer run: fee ${larger.fee}, ${larger.net} to the data`);
  const epoch = await settleEpochAfter(base, provider, splitter, story.epoch);
  for (const [name, who] of Object.entries(people)) {
    const claimed = JSON.parse(cli(base, ['--json', 'claim', '--rpc', rpc], who.privateKey)) as { votesMinted: string };
    console.log(
      `  ${name.padEnd(4)} claims epoch ${epoch}: ${formatEther(claimed.votesMinted)} votes minted with the royalties`,
    );
  }
  gov(['delegate'], ada);
  for (const name of ['Ben', 'Cy', 'Dee']) gov(['delegate', ada.address], people[name]);
  const power = await api<{ votes: string }>(base, `/accounts/${ada.address}/votes`);
  console.log(
    `  Ben, Cy and Dee delegate to Ada, who delegates to herself: she votes with ${formatEther(power.votes)}`,
  );

  const info = await passProposal(story, ['--fee-bps', '300', '--description', 'Protocol fee to 3 %']);
  console.log(
    `  queued, and executed after the timelock's ${info.timelockDelaySeconds} s: the fee is now ${await splitter.feeBps()} bps`,
  );

  const next = await payRun(base, lab, run, 100_000_000n);
  console.log(`  the next payment of ${next.amount} pays a protocol fee of ${next.fee} (3 %), ${next.net} to the data`);
  if (BigInt(next.fee) * 100n !== BigInt(next.amount) * 3n)
    throw new Error('the next payment does not pay the new fee');
  const after = await settleEpochAfter(base, provider, splitter, epoch);
  verifyMatches(base, rpc, after);
  return after;
}

/** `upstream verify-epoch`, printed; the demo stops unless it says MATCH. */
function verifyMatches(base: string, rpc: string, epoch: number): void {
  const verified = cli(base, ['verify-epoch', String(epoch), '--rpc', rpc]).trimEnd();
  console.log(verified);
  if (!verified.includes(': MATCH')) throw new Error(`verify-epoch ${epoch} does not say MATCH`);
}

/**
 * A dispute: Eve, who says Dialogues is hers, opens a dispute against it with a bond on DisputeBonds;
 * the next payment's share of Dialogues' owner is held in escrow (verify-epoch: MATCH); governance makes
 * Gil an arbiter, who upholds the dispute naming Eve; the escrow is released to her, the next epoch
 * settles it (MATCH) and she claims it on chain.
 */
async function aDisputeIsUpheld(story: DemoStory & { dataset: string; paymentToken: string }): Promise<void> {
  const { base, rpc, provider, splitter, people, lab, run, dataset, paymentToken } = story;
  const eve = new Wallet(key(9), provider);
  const gil = new Wallet(key(8), provider);
  const { disputeBonds } = await api<{ disputeBonds: string | null }>(base, '/governance');
  if (!disputeBonds) throw new Error('the deployment has no DisputeBonds');
  const bonds = (who: Wallet) => new Contract(disputeBonds, artifacts.DisputeBonds.abi, who);
  const escrowOf = async (account: string) =>
    (await api<{ escrow: { disputeId: string; amount: string }[] }>(base, `/contributors/${account}/balances`)).escrow;
  console.log(`\na dispute: Eve ${eve.address} says Dialogues is hers`);

  const bond = 10_000_000n; // 10 tUSD, the local minimum
  await (await new Contract(paymentToken, artifacts.LocalToken.abi, eve).approve(disputeBonds, bond)).wait();
  await (
    await bonds(eve).getFunction('open')({
      datasetId: dataset,
      label: 1, // INFRINGEMENT
      evidenceHash: ethers.id('the original recordings of these dialogues'),
      evidenceUri: 'https://example.org/evidence/dialogues',
      claimedOwners: [eve.address],
      token: paymentToken,
      bond,
    })
  ).wait();
  const disputeId = String(await bonds(eve).disputeCount());
  console.log(`  Eve opens dispute ${disputeId} (INFRINGEMENT) with a bond of ${bond}`);

  const paid = await payRun(base, lab, run, 100_000_000n);
  const [held] = await until('the payment to be held in escrow', async () => {
    const escrow = await escrowOf(people.Dee.address);
    return escrow.length > 0 ? escrow : undefined;
  });
  console.log(
    `  the lab pays ${paid.amount}: Dee's share of it, ${held.amount}, is held in escrow for dispute ${held.disputeId}; the rest flows`,
  );
  const epoch = await settleEpochAfter(base, provider, splitter, story.epoch);
  verifyMatches(base, rpc, epoch);

  const info = await passProposal(story, ['--add-arbiter', gil.address, '--description', 'Gil arbitrates disputes']);
  console.log(`  executed after the timelock's ${info.timelockDelaySeconds} s: Gil ${gil.address} is an arbiter`);
  await (await bonds(gil).getFunction('uphold')(disputeId, [eve.address], [10_000])).wait();
  const earned = await until('the escrow to be released to Eve', async () => {
    const { balances } = await api<{ balances: { earned: string }[] }>(base, `/contributors/${eve.address}/balances`);
    return balances[0] && BigInt(balances[0].earned) > 0n ? balances[0].earned : undefined;
  });
  if (earned !== held.amount) throw new Error(`Eve earned ${earned}, the escrow held ${held.amount}`);
  console.log(`  Gil upholds it naming Eve: the escrow of ${earned} is hers; the bond goes back to her`);
  const released = await settleEpochAfter(base, provider, splitter, epoch);
  verifyMatches(base, rpc, released);
  const token = new Contract(paymentToken, artifacts.LocalToken.abi, provider);
  const before = (await token.balanceOf(eve.address)) as bigint;
  cli(base, ['claim', '--rpc', rpc], eve.privateKey);
  const received = ((await token.balanceOf(eve.address)) as bigint) - before;
  console.log(`  Eve claims epoch ${released}: received ${received}`);
  if (received !== BigInt(held.amount)) throw new Error(`Eve received ${received}, not the escrow ${held.amount}`);
}

/** Prose-like text of `n` words from a small fixed vocabulary, in sentences and lines (deterministic). */
function storyText(n: number): string {
  const vocabulary = [
    'river',
    'stone',
    'lantern',
    'harbour',
    'winter',
    'orchard',
    'signal',
    'copper',
    'meadow',
    'thread',
    'window',
    'garden',
    'engine',
    'shadow',
    'ladder',
    'canvas',
    'marble',
    'valley',
    'whistle',
    'compass',
    'ember',
    'harvest',
    'pocket',
    'silver',
    'tunnel',
    'feather',
    'anchor',
    'candle',
    'forest',
    'mirror',
    'saddle',
    'violet',
  ];
  let seed = 7;
  const words: string[] = [];
  for (let i = 0; i < n; i++) {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    const word = vocabulary[(seed >>> 16) % vocabulary.length]; // the high bits: the low ones of this generator cycle
    words.push(i % 12 === 0 ? word[0].toUpperCase() + word.slice(1) : word);
    if (i % 12 === 11) words[words.length - 1] += i % 60 === 59 ? '.\n' : '.';
  }
  return words.join(' ');
}

/** The same story lightly edited: a word in fifty replaced, double spaces, upper case. */
function retell(text: string): string {
  return text
    .split(' ')
    .map((w, i) => (i % 50 === 25 ? 'changed' : w))
    .join('  ')
    .toUpperCase();
}

async function main(): Promise<void> {
  let dataDir: string | undefined;
  let service: ChildProcess | undefined;
  let base = process.env.DEMO_API;
  let rpc = process.env.DEMO_RPC ?? 'http://127.0.0.1:8545';
  try {
    if (!base) {
      dataDir = await mkdtemp(join(tmpdir(), 'upstream-demo-'));
      await chmod(dataDir, 0o755); // embedded PostgreSQL (as root) needs every parent folder readable
      console.log(`starting the service on a fresh data directory ${dataDir} …`);
      ({ api: base, rpc, child: service } = await startService(dataDir));
    }
    const provider = new JsonRpcProvider(rpc, undefined, { cacheTimeout: -1 });
    const chain = await api<{
      chainId: number;
      royaltySplitter: string;
      paymentToken: string;
      eip712Domain: UpstreamDomain;
    }>(base, '/chain');
    const names = ['Ada', 'Ben', 'Cy', 'Dee'] as const;
    const people = Object.fromEntries(names.map((n, i) => [n, new Wallet(key(3 + i))])) as Record<
      (typeof names)[number],
      Wallet
    >;
    const lab = new NonceManager(new Wallet(key(7), provider));
    const labAddress = await lab.getAddress();

    // 1. Contributors upload and sign their datasets.
    const work = await mkdtemp(join(tmpdir(), 'upstream-demo-files-'));
    const folder = async (name: string, files: Record<string, string>) => {
      const dir = join(work, name);
      await mkdir(dir, { recursive: true });
      for (const [f, text] of Object.entries(files)) await writeFile(join(dir, f), text);
      return dir;
    };
    const upload = (dir: string, who: Wallet, args: string[]) =>
      JSON.parse(cli(base!, ['--json', 'upload', dir, ...args], who.privateKey)).contentRoot as string;
    const corpus = upload(
      await folder('corpus', { 'a.txt': 'the base corpus, part a\n', 'b.txt': 'the base corpus, part b\n' }),
      people.Ada,
      ['--title', 'Base corpus'],
    );
    const curated = upload(await folder('curated', { 'curated.jsonl': '{"q":"why","a":"because"}\n' }), people.Ben, [
      '--title',
      'Curated subset',
      '--license',
      'research-only',
      '--owner',
      `${people.Ben.address}:7000`,
      '--owner',
      `${people.Cy.address}:3000`,
      '--parent',
      `${corpus}:1500`,
    ]);
    const dialogues = upload(await folder('dialogues', { 'chat.txt': 'hello\nhi there\n' }), people.Dee, [
      '--title',
      'Dialogues',
    ]);
    // Dee uploads the base corpus's bytes under other names: without declaring it as a parent, refused.
    const copy = cliRun(
      base,
      [
        'upload',
        await folder('copy', { 'part-a.txt': 'the base corpus, part a\n', 'part-b.txt': 'the base corpus, part b\n' }),
        '--title',
        'My corpus',
      ],
      people.Dee.privateKey,
    );
    if (copy.status === 0 || !copy.stderr.includes('UNDECLARED_OVERLAP'))
      throw new Error(
        `a copy of Ada's corpus should be refused with UNDECLARED_OVERLAP, got ${copy.status}: ${copy.stderr}`,
      );
    console.log(`a renamed copy of the base corpus by Dee, no parent declared: refused\n  ${copy.stderr.trim()}`);
    // Dee uploads Ada's stories retold (a word in fifty changed, spacing and case changed): not a copy, so
    // registered, but the worker's MinHash flags it as a near-duplicate of Ada's, with its similarity.
    const stories = storyText(1_200);
    const original = upload(await folder('stories', { 'stories.txt': stories }), people.Ada, ['--title', 'Stories']);
    const retold = upload(await folder('retold', { 'retold.txt': retell(stories) }), people.Dee, [
      '--title',
      'Stories, retold',
    ]);
    const flagged = await until('the near-duplicate flag', async () => {
      const page = await api<DatasetSimilarPage>(base, `/datasets/${retold}/similar`);
      return page.status === 'checked' ? page : undefined;
    });
    const flag = flagged.items.find((f) => f.contentRoot === original);
    if (!flag)
      throw new Error(
        `Dee's retold stories should be flagged as a near-duplicate of Ada's: ${JSON.stringify(flagged)}`,
      );
    console.log(
      `Dee's retelling of Ada's stories: registered (not a byte-for-byte copy), flagged as a near-duplicate of "${flag.title}" (estimated similarity ${flag.similarity.toFixed(2)}, ${flag.matchedFiles} file)`,
    );
    await rm(work, { recursive: true, force: true });
    console.log(
      `datasets: Base corpus (Ada) ${corpus}\n          Curated subset (Ben 70 %, Cy 30 %; 15 % upstream to Base corpus) ${curated}\n          Dialogues (Dee) ${dialogues}`,
    );

    // 2. The curated subset is licensed: its bytes go only to its owners and licensees.
    const downloads = await mkdtemp(join(tmpdir(), 'upstream-demo-downloads-'));
    const refused = cliRun(base, ['download', curated, '--out', downloads], key(7));
    if (refused.status !== 3) throw new Error(`the unlicensed download should exit 3, got ${refused.status}`);
    console.log(`lab download before licensing: refused (exit 3)\n  ${refused.stderr.trim().split('\n').join('\n  ')}`);

    // 3. The lab licenses the datasets it trains on, then downloads and verifies the curated subset.
    const deadline = Math.floor(Date.now() / 1000) + 3600;
    for (const datasetId of [curated, dialogues, corpus]) {
      const dataset = await api<{ license: { termsHash: string } }>(base, `/datasets/${datasetId}`);
      const message = {
        datasetId,
        termsHash: dataset.license.termsHash,
        licensee: labAddress,
        nonce: BigInt(hexlify(randomBytes(8))),
        deadline: BigInt(deadline),
      };
      const typed = licenseAcceptanceTypedData(chain.eip712Domain, message);
      const signature = await lab.signTypedData(typed.domain, typed.types, typed.message);
      await api(base, '/licenses', { ...message, nonce: message.nonce.toString(), deadline, signature });
    }
    const fetched = JSON.parse(cli(base, ['--json', 'download', curated, '--out', downloads], key(7))) as {
      files: number;
      contentRoot: string;
    };
    console.log(
      `lab download after licensing: ${fetched.files} file(s), every SHA-256 and root ${fetched.contentRoot} verified`,
    );
    await rm(downloads, { recursive: true, force: true });

    // 4. The lab records a signed training run: which datasets, how many tokens of each.
    const entries = [
      { datasetId: curated, weight: 600_000n },
      { datasetId: dialogues, weight: 400_000n },
      { datasetId: corpus, weight: 250_000n },
    ];
    const tree = await buildRunEntriesTree(entries);
    const now = Math.floor(Date.now() / 1000);
    const manifest = {
      runRef: hexlify(randomBytes(32)),
      modelName: 'upstream-demo-1b',
      modelHash: hexlify(randomBytes(32)),
      entriesRoot: tree.root,
      entryCount: BigInt(entries.length),
      weightUnit: 'tokens',
      startedAt: BigInt(now - 7200),
      endedAt: BigInt(now - 60),
      nonce: BigInt(hexlify(randomBytes(8))),
      deadline: BigInt(deadline),
    };
    const typedRun = trainingRunTypedData(chain.eip712Domain, manifest);
    const labSession = (await signInWith(base, lab)).token;
    const run = await api<{ id: string; runId: string }>(
      base,
      '/runs',
      {
        lab: labAddress,
        runRef: manifest.runRef,
        modelName: manifest.modelName,
        modelHash: manifest.modelHash,
        entriesRoot: manifest.entriesRoot,
        entryCount: entries.length,
        weightUnit: manifest.weightUnit,
        startedAt: Number(manifest.startedAt),
        endedAt: Number(manifest.endedAt),
        nonce: manifest.nonce.toString(),
        deadline,
        signature: await lab.signTypedData(typedRun.domain, typedRun.types, typedRun.message),
        entries: entries.map((e) => ({ datasetId: e.datasetId, weight: e.weight.toString() })),
      },
      labSession,
    );
    console.log(`training run ${run.runId} recorded (${entries.length} datasets, 1,250,000 tokens)`);

    // 5. The lab pays the run's royalties: approve, then payRun.
    const amount = 1_000_000_007n; // 1,000.000007 test tokens (6 decimals): odd on purpose
    const payment = await payRun(base, lab, run, amount);
    console.log(
      `paid ${payment.amount}: protocol fee ${payment.fee}, ${payment.net} to the data (ledger holds ${payment.ledgerTotal})`,
    );

    // 6. The epoch settles: root proposed, the guardian's veto window passes, root accepted.
    const splitter = new Contract(chain.royaltySplitter, artifacts.RoyaltySplitter.abi, provider);
    const epoch = await settleEpochAfter(base, provider, splitter, 0);
    console.log(cli(base, ['verify-epoch', String(epoch), '--rpc', rpc]).trimEnd());

    // 7. Contributors claim with their own keys, and we count what reached their wallets.
    const token = new Contract(chain.paymentToken, artifacts.LocalToken.abi, provider);
    console.log('\nwho got what (smallest token units):');
    let total = 0n;
    for (const name of names) {
      const who = people[name];
      const before = (await token.balanceOf(who.address)) as bigint;
      cli(base, ['claim', '--rpc', rpc], who.privateKey);
      const received = ((await token.balanceOf(who.address)) as bigint) - before;
      const balance = (await api<{ balances: { earned: string }[] }>(base, `/contributors/${who.address}/balances`))
        .balances[0];
      total += received;
      console.log(`  ${name.padEnd(4)} ${who.address}  earned ${balance?.earned ?? '0'}  received ${received}`);
    }
    console.log(
      `  fee  ${payment.fee}\n  total ${total} + fee ${payment.fee} = ${total + BigInt(payment.fee)} (paid ${amount})`,
    );
    if (total + BigInt(payment.fee) !== amount) throw new Error('the split does not add up');

    const afterFee = await contributorsChangeTheFee({ base, rpc, provider, splitter, people, lab, run, epoch });
    await aDisputeIsUpheld({
      base,
      rpc,
      provider,
      splitter,
      people,
      lab,
      run,
      epoch: afterFee,
      dataset: dialogues,
      paymentToken: chain.paymentToken,
    });
    provider.destroy();
  } finally {
    if (service && service.exitCode === null) {
      service.kill('SIGTERM');
      await new Promise((r) => service!.once('exit', r));
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    await rm(CLI_HOME, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  console.error(`demo failed: ${error.message}`);
  if (process.env.DEMO_DEBUG) console.error(error);
  process.exit(1);
});
