import type { FileFormat } from "../ledger/types.ts";
import { detectBom } from "./shared/decoding.ts";
import { UnsupportedFormatError } from "./errors.ts";

/** How many leading bytes {@link detectFormat} needs. */
export const DETECT_HEAD_BYTES = 4096;

/**
 * Decides the format from the first bytes of a file (never from its name alone): a zip or XML is SAF-T, a first
 * line starting with `#` is SIE, other text is CSV. Binary data that is none of these is refused.
 * The file name's extension only settles what the bytes leave open (an empty file).
 */
export function detectFormat(head: Uint8Array, fileName?: string): FileFormat {
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return "saft";
  const bom = detectBom(head);
  let start = bom?.length ?? 0;
  const utf16 = bom?.encoding.startsWith("utf-16") ?? false;
  const step = utf16 ? 2 : 1;
  const at = (index: number) => (bom?.encoding === "utf-16be" ? head[index + 1] : head[index]);
  while (start < head.length && [0x20, 0x09, 0x0d, 0x0a].includes(at(start) ?? 0)) start += step;
  if (start >= head.length) {
    const extension = fileName?.toLowerCase().split(".").pop();
    if (extension === "xml" || extension === "zip") return "saft";
    if (extension === "se" || extension === "si" || extension === "sie") return "sie";
    return "csv";
  }
  if (!utf16 && looksBinary(head.subarray(start))) {
    throw new UnsupportedFormatError("binary data: not SAF-T XML, SIE or a CSV trial balance", {
      ...(fileName ? { fileName } : {}),
      location: { line: 1, column: 1, offset: 0 },
      expected: "a SAF-T .xml or .zip, a SIE file (#FLAGGA …) or a CSV text file",
    });
  }
  const first = at(start);
  if (first === 0x3c /* < */) return "saft";
  if (first === 0x23 /* # */) return "sie";
  return "csv";
}

/** NUL bytes or many control characters in text formats mean binary data. */
function looksBinary(bytes: Uint8Array): boolean {
  let control = 0;
  const length = Math.min(bytes.length, 1024);
  for (let i = 0; i < length; i++) {
    const b = bytes[i]!;
    if (b === 0) return true;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) control++;
  }
  return control > length / 20;
}
