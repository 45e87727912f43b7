import type { ContractTypeName } from './contract-types';

/**
 * One field of a contract type at runtime: `true` for a value checked by name only (scalars,
 * free-form records), or the name of the contract type it holds (an object, or an array of them),
 * so the OpenAPI check can follow it.
 */
export type Field = true | ContractTypeName;

/** Every key of T, each exactly once (an object literal: a missing or extra key fails to compile). */
export type Shape<T> = { readonly [K in keyof T]-?: Field };

/** Types vanish at runtime; a shape keeps their keys, and the compiler keeps the shape in line with the type. */
export function shapeOf<T>(fields: Shape<T>): Shape<T> {
  return fields;
}

/** The keys of a shape, sorted (for comparisons); none for a free-form record. */
export function keysOf(shape: object | 'free-form'): string[] {
  return typeof shape === 'string' ? [] : Object.keys(shape).sort();
}
