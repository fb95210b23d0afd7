import { describe, expect, it } from "vitest";
import {
  MalformedInputError,
  TruncatedInputError,
  UnsafeXmlError,
  UnsupportedFormatError,
} from "../../../../lib/formats/errors.ts";
import { ownFixture, readBytes } from "../../../helpers/fixtures.ts";
import { parseError, saftDocument } from "./saftTestHelpers.ts";

const encode = (text: string) => new TextEncoder().encode(text);
const tiny = () => readBytes(ownFixture("saft/tiny-v120-prefixed.xml"));

/** 1-based line and column (in characters) of byte `offset` in an ASCII/UTF-8 text, computed independently of the parser. */
function lineColumnAt(bytes: Uint8Array, offset: number): { line: number; column: number } {
  const before = new TextDecoder().decode(bytes.subarray(0, offset)).split("\n");
  return { line: before.length, column: [...before[before.length - 1]!].length + 1 };
}

describe("truncated files", () => {
  it.each([0.1, 0.35, 0.5, 0.77, 0.99])(
    "a file cut at %f of its length → TruncatedInputError at the end of input",
    async (fraction) => {
      const bytes = await tiny();
      const cut = bytes.subarray(0, Math.floor(bytes.length * fraction));
      const error = await parseError(cut);
      expect(error).toBeInstanceOf(TruncatedInputError);
      expect(error.location).toMatchObject(lineColumnAt(cut, cut.length));
    },
  );

  it("a file cut inside a start tag names the open element", async () => {
    const bytes = await tiny();
    const at = new TextDecoder().decode(bytes).indexOf("<n1:Transaction>") + 7;
    const error = await parseError(bytes.subarray(0, at));
    expect(error).toBeInstanceOf(TruncatedInputError);
    expect(error.message).toMatch(/inside <n1:Journal>/);
  });

  it("a file cut right before the last '>' → TruncatedInputError", async () => {
    const bytes = await tiny();
    const text = new TextDecoder().decode(bytes).trimEnd();
    const error = await parseError(encode(text.slice(0, -1)));
    expect(error).toBeInstanceOf(TruncatedInputError);
  });

  it("an empty input is refused as not SAF-T", async () => {
    expect(await parseError(new Uint8Array(0))).toBeInstanceOf(UnsupportedFormatError);
  });
});

describe("other formats are refused with UnsupportedFormatError", () => {
  it("another XML root element", async () => {
    const error = await parseError(
      encode(
        `<?xml version="1.0"?>\n<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>1</ID></Invoice>`,
      ),
    );
    expect(error).toBeInstanceOf(UnsupportedFormatError);
    expect(error.message).toMatch(/<Invoice>.*not a SAF-T Financial <AuditFile>/);
    expect(error.location).toMatchObject({ line: 2, column: 1 });
  });

  it("an AuditFile of another country's SAF-T namespace", async () => {
    const error = await parseError(
      saftDocument({ root: `<AuditFile xmlns="urn:OECD:StandardAuditFile-Tax:PT_1.04_01">` }),
    );
    expect(error).toBeInstanceOf(UnsupportedFormatError);
    expect(error.message).toMatch(/PT_1\.04_01/);
  });

  it("a SAF-T Cash Register root", async () => {
    const error = await parseError(
      encode(`<auditfile xmlns="urn:StandardAuditFile-Taxation-CashRegister:NO"><header/></auditfile>`),
    );
    expect(error).toBeInstanceOf(UnsupportedFormatError);
    expect(error.message).toMatch(/Cash Register/);
  });

  it("a CSV file (not XML)", async () => {
    const error = await parseError(encode("Konto;Navn;IB;UB\n1920;Bank;100,00;200,00\n"));
    expect(error).toBeInstanceOf(UnsupportedFormatError);
    expect(error.message).toMatch(/not XML/);
  });

  it("binary junk (a PNG header)", async () => {
    const junk = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    expect(await parseError(junk)).toBeInstanceOf(UnsupportedFormatError);
  });

  it("UTF-16 encoded XML", async () => {
    const utf16 = Uint8Array.from([0xff, 0xfe, ...[..."<AuditFile/>"].flatMap((c) => [c.charCodeAt(0), 0])]);
    const error = await parseError(utf16);
    expect(error).toBeInstanceOf(UnsupportedFormatError);
    expect(error.message).toMatch(/UTF-16/);
  });

  it("an encoding that is not ASCII-compatible or unknown", async () => {
    expect(await parseError(encode(`<?xml version="1.0" encoding="x-no-such-charset"?><AuditFile/>`))).toBeInstanceOf(
      UnsupportedFormatError,
    );
  });
});

