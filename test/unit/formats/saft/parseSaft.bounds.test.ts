import { describe, expect, it } from "vitest";
import { parseSaft } from "../../../../lib/formats/saft/index.ts";
import { collect, ownFixture, readBytes } from "../../../helpers/fixtures.ts";
import { parseBytes, summarize } from "./saftTestHelpers.ts";

// Issue #8, SAF-T as a whole: a hostile value costs time and memory linear in its length, and becomes an issue with
// its position instead of a figure.

const MiB = 1024 * 1024;
const tinyText = async () => Buffer.from(await readBytes(ownFixture("saft/tiny-v130.xml"))).toString("utf8");

/**
 * The fixture with `marker` replaced by `before`, `runBytes` of `fill`, `after`, streamed in 64 KiB chunks;
 * `onChunk` is called before each chunk of the run (to sample memory while the parser works through it).
 */
async function* withRun(text: string, marker: string, before: string, fill: string, runBytes: number, after: string, onChunk = () => {}): AsyncGenerator<Uint8Array> {
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`marker ${marker} not in the fixture`);
  yield Buffer.from(text.slice(0, at) + before);
  const block = Buffer.from(fill.repeat((64 * 1024) / fill.length));
  for (let written = 0; written < runBytes; written += block.length) {
    onChunk();
    yield block.subarray(0, Math.min(block.length, runBytes - written));
  }
  yield Buffer.from(after + text.slice(at + marker.length));
}

/** Samples heap + array-buffer growth over a baseline taken at creation. */
function memoryProbe(): { sample: () => void; peakGrowth: () => number } {
  const start = process.memoryUsage();
  const base = start.heapUsed + start.arrayBuffers;
  let peak = 0;
  let calls = 0;
  const sample = () => {
    if (++calls % 8 !== 0) return;
    const now = process.memoryUsage();
    peak = Math.max(peak, now.heapUsed + now.arrayBuffers - base);
  };
  return { sample, peakGrowth: () => peak };
}

describe("SAF-T bounds on hostile values (issue #8)", () => {
  it("a 48 MiB account name is cut with SAFT_VALUE_TOO_LONG at its position; the figures are the file's, memory stays flat", async () => {
    const text = await tinyText();
    const plain = summarize(await parseBytes(Buffer.from(text)));
    const marker = "<AccountDescription>Bankinnskudd</AccountDescription>";
    const probe = memoryProbe();
    const records = await collect(parseSaft(withRun(text, marker, "<AccountDescription>", "Bankinnskudd ", 48 * MiB, "</AccountDescription>", probe.sample), { fileName: "lang.xml" }));
    const parsed = summarize(records);
    expect(parsed.accounts.map(({ name, location, ...figures }) => figures)).toEqual(plain.accounts.map(({ name, location, ...figures }) => figures));
    expect(parsed.accounts[0]!.name).toBe("Bankinnskudd ".repeat(65536 / 13 + 1).slice(0, 65536));
    expect(parsed.totalDebit).toBe(plain.totalDebit);
    expect(parsed.transactions.map((t) => t.lines)).toEqual(plain.transactions.map((t) => t.lines));
    const issue = parsed.issues.find((i) => i.code === "SAFT_VALUE_TOO_LONG");
    expect(issue).toMatchObject({ severity: "error", location: { line: 26, column: 17 } });
    expect(issue!.message).toMatch(/<AccountDescription> holds 50331\d{3} bytes of text; only its first 65536 characters were kept/);
    // The whole run used to be held (twice, while copied): ≥ 96 MiB. Now a few chunks and the 64 Ki-character value.
    expect(probe.peakGrowth()).toBeLessThan(40 * MiB);
  });

  it("a 10-million-digit opening balance is an error issue with its position, not a figure and not a minute of work", async () => {
    const text = await tinyText();
    const marker = "<OpeningDebitBalance>1000.00</OpeningDebitBalance>";
    const records = await collect(parseSaft(withRun(text, marker, "<OpeningDebitBalance>", "9999999999", 10_000_000, "</OpeningDebitBalance>"), { fileName: "lang.xml" }));
    const parsed = summarize(records);
    const codes = parsed.issues.map((issue) => issue.code);
    expect(codes).toContain("SAFT_AMOUNT_OUT_OF_RANGE");
    const issue = parsed.issues.find((i) => i.code === "SAFT_AMOUNT_OUT_OF_RANGE")!;
    expect(issue).toMatchObject({ severity: "error", account: "1920", location: { line: 30 } });
    expect(issue.message.length).toBeLessThan(300);
    expect(parsed.accounts.find((account) => account.id === "1920")!.opening).toBeUndefined();
  });

  it("a 19-digit amount in a line is SAFT_AMOUNT_OUT_OF_RANGE; 18 digits are read exactly", async () => {
    const text = await tinyText();
    const at = text.indexOf("<Amount>", text.indexOf("<DebitAmount>"));
    const end = text.indexOf("</Amount>", at);
    const tooLarge = summarize(await parseBytes(Buffer.from(`${text.slice(0, at)}<Amount>1234567890123456789.00${text.slice(end)}`)));
    expect(tooLarge.issues.find((i) => i.code === "SAFT_AMOUNT_OUT_OF_RANGE")).toMatchObject({ severity: "error", location: { line: expect.any(Number) } });
    const large = summarize(await parseBytes(Buffer.from(`${text.slice(0, at)}<Amount>123456789012345678.00${text.slice(end)}`)));
    expect(large.issues.map((i) => i.code)).not.toContain("SAFT_AMOUNT_OUT_OF_RANGE");
  });
});

describe("SAF-T without SelectionCriteria (issue #8)", () => {
  it("says so, and takes the period from the transactions' dates", async () => {
    const text = await tinyText();
    const without = text.replace(/<SelectionCriteria>[\s\S]*?<\/SelectionCriteria>/, "");
    const records = await parseBytes(Buffer.from(without));
    const parsed = summarize(records);
    const issue = parsed.issues.find((i) => i.code === "SAFT_SELECTION_CRITERIA_MISSING");
    expect(issue?.severity).toBe("warning");
    const dates = parsed.transactions.map((t) => t.date).sort();
    expect(issue?.message).toContain(`the period ${dates[0]} – ${dates.at(-1)} is taken from the transactions' dates`);
    expect(records.find((r) => r.type === "headerUpdate")).toEqual({ type: "headerUpdate", changes: { period: { start: dates[0], end: dates.at(-1) } } });
    expect(parsed.header.period).toBeUndefined(); // the header record itself came before the transactions
  });

  it("says that there is no period at all when there are no transactions either", async () => {
    const text = await tinyText();
    const without = text.replace(/<SelectionCriteria>[\s\S]*?<\/SelectionCriteria>/, "").replace(/<GeneralLedgerEntries>[\s\S]*<\/GeneralLedgerEntries>/, "");
    const parsed = summarize(await parseBytes(Buffer.from(without)));
    expect(parsed.issues.find((i) => i.code === "SAFT_SELECTION_CRITERIA_MISSING")?.message).toMatch(/no dated transactions to take one from/);
    expect(parsed.issues.filter((i) => i.code === "SAFT_SELECTION_CRITERIA_MISSING")).toHaveLength(1);
  });

  it("files with SelectionCriteria get no such issue", async () => {
    const parsed = summarize(await parseBytes(Buffer.from(await tinyText())));
    expect(parsed.issues.map((i) => i.code)).not.toContain("SAFT_SELECTION_CRITERIA_MISSING");
  });
});
