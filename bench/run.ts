/**
 * `npm run bench`: generates large synthetic SAF-T and SIE files and prints, for each parser, throughput (MB/s,
 * lines/s) and peak RSS, next to a raw-tokenizer pass over the same bytes (the ratio to beat) and a pass that only
 * reads the file (the part of every figure that is not parsing). Each measurement runs in its own process pinned to
 * one core (taskset, when present). Prints figures; it is not a timed test.
 *
 * Four profiles (issue #8): `saft` (verbose, ≈ 550 bytes per line), `saft-dense` (≈ 300 bytes per line: short
 * descriptions, few optional elements), `sie` (three-row vouchers) and `sie-dense` (two-row vouchers, with
 * #RTRANS/#BTRANS audit-trail rows). The load average is printed with the figures: on a shared machine they vary.
 *
 * Then the end-to-end figure of the file-drop pipeline (bench/e2e.ts): the ≥ 1 M-line SAF-T file through the S3
 * emulator → ingest handler → DynamoDB Local: time, peak RSS of the handler's process, items and bytes per 1 000 lines.
 *
 * Two sync profiles (issue #9): `tripletex` and `poweroffice` sync a synthetic year of 1 M postings from that fake
 * (its own process, real HTTP on loopback) through the real syncFromApi into DynamoDB Local (bench/sync.ts): requests,
 * wall time, postings/s, peak RSS and its growth over the baseline, the requests and time of an unchanged re-sync, and
 * those of a re-sync after 1 000 new postings in the last month (incremental: only that month is read again).
 *
 * Options: --quick (small files, for a smoke run), --runs <n> (each parser measurement n times, in a fresh process each;
 *          the medians are printed; default 1), --no-large (skip the 1 GB SAF-T memory run),
 *          --no-e2e (skip the end-to-end run), --dir <folder> (where generated files go; default: the OS temp folder),
 *          --profile <name,…> (only these profiles: the parser figures of the file profiles, the sync figures of the
 *          sync profiles; no start-up, 1 GB or end-to-end run).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { writeSaftFile } from "./generateSaft.ts";
import { writeSieFile } from "./generateSie.ts";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    "no-large": { type: "boolean", default: false },
    "no-e2e": { type: "boolean", default: false },
    dir: { type: "string", default: join(tmpdir(), "saldo-bench") },
    profile: { type: "string" },
    runs: { type: "string", default: "1" },
  },
});
const dir = values.dir!;
mkdirSync(dir, { recursive: true });

const scale = values.quick ? 0.02 : 1;
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number ≥ 1, not "${values.runs}"`);
const TARGETS = {
  saftMBps: 120,
  saftLinesPerSecond: 450_000,
  sieMBps: 100,
  largeRssMB: 200,
  e2eItemsPer1000Lines: 10,
  startupOverNodeSeconds: 0.3,
  unchangedResyncRequests: 5,
};

function hasTaskset(): boolean {
  try {
    execFileSync("taskset", ["-c", "0", "true"]);
    return true;
  } catch {
    return false;
  }
}
const pin = hasTaskset();

interface Measurement {
  mode: string;
  bytes: number;
  seconds: number;
  cpuSeconds: number;
  gc: { minor: number; major: number; milliseconds: number };
  records: number;
  lines: number;
  peakRssBytes: number;
  /** The one-minute load average when the measurement ended. */
  load: number;
}

