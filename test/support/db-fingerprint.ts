import { Client } from 'pg';

/**
 * A cheap fingerprint of every table in a database (its row count and an order-free hash of its
 * rows), to show that a request wrote nothing: take one before, one after, and compare. Columns
 * that reads legitimately touch (a credential's last use) are left out.
 */
export class DatabaseFingerprint {
  private constructor(
    private readonly client: Client,
    private readonly sql: string,
  ) {}

  static async open(url: string, ignoredColumns = ['last_used_at', 'last_used_ip']): Promise<DatabaseFingerprint> {
    const client = new Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ table_name: string; columns: string[] }>(
      `SELECT c.table_name, array_agg(quote_ident(c.column_name::text) ORDER BY c.ordinal_position) AS columns
         FROM information_schema.columns c
         JOIN information_schema.tables t USING (table_schema, table_name)
        WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND NOT (c.column_name::text = ANY($1::text[]))
        GROUP BY c.table_name ORDER BY c.table_name`,
      [ignoredColumns],
    );
    const sql = rows
      .map(
        ({ table_name, columns }) =>
          `SELECT ${literal(table_name)} AS t, count(*) || ':' || coalesce(sum(hashtext(row(${columns.join(', ')})::text)::bigint), 0) AS f FROM public.${quoteIdent(table_name)}`,
      )
      .join('\nUNION ALL\n');
    return new DatabaseFingerprint(client, sql);
  }

  /** Table name → `rows:hash`. */
  async take(): Promise<Map<string, string>> {
    const { rows } = await this.client.query<{ t: string; f: string }>(this.sql);
    return new Map(rows.map((r) => [r.t, r.f]));
  }

  /** The tables whose fingerprint differs. */
  static changed(before: Map<string, string>, after: Map<string, string>): string[] {
    return [...after.keys()].filter((table) => before.get(table) !== after.get(table));
  }

  close(): Promise<void> {
    return this.client.end();
  }
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;
