import { Unzip, UnzipInflate, type UnzipFile } from "fflate";
import { MalformedInputError, TruncatedInputError, UnsupportedFormatError } from "../errors.ts";

/** Local file header signature of a ZIP archive ("PK\x03\x04"); an empty archive starts with "PK\x05\x06". */
export function looksLikeZip(head: Uint8Array): boolean {
  return head[0] === 0x50 && head[1] === 0x4b && (head[2] === 0x03 || head[2] === 0x05) && (head[3] === 0x04 || head[3] === 0x06);
}

/** macOS resource forks (`__MACOSX/…`, `._name.xml`) are not the file the user meant. */
function isXmlEntry(name: string): boolean {
  const base = name.slice(name.lastIndexOf("/") + 1);
  return /\.xml$/i.test(base) && !base.startsWith("._") && !name.startsWith("__MACOSX/");
}

/**
 * Streams the one XML file inside a ZIP archive (SAF-T files are often delivered zipped: Altinn takes zipped
 * attachments). The archive is read with fflate's streaming `Unzip` as it arrives, never staged to
 * disk or held whole in memory: only the inflated output of the current input chunk is buffered.
 *
 * Because entries are discovered in archive order, "several XML files" is only known when the second XML entry's
 * header arrives, i.e. after the first has been streamed; the error is thrown then (the caller aborts the import).
 * A ZIP without any XML entry fails at the end with the list of entries it does hold.
 */
export async function* unzipSingleXml(source: AsyncIterable<Uint8Array>, fileName?: string): AsyncGenerator<Uint8Array, void, undefined> {
  let queue: Uint8Array[] = [];
  let xmlEntry: string | undefined;
  let xmlDone = false;
  let failure: Error | undefined;
  const otherEntries: string[] = [];
  const unzip = new Unzip((file: UnzipFile) => {
    if (!isXmlEntry(file.name)) {
      otherEntries.push(file.name);
      return;
    }
    if (xmlEntry !== undefined) {
      failure ??= new UnsupportedFormatError(`the ZIP archive holds several XML files (${xmlEntry}, ${file.name}, …); zip one SAF-T file per archive`, {
        fileName,
        expected: "exactly one .xml file in the archive",
      });
      return;
    }
    xmlEntry = file.name;
    file.ondata = (error, data, final) => {
      if (error) failure ??= new MalformedInputError("ZIP_CORRUPT", `cannot inflate ${file.name}: ${error.message}`, { fileName, cause: error });
      else if (data.length > 0) queue.push(data);
      if (final) xmlDone = true;
    };
    file.start();
  });
  unzip.register(UnzipInflate);

  const push = (chunk: Uint8Array, final: boolean) => {
    try {
      unzip.push(chunk, final);
    } catch (error) {
      failure ??= new MalformedInputError("ZIP_CORRUPT", `the ZIP archive cannot be read: ${(error as Error).message}`, { fileName, cause: error });
    }
  };

  for await (const chunk of source) {
    push(chunk, false);
    if (queue.length > 0) {
      const ready = queue;
      queue = [];
      yield* ready;
    }
    if (failure) throw failure;
  }
  push(new Uint8Array(0), true);
  yield* queue;
  queue = [];
  if (failure) throw failure;
  if (xmlEntry === undefined) {
    throw new UnsupportedFormatError(
      `the ZIP archive holds no XML file${otherEntries.length ? ` (entries: ${otherEntries.slice(0, 10).join(", ")}${otherEntries.length > 10 ? ", …" : ""})` : " (it is empty)"}`,
      { fileName, expected: "one SAF-T .xml file in the archive" },
    );
  }
  if (!xmlDone) throw new TruncatedInputError(`the ZIP archive ends inside ${xmlEntry}`, { fileName, expected: "the rest of the archive" });
}
