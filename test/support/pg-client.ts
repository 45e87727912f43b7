import { Client } from 'pg';

/** Runs `fn` with a connected client for `url`, closing it afterwards. Free of vitest, so benchmarks can use it too. */
export async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
