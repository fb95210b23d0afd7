import { describe, expect, it } from "vitest";
import iconv from "iconv-lite";
import { decodeStream } from "../../../../lib/formats/shared/decoding.ts";
import { poisonedSource } from "../../../helpers/poisonedSource.ts";
import { collect } from "../../../helpers/fixtures.ts";

async function decode(bytes: Uint8Array, sizes: number[] = [7]) {
  let encoding = "";
  const text = (
    await collect(decodeStream(poisonedSource(bytes, sizes), { onDecision: (d) => (encoding = d.encoding) }))
  ).join("");
  return { text, encoding };
}

describe("8-bit encoding sniffing", () => {
  it("reads a no-break space between digits as the Windows-1252 thousands separator, not CP437 á", async () => {
    // One NBSP-grouped amount and a single ambiguous-looking letter: the NBSP tips the balance to Windows-1252.
    const bytes = iconv.encode("1920;Bank;132\u00a0500,00\r\n1930;Dr\u00f8m;1\u00a0000,00\r\n", "windows-1252");
    for (const sizes of [[1], [3], [1000]]) {
      expect(await decode(bytes, sizes)).toEqual({
        text: "1920;Bank;132\u00a0500,00\r\n1930;Dr\u00f8m;1\u00a0000,00\r\n",
        encoding: "windows-1252",
      });
    }
  });

  it("picks CP865 for Norwegian PC8 text with ø and Ø", async () => {
    const bytes = iconv.encode('#FNAMN "Bjørnstad Ørsta AS"\n', "cp865");
    expect(await decode(bytes)).toEqual({ text: '#FNAMN "Bjørnstad Ørsta AS"\n', encoding: "cp865" });
  });

  it("keeps CP437 for Swedish PC8 text", async () => {
    const bytes = iconv.encode('#FNAMN "Åkeriet i Väst"\n', "cp437");
    expect(await decode(bytes)).toEqual({ text: '#FNAMN "Åkeriet i Väst"\n', encoding: "cp437" });
  });

  it("does not mistake a Latin-1 file ending in one high byte for UTF-8", async () => {
    const bytes = iconv.encode("Konto 1920 Lån", "windows-1252");
    expect(await decode(bytes, [100])).toEqual({ text: "Konto 1920 Lån", encoding: "windows-1252" });
  });
});
