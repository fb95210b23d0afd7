import { describe, expect, it } from "vitest";
import iconv from "iconv-lite";
import { hasSharedFixtures } from "../../../helpers/fixtures.ts";
import { issuesWith, parseBytes, parseOwnSie, parseSharedSie, type ParsedSie } from "./sieTestHelpers.ts";

describe.skipIf(!hasSharedFixtures)("parseSie decoding of the same company in three encodings (Sie4j BLBLOV)", () => {
  const variants = [
    { file: "sie4j/BLBLOV_SIE4.SE", encoding: "cp437", overridden: false },
    { file: "sie4j/BLBLOV_SIE4_UTF_8_1.SE", encoding: "utf-8", overridden: true },
    { file: "sie4j/BLBLOV_SIE4_ISO_8859_15.SE", encoding: "windows-1252", overridden: true },
  ];

  for (const variant of variants) {
    it(`reads ${variant.file} as ${variant.encoding} with Swedish letters intact`, async () => {
      const parsed = await parseSharedSie(variant.file);
      expect(parsed.header.encoding).toBe(variant.encoding);
      expect(parsed.header.company.name).toBe("Övningsföretaget AB");
      expect(parsed.accounts.get("1119")!.name).toBe("Ackumulerade avskrivningar på byggnader");
      expect(parsed.accounts.get("1350")!.name).toBe("Aktier, andelar och värdep i andra ftg");
      expect(parsed.transactions[0]!.description).toBe("Representation måltid utan alkohol");
      expect(issuesWith(parsed, "ENCODING_OVERRIDDEN")).toHaveLength(variant.overridden ? 1 : 0);
    });
  }

  it("gives identical accounts and transactions whatever the encoding", async () => {
    const [cp437, utf8, latin] = await Promise.all(variants.map((variant) => parseSharedSie(variant.file)));
    const comparable = (parsed: ParsedSie | undefined) => ({
      accounts: [...parsed!.accounts.values()],
      transactions: parsed!.transactions,
    });
    expect(comparable(utf8)).toEqual(comparable(cp437));
    expect(comparable(latin)).toEqual(comparable(cp437));
  });

  it("says which encoding was declared and which was used, and why", async () => {
    const utf8 = await parseSharedSie("sie4j/BLBLOV_SIE4_UTF_8_1.SE");
    const [issue] = issuesWith(utf8, "ENCODING_OVERRIDDEN");
    expect(issue).toMatchObject({ severity: "warning", location: { line: 3, column: 1 } });
    expect(issue!.message).toBe(
      "#FORMAT declares PC8 but the bytes are read as utf-8: the bytes are valid UTF-8 with multi-byte characters",
    );
    const latin = await parseSharedSie("sie4j/BLBLOV_SIE4_ISO_8859_15.SE");
    expect(issuesWith(latin, "ENCODING_OVERRIDDEN")[0]!.message).toContain("Latin-1 letters");
  });

  it("reads the UTF-8 file with sub-dimensions (SIE4_Exempelfil_med_underdim) keeping its replacement characters", async () => {
    const parsed = await parseSharedSie("jsisie/SIE4_Exempelfil_med_underdim.SE");
    expect(parsed.header.encoding).toBe("utf-8");
    // The file itself holds U+FFFD where the exporter lost the letters.
    expect(parsed.header.company.name).toBe("\uFFFDvningsbolaget AB");
  });
});

