import fc from "fast-check";
import { strToU8, Zip, ZipDeflate, ZipPassThrough, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { FormatError, MalformedInputError, TruncatedInputError } from "../../lib/formats/errors.ts";
import { parseFile } from "../../lib/formats/parseFile.ts";
import { poisonedSource } from "../helpers/poisonedSource.ts";
import { summarizeLedger } from "../../lib/ledger/summarizeLedger.ts";
import { ownFixture, readBytes } from "../helpers/fixtures.ts";

/**
 * The seeded fuzz suite of issue #8: mutated SAF-T, SIE and CSV files (truncations, byte flips, insertions, long
 * runs, deep nesting, and zip variants of SAF-T) must give a result or a clear error — a FormatError with a stable code
 * and a position — within a time and memory bound. `npm test` runs it with a fixed seed and a small number of runs;
 * a longer run is `npm run fuzz -- --runs 20000 [--seed N]` (environment `SALDO_FUZZ_RUNS`, `SALDO_FUZZ_SEED`).
 */
const SEED = Number(process.env.SALDO_FUZZ_SEED ?? 20260408);
const RUNS = Number(process.env.SALDO_FUZZ_RUNS ?? 25);
/** Per case: inputs are at most a few MiB, so these are wide margins on a loaded two-core machine. */
const MAX_SECONDS_PER_CASE = 60;
const MAX_GROWTH_BYTES_PER_CASE = 256 * 1024 * 1024;

const MiB = 1024 * 1024;

type Mutation =
  | { kind: "truncate"; at: number }
  | { kind: "flip"; positions: number[]; bytes: number[] }
  | { kind: "insert"; at: number; text: string }
  | { kind: "run"; at: number; fill: string; length: number }
  | { kind: "nest"; at: number; open: string; depth: number };

const FRAGMENTS = [
  "<",
  ">",
  "</",
  "<a>",
  "&",
  "&amp;",
  "&#0;",
  "&bogus;",
  "<!--",
  "-->",
  "<![CDATA[",
  "]]>",
  "<?x",
  "?>",
  "<!DOCTYPE a [",
  '"',
  "'",
  "#",
  "{",
  "}",
  ";",
  ",",
  "\n",
  "\r",
  "\t",
  "\u0000",
  "\u00ff",
  "ø",
  "€",
  "\uFFFD",
  "-",
  ".",
  "9".repeat(40),
];
const RUN_FILLS = ["x", " ", "9", "<", "&", '"', "#", ";", "\n", "\u00f8", "-", "]", "?", "{"];

function mutation(length: number): fc.Arbitrary<Mutation> {
  const at = fc.integer({ min: 0, max: length });
  return fc.oneof(
    fc.record({ kind: fc.constant("truncate" as const), at }),
    fc.record({
      kind: fc.constant("flip" as const),
      positions: fc.array(fc.integer({ min: 0, max: Math.max(0, length - 1) }), { minLength: 1, maxLength: 8 }),
      bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 8, maxLength: 8 }),
    }),
    fc.record({
      kind: fc.constant("insert" as const),
      at,
      text: fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 12 })),
    }),
    fc.record({
      kind: fc.constant("run" as const),
      at,
      fill: fc.constantFrom(...RUN_FILLS),
      length: fc.integer({ min: 1024, max: MiB }),
    }),
    fc.record({
      kind: fc.constant("nest" as const),
      at,
      open: fc.constantFrom("<a>", "<Line>", "{", "#VER 1 1 20250101 {\n"),
      depth: fc.integer({ min: 100, max: 20_000 }),
    }),
  );
}

function apply(bytes: Uint8Array, mutations: Mutation[]): Uint8Array {
  let out = Buffer.from(bytes);
  for (const m of mutations) {
    const at = Math.min("at" in m ? m.at : 0, out.length);
    switch (m.kind) {
      case "truncate":
        out = out.subarray(0, at);
        break;
      case "flip":
        out = Buffer.from(out);
        m.positions.forEach((position, i) => {
          if (position < out.length) out[position] = m.bytes[i % m.bytes.length]!;
        });
        break;
      case "insert":
        out = Buffer.concat([out.subarray(0, at), Buffer.from(m.text), out.subarray(at)]);
        break;
      case "run":
        out = Buffer.concat([
          out.subarray(0, at),
          Buffer.from(m.fill.repeat(Math.ceil(m.length / m.fill.length))),
          out.subarray(at),
        ]);
        break;
      case "nest":
        out = Buffer.concat([out.subarray(0, at), Buffer.from(m.open.repeat(m.depth)), out.subarray(at)]);
        break;
    }
  }
  return out;
}

type ZipVariant = "none" | "deflated" | "stored" | "streamed" | "damaged-zip" | "many-entries";

