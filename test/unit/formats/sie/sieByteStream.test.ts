import { describe, expect, it } from "vitest";
import fc from "fast-check";
import iconv from "iconv-lite";
import { decodeStream, SNIFF_WINDOW_BYTES, type EncodingDecision } from "../../../../lib/formats/shared/decoding.ts";
import { poisonedSource } from "../../../helpers/poisonedSource.ts";
import { sieByteStream } from "../../../../lib/formats/sie/sieByteStream.ts";
import { isByteCompatible } from "../../../../lib/formats/sie/SieTextDecoder.ts";
import { parseBytes } from "./sieTestHelpers.ts";

/** Runs the byte stream and notes, for the decision, how many bytes had been passed on before it. */
async function runBytes(bytes: Uint8Array, sizes: number[], override?: string) {
  const seen: Buffer[] = [];
  let decision: { decision: EncodingDecision; bytesEncoding: string; before: number } | undefined;
  const stream = sieByteStream(poisonedSource(bytes, sizes), {
    override,
    onDecision: (chosen, bytesEncoding) => {
      decision = { decision: chosen, bytesEncoding, before: Buffer.concat(seen).length };
    },
  });
  for await (const chunk of stream) seen.push(Buffer.from(chunk));
  return { bytes: Buffer.concat(seen), ...decision! };
}

/** The same for decodeStream (text), for comparison. */
async function runText(bytes: Uint8Array, sizes: number[], override?: string) {
  const seen: string[] = [];
  let decision: { decision: EncodingDecision; before: number } | undefined;
  const stream = decodeStream(poisonedSource(bytes, sizes), {
    override,
    onDecision: (chosen) => {
      decision = { decision: chosen, before: seen.join("").length };
    },
  });
  for await (const text of stream) seen.push(text);
  return { text: seen.join(""), ...decision! };
}

const ascii = "#FLAGGA 0\n#FORMAT PC8\n".repeat(50);
const samples: Record<string, Uint8Array> = {
  cp437: iconv.encode(`${ascii}#FNAMN "Åkerö AB"\n`, "cp437"),
  cp865: iconv.encode(`${ascii}#FNAMN "Bjørnstad Økonomi"\n`, "cp865"),
  latin: iconv.encode(`${ascii}#FNAMN "Åkerö AB"\n`, "windows-1252"),
  utf8: Buffer.from(`${ascii}#FNAMN "Åkerö AB"\n`, "utf8"),
  utf8Bom: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`#FNAMN "Åkerö"\n`, "utf8")]),
  ascii: Buffer.from(ascii),
  lateHighByte: Buffer.concat([
    Buffer.from("#FLAGGA 0\n".repeat(SNIFF_WINDOW_BYTES / 5)),
    iconv.encode('#FNAMN "ø"\n', "cp865"),
  ]),
  tiny: Buffer.from([0x23, 0x94]),
};

describe("sieByteStream", () => {
  for (const [name, bytes] of Object.entries(samples)) {
    it(`decides like decodeStream, at the same point, and passes the bytes on unchanged (${name})`, async () => {
      // (The large sample is cut into pieces of at least 512 bytes, to keep the test quick.)
      const smallest = bytes.length > SNIFF_WINDOW_BYTES ? 512 : 1;
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.integer({ min: smallest, max: 70_000 }), { minLength: 1, maxLength: 8 }),
          async (sizes) => {
            const [byteWise, textWise] = await Promise.all([runBytes(bytes, sizes), runText(bytes, sizes)]);
            expect(byteWise.decision).toEqual(textWise.decision);
            expect(byteWise.bytesEncoding).toBe(textWise.decision.encoding);
            // Everything before the decision is ASCII, so bytes and characters are counted alike.
            expect(byteWise.before).toBe(textWise.before);
            expect(byteWise.bytes.equals(Buffer.from(bytes).subarray(textWise.decision.bomLength))).toBe(true);
          },
        ),
        { numRuns: 25 },
      );
    });
  }

  it("converts UTF-16 (byte-order mark) to UTF-8 bytes and says so", async () => {
    const text = '#FLAGGA 0\r\n#FNAMN "Åkerö 😀"\r\n';
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, "utf-16le")]);
    for (const sizes of [[bytes.length], [1], [3, 1, 2]]) {
      const result = await runBytes(bytes, sizes);
      expect(result.decision).toEqual({ encoding: "utf-16le", reason: "bom", bomLength: 2 });
      expect(result.bytesEncoding).toBe("utf-8");
      expect(result.bytes.toString("utf8")).toBe(text);
    }
  });

  it("converts an overriding double-byte code page to UTF-8 bytes", async () => {
    const bytes = iconv.encode('#FNAMN "表示"\n', "shift_jis");
    const result = await runBytes(bytes, [2], "shift_jis");
    expect(result.bytesEncoding).toBe("utf-8");
    expect(result.bytes.toString("utf8")).toBe('#FNAMN "表示"\n');
  });
});

describe("isByteCompatible", () => {
  it("accepts UTF-8 and the single-byte code pages SIE files come in", () => {
    for (const encoding of ["utf-8", "cp437", "cp865", "windows-1252", "iso-8859-1", "iso-8859-15"]) {
      expect(isByteCompatible(encoding)).toBe(true);
    }
  });

  it("refuses encodings whose bytes do not keep ASCII apart", () => {
    for (const encoding of ["utf-16le", "utf-16be", "shift_jis", "big5"])
      expect(isByteCompatible(encoding)).toBe(false);
  });
});

describe("parseSie on encodings read through UTF-8", () => {
  it("reads a UTF-16 file with a byte-order mark, names and columns intact", async () => {
    const text = '#FLAGGA 0\r\n#FNAMN "Åkerö AB"\r\n#KONTO 1910 "Kassa ø"\r\n#IB 0 1910 12,50\r\n';
    const parsed = await parseBytes(
      Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, "utf-16le")]),
      {},
      [5],
    );
    expect(parsed.header.encoding).toBe("utf-16le");
    expect(parsed.header.company.name).toBe("Åkerö AB");
    expect(parsed.accounts.get("1910")!.name).toBe("Kassa ø");
    expect(parsed.issues.find((issue) => issue.code === "SIE_INVALID_AMOUNT")!.location).toEqual({
      line: 4,
      column: 12,
    });
  });
});
