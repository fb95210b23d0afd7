import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hasSharedFixtures, readBytes, sharedFixture } from "../../../helpers/fixtures.ts";
import { asExpected, parseBytes, readExpected, total } from "./csvTestSupport.ts";

const FULL = ["opening", "movement", "closing"] as const;

describe.skipIf(!hasSharedFixtures)("parseCsvTrialBalance on the shared CSV fixtures", () => {
  it.each([
    ["tb01_toyen_semicolon_cp1252_nbsp.csv", "semicolon/decimal-comma/header", "windows-1252"],
    ["tb02_toyen_utf8bom_intl_nb.csv", "semicolon/decimal-comma/header", "utf-8"],
    ["tb03_v130_comma_dot_quoted.csv", "comma/decimal-point/header", "utf-8"],
    ["tb04_toyen_debit_credit_split.csv", "semicolon/decimal-comma/header", "utf-8"],
  ])("%s: every account's opening, movement and closing match the expected JSON", async (file, dialect, encoding) => {
    const path = sharedFixture(`csv/${file}`);
    const expected = readExpected(path);
    const { header, accounts } = await parseBytes(await readBytes(path), { fileName: file });
    expect(header).toMatchObject({ format: "csv", formatVersion: dialect, encoding, currency: "NOK", company: {} });
    expect(accounts).toHaveLength(expected.row_count);
    expect(asExpected(accounts, [...FULL])).toEqual(expected.accounts);
    expect({
      opening: total(accounts, "opening"),
      movement: total(accounts, "movement"),
      closing: total(accounts, "closing"),
    }).toEqual(expected.totals);
  });

  it("tb01: reads Windows-1252 names and NBSP-grouped amounts (1920 Bankinnskudd closes at 670 568,75)", async () => {
    const { accounts, issues } = await parseBytes(
      await readBytes(sharedFixture("csv/tb01_toyen_semicolon_cp1252_nbsp.csv")),
    );
    expect(accounts.find((account) => account.id === "1920")).toMatchObject({
      opening: 37000000n,
      movement: 30056875n,
      closing: 67056875n,
    });
    expect(accounts.find((account) => account.id === "2710")?.name).toBe("Inngående merverdiavgift, høy sats");
    expect(total(accounts, "closing")).toBe("2491571.75");
    expect(issues.map((issue) => issue.code)).toEqual(["CSV_CURRENCY_ASSUMED", "CSV_ENCODING_GUESSED"]);
  });

  it("tb02: reads U+2212 minus signs (2400 Leverandørgjeld closes at −212 025,00)", async () => {
    const { accounts } = await parseBytes(await readBytes(sharedFixture("csv/tb02_toyen_utf8bom_intl_nb.csv")));
    expect(accounts.find((account) => account.id === "2400")).toMatchObject({
      name: "Leverandørgjeld",
      opening: -17500000n,
      closing: -21202500n,
    });
  });

  it("tb03: honours quotes around names that contain commas", async () => {
    const { accounts } = await parseBytes(await readBytes(sharedFixture("csv/tb03_v130_comma_dot_quoted.csv")));
    expect(accounts.find((account) => account.id === "3000")).toMatchObject({
      name: "Sales revenue, merchandise, subject to VAT, high rate",
      closing: -1000000n,
    });
  });

  it("tb04: nets split debit/credit columns (2400: IB kredit 175 000, kredit 37 025, UB kredit 212 025)", async () => {
    const { accounts } = await parseBytes(await readBytes(sharedFixture("csv/tb04_toyen_debit_credit_split.csv")));
    expect(accounts.find((account) => account.id === "2400")).toMatchObject({
      opening: -17500000n,
      movement: -3702500n,
      closing: -21202500n,
    });
    expect(accounts.find((account) => account.id === "1900")).toMatchObject({
      opening: 1200000n,
      movement: -63250n,
      closing: 1136750n,
    });
  });

  it("tb06: infers account/name/closing without a header and leaves opening and movement undefined", async () => {
    const path = sharedFixture("csv/tb06_v130_finale_tab_noheader.txt");
    const expected = readExpected(path);
    const { header, accounts } = await parseBytes(await readBytes(path));
    expect(header.formatVersion).toBe("tab/decimal-comma/no-header");
    expect(asExpected(accounts, ["closing"])).toEqual(
      expected.accounts.map(({ account, name, closing }) => ({ account, name, closing })),
    );
    expect(accounts.every((account) => account.opening === undefined && account.movement === undefined)).toBe(true);
    expect(accounts.find((account) => account.id === "1920")?.closing).toBe(-1250000n);
    expect(total(accounts, "closing")).toBe(expected.totals.closing);
  });

  it.each([
    "tb01_toyen_semicolon_cp1252_nbsp.csv",
    "tb03_v130_comma_dot_quoted.csv",
    "tb06_v130_finale_tab_noheader.txt",
  ])("%s: gives identical records however the bytes are chunked", async (file) => {
    const bytes = await readBytes(sharedFixture(`csv/${file}`));
    const whole = await parseBytes(bytes);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 30 }), async (sizes) => {
        expect((await parseBytes(bytes, {}, sizes)).records).toEqual(whole.records);
      }),
      { numRuns: 60, examples: [[[1]], [[2, 3]]] },
    );
  });
});
