import type { HttpStatus } from '@nestjs/common';

/** A feature's error codes and the HTTP status each answers with: the one place a code is declared. */
export type ErrorCodeTable = Readonly<Record<string, HttpStatus>>;

/**
 * Declares a feature's codes, keeping each code's literal name and status in the type
 * (`defineErrorCodes({ EPOCH_NOT_FOUND: HttpStatus.NOT_FOUND })`).
 */
export function defineErrorCodes<const Table extends ErrorCodeTable>(table: Table): Table {
  return Object.freeze(table);
}

type CodesOf<Tables extends readonly ErrorCodeTable[]> = Tables[number] extends infer Table
  ? Table extends ErrorCodeTable
    ? keyof Table
    : never
  : never;

/** Codes declared by more than one of the tables (a later table would silently override an earlier one). */
export type DuplicateCodes<Tables extends readonly ErrorCodeTable[]> = Tables extends readonly [
  infer Head extends ErrorCodeTable,
  ...infer Rest extends readonly ErrorCodeTable[],
]
  ? (keyof Head & CodesOf<Rest>) | DuplicateCodes<Rest>
  : never;

type UnionToIntersection<U> = (U extends unknown ? (value: U) => void : never) extends (value: infer I) => void
  ? I
  : never;

/** One table holding every code of every feature: duplicates fail to compile (and are refused at start-up). */
export function mergeErrorCodes<const Tables extends readonly ErrorCodeTable[]>(
  ...tables: Tables & ([DuplicateCodes<Tables>] extends [never] ? unknown : { duplicateCodes: DuplicateCodes<Tables> })
): Readonly<UnionToIntersection<Tables[number]>> {
  const merged: Record<string, HttpStatus> = {};
  for (const table of tables as readonly ErrorCodeTable[]) {
    for (const [code, status] of Object.entries(table)) {
      if (code in merged) throw new Error(`error code ${code} is declared twice`);
      merged[code] = status;
    }
  }
  return Object.freeze(merged) as Readonly<UnionToIntersection<Tables[number]>>;
}
