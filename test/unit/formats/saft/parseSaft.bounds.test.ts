import { describe, expect, it } from "vitest";
import { parseSaft } from "../../../../lib/formats/saft/index.ts";
import { collect, ownFixture, readBytes } from "../../../helpers/fixtures.ts";
import { retainedGrowth } from "../../../helpers/memory.ts";
import { parseBytes, summarize } from "./saftTestHelpers.ts";

// Issue #8, SAF-T as a whole: a hostile value costs time and memory linear in its length, and becomes an issue with
// its position instead of a figure.

const MiB = 1024 * 1024;
const tinyText = async () => Buffer.from(await readBytes(ownFixture("saft/tiny-v130.xml"))).toString("utf8");

/**
 * The fixture with `marker` replaced by `before`, `runBytes` of `fill`, `after`, streamed in 64 KiB chunks;
 * `onChunk` is called before each chunk of the run (to sample memory while the parser works through it).
 */
async function* withRun(
  text: string,
  marker: string,
  before: string,
  fill: string,
  runBytes: number,
  after: string,
  onChunk = () => {},
): AsyncGenerator<Uint8Array> {
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

/** Samples what stays held (after a collection) every 64th chunk of the run, i.e. every 4 MiB. */
function memoryProbe(): { sample: () => void; peakGrowth: () => number } {
  const held = retainedGrowth();
  let calls = 0;
  const sample = () => {
    if (++calls % 64 === 0) held.sample();
  };
  return { sample, peakGrowth: held.peak };
}

describe("SAF-T bounds on hostile values (issue #8)", () => {
  it("a 48 MiB account name is cut with a SAFT_VALUE_TOO_LONG warning at its position (a name changes no figure); the figures are the file's, memory stays flat", async () => {
    const text = await tinyText();
    const plain = summarize(await parseBytes(Buffer.from(text)));
    const marker = "<AccountDescription>Bankinnskudd</AccountDescription>";
    const probe = memoryProbe();
    const records = await collect(
      parseSaft(
        withRun(text, marker, "<AccountDescription>", "Bankinnskudd ", 48 * MiB, "</AccountDescription>", probe.sample),
        { fileName: "lang.xml" },
      ),
    );
    const parsed = summarize(records);
    const figures = (account: (typeof parsed.accounts)[number]) => ({
      ...account,
      name: undefined,
      location: undefined,
    });
    expect(parsed.accounts.map(figures)).toEqual(plain.accounts.map(figures));
    expect(parsed.accounts[0]!.name).toBe("Bankinnskudd ".repeat(65536 / 13 + 1).slice(0, 65536));
    expect(parsed.totalDebit).toBe(plain.totalDebit);
    expect(parsed.transactions.map((t) => t.lines)).toEqual(plain.transactions.map((t) => t.lines));
    const issue = parsed.issues.find((i) => i.code === "SAFT_VALUE_TOO_LONG");
    expect(issue).toMatchObject({ severity: "warning", location: { line: 26, column: 17 } });
    expect(issue!.message).toMatch(
      /<AccountDescription> holds 50331\d{3} bytes of text; only its first 65536 characters were kept/,
    );
    // The whole run used to be held (twice, while copied): ≥ 96 MiB. Now a few chunks and the 64 Ki-character value.
    expect(probe.peakGrowth()).toBeLessThan(16 * MiB);
  });

  it("a 10-million-digit opening balance is an error issue with its position, not a figure and not a minute of work", async () => {
    const text = await tinyText();
    const marker = "<OpeningDebitBalance>1000.00</OpeningDebitBalance>";
    const records = await collect(
      parseSaft(withRun(text, marker, "<OpeningDebitBalance>", "9999999999", 10_000_000, "</OpeningDebitBalance>"), {
        fileName: "lang.xml",
      }),
    );
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
    const tooLarge = summarize(
      await parseBytes(Buffer.from(`${text.slice(0, at)}<Amount>1234567890123456789.00${text.slice(end)}`)),
    );
    expect(tooLarge.issues.find((i) => i.code === "SAFT_AMOUNT_OUT_OF_RANGE")).toMatchObject({
      severity: "error",
      location: { line: expect.any(Number) },
    });
    const large = summarize(
      await parseBytes(Buffer.from(`${text.slice(0, at)}<Amount>123456789012345678.00${text.slice(end)}`)),
    );
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
    expect(records.find((r) => r.type === "headerUpdate")).toEqual({
      type: "headerUpdate",
      changes: { period: { start: dates[0], end: dates.at(-1) } },
    });
    expect(parsed.header.period).toBeUndefined(); // the header record itself came before the transactions
  });

  it("says that there is no period at all when there are no transactions either", async () => {
    const text = await tinyText();
    const without = text
      .replace(/<SelectionCriteria>[\s\S]*?<\/SelectionCriteria>/, "")
      .replace(/<GeneralLedgerEntries>[\s\S]*<\/GeneralLedgerEntries>/, "");
    const parsed = summarize(await parseBytes(Buffer.from(without)));
    expect(parsed.issues.find((i) => i.code === "SAFT_SELECTION_CRITERIA_MISSING")?.message).toMatch(
      /no dated transactions to take one from/,
    );
    expect(parsed.issues.filter((i) => i.code === "SAFT_SELECTION_CRITERIA_MISSING")).toHaveLength(1);
  });

  it("files with SelectionCriteria get no such issue", async () => {
    const parsed = summarize(await parseBytes(Buffer.from(await tinyText())));
    expect(parsed.issues.map((i) => i.code)).not.toContain("SAFT_SELECTION_CRITERIA_MISSING");
  });
});

describe("SAF-T bytes that do not fit the encoding (issue #8)", () => {
  const latin1 = (text: string) => Buffer.from(text, "latin1");

  it("reports invalid UTF-8 in a value with its position, the first five one by one and the rest once", async () => {
    const text = await tinyText();
    const damaged = Buffer.concat([
      Buffer.from(text.slice(0, text.indexOf("Bankinnskudd"))),
      Buffer.from([0x42, 0xc3, 0x28]),
      Buffer.from(text.slice(text.indexOf("Bankinnskudd") + 12)),
    ]);
    const parsed = summarize(await parseBytes(damaged));
    expect(parsed.accounts[0]!.name).toBe("B\uFFFD(");
    expect(parsed.issues.filter((i) => i.code === "SAFT_INVALID_BYTES")).toEqual([
      {
        severity: "warning",
        code: "SAFT_INVALID_BYTES",
        message: expect.stringMatching(/not UTF-8/),
        location: { line: 26, column: 38, offset: expect.any(Number) },
      },
    ]);
    // Eight damaged names: five located issues and one that counts the other three.
    let many = text;
    for (const name of ["Annen egenkapital", "Leverandørgjeld", "Inventar"]) many = many.replace(name, "\u0000");
    const bytes = Buffer.concat(
      many
        .split("\u0000")
        .flatMap((part, i, all) =>
          i < all.length - 1 ? [Buffer.from(part), Buffer.from([0xff, 0x41, 0xfe, 0xfe])] : [Buffer.from(part)],
        ),
    );
    const issues = summarize(await parseBytes(bytes)).issues.filter((i) => i.code === "SAFT_INVALID_BYTES");
    expect(issues).toHaveLength(6);
    expect(issues.slice(0, 5).every((i) => i.location !== undefined)).toBe(true);
    expect(issues[5]!.message).toMatch(/^4 more byte sequences .* \(9 in all; the first 5 are listed\)/);
  });

  it("a real U+FFFD in a UTF-8 file is text, not an issue", async () => {
    const text = (await tinyText()).replace("Bankinnskudd", "Bank\uFFFD");
    const parsed = summarize(await parseBytes(Buffer.from(text)));
    expect(parsed.accounts[0]!.name).toBe("Bank\uFFFD");
    expect(parsed.issues.map((i) => i.code)).not.toContain("SAFT_INVALID_BYTES");
  });

  it("a file that declares ISO-8859-1 but is UTF-8 is read as UTF-8, with a warning", async () => {
    const text = (await tinyText()).replace(`encoding="UTF-8"`, `encoding="ISO-8859-1"`);
    const records = await parseBytes(Buffer.from(text));
    const parsed = summarize(records);
    expect(parsed.accounts.map((a) => a.name)).toContain("Leverandørgjeld");
    expect(parsed.header.encoding).toBe("iso-8859-1"); // the header record came before the first such text
    expect(records).toContainEqual({ type: "headerUpdate", changes: { encoding: "utf-8" } });
    expect(parsed.issues.find((i) => i.code === "SAFT_ENCODING_MISMATCH")).toMatchObject({
      severity: "warning",
      location: { line: 44 },
    });
    expect(parsed.issues.find((i) => i.code === "SAFT_ENCODING_MISMATCH")!.message).toMatch(
      /says ISO-8859-1 but its bytes are UTF-8/,
    );
  });

  it("a file that says UTF-8 but is ISO-8859-1 is read as windows-1252, with a warning; an --encoding override is obeyed", async () => {
    const text = await tinyText();
    const records = await parseBytes(latin1(text));
    const parsed = summarize(records);
    expect(parsed.accounts.map((a) => a.name)).toContain("Leverandørgjeld");
    expect(records).toContainEqual({ type: "headerUpdate", changes: { encoding: "windows-1252" } });
    expect(parsed.issues.find((i) => i.code === "SAFT_ENCODING_MISMATCH")!.message).toMatch(
      /says UTF-8 but its bytes are ISO-8859-1/,
    );
    expect(parsed.issues.map((i) => i.code)).not.toContain("SAFT_INVALID_BYTES");
    const forced = summarize(
      await collect(
        parseSaft(
          (async function* () {
            yield latin1(text);
          })(),
          { encoding: "utf-8" },
        ),
      ),
    );
    expect(forced.accounts.map((a) => a.name)).toContain("Leverand\uFFFDrgjeld");
    expect(forced.issues.map((i) => i.code)).toContain("SAFT_INVALID_BYTES");
  });
});
