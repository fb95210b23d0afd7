/**
 * One benchmark measurement in its own process, so peak RSS belongs to that parser alone.
 * Usage: node bin/run-ts.js bench/measure.ts <mode> <file>
 * Prints one JSON line: { mode, bytes, seconds, cpuSeconds, gc, records, lines, peakRssBytes }. `cpuSeconds` is the
 * process's CPU time (user + system) over the same span: on a shared machine it is the steadier figure.
 */
import { stat } from "node:fs/promises";
import { PerformanceObserver, constants, type PerformanceEntry } from "node:perf_hooks";
import { fileSource } from "../lib/formats/shared/sources.ts";
import { recordBatches } from "../lib/formats/shared/recordBatches.ts";
import { parseSaft } from "../lib/formats/saft/index.ts";
import { parseSie } from "../lib/formats/sie/index.ts";
import { inspectFile } from "../lib/imports/inspectFile.ts";
import { rawTokenizeXml } from "../lib/formats/xml/index.ts";
import { rawTokenizeSie } from "../lib/formats/sie/index.ts";
import type { ImportRecord } from "../lib/ledger/records.ts";

const [mode, path] = process.argv.slice(2);
if (!mode || !path) {
  console.error("usage: measure.ts <saft|sie|raw-xml|raw-sie|inspect|read> <file>");
  process.exit(2);
}

/** Reads the records as the import does (lib/imports/importAttempt.ts): a chunk's records at a time. */
async function countRecords(records: AsyncIterable<ImportRecord>) {
  let count = 0;
  let lines = 0;
  for await (const batch of recordBatches(records)) {
    for (const record of batch) {
      count++;
      if (record.type === "transaction") lines += record.transaction.lines.length;
    }
  }
  return { records: count, lines };
}

// Garbage collections during the measurement: young-generation collections count the short-lived objects the
// parser makes (a hot path that allocates nothing per line keeps them few), old-generation ones what it keeps.
const gc = { minor: 0, major: 0, milliseconds: 0 };
const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MINOR) gc.minor++;
    else gc.major++;
    gc.milliseconds += entry.duration;
  }
});
observer.observe({ entryTypes: ["gc"] });

const { size } = await stat(path);
const started = process.hrtime.bigint();
const cpuStarted = process.cpuUsage();
let result: { records: number; lines: number };
switch (mode) {
  case "saft":
    result = await countRecords(parseSaft(fileSource(path), { fileName: path }));
    break;
  case "sie":
    result = await countRecords(parseSie(fileSource(path), { fileName: path }));
    break;
  case "raw-xml":
    result = { records: await rawTokenizeXml(fileSource(path)), lines: 0 };
    break;
  case "raw-sie":
    result = { records: await rawTokenizeSie(fileSource(path)), lines: 0 };
    break;
  case "read": {
    // Only reading the file as the others do (fileSource): the part of every figure that is not parsing.
    let chunks = 0;
    for await (const chunk of fileSource(path)) chunks += chunk.length > 0 ? 1 : 0;
    result = { records: chunks, lines: 0 };
    break;
  }
  case "inspect": {
    const summary = await inspectFile(fileSource(path), { fileName: path });
    result = { records: summary.transactions.count, lines: summary.transactions.lines };
    break;
  }
  default:
    console.error(`unknown mode ${mode}`);
    process.exit(2);
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const cpu = process.cpuUsage(cpuStarted);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
await new Promise((resolve) => setImmediate(resolve)); // lets the observer see the last collections
observer.disconnect();
console.log(
  JSON.stringify({
    mode,
    bytes: size,
    seconds,
    cpuSeconds,
    gc,
    ...result,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  }),
);
