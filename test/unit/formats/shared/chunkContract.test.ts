import { readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { DETECT_HEAD_BYTES } from "../../../../lib/formats/detectFormat.ts";
import { parseFile } from "../../../../lib/formats/parseFile.ts";
import { decodeStream, SNIFF_WINDOW_BYTES } from "../../../../lib/formats/shared/decoding.ts";
import { chunkedSource, fileSource } from "../../../../lib/formats/shared/sources.ts";
import { rawTokenizeSie } from "../../../../lib/formats/sie/rawTokenizeSie.ts";
import { tokenizeXml } from "../../../../lib/formats/xml/tokenizeXml.ts";
import { collect, hasSharedFixtures, ownFixture, readBytes, sharedFixturesDir } from "../../../helpers/fixtures.ts";
import { poison, poisoned, poisonedSource } from "../../../helpers/poisonedSource.ts";

// The contract of a byte source (lib/formats/shared/sources.ts): a chunk is valid only until the next pull. Every
// stage of every reader must give a chunk up before it pulls the next, keeping copies of what it holds on to. Each
// file is read from a plain source in one chunk, then from sources that overwrite every chunk handed out with garbage
// as soon as the next is pulled, in chunkings that cut across the format detection's head, the encoding sniffing
// window and everything in between: the outcome (records, or the error with its place) must be the same.

/** Chunkings (sizes cycled): tiny and odd pieces, pieces around the detection head and the sniffing window. */
const CHUNKINGS: readonly (readonly number[])[] = [
  [5, 1, 13, 31, 64],
  [7, 4093, 1, 65_537],
  [DETECT_HEAD_BYTES - 1, 3],
  [SNIFF_WINDOW_BYTES + 1, 2, 300],
];

const FILE_EXTENSIONS = /\.(xml|zip|se|si|sie|csv|txt|pdf)$/i;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesUnder(path);
    return FILE_EXTENSIONS.test(name) ? [path] : [];
  });
}

/** What a parse came to: every record, or the records before the error and the error with its code and place. */
async function outcomeOf(source: AsyncIterable<Uint8Array>, fileName: string): Promise<unknown> {
  const records: unknown[] = [];
  try {
    const parsed = await parseFile(source, { fileName });
    for await (const record of parsed.records) records.push(record);
    return { format: parsed.format, records };
  } catch (error) {
    const { name, message, code, location } = error as Error & { code?: string; location?: unknown };
    return { records, error: { name, message, code, location } };
  }
}

async function expectSameUnderPoison(bytes: Uint8Array, fileName: string): Promise<void> {
  const reference = await outcomeOf(chunkedSource(bytes, [bytes.length || 1]), fileName);
  for (const sizes of CHUNKINGS) {
    expect(await outcomeOf(poisonedSource(bytes, sizes), fileName), `${fileName} in chunks of ${sizes}`).toEqual(
      reference,
    );
  }
}

const ownFiles = filesUnder(ownFixture(""));
const sharedFiles = hasSharedFixtures ? filesUnder(sharedFixturesDir) : [];

describe("the poisoning source", () => {
  it("hands out the bytes in the chunks asked for, and spoils each chunk at the next pull", async () => {
    const bytes = new TextEncoder().encode("#FLAGGA 0\n#PROGRAM saldo\n");
    const iterator = poisonedSource(bytes, [10])[Symbol.asyncIterator]();
    const first = (await iterator.next()).value!;
    expect(Buffer.from(first).toString()).toBe("#FLAGGA 0\n");
    const second = (await iterator.next()).value!;
    expect(Buffer.from(second).toString()).toBe("#PROGRAM s");
    expect(Buffer.from(first).toString()).not.toBe("#FLAGGA 0\n");
    expect([...first].every((byte, i) => byte !== bytes[i])).toBe(true);
    await iterator.return(undefined);
    expect([...second].every((byte, i) => byte !== bytes[10 + i])).toBe(true);
  });

  it("catches a stage that keeps a chunk across a pull", async () => {
    const bytes = new TextEncoder().encode("abcdefghij");
    const keepAll = async (source: AsyncIterable<Uint8Array>) => {
      const kept: Uint8Array[] = [];
      for await (const chunk of source) kept.push(chunk);
      return Buffer.concat(kept).toString();
    };
    expect(await keepAll(chunkedSource(bytes, [3]))).toBe("abcdefghij");
    expect(await keepAll(poisonedSource(bytes, [3]))).not.toBe("abcdefghij");
  });

  it("flips every byte", () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    poison(bytes);
    expect(bytes.every((byte, i) => byte !== i)).toBe(true);
  });
});

describe("every reader gives a chunk up before it pulls the next", () => {
  it.each(ownFiles.map((path) => [basename(path), path]))("own fixture %s", async (_name, path) => {
    await expectSameUnderPoison(await readBytes(path), basename(path));
  });

  it.skipIf(!hasSharedFixtures).each(sharedFiles.map((path) => [path.slice(sharedFixturesDir.length + 1), path]))(
    "shared fixture %s",
    async (_name, path) => {
      await expectSameUnderPoison(await readBytes(path), basename(path));
    },
    60_000,
  );

  it.each(ownFiles.filter((path) => path.endsWith(".xml")).map((path) => [basename(path), path]))(
    "SAF-T zipped, deflated and stored: %s",
    async (name, path) => {
      const bytes = await readBytes(path);
      await expectSameUnderPoison(zipSync({ [name]: bytes }, { level: 6 }), `${name}.zip`);
      // Entries before the XML put entry headers past the detection head, cut by the chunk boundaries.
      const others = Object.fromEntries(
        Array.from({ length: 24 }, (_, i) => [
          `bilag/${i}.txt`,
          new TextEncoder().encode(`bilag ${i} `.repeat(90 + i)),
        ]),
      );
      await expectSameUnderPoison(zipSync({ ...others, [name]: [bytes, { level: 0 }] }), `${name}.zip`);
      await expectSameUnderPoison(zipSync({ ...others, [name]: bytes }, { level: 1 }), `${name}.zip`);
    },
  );

  it.each(ownFiles.map((path) => [basename(path), path]))(
    "the raw passes and the text decoder: %s",
    async (_n, path) => {
      const bytes = await readBytes(path);
      const text = async (source: AsyncIterable<Uint8Array>) => (await collect(decodeStream(source))).join("");
      const expected = await text(chunkedSource(bytes, [bytes.length]));
      for (const sizes of CHUNKINGS) expect(await text(poisonedSource(bytes, sizes))).toBe(expected);
      if (path.endsWith(".se")) {
        const lines = await rawTokenizeSie(chunkedSource(bytes, [bytes.length]));
        for (const sizes of CHUNKINGS) expect(await rawTokenizeSie(poisonedSource(bytes, sizes))).toBe(lines);
      }
      if (path.endsWith(".xml")) {
        const summary = await tokenizeXml(chunkedSource(bytes, [bytes.length]));
        for (const sizes of CHUNKINGS) expect(await tokenizeXml(poisonedSource(bytes, sizes))).toEqual(summary);
      }
    },
  );

  it("a file read from disk, through the poisoning source, parses as it does in memory", async () => {
    const path = ownFixture("saft/latin1-v130.xml");
    const bytes = await readBytes(path);
    expect(await outcomeOf(poisoned(fileSource(path, 1000)), "latin1-v130.xml")).toEqual(
      await outcomeOf(chunkedSource(bytes, [bytes.length]), "latin1-v130.xml"),
    );
  });
});
