import { describe, expect, it } from "vitest";
import { parseSie } from "../../../../lib/formats/sie/index.ts";
import { poisonedSource } from "../../../helpers/poisonedSource.ts";
import { collect } from "../../../helpers/fixtures.ts";

// Issue #8: invalid UTF-8 in a SIE file was replaced silently; now each is reported with its place (the first five,
// then one issue counting the rest), and a file of mostly valid UTF-8 with a few damaged bytes stays UTF-8.

const utf8 = (text: string) => Buffer.from(text, "utf8");
const head = '#FLAGGA 0\n#FORMAT PC8\n#SIETYP 4\n#FNAMN "Fjellbekk Snekkeri AS"\n#RAR 0 20250101 20251231\n';

function fileWith(damagedNames: number): Buffer {
  const parts: Buffer[] = [
    utf8(head),
    utf8('#KONTO 1920 "Bankinnskudd på konto"\n#KONTO 2050 "Egenkapital før året"\n'),
  ];
  for (let i = 0; i < damagedNames; i++)
    parts.push(utf8(`#KONTO 30${10 + i} "Salg `), Buffer.from([0xf8, 0x41]), utf8(`"\n`));
  for (let i = 0; i < damagedNames + 2; i++) parts.push(utf8(`#KONTO 40${10 + i} "Varekjøp ${i} æøå"\n`));
  parts.push(utf8("#IB 0 1920 1000.00\n#IB 0 2050 -1000.00\n"));
  return Buffer.concat(parts);
}

async function issues(bytes: Uint8Array, sizes: number[]) {
  const records = await collect(parseSie(poisonedSource(bytes, sizes), { fileName: "x.se" }));
  return { records, issues: records.flatMap((r) => (r.type === "issue" ? [r.issue] : [])) };
}

describe("SIE bytes that are not UTF-8 (issue #8)", () => {
  it("reports each with line and column, keeps the valid UTF-8 names, however chunked", async () => {
    for (const sizes of [[1 << 20], [7, 13]]) {
      const { records, issues: found } = await issues(fileWith(1), sizes);
      const invalid = found.filter((i) => i.code === "SIE_INVALID_BYTES");
      expect(invalid).toEqual([
        {
          severity: "warning",
          code: "SIE_INVALID_BYTES",
          message: expect.stringMatching(/not UTF-8/),
          location: { line: 8, column: 19 },
        },
      ]);
      const names = records.flatMap((r) => (r.type === "account" ? [r.account.name] : []));
      expect(names).toContain("Bankinnskudd på konto");
      expect(names).toContain("Salg \uFFFDA");
    }
  });

  it("lists the first five and counts the rest in one issue", async () => {
    const { issues: found } = await issues(fileWith(8), [1 << 20]);
    const invalid = found.filter((i) => i.code === "SIE_INVALID_BYTES");
    expect(invalid).toHaveLength(6);
    expect(invalid[5]!.message).toMatch(/^3 more byte sequences .* \(8 in all; the first 5 are listed\)/);
  });
});
