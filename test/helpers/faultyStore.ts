/** What a fault plan answers for one call: an error to throw instead of calling the store, or nothing (pass). */
export type StoreFault = (call: number, args: unknown[]) => Error | undefined;

/**
 * Wraps a store (an ImportStore, an EngagementStore) so that chosen methods fail as a real store can (unavailable,
 * item too large, …) at chosen calls, for testing what the use cases do then. `calls` counts the calls of each faulty
 * method.
 */
export function faultyStore<S extends object>(
  store: S,
  faults: Partial<Record<keyof S, StoreFault>>,
): { store: S; calls: Partial<Record<keyof S, number>> } {
  const calls: Partial<Record<keyof S, number>> = {};
  const wrapped = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== "function") return value;
      const fault = faults[property as keyof S];
      if (fault === undefined) return value.bind(target);
      return async (...args: unknown[]) => {
        const call = (calls[property as keyof S] = (calls[property as keyof S] ?? 0) + 1);
        const error = fault(call, args);
        if (error !== undefined) throw error;
        return (value as (...parameters: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: wrapped, calls };
}