function measureOnce(mode: string, file: string): Measurement {
  const args = ["bin/run-ts.js", "bench/measure.ts", mode, file];
  const command = pin ? "taskset" : process.execPath;
  const commandArgs = pin ? ["-c", "0", process.execPath, ...args] : args;
  const run = spawnSync(command, commandArgs, { encoding: "utf8", maxBuffer: 1 << 20 });
  if (run.status !== 0) throw new Error(`measure ${mode} ${file} failed:\n${run.stderr}`);
  return { ...(JSON.parse(run.stdout.trim().split("\n").pop()!) as Measurement), load: loadavg()[0]! };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/**
 * {@link runs} measurements of `mode` on `file`, each in a fresh process, folded into their medians (each figure its
 * own median: wall and CPU time, collections, peak RSS, load), so one run disturbed by the machine's other work does
 * not decide the figure.
 */
function measure(mode: string, file: string): Measurement {
  const all = Array.from({ length: runs }, () => measureOnce(mode, file));
  const of = (pick: (m: Measurement) => number) => median(all.map(pick));
  return {
    ...all[0]!,
    seconds: of((m) => m.seconds),
    cpuSeconds: of((m) => m.cpuSeconds),
    gc: { minor: of((m) => m.gc.minor), major: of((m) => m.gc.major), milliseconds: of((m) => m.gc.milliseconds) },
    peakRssBytes: of((m) => m.peakRssBytes),
    load: of((m) => m.load),
  };
}

async function ensure(file: string, write: () => Promise<void>) {
  if (existsSync(file)) return;
  const started = Date.now();
  await write();
  console.log(
    `generated ${file} (${(statSync(file).size / 1e6).toFixed(0)} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}

const mb = (bytes: number) => bytes / 1e6;
/**
 * The time a figure is judged on. Pinned to one core, every thread of the measured process (the main thread and
 * the garbage collector's helpers) shares that core, so its CPU time equals the wall time on an idle machine and
 * leaves out the time other processes took on a busy one: the steadier figure on a shared machine. Unpinned, the
 * helpers run in parallel and CPU time overstates the work, so the wall time is used.
 */
const judged = (m: Measurement) => (pin ? m.cpuSeconds : m.seconds);
const row = (label: string, m: Measurement, raw?: Measurement) => {
  const rate = mb(m.bytes) / judged(m);
  const ratio = raw ? ` ${(rate / (mb(raw.bytes) / judged(raw))).toFixed(2)}× raw` : "";
  const linesPerSecond = m.lines
    ? ` ${Math.round(m.lines / judged(m))
        .toLocaleString("en")
        .padStart(9)} lines/s`
    : "";
  // The other clock's rate too: on an idle machine the two agree; on a busy one the wall rate shows the waiting.
  const other = pin
    ? `wall ${(mb(m.bytes) / m.seconds).toFixed(1)} MB/s`
    : `CPU ${(mb(m.bytes) / m.cpuSeconds).toFixed(1)} MB/s`;
  console.log(
    `${label.padEnd(26)} ${mb(m.bytes).toFixed(0).padStart(6)} MB ${m.seconds.toFixed(2).padStart(7)} s wall ${m.cpuSeconds.toFixed(2).padStart(7)} s CPU ` +
      `${rate.toFixed(1).padStart(7)} MB/s${linesPerSecond} (${other}) peak RSS ${(m.peakRssBytes / 2 ** 20).toFixed(0)} MiB${ratio} ` +
      `GC ${m.gc.minor}+${m.gc.major} (${m.gc.milliseconds.toFixed(0)} ms) load ${m.load.toFixed(1)}`,
  );
  return rate;
};

interface Profile {
  label: string;
  kind: "saft" | "sie";
  file: string;
  write: (file: string) => Promise<void>;
}

// Each profile is one file shape; the targets hold on every profile of a format (issue #8).
const profiles: Record<string, Profile> = {
  saft: {
    label: "SAF-T verbose",
    kind: "saft",
    file: join(dir, `saft-${Math.round(350_000 * scale)}x3.xml`),
    write: (file) =>
      writeSaftFile(file, { transactions: Math.round(350_000 * scale), linesPerTransaction: 3, seed: 1 }),
  },
  "saft-dense": {
    label: "SAF-T dense",
    kind: "saft",
    file: join(dir, `saft-dense-${Math.round(350_000 * scale)}x3.xml`),
    write: (file) =>
      writeSaftFile(file, {
        transactions: Math.round(350_000 * scale),
        linesPerTransaction: 3,
        seed: 1,
        profile: "dense",
      }),
  },
  sie: {
    label: "SIE",
    kind: "sie",
    file: join(dir, `sie-${Math.round(350_000 * scale)}x3.se`),
    write: (file) => writeSieFile(file, { vouchers: Math.round(350_000 * scale), linesPerVoucher: 3, seed: 1 }),
  },
  "sie-dense": {
    label: "SIE dense",
    kind: "sie",
    file: join(dir, `sie-dense-${Math.round(600_000 * scale)}x2.se`),
    write: (file) =>
      writeSieFile(file, { vouchers: Math.round(600_000 * scale), linesPerVoucher: 2, seed: 1, auditTrailEvery: 8 }),
  },
};

/** The sync profiles (issue #9): a synthetic year from each fake, through syncFromApi into DynamoDB Local. */
const syncProfiles: Record<string, { label: string; postings: number }> = {
  tripletex: { label: "Tripletex", postings: Math.round(1_000_000 * scale) },
  poweroffice: { label: "PowerOffice Go", postings: Math.round(1_000_000 * scale) },
};

const allProfiles = [...Object.keys(profiles), ...Object.keys(syncProfiles)];
const requested = values.profile ? values.profile.split(",").map((name) => name.trim()) : allProfiles;
for (const name of requested) {
  if (!profiles[name] && !syncProfiles[name])
    throw new Error(`unknown profile "${name}"; the profiles are ${allProfiles.join(", ")}`);
}
const chosen = requested.filter((name) => profiles[name]);
const chosenSyncs = requested.filter((name) => syncProfiles[name]);
// With --profile only the parser figures of those profiles are measured (one profile at a time on a shared machine).
const parsersOnly = values.profile !== undefined;

if (chosen.length > 0)
  console.log(
    `\nparsers (${pin ? "pinned to one core with taskset" : "taskset not found: not pinned"}; rates on ${pin ? "CPU" : "wall"} time; ${runs === 1 ? "one run each" : `medians of ${runs} runs each`}; load average ${loadavg()
      .map((load) => load.toFixed(2))
      .join(" ")})`,
  );
const results: { profile: Profile; rate: number; linesPerSecond: number; peakRssMiB: number }[] = [];
for (const name of chosen) {
  const profile = profiles[name]!;
  await ensure(profile.file, () => profile.write(profile.file));
  row(`${profile.label}: read only`, measure("read", profile.file));
  const raw = measure(profile.kind === "saft" ? "raw-xml" : "raw-sie", profile.file);
  row(`${profile.label}: raw tokenizer`, raw);
  const parsed = measure(profile.kind, profile.file);
  const rate = row(`${profile.label}: parser`, parsed, raw);
  row(`${profile.label}: inspect`, measure("inspect", profile.file), raw);
  console.log(`${"".padEnd(26)} ${(parsed.bytes / parsed.lines).toFixed(0)} bytes per transaction line`);
  results.push({
    profile,
    rate,
    linesPerSecond: parsed.lines / judged(parsed),
    peakRssMiB: parsed.peakRssBytes / 2 ** 20,
  });
}

let helpStartup: number | undefined;
let inspectStartup: number | undefined;
if (!parsersOnly) {
  // CLI start-up: the median wall time of `saldo --help` and of inspecting a tiny file, over a bare `node -e 0`.
  function medianSeconds(args: string[], runs = 9): number {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const started = process.hrtime.bigint();
      const run = spawnSync(process.execPath, args, { encoding: "utf8" });
      if (run.status !== 0) throw new Error(`${args.join(" ")} failed:\n${run.stderr}`);
      times.push(Number(process.hrtime.bigint() - started) / 1e9);
    }
    return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
  }
  spawnSync(process.execPath, ["bin/saldo.js", "--help"]); // builds the CLI bundle if the sources changed
  const bareNode = medianSeconds(["-e", "0"]);
  helpStartup = medianSeconds(["bin/saldo.js", "--help"]) - bareNode;
  inspectStartup = medianSeconds(["bin/saldo.js", "inspect", "samples/demo-saft-1.30.xml"]) - bareNode;
  console.log(
    `\nCLI start-up over a bare node -e 0 (${(bareNode * 1000).toFixed(0)} ms): saldo --help +${(helpStartup * 1000).toFixed(0)} ms, ` +
      `saldo inspect <demo file> +${(inspectStartup * 1000).toFixed(0)} ms (median of 9)`,
  );
}

let largeRss: number | undefined;
if (!values["no-large"] && !values.quick && !parsersOnly) {
  // About 1 GB: the memory target is about flat memory, so the file must dwarf the budget.
  const largeFile = join(dir, "saft-1gb.xml");
  await ensure(largeFile, () => writeSaftFile(largeFile, { transactions: 900_000, linesPerTransaction: 3, seed: 2 }));
  const large = measure("inspect", largeFile);
  row("SAF-T inspect, ~1 GB", large);
  largeRss = large.peakRssBytes / 2 ** 20;
}

interface EndToEndMeasurement {
  bytes: number;
  lines: number;
  seconds: number;
  importSeconds: number;
  items: number;
  itemBytes: number;
  peakRssBytes: number;
}

let e2eItemsPer1000: number | undefined;
if (!values["no-e2e"] && !parsersOnly) {
  // Not pinned: DynamoDB Local (a JVM the stack starts) must not compete with the handler for one core.
  console.log("\nend to end: S3 emulator → ingest handler → DynamoDB Local (the local stack, bench/e2e.ts)");
  const run = spawnSync(process.execPath, ["bin/run-ts.js", "bench/e2e.ts", profiles.saft!.file], {
    encoding: "utf8",
    maxBuffer: 1 << 20,
  });
  if (run.status !== 0) throw new Error(`bench/e2e.ts failed:\n${run.stderr}`);
  const e2e = JSON.parse(run.stdout.trim().split("\n").pop()!) as EndToEndMeasurement;
  e2eItemsPer1000 = (e2e.items / e2e.lines) * 1000;
  console.log(
    `SAF-T upload → active      ${mb(e2e.bytes).toFixed(0).padStart(6)} MB ${e2e.seconds.toFixed(2).padStart(7)} s ` +
      `${(mb(e2e.bytes) / e2e.seconds).toFixed(1).padStart(7)} MB/s ${(e2e.lines / e2e.seconds / 1e6).toFixed(2)} M lines/s ` +
      `(${(e2e.lines / 1e6).toFixed(2)} M lines; import ${e2e.importSeconds.toFixed(2)} s) peak RSS ${(e2e.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
  );
  console.log(
    `  written: ${e2e.items} items, ${(e2e.itemBytes / 1e6).toFixed(1)} MB — ${e2eItemsPer1000.toFixed(2)} items and ` +
      `${(((e2e.itemBytes / e2e.lines) * 1000) / 1024).toFixed(1)} KiB per 1 000 lines`,
  );
}

interface SyncMeasurement {
  system: string;
  postings: number;
  vouchers: number;
  requests: number;
  windows: number;
  seconds: number;
  baselineRssBytes: number;
  peakRssBytes: number;
  resync: { outcome: string; requests: number; seconds: number; activeImportUnchanged: boolean };
  incremental: { added: number; mode: string; requests: number; windows: number; seconds: number };
}

const syncResults: { label: string; sync: SyncMeasurement }[] = [];
if (chosenSyncs.length > 0) {
  // Not pinned, as the end-to-end run: the fake (its own process) and DynamoDB Local (a JVM) serve the sync meanwhile.
  console.log(
    `\nsyncs: fake API (own process, loopback HTTP) → syncFromApi → DynamoDB Local (bench/sync.ts; load average ${loadavg()
      .map((load) => load.toFixed(2))
      .join(" ")})`,
  );
}
for (const name of chosenSyncs) {
  const profile = syncProfiles[name]!;
  const run = spawnSync(process.execPath, ["bin/run-ts.js", "bench/sync.ts", name, String(profile.postings)], {
    encoding: "utf8",
    maxBuffer: 1 << 20,
  });
  if (run.status !== 0) throw new Error(`bench/sync.ts ${name} failed:\n${run.stderr}`);
  const sync = JSON.parse(run.stdout.trim().split("\n").pop()!) as SyncMeasurement;
  syncResults.push({ label: profile.label, sync });
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
  console.log(
    `${`${profile.label} sync`.padEnd(26)} ${sync.postings.toLocaleString("en").padStart(9)} postings ` +
      `(${sync.vouchers.toLocaleString("en")} vouchers, ${sync.windows} windows): ${sync.requests} requests, ` +
      `${sync.seconds.toFixed(1)} s wall, ${Math.round(sync.postings / sync.seconds).toLocaleString("en")} postings/s, ` +
      `peak RSS ${mib(sync.peakRssBytes)} MiB (+${mib(sync.peakRssBytes - sync.baselineRssBytes)} MiB over the ` +
      `${mib(sync.baselineRssBytes)} MiB baseline)`,
  );
  console.log(
    `${"".padEnd(26)} unchanged re-sync: ${sync.resync.requests} requests, ${sync.resync.seconds.toFixed(2)} s, ` +
      `${sync.resync.activeImportUnchanged ? "no new version" : "A NEW VERSION"}`,
  );
  console.log(
    `${"".padEnd(26)} re-sync after ${sync.incremental.added.toLocaleString("en")} new postings in the last month: ` +
      `${sync.incremental.mode}, ${sync.incremental.requests} requests (${sync.incremental.windows} window${sync.incremental.windows === 1 ? "" : "s"} read), ` +
      `${sync.incremental.seconds.toFixed(1)} s`,
  );
}

console.log("\ntargets");
const verdict = (ok: boolean) => (ok ? "met" : "NOT MET");
for (const { profile, rate, linesPerSecond } of results) {
  if (profile.kind === "saft") {
    const ok = rate >= TARGETS.saftMBps && linesPerSecond >= TARGETS.saftLinesPerSecond;
    console.log(
      `  ${profile.label} ≥ ${TARGETS.saftMBps} MB/s and ≥ ${TARGETS.saftLinesPerSecond.toLocaleString("en")} lines/s: ` +
        `${rate.toFixed(1)} MB/s, ${Math.round(linesPerSecond).toLocaleString("en")} lines/s — ${verdict(ok)}`,
    );
  } else {
    console.log(
      `  ${profile.label} ≥ ${TARGETS.sieMBps} MB/s: ${rate.toFixed(1)} MB/s — ${verdict(rate >= TARGETS.sieMBps)}`,
    );
  }
}
if (helpStartup !== undefined && inspectStartup !== undefined) {
  console.log(
    `  CLI start-up ≤ ${TARGETS.startupOverNodeSeconds * 1000} ms over node: --help +${(helpStartup * 1000).toFixed(0)} ms, inspect +${(inspectStartup * 1000).toFixed(0)} ms — ` +
      verdict(Math.max(helpStartup, inspectStartup) <= TARGETS.startupOverNodeSeconds),
  );
}
if (largeRss !== undefined) {
  console.log(
    `  peak RSS ≤ ${TARGETS.largeRssMB} MB on 1 GB: ${largeRss.toFixed(0)} MiB — ${verdict(largeRss <= TARGETS.largeRssMB)}`,
  );
}
if (e2eItemsPer1000 !== undefined) {
  console.log(
    `  end to end ≤ ${TARGETS.e2eItemsPer1000Lines} items per 1 000 lines: ${e2eItemsPer1000.toFixed(2)} — ${verdict(e2eItemsPer1000 <= TARGETS.e2eItemsPer1000Lines)}`,
  );
}
for (const { label, sync } of syncResults) {
  const ok = sync.resync.requests <= TARGETS.unchangedResyncRequests && sync.resync.activeImportUnchanged;
  console.log(
    `  ${label}: an unchanged re-sync makes ≤ ${TARGETS.unchangedResyncRequests} requests and no new version: ` +
      `${sync.resync.requests} requests — ${verdict(ok)}`,
  );
}
