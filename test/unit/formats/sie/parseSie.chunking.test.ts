import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { hasSharedFixtures, ownFixture, readBytes, sharedFixture } from "../../../helpers/fixtures.ts";
import { parseBytes } from "./sieTestHelpers.ts";

/** Chunk sizes: mostly tiny (cutting CR LF pairs, quotes, UTF-8 sequences and labels), some large. */
const chunkSizes = fc.array(fc.oneof(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 8, max: 5000 })), {
  minLength: 1,
  maxLength: 40,
});

async function expectChunkingNeverChangesTheParse(bytes: Uint8Array, fileName: string, runs: number) {
  const whole = await parseBytes(bytes, { fileName }, [bytes.length]);
  await fc.assert(
    fc.asyncProperty(chunkSizes, async (sizes) => {
      const chunked = await parseBytes(bytes, { fileName }, sizes);
      expect(chunked.records).toEqual(whole.records);
    }),
    { numRuns: runs },
  );
}

describe("parseSie output does not depend on chunking (own fixtures)", () => {
  for (const name of ["own_type4_utf8_crlf.se", "own_type1_cp437.se", "own_norwegian_cp865.se"]) {
    it(`gives the same records, issue locations included, for ${name}`, async () => {
      await expectChunkingNeverChangesTheParse(await readBytes(ownFixture(`sie/${name}`)), name, 150);
    });
  }

  it("gives the same records for CR-only line ends and an unterminated last line", async () => {
    const bytes = await readBytes(ownFixture("sie/own_type4_utf8_crlf.se"));
    const crOnly = Buffer.from(Buffer.from(bytes).toString("utf8").replaceAll("\r\n", "\r").trimEnd(), "utf8");
    await expectChunkingNeverChangesTheParse(crOnly, "cr-only.se", 150);
  });

  it("places a late encoding decision at the same line and column", async () => {
    const text = '#FLAGGA 0\n#FORMAT PC8\n#VER A 1 20240101\n{\n#TRANS 1910 {} 1\n}\n#VER A 2 20240102 "Lön"\n{\n}\n';
    await expectChunkingNeverChangesTheParse(new TextEncoder().encode(text), "late.se", 150);
  });

  it("gives the same issue locations for a file full of problems", async () => {
    const text = [
      "#FLAGGA 0",
      '#FNAMN "unterminated',
      "#KONTO 1910 Kassa\u0001x",
      "#IB 0 1910 12,50",
      "#VER A 1 20240230 text",
      "{",
      "#TRANS 1910 {1 2 3 -5",
      "#TRANS 1910 {} abc",
      "#VER A 2 2024-01-05",
      "{",
      "#TRANS 3010 {} 5",
      "}",
      "not a record",
      "}",
    ].join("\n");
    await expectChunkingNeverChangesTheParse(new TextEncoder().encode(text), "problems.se", 200);
  });
});

describe.skipIf(!hasSharedFixtures)("parseSie output does not depend on chunking (shared samples)", () => {
  const files = [
    "sie4j/BLBLOV_SIE4_UTF_8_1.SE",
    "jsisie/BL0001_typ4.SE",
    "sie4j/SIE_test_av_KST_projekt_Testbolaget_e_-_kopia.SE",
    "jsisie/Norstedts_Bokslut_SIE_4I.si",
    "sie4j/BLBLOV_SIE4_UTF_8_with_missing_account_balance.SE",
  ];
  for (const file of files) {
    it(`gives the same records for ${file}`, async () => {
      const bytes = await readBytes(sharedFixture(`sie/${file}`));
      await expectChunkingNeverChangesTheParse(bytes, file.split("/").pop()!, 25);
    });
  }
});
