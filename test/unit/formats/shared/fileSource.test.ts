import { readdirSync, readlinkSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fileSource } from "../../../../lib/formats/shared/sources.ts";
import { parseFile } from "../../../../lib/formats/parseFile.ts";
import { UnsupportedFormatError } from "../../../../lib/formats/errors.ts";
import { ownFixture, readBytes } from "../../../helpers/fixtures.ts";

/** How many of this process's file descriptors are open on `path` (Linux: /proc/self/fd). */
function openDescriptors(path: string): number {
  let count = 0;
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === path) count++;
    } catch {
      // closed between the listing and the look
    }
  }
  return count;
}

describe("fileSource", () => {
  const path = ownFixture("saft/tiny-v130.xml");

  it.each([1, 7, 1000, 256 * 1024])("reads the whole file, in order, in chunks of at most %i bytes", async (size) => {
    const expected = await readBytes(path);
    const copies: Buffer[] = [];
    for await (const chunk of fileSource(path, size)) {
      expect(chunk.length).toBeGreaterThan(0);
      expect(chunk.length).toBeLessThanOrEqual(size);
      copies.push(Buffer.from(chunk)); // a chunk is valid only until the next pull: kept as a copy
    }
    expect(Buffer.concat(copies).equals(expected)).toBe(true);
  });

  it("reads into two buffers used in turn, not a fresh one per chunk", async () => {
    const seen: ArrayBufferLike[] = [];
    for await (const chunk of fileSource(path, 1000)) seen.push(chunk.buffer);
    expect(seen.length).toBeGreaterThan(4);
    expect(new Set(seen).size).toBe(2);
    expect(seen[2]).toBe(seen[0]);
    expect(seen[3]).toBe(seen[1]);
  });

  it.skipIf(process.platform !== "linux")("opens the file at the first pull and closes it at the end", async () => {
    const source = fileSource(path, 1000);
    expect(openDescriptors(path)).toBe(0);
    const iterator = source[Symbol.asyncIterator]();
    await iterator.next();
    expect(openDescriptors(path)).toBe(1);
    while (!(await iterator.next()).done);
    expect(openDescriptors(path)).toBe(0);
  });

  it.skipIf(process.platform !== "linux")("closes the file when the consumer stops early", async () => {
    for await (const _chunk of fileSource(path, 1000)) break;
    expect(openDescriptors(path)).toBe(0);
  });

  it.skipIf(process.platform !== "linux")(
    "closes the file when its format is refused before the parser reads it",
    async () => {
      const dir = await mkdtemp(join(tmpdir(), "saldo-filesource-"));
      const binary = join(dir, "image.bin");
      await writeFile(binary, Buffer.alloc(10_000, 0));
      try {
        await expect(parseFile(fileSource(binary, 1000), { fileName: "image.bin" })).rejects.toThrow(
          UnsupportedFormatError,
        );
        expect(openDescriptors(binary)).toBe(0);
      } finally {
        await rm(dir, { recursive: true });
      }
    },
  );

  it.skipIf(process.platform !== "linux")(
    "closes the file when the consumer stops after the header, as readFileHeader does",
    async () => {
      const dir = await mkdtemp(join(tmpdir(), "saldo-filesource-"));
      // Longer than every reader's head (the CSV layout sample, the encoding window): not read to the end.
      const saft = await readFile(path, "utf8");
      const files = {
        "saldobalanse.csv": `Konto;Navn;Saldo\n${"1920;Bank;1 234,50\n".repeat(20_000)}`,
        "bokslut.se": `#FLAGGA 0\n#SIETYP 4\n#FNAMN "AS"\n#RAR 0 20240101 20241231\n${"#KONTO 1920 Bank\n".repeat(20_000)}`,
        "saft.xml": saft.replace("</AuditFile>", `<!--${" ".repeat(400_000)}--></AuditFile>`),
      };
      try {
        for (const [name, text] of Object.entries(files)) {
          const file = join(dir, name);
          await writeFile(file, text);
          const { records } = await parseFile(fileSource(file, 1024), { fileName: name });
          let header = false;
          for await (const record of records) if ((header = record.type === "header")) break;
          expect(header, name).toBe(true);
          expect(openDescriptors(file), name).toBe(0);
        }
      } finally {
        await rm(dir, { recursive: true });
      }
    },
  );

  it("fails at the first pull when the file is missing", async () => {
    const source = fileSource(ownFixture("saft/no-such-file.xml"));
    await expect(source.next()).rejects.toMatchObject({ code: "ENOENT" });
  });
});
