/**
 * `npm run fuzz -- [--runs N] [--seed S]`: the parser fuzz suite (test/fuzz) with more runs than `npm test` gives it
 * (default 20 000 per format) and, optionally, another seed. A failure prints the seed and the shrunk counterexample.
 */
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { runs: { type: "string", default: "20000" }, seed: { type: "string" } } });
const env = {
  ...process.env,
  SALDO_FUZZ_RUNS: values.runs!,
  ...(values.seed !== undefined ? { SALDO_FUZZ_SEED: values.seed } : {}),
};
const result = spawnSync(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "test/fuzz"], {
  stdio: "inherit",
  env,
});
process.exit(result.status ?? 1);
