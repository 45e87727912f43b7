import type { Command } from 'commander';
import { API_SCOPES, type ApiScope } from '@upstream/api-contract';
import { Authenticator, signInWith } from '../auth/authenticator';
import { SessionStore } from '../auth/session-store';
import { ApiClient, apiClient, globalOptions, loadSigner, output } from '../cli-context';
import { bytesProgress } from '../contribution/progress';
import { downloadDataset } from '../download/downloader';

const KEYSTORE = ['--keystore <file>', 'encrypted JSON keystore (password in UPSTREAM_KEYSTORE_PASSWORD)'] as const;

/** `login`, `logout`, `whoami`, `keys …` and `download`: identity and licensed delivery. */
export function registerAccessCommands(program: Command): void {
  program
    .command('login')
    .description('sign in with Ethereum (SIWE) using the signing key; the session is kept in ~/.upstream/sessions.json')
    .option(...KEYSTORE)
    .action(async (options: { keystore?: string }, command: Command) => {
      const opts = globalOptions(command);
      const session = await signInWith(opts.api, await loadSigner(options));
      await new SessionStore().set(opts.api, session);
      output(
        opts,
        { account: session.account, expiresAt: session.expiresAt },
        () => `signed in to ${opts.api} as ${session.account} until ${session.expiresAt}`,
      );
    });

  program
    .command('logout')
    .description('end the saved session (--everywhere: every session of the account)')
    .option('--everywhere', 'sign out everywhere: end every session of this account')
    .action(async (options: { everywhere?: boolean }, command: Command) => {
      const opts = globalOptions(command);
      const api = new ApiClient(opts.api, new Authenticator(opts.api));
      let revoked = 0;
      if (await api.auth.header()) {
        revoked = (await api.call(options.everywhere ? 'signOutEverywhere' : 'signOut')).revoked;
      }
      await new SessionStore().delete(opts.api);
      output(opts, { revoked }, () => (revoked > 0 ? `signed out (${revoked} session(s) ended)` : 'no session to end'));
    });

  program
    .command('whoami')
    .description('the account behind the saved session or UPSTREAM_API_KEY, its scopes and storage used')
    .option(...KEYSTORE)
    .action(async (options: { keystore?: string }, command: Command) => {
      const opts = globalOptions(command);
      const me = await apiClient(opts.api, options).call('getCaller');
      output(opts, me, () =>
        [
          `account  ${me.account} (${me.via})`,
          `scopes   ${me.scopes.join(', ')}`,
          `storage  ${me.storage.usedBytes} of ${me.storage.limitBytes} bytes`,
        ].join('\n'),
      );
    });

  const keys = program.command('keys').description('API keys for machines (a training cluster, a script)');
  keys
    .command('create')
    .description('create an API key: shown once, stored hashed by the server')
    .requiredOption('--scope <scope...>', `what it may do: ${API_SCOPES.join(', ')}`)
    .option('--expires <days>', 'days until it expires (1-365)', '90')
    .option('--label <text>', 'what it is for', 'cli')
    .option(...KEYSTORE)
    .action(
      async (options: { scope: string[]; expires: string; label: string; keystore?: string }, command: Command) => {
        const opts = globalOptions(command);
        const bad = options.scope.filter((s) => !API_SCOPES.includes(s as ApiScope));
        if (bad.length > 0) throw new Error(`unknown scope(s) ${bad.join(', ')}: use ${API_SCOPES.join(', ')}`);
        const created = await apiClient(opts.api, options).call('createApiKey', {
          body: { label: options.label, scopes: options.scope as ApiScope[], expiresInDays: Number(options.expires) },
        });
        output(opts, created, () =>
          [
            `key      ${created.key}`,
            `id       ${created.apiKey.id}`,
            `scopes   ${created.apiKey.scopes.join(', ')}`,
            `expires  ${created.apiKey.expiresAt}`,
            'Keep it now: it is not shown again. Use it as UPSTREAM_API_KEY, or `Authorization: Bearer <key>`.',
          ].join('\n'),
        );
      },
    );
  keys
    .command('list')
    .description('your API keys (never the keys themselves) with their last use')
    .option(...KEYSTORE)
    .action(async (options: { keystore?: string }, command: Command) => {
      const opts = globalOptions(command);
      const list = await apiClient(opts.api, options).call('listApiKeys');
      output(opts, list, () =>
        list.items.length === 0
          ? 'no API keys'
          : list.items
              .map(
                (k) =>
                  `${k.id}  ${k.label}  [${k.scopes.join(',')}]  expires ${k.expiresAt}` +
                  (k.revokedAt ? `  REVOKED ${k.revokedAt}` : '') +
                  (k.lastUsedAt ? `  last used ${k.lastUsedAt} from ${k.lastUsedIp ?? '?'}` : '  never used'),
              )
              .join('\n'),
      );
    });
  keys
    .command('revoke <id>')
    .description('revoke one of your API keys, at once')
    .option(...KEYSTORE)
    .action(async (id: string, options: { keystore?: string }, command: Command) => {
      const opts = globalOptions(command);
      const key = await apiClient(opts.api, options).call('revokeApiKey', { params: { id } });
      output(opts, key, () => `revoked ${key.id} (${key.label}) at ${key.revokedAt}`);
    });

  program
    .command('download <dataset>')
    .description(
      'fetch every file of a dataset (parallel, resumable), verify each SHA-256 and the content root; exit 3 when access is refused',
    )
    .requiredOption('--out <dir>', 'folder to write the files into (created if needed)')
    .option('--concurrency <n>', 'files fetched at once', '4')
    .option(...KEYSTORE)
    .action(async (ref: string, options: { out: string; concurrency: string; keystore?: string }, command: Command) => {
      const opts = globalOptions(command);
      const concurrency = Number(options.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1)
        throw new Error(`--concurrency must be a whole number of files, 1 or more (got ${options.concurrency})`);
      let bar: ReturnType<typeof bytesProgress> | undefined;
      const summary = await downloadDataset(apiClient(opts.api, options), ref, {
        out: options.out,
        concurrency,
        onStart: (dataset) => (bar = bytesProgress('downloading', Number(dataset.totalBytes), !opts.json)),
        onBytes: (d) => bar?.add(d),
      }).finally(() => bar?.stop());
      output(opts, summary, () =>
        [
          `downloaded dataset ${summary.datasetId} into ${options.out}`,
          `files         ${summary.files} (${summary.alreadyThere} already there, ${summary.resumed} resumed)`,
          `fetched       ${summary.fetchedBytes} bytes`,
          `content root  ${summary.contentRoot} (every file verified)`,
        ].join('\n'),
      );
    });
}