describe("parseSie decoding of the project's own fixtures", () => {
  it("reads CP865 (Norwegian PC8) so that ø and Ø survive", async () => {
    const parsed = await parseOwnSie("own_norwegian_cp865.se");
    expect(parsed.header.encoding).toBe("cp865");
    expect(parsed.header.company).toEqual({ name: "Bjørnstad Økonomi AS", orgNumber: "987654321" });
    expect(parsed.header.currency).toBe("NOK");
    expect(parsed.accounts.get("1500")!.name).toBe("Kundefordringer Ærøy");
    expect(parsed.accounts.get("6300")!.name).toBe("Leie lokale Tønsberg");
    expect(parsed.accounts.get("7770")!.name).toBe("Bank- og kortgebyrer Østlandet");
    const [issue] = issuesWith(parsed, "ENCODING_OVERRIDDEN");
    expect(issue!.severity).toBe("warning");
    expect(issue!.message).toContain("CP865");
    expect(issue!.message).toContain("0x9B/0x9D");
  });

  it("reads CP437 without an encoding issue when #FORMAT PC8 is right", async () => {
    const parsed = await parseOwnSie("own_type1_cp437.se");
    expect(parsed.header.encoding).toBe("cp437");
    expect(parsed.header.company.name).toBe("Åkerbärs Hälsokost AB");
    expect(parsed.accounts.get("2440")!.name).toBe("Leverantörsskulder");
    expect(issuesWith(parsed, "ENCODING_OVERRIDDEN")).toEqual([]);
  });

  it("uses options.encoding over the bytes and says so", async () => {
    const bytes = iconv.encode('#FLAGGA 0\n#FORMAT PC8\n#FNAMN "Bjørn AS"\n', "windows-1252");
    const parsed = await parseBytes(bytes, { encoding: "windows-1252" });
    expect(parsed.header.encoding).toBe("windows-1252");
    expect(parsed.header.company.name).toBe("Bjørn AS");
    expect(issuesWith(parsed, "ENCODING_OVERRIDDEN")[0]!.message).toContain("options.encoding");
  });

  it("notes a missing #FORMAT (info when the text reads as CP437)", async () => {
    const parsed = await parseBytes(iconv.encode('#FLAGGA 0\n#FNAMN "Övik AB"\n', "cp437"));
    expect(parsed.header.encoding).toBe("cp437");
    expect(issuesWith(parsed, "ENCODING_OVERRIDDEN")).toEqual([
      expect.objectContaining({ severity: "info", message: expect.stringContaining("no #FORMAT") }),
    ]);
  });

  it("warns on a missing #FORMAT when the bytes are UTF-8", async () => {
    const parsed = await parseBytes('#FLAGGA 0\n#FNAMN "Övik AB"\n');
    expect(parsed.header.encoding).toBe("utf-8");
    expect(issuesWith(parsed, "ENCODING_OVERRIDDEN")).toEqual([
      expect.objectContaining({ severity: "warning", message: expect.stringContaining("no #FORMAT") }),
    ]);
  });

  it("names the declared code page for plain ASCII text", async () => {
    const parsed = await parseBytes("#FLAGGA 0\n#FORMAT PC8\n#FNAMN Abc\n");
    expect(parsed.header.encoding).toBe("cp437");
    expect(issuesWith(parsed, "ENCODING_OVERRIDDEN")).toEqual([]);
  });

  it("warns where UTF-8 text starts when the header went out while the text was still ASCII", async () => {
    const text = [
      "#FLAGGA 0",
      "#FORMAT PC8",
      "#SIETYP 4",
      "#KONTO 1930 Bank",
      '#VER A 1 20240101 "Plain"',
      "{",
      "#TRANS 1930 {} 1.00",
      "#TRANS 1930 {} -1.00",
      "}",
      '#VER A 2 20240102 "Lön för maj"',
      "{",
      "}",
      "",
    ].join("\n");
    const parsed = await parseBytes(text);
    expect(parsed.header.encoding).toBe("cp437");
    expect(issuesWith(parsed, "ENCODING_OVERRIDDEN")).toEqual([
      expect.objectContaining({ severity: "warning", location: { line: 10, column: 21 } }),
    ]);
    expect(parsed.records.filter((r) => r.type === "headerUpdate")).toEqual([
      { type: "headerUpdate", changes: { encoding: "utf-8" } },
    ]);
    expect(parsed.transactions[1]!.description).toBe("Lön för maj");
  });
});
