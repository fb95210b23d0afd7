import type { LedgerStore } from "../../lib/imports/ports.ts";

/** What a fault plan answers for one call: an error to throw instead of calling the store, or nothing (pass). */
export type StoreFault = (call: number, args: unknown[]) => Error | undefined;

/**
 * Wraps a LedgerStore so that chosen methods fail as a real store can (unavailable, item too large, …) at chosen
 * calls, for testing what the use cases do then. `calls` counts the calls of each faulty method.
 */
export function faultyStore(
  store: LedgerStore,
  faults: Partial<Record<keyof LedgerStore, StoreFault>>,
): { store: LedgerStore; calls: Partial<Record<keyof LedgerStore, number>> } {
  const calls: Partial<Record<keyof LedgerStore, number>> = {};
  const wrapped = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== "function") return value;
      const fault = faults[property as keyof LedgerStore];
      if (fault === undefined) return value.bind(target);
      return async (...args: unknown[]) => {
        const call = (calls[property as keyof LedgerStore] = (calls[property as keyof LedgerStore] ?? 0) + 1);
        const error = fault(call, args);
        if (error !== undefined) throw error;
        return (value as (...parameters: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: wrapped, calls };
}
