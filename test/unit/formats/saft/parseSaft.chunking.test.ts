import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hasSharedFixtures, ownFixture, readBytes, sharedFixture } from "../../../helpers/fixtures.ts";
import { parseBytes, parseUntilError } from "./saftTestHelpers.ts";

// Chunking never changes a parse (STYLE.md §10): the records, including every location and issue, must be the same
// whatever sizes the input arrives in.
const chunkSizes = fc.array(fc.oneof(fc.integer({ min: 1, max: 17 }), fc.integer({ min: 1, max: 4096 })), {
  minLength: 1,
  maxLength: 40,
});

async function expectChunkingInvariant(bytes: Uint8Array, runs: number): Promise<void> {
  const reference = await parseBytes(bytes, [bytes.length]);
  await fc.assert(
    fc.asyncProperty(chunkSizes, async (sizes) => {
      expect(await parseBytes(bytes, sizes)).toEqual(reference);
    }),
    { numRuns: runs },
  );
}

describe("SAF-T records do not depend on chunking (own fixtures)", () => {
  it("tiny-v120-prefixed.xml", async () => {
    await expectChunkingInvariant(await readBytes(ownFixture("saft/tiny-v120-prefixed.xml")), 60);
  });

  it("tiny-v130.xml", async () => {
    await expectChunkingInvariant(await readBytes(ownFixture("saft/tiny-v130.xml")), 60);
  });

  it("latin1-v130.xml", async () => {
    await expectChunkingInvariant(await readBytes(ownFixture("saft/latin1-v130.xml")), 40);
  });

  it("a file whose records carry issues, with mixed CR, LF and CRLF line ends", async () => {
    const text = new TextDecoder()
      .decode(await readBytes(ownFixture("saft/tiny-v130.xml")))
      .replace(
        "<Amount>800.00</Amount>\n                    </DebitAmount>",
        "<Amount>800.005</Amount>\n                    </DebitAmount>",
      )
      .replace("<TransactionDate>2025-03-01</TransactionDate>", "<TransactionDate>01.03.2025</TransactionDate>");
    let index = 0;
    const mixed = text.replace(/\n/g, () => ["\n", "\r\n", "\r"][index++ % 3]!);
    await expectChunkingInvariant(new TextEncoder().encode(mixed), 40);
  });

  it("a truncated file fails with the same error and the same records before it", async () => {
    const bytes = (await readBytes(ownFixture("saft/tiny-v120-prefixed.xml"))).subarray(0, 5000);
    const reference = await parseUntilError(bytes, [bytes.length]);
    expect(reference.records.length).toBeGreaterThan(3);
    await fc.assert(
      fc.asyncProperty(chunkSizes, async (sizes) => {
        const attempt = await parseUntilError(bytes, sizes);
        expect(attempt.error.message).toBe(reference.error.message);
        expect(attempt.records).toEqual(reference.records);
      }),
      { numRuns: 40 },
    );
  });
});

describe.skipIf(!hasSharedFixtures)("SAF-T records do not depend on chunking (official examples)", () => {
  it("888888888 (BOM, CRLF, n1: prefix, 53 transactions)", async () => {
    await expectChunkingInvariant(
      await readBytes(
        sharedFixture("saft/samples/skatteetaten_ExampleFile_SAF-T_Financial_888888888_20180228235959.xml"),
      ),
      25,
    );
  });

  it("1.30 generated example (default namespace)", async () => {
    await expectChunkingInvariant(
      await readBytes(sharedFixture("saft/samples/skatteetaten_v130_generated_auditfile_formatted_v_1.30.xml")),
      40,
    );
  });

  it("1.40 generated example (late version evidence)", async () => {
    await expectChunkingInvariant(
      await readBytes(sharedFixture("saft/samples/skatteetaten_v140_generated_auditfile_formatted_v_1.40.xml")),
      25,
    );
  });
});
