import { describe, expect, it } from "vitest";
import { EngagementNotFoundError } from "../../../lib/engagements/errors.ts";
import { UploadTooLargeError } from "../../../lib/imports/errors.ts";
import { MAX_UPLOAD_BYTES, requestUpload, type UploadUrlSigner } from "../../../lib/imports/requestUpload.ts";
import { seedClient } from "../../../lib/local/seedClient.ts";
import { createInMemoryStores } from "../../../lib/store/createInMemoryStores.ts";

const now = () => new Date("2026-01-15T10:00:00.000Z");
const ref = { tenantId: "firm", clientId: "acme", engagementId: "fy2025" };

async function setup() {
  const stores = createInMemoryStores();
  await seedClient({ ...stores, now }, { ...ref, name: "Acme AS", accountingSystem: "other" }, [
    { engagementId: ref.engagementId, kind: "year-end", fiscalYear: 2025 },
  ]);
  const signed: Parameters<UploadUrlSigner["signPut"]>[0][] = [];
  const signer: UploadUrlSigner = {
    async signPut(request) {
      signed.push(request);
      const headers: Record<string, string> = request.contentType ? { "content-type": request.contentType } : {};
      return { url: `https://bucket.example/${request.key}?signed`, headers };
    },
  };
  return { stores, signer, signed };
}

describe("requestUpload", () => {
  it("signs a PUT of exactly the declared size for uploads/{tenant}/{client}/{engagement}/{fileName}", async () => {
    const { stores, signer, signed } = await setup();
    const ticket = await requestUpload(
      { ...stores, signer, now },
      { ...ref, fileName: "saft.xml", size: 1234, contentType: "application/xml" },
    );
    expect(ticket).toEqual({
      uploadUrl: "https://bucket.example/uploads/firm/acme/fy2025/saft.xml?signed",
      method: "PUT",
      headers: { "content-type": "application/xml" },
      key: "uploads/firm/acme/fy2025/saft.xml",
      expiresAt: "2026-01-15T10:15:00.000Z",
    });
    expect(signed).toEqual([
      {
        key: "uploads/firm/acme/fy2025/saft.xml",
        contentLength: 1234,
        contentType: "application/xml",
        expiresInSeconds: 900,
      },
    ]);
  });

  it("refuses a file above 2 GiB without signing anything", async () => {
    const { stores, signer, signed } = await setup();
    await expect(
      requestUpload({ ...stores, signer, now }, { ...ref, fileName: "big.xml", size: MAX_UPLOAD_BYTES + 1 }),
    ).rejects.toBeInstanceOf(UploadTooLargeError);
    await expect(
      requestUpload({ ...stores, signer, now }, { ...ref, fileName: "edge.xml", size: MAX_UPLOAD_BYTES }),
    ).resolves.toBeDefined();
    expect(signed.map((request) => request.key)).toEqual(["uploads/firm/acme/fy2025/edge.xml"]);
  });

  it("refuses another tenant's engagement as not found", async () => {
    const { stores, signer } = await setup();
    await expect(
      requestUpload({ ...stores, signer, now }, { ...ref, tenantId: "other", fileName: "saft.xml", size: 10 }),
    ).rejects.toMatchObject({ code: "CLIENT_NOT_FOUND" });
    await expect(
      requestUpload({ ...stores, signer, now }, { ...ref, engagementId: "nope", fileName: "saft.xml", size: 10 }),
    ).rejects.toBeInstanceOf(EngagementNotFoundError);
  });

  it("refuses a file name that would change the key layout", async () => {
    const { stores, signer } = await setup();
    await expect(
      requestUpload({ ...stores, signer, now }, { ...ref, fileName: "a/b.xml", size: 10 }),
    ).rejects.toMatchObject({ code: "INVALID_UPLOAD" });
  });
});
