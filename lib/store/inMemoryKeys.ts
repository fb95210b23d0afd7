import type { EngagementRef } from "../engagements/types.ts";
import { escapeKeyPart } from "./dynamo/keys.ts";

/** Separates the parts of the in-memory stores' map keys (ids never contain it). */
export const SEP = "\u0000";

export function engagementKey(ref: EngagementRef): string {
  return [ref.tenantId, ref.clientId, ref.engagementId].join(SEP);
}

/** Binary (code unit) order, the order DynamoDB sorts string keys in (for the characters ids use). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts as DynamoDB sorts the escaped ids in the sort key. */
export function byEscaped<T>(id: (value: T) => string): (a: T, b: T) => number {
  return (a, b) => compareStrings(escapeKeyPart(id(a)), escapeKeyPart(id(b)));
}

/** A deep copy: values go in and out of the in-memory stores as they would through a database. */
export function copy<T>(value: T): T {
  return structuredClone(value);
}

export function copyOrUndefined<T>(value: T | undefined): T | undefined {
  return value === undefined ? undefined : structuredClone(value);
}
