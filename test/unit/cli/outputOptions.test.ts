import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { text } from "node:stream/consumers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "../../../lib/cli/errors.ts";
import {
  figuresOutputFromOptions,
  localeFromOptions,
  writeChunks,
  writeOutput,
} from "../../../lib/cli/outputOptions.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "saldo-output-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("output options", () => {
  it("reads --format, --json, --output and --locale, with SALDO_LOCALE as the default locale", () => {
    expect(figuresOutputFromOptions({}, {}, false)).toEqual({ format: "text", locale: "nb" });
    expect(figuresOutputFromOptions({ json: true }, {}, false)).toEqual({ format: "json", locale: "nb" });
    expect(figuresOutputFromOptions({ format: "csv", output: "a.csv", locale: "en" }, {}, false)).toEqual({
      format: "csv",
      locale: "en",
      path: "a.csv",
    });
    expect(localeFromOptions(undefined, { SALDO_LOCALE: "en" })).toBe("en");
    expect(localeFromOptions("nb", { SALDO_LOCALE: "en" })).toBe("nb");
  });

  it("refuses contradictions, unknown values and an XLSX file to a terminal as wrong usage", () => {
    expect(() => figuresOutputFromOptions({ json: true, format: "csv" }, {}, false)).toThrow(UsageError);
    expect(() => figuresOutputFromOptions({ format: "pdf" }, {}, false)).toThrow(UsageError);
    expect(() => figuresOutputFromOptions({ locale: "sv" }, {}, false)).toThrow(UsageError);
    expect(() => localeFromOptions(undefined, { SALDO_LOCALE: "de" })).toThrow(/SALDO_LOCALE must be nb or en/);
    expect(() => figuresOutputFromOptions({ format: "xlsx" }, {}, true)).toThrow(/--output FILE/);
    expect(figuresOutputFromOptions({ format: "xlsx" }, {}, false)).toEqual({ format: "xlsx", locale: "nb" });
  });
});

describe("writeOutput", () => {
  it("puts a complete file under the name asked for, replacing an older one", async () => {
    const path = join(dir, "complete.csv");
    await writeOutput({ path }, (sink) => writeChunks(sink, ["old\r\n"]));
    await writeOutput({ path }, (sink) => writeChunks(sink, ["a;b\r\n", "1;2\r\n"]));
    expect(await readFile(path, "utf8")).toBe("a;b\r\n1;2\r\n");
    expect(await readdir(dir)).toEqual(["complete.csv"]);
  });

  it("leaves no file, not even a partial one, when writing fails midway", async () => {
    const path = join(dir, "failed.csv");
    async function* failing() {
      yield "a;b\r\n";
      throw new Error("the store went away");
    }
    await expect(writeOutput({ path }, (sink) => writeChunks(sink, failing()))).rejects.toThrow("the store went away");
    expect((await readdir(dir)).filter((name) => name.startsWith("failed"))).toEqual([]);
  });

  it("writes to standard output without ending it", async () => {
    const stdout = new PassThrough();
    await writeOutput({}, (sink) => writeChunks(sink, ["one\n"]), stdout);
    await writeOutput({}, (sink) => writeChunks(sink, ["two\n"]), stdout);
    expect(stdout.writableEnded).toBe(false);
    stdout.end();
    expect(await text(stdout)).toBe("one\ntwo\n");
  });
});