function zipped(bytes: Uint8Array, variant: ZipVariant, flip: number): Uint8Array {
  switch (variant) {
    case "none":
      return bytes;
    case "deflated":
      return zipSync({ "saft.xml": bytes });
    case "stored":
      return zipSync({ "saft.xml": [bytes, { level: 0 }] });
    case "many-entries": {
      const entries: Record<string, Uint8Array> = {};
      for (let i = 0; i < 200; i++) entries[`x/${i}.txt`] = strToU8(String(i));
      entries["saft.xml"] = bytes;
      return zipSync(entries);
    }
    case "streamed":
    case "damaged-zip": {
      const parts: Uint8Array[] = [];
      const zip = new Zip((error, data) => {
        if (error) throw error;
        parts.push(data);
      });
      const file = flip % 2 === 0 ? new ZipDeflate("saft.xml") : new ZipPassThrough("saft.xml");
      zip.add(file);
      file.push(bytes, true);
      zip.end();
      const archive = Buffer.concat(parts);
      if (variant === "damaged-zip" && archive.length > 0)
        archive[flip % archive.length] = (archive[flip % archive.length]! + 1 + (flip % 254)) & 0xff;
      return archive;
    }
  }
}

interface Outcome {
  ok: boolean;
  error?: unknown;
  seconds: number;
  growth: number;
}

async function run(bytes: Uint8Array, chunks: number[], fileName: string): Promise<Outcome> {
  const before = process.memoryUsage();
  const base = before.heapUsed + before.arrayBuffers;
  let growth = 0;
  let pulled = 0;
  async function* measured(): AsyncGenerator<Uint8Array> {
    for await (const chunk of poisonedSource(bytes, chunks)) {
      if (++pulled % 16 === 0) {
        const now = process.memoryUsage();
        growth = Math.max(growth, now.heapUsed + now.arrayBuffers - base);
      }
      yield chunk;
    }
  }
  const started = performance.now();
  try {
    const { records } = await parseFile(measured(), { fileName });
    await summarizeLedger(records);
    return { ok: true, seconds: (performance.now() - started) / 1000, growth };
  } catch (error) {
    return { ok: false, error, seconds: (performance.now() - started) / 1000, growth };
  }
}

/** A clear error: a FormatError with a stable code; structural and truncation errors also say where. */
function expectClear(outcome: Outcome, describeCase: () => string): void {
  expect(outcome.seconds, describeCase()).toBeLessThan(MAX_SECONDS_PER_CASE);
  expect(outcome.growth, describeCase()).toBeLessThan(MAX_GROWTH_BYTES_PER_CASE);
  if (outcome.ok) return;
  const error = outcome.error as FormatError;
  expect(error, `${describeCase()}: ${String((error as Error)?.stack ?? error)}`).toBeInstanceOf(FormatError);
  expect(error.code, describeCase()).toMatch(/^[A-Z][A-Z0-9_]+$/);
  if (error instanceof MalformedInputError || error instanceof TruncatedInputError) {
    const positioned = error.location !== undefined || /at byte \d+/.test(error.message);
    expect(positioned, `${describeCase()}: ${error.message}`).toBe(true);
  }
}

const FORMATS = [
  { name: "SAF-T", fixture: "saft/tiny-v130.xml", fileName: "fuzz.xml", zip: true },
  { name: "SIE", fixture: "sie/own_type4_utf8_crlf.se", fileName: "fuzz.se", zip: false },
  { name: "CSV", fixture: "csv/latin1_dot_grouping.csv", fileName: "fuzz.csv", zip: false },
] as const;

describe(`parser fuzzing (seed ${SEED}, ${RUNS} runs per format)`, () => {
  for (const format of FORMATS) {
    it(
      `${format.name}: every mutated file gives a result or a clear error with position, within bounds`,
      async () => {
        const seed = await readBytes(ownFixture(format.fixture));
        const variants: ZipVariant[] = format.zip
          ? ["none", "none", "deflated", "stored", "streamed", "damaged-zip", "many-entries"]
          : ["none"];
        await fc.assert(
          fc.asyncProperty(
            fc.array(mutation(seed.length), { minLength: 1, maxLength: 3 }),
            fc.constantFrom(...variants),
            fc.nat(),
            fc.array(fc.integer({ min: 1, max: 128 * 1024 }), { minLength: 1, maxLength: 4 }),
            async (mutations, variant, flip, chunks) => {
              const bytes = zipped(apply(seed, mutations), variant, flip);
              const outcome = await run(bytes, chunks, format.fileName);
              expectClear(
                outcome,
                () => `${format.name} ${variant} ${JSON.stringify(mutations).slice(0, 300)} chunks ${chunks.join(",")}`,
              );
            },
          ),
          { seed: SEED, numRuns: RUNS, endOnFailure: true },
        );
      },
      60_000 + RUNS * MAX_SECONDS_PER_CASE * 1000,
    );
  }
});