describe("unsafe XML is refused, entities are never expanded", () => {
  it("an XXE attempt (external entity to /etc/passwd) → UnsafeXmlError", async () => {
    const xxe = `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE AuditFile [\n  <!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n<AuditFile xmlns="urn:StandardAuditFile-Taxation-Financial:NO"><Header><Company><Name>&xxe;</Name></Company></Header></AuditFile>`;
    const error = await parseError(encode(xxe));
    expect(error).toBeInstanceOf(UnsafeXmlError);
    expect(error.location).toMatchObject({ line: 2, column: 21 });
    expect(error.message).not.toMatch(/root:/);
  });

  it("billion laughs (nested entity expansion) → UnsafeXmlError before any expansion", async () => {
    const lol = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<AuditFile>&lol9;</AuditFile>`;
    expect(await parseError(encode(lol))).toBeInstanceOf(UnsafeXmlError);
  });

  it("a reference to an undeclared entity, even without a DOCTYPE → UnsafeXmlError", async () => {
    const text = new TextDecoder().decode(saftDocument()).replace("<Name>Test AS</Name>", "<Name>&company;</Name>");
    const error = await parseError(encode(text));
    expect(error).toBeInstanceOf(UnsafeXmlError);
    expect(error.message).toMatch(/&company;/);
  });

  it("an undeclared entity in text nobody reads is refused too", async () => {
    const text = new TextDecoder()
      .decode(saftDocument())
      .replace("<TaxAccountingBasis>A</TaxAccountingBasis>", "<TaxAccountingBasis>&x;</TaxAccountingBasis>");
    expect(await parseError(encode(text))).toBeInstanceOf(UnsafeXmlError);
  });
});

describe("not well-formed XML → MalformedInputError with line:column", () => {
  it("mismatched tags", async () => {
    const bytes = await tiny();
    const text = new TextDecoder().decode(bytes).replace("</n1:AccountDescription>", "</n1:AccountDescriptio>");
    const error = await parseError(encode(text));
    expect(error).toBeInstanceOf(MalformedInputError);
    expect(error.code).toBe("XML_MISMATCHED_TAG");
    const offset = encode(text.slice(0, text.indexOf("</n1:AccountDescriptio>"))).length;
    expect(error.location).toMatchObject(lineColumnAt(encode(text), offset));
  });

  it("binary junk in the middle of the file", async () => {
    const bytes = await tiny();
    const text = new TextDecoder().decode(bytes);
    const at = encode(text.slice(0, text.indexOf("Bankinnskudd"))).length;
    const damaged = new Uint8Array([...bytes.subarray(0, at), 0x00, 0x13, 0xff, 0x02, ...bytes.subarray(at)]);
    const error = await parseError(damaged);
    expect(error).toBeInstanceOf(MalformedInputError);
    expect(error.code).toBe("XML_INVALID_CHARACTER");
    expect(error.location).toMatchObject(lineColumnAt(bytes, at));
  });

  it("a '<' that does not start a tag", async () => {
    const error = await parseError(saftDocument({ accounts: "<Account><AccountID>1 < 2</AccountID></Account>" }));
    expect(error).toBeInstanceOf(MalformedInputError);
    expect(error.code).toBe("XML_BAD_NAME");
  });

  it("a bare '&'", async () => {
    const error = await parseError(
      saftDocument({ accounts: "<Account><AccountDescription>Bil & båt</AccountDescription></Account>" }),
    );
    expect(error).toBeInstanceOf(MalformedInputError);
    expect(error.code).toBe("XML_BAD_REFERENCE");
  });

  it("text after the root element", async () => {
    const error = await parseError(encode(new TextDecoder().decode(saftDocument()) + "garbage"));
    expect(error).toBeInstanceOf(MalformedInputError);
  });

  it("a second root element", async () => {
    const error = await parseError(encode(new TextDecoder().decode(saftDocument()) + "<AuditFile/>"));
    expect(error).toBeInstanceOf(MalformedInputError);
    expect(error.code).toBe("XML_SECOND_ROOT");
  });
});
