import { describe, expect, it } from "vitest";
import {
  uploadMetadataOf,
  uploadOptionsFromMetadata,
  UploadOptionsSchema,
  type UploadOptions,
} from "../../../lib/imports/uploadOptions.ts";
import { S3UploadUrlSigner } from "../../../lib/store/S3UploadUrlSigner.ts";

describe("upload options as S3 object metadata", () => {
  it("round-trips a layout with a TAB delimiter and Norwegian header texts through ASCII-only metadata", () => {
    const options: UploadOptions = {
      layout: {
        delimiter: "\t",
        decimal: ",",
        headerRow: 3,
        columns: { account: "Kontonr", name: "Navn", closing: "Saldo, UB (beløp)" },
      },
      encoding: "cp865",
    };
    const metadata = uploadMetadataOf(options);
    expect(Object.keys(metadata)).toEqual(["saldo-csv-layout", "saldo-encoding"]);
    expect(metadata["saldo-csv-layout"]).toMatch(/^[\x20-\x7e]+$/);
    expect(metadata["saldo-csv-layout"]).toContain("bel\\u00f8p");
    expect(uploadOptionsFromMetadata(metadata)).toEqual(options);
  });

  it("gives no metadata for no options, and reads none from other metadata", () => {
    expect(uploadMetadataOf({})).toEqual({});
    expect(uploadOptionsFromMetadata({ "something-else": "x" })).toEqual({});
    expect(uploadOptionsFromMetadata(undefined)).toEqual({});
  });

  it.each([
    [{ "saldo-csv-layout": "{not json" }, "is not JSON"],
    [{ "saldo-csv-layout": JSON.stringify({ delimiter: "|" }) }, "x-amz-meta-saldo-csv-layout delimiter"],
    [{ "saldo-csv-layout": JSON.stringify({ columns: { name: 1 } }) }, "x-amz-meta-saldo-csv-layout columns"],
    [{ "saldo-csv-layout": JSON.stringify({ colour: "red" }) }, "x-amz-meta-saldo-csv-layout"],
    [{ "saldo-encoding": "klingon" }, "x-amz-meta-saldo-encoding: a character encoding"],
  ])("refuses invalid metadata %j with CSV_LAYOUT_OPTION_INVALID naming the key", (metadata, expected) => {
    let caught: unknown;
    try {
      uploadOptionsFromMetadata(metadata, "tb.csv");
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: "CSV_LAYOUT_OPTION_INVALID" });
    expect((caught as Error).message).toContain(expected);
    expect((caught as Error).message.startsWith("tb.csv: ")).toBe(true);
  });

  it("refuses a layout too long for S3's 2 KB of metadata", () => {
    const long = { layout: { columns: { account: "K".repeat(1600), closing: 2 } } };
    expect(UploadOptionsSchema.safeParse(long).success).toBe(false);
  });
});

describe("S3UploadUrlSigner with upload options", () => {
  it("signs the metadata as headers the PUT must carry, and answers them", async () => {
    const signer = new S3UploadUrlSigner({
      bucket: "uploads",
      clientConfig: { region: "eu-north-1", credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" } },
    });
    const metadata = uploadMetadataOf({ layout: { delimiter: ";" }, encoding: "windows-1252" });
    const signed = await signer.signPut({
      key: "uploads/t/c/e/tb.csv",
      contentLength: 10,
      metadata,
      expiresInSeconds: 60,
    });
    expect(signed.headers).toEqual({
      "x-amz-meta-saldo-csv-layout": '{"delimiter":";"}',
      "x-amz-meta-saldo-encoding": "windows-1252",
    });
    const url = new URL(signed.url);
    expect(url.searchParams.get("X-Amz-SignedHeaders")?.split(";")).toEqual(
      expect.arrayContaining(["content-length", "x-amz-meta-saldo-csv-layout", "x-amz-meta-saldo-encoding"]),
    );
    // Not hoisted into the query string: a PUT without the headers (or with others) does not match the signature.
    expect([...url.searchParams.keys()].some((name) => name.toLowerCase().startsWith("x-amz-meta-"))).toBe(false);
  });
});
