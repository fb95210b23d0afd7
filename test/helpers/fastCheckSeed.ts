import fc from "fast-check";

/**
 * One seed for every property test (vitest `setupFiles`): a run is repeatable, and CI cannot fail one day on an input
 * it never drew before and pass the next. A failure prints its seed and path; to explore other inputs, run with
 * SALDO_FC_SEED=<n> (the parser fuzzing has its own, SALDO_FUZZ_SEED).
 */
const seed = Number(process.env.SALDO_FC_SEED ?? 20261205);
if (!Number.isSafeInteger(seed)) throw new Error(`SALDO_FC_SEED must be an integer, not ${process.env.SALDO_FC_SEED}`);
fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
