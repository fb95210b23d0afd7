import { createReadStream } from "node:fs";
import { basename } from "node:path";
import { parseFile } from "../formats/parseFile.ts";
import type { FileHeader } from "../ledger/types.ts";
import { TruncatedInputError } from "../formats/errors.ts";
import type { RememberedCsvLayout } from "../engagements/types.ts";
import type { UploadOptions } from "../imports/uploadOptions.ts";

/**
 * Reads what a file says about itself (format, company, period) without reading the file, as the upload will read it
 * (`options`: its encoding and CSV layout; else the client's `remembered` layout): parses only until the
 * header record, which every parser yields first (lib/ledger/records.ts), then stops the parser and closes the file.
 *
 * @throws FormatError when the file is not one saldo reads (the upload would fail the same way).
 */
export async function readFileHeader(
  path: string,
  options: UploadOptions = {},
  remembered?: RememberedCsvLayout,
): Promise<FileHeader> {
  const stream = createReadStream(path, { highWaterMark: 256 * 1024 });
  try {
    const { records } = await parseFile(stream, {
      fileName: basename(path),
      ...(options.encoding !== undefined ? { encoding: options.encoding } : {}),
      csv: {
        ...options.layout,
        ...(remembered ? { rememberedLayout: { layout: remembered.layout } } : {}),
        ...(remembered?.encoding !== undefined && options.encoding === undefined
          ? { encoding: remembered.encoding }
          : {}),
      },
    });
    // Leaving the loop early returns the generator, which stops the parser.
    for await (const record of records) {
      if (record.type === "header") return record.header;
    }
    throw new TruncatedInputError("the file ended before it described itself", {
      fileName: basename(path),
      expected: "a file header (company, period) before the end",
    });
  } finally {
    stream.destroy();
  }
}
