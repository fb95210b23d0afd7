import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { UploadTicketSchema } from "../../../lib/api/schemas.ts";
import { ImportListSchema } from "../../../lib/imports/importReports.ts";
import { ReconciliationJsonSchema } from "../../../lib/reconcile/reconciliationJson.ts";
import { SWEDISH_SIE } from "../../helpers/gateFiles.ts";
import { useTestStack } from "../stack/localStackFixture.ts";
import { apiTestClient, createSampleEngagement, type ApiTestClient } from "./apiTestClient.ts";

/*
 * The stored reconciliation is recomputed by the changes, not by the reads (README "Reconciliation"): `PUT
 * …/source-plan` and `POST …/imports/{id}/activate` store a new one (read here straight from DynamoDB Local, before
 * any GET could compute one), and `GET …/reconciliation` then answers exactly the stored one.
 */
const samplePath = join(resolve(import.meta.dirname, "..", "..", ".."), "samples", "demo-saft-1.30.xml");
const local = useTestStack();
const TENANT = "recompute";
const SWEDISH_REASONS = ["ORG_NUMBER_MISMATCH", "CURRENCY_MISMATCH", "ENGAGEMENT_PERIOD_MISMATCH"];

/** Uploads through a presigned URL and waits until the engagement has `count` finished imports; answers the newest. */
async function uploadAndWait(
  api: ApiTestClient,
  path: string,
  fileName: string,
  body: Uint8Array | string,
  count: number,
) {
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  const ticket = await api.call("POST", `${path}/uploads`, { tenant: TENANT, body: { fileName, size: bytes.length } });
  expect(ticket.status).toBe(201);
  expect((await fetch(UploadTicketSchema.parse(ticket.json).uploadUrl, { method: "PUT", body: bytes })).status).toBe(
    200,
  );
  await local().stack.waitForDeliveries();
  for (let attempt = 0; attempt < 1_000; attempt++) {
    const { items } = ImportListSchema.parse((await api.call("GET", `${path}/imports`, { tenant: TENANT })).json);
    const finished = items.filter((item) => !["queued", "running"].includes(item.status));
    if (finished.length >= count && items[0]?.source.type === "file" && items[0].source.fileName === fileName)
      return items[0];
    await new Promise((wait) => setTimeout(wait, 100));
  }
  throw new Error(`the import of ${fileName} did not finish`);
}

describe("the stored reconciliation over HTTP (DynamoDB Local)", () => {
  it("is recomputed and stored by PUT …/source-plan and POST …/activate, and GET …/reconciliation answers it", async () => {
    const api = await apiTestClient(local());
    const { path, ref } = await createSampleEngagement(api, TENANT);
    const stored = () => local().stores.importStore.getReconciliation(ref);
    const served = async () => {
      const answer = await api.call("GET", `${path}/reconciliation`, { tenant: TENANT });
      expect(answer.status).toBe(200);
      return ReconciliationJsonSchema.parse(answer.json);
    };

    /** The stored reconciliation as GET …/reconciliation answers it (without the basis it is recognised by). */
    const storedJson = async () => {
      const { basis: _basis, ...json } = (await stored())!;
      return json;
    };
    const summary = async () => (await api.call("GET", path, { tenant: TENANT })).json.reconciliation;

    // The import's activation stored the first one: the file gives both the opening and the movement.
    const demo = await uploadAndWait(api, path, "demo.xml", await readFile(samplePath), 1);
    expect(demo).toMatchObject({ status: "succeeded", active: true });
    const afterImport = await stored();
    expect(afterImport).toMatchObject({ status: "reconciled", count: 0, total: "0.00", differences: [] });
    expect(afterImport!.basis).toContain(demo.importId);
    expect(await served()).toEqual(await storedJson());

    // PUT …/source-plan: opening `none` — the file's openings now differ from the engagement's (0), account by account.
    const planChangedAt = new Date().toISOString();
    const put = await api.call("PUT", `${path}/source-plan`, { tenant: TENANT, body: { opening: "none" } });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ opening: { source: "none", chosenBy: "explicit" } });
    const afterPlan = (await stored())!;
    expect(afterPlan.computedAt > afterImport!.computedAt).toBe(true);
    expect(afterPlan.computedAt >= planChangedAt).toBe(true);
    expect(afterPlan.status).toBe("differences");
    expect(afterPlan.count).toBeGreaterThan(0);
    expect(afterPlan.count).toBe(afterPlan.differences.length);
    for (const difference of afterPlan.differences) {
      expect(difference).toMatchObject({
        code: "OPENING_FILE_DIFFERS",
        sources: [
          { kind: "file", importId: demo.importId, figure: difference.amount },
          { kind: "none", figure: "0.00" },
        ],
      });
    }
    expect(afterPlan.differences.find((difference) => difference.account === "1500")).toMatchObject({
      amount: "125000.00",
    });
    const cents = (amount: string) => BigInt(amount.replace(".", "").replace("-", ""));
    expect(cents(afterPlan.total)).toBe(afterPlan.differences.reduce((sum, d) => sum + cents(d.amount!), 0n));
    const servedAfterPlan = await served();
    expect(servedAfterPlan).toEqual(await storedJson());
    expect(servedAfterPlan.computedAt).toBe(afterPlan.computedAt); // answered from the store, not computed again
    // Paged with ?limit= and the answer's cursor: the same differences in the same order, a page at a time.
    const paged: unknown[] = [];
    let cursor: string | null = null;
    do {
      const answer: { status: number; json: { differences: unknown[]; nextCursor: string | null; count: number } } =
        await api.call(
          "GET",
          `${path}/reconciliation?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
          { tenant: TENANT },
        );
      expect(answer.status).toBe(200);
      expect(answer.json.differences).toHaveLength(1);
      expect(answer.json.count).toBe(afterPlan.count);
      paged.push(...answer.json.differences);
      cursor = answer.json.nextCursor;
    } while (cursor !== null);
    expect(paged).toEqual(afterPlan.differences);
    const refused = await api.call("GET", `${path}/reconciliation?cursor=not-a-cursor`, { tenant: TENANT });
    expect([refused.status, refused.json.code]).toEqual([400, "CURSOR_INVALID"]);
    expect(await summary()).toEqual({
      status: "differences",
      differences: afterPlan.count,
      total: afterPlan.total,
      computedAt: afterPlan.computedAt,
    });

    // Back to the default plan: reconciled again, stored anew.
    expect((await api.call("PUT", `${path}/source-plan`, { tenant: TENANT, body: {} })).status).toBe(200);
    const afterDefault = (await stored())!;
    expect(afterDefault.computedAt > afterPlan.computedAt).toBe(true);
    expect(afterDefault).toMatchObject({ status: "reconciled", count: 0, differences: [] });
    expect(await served()).toEqual(await storedJson());

    // A held import changes nothing: it is not active.
    const held = await uploadAndWait(api, path, "sverige.se", SWEDISH_SIE, 2);
    expect(held).toMatchObject({ status: "held", active: false, heldFor: SWEDISH_REASONS });
    expect(await stored()).toEqual(afterDefault);

    // POST …/activate: the file slot switches to it, and the reconciliation is computed from it and stored.
    const activatedAt = new Date().toISOString();
    const activated = await api.call("POST", `${path}/imports/${held.importId}/activate`, {
      tenant: TENANT,
      body: { accept: SWEDISH_REASONS },
    });
    expect(activated.status).toBe(200);
    const afterActivate = (await stored())!;
    expect(afterActivate.computedAt > afterDefault.computedAt).toBe(true);
    expect(afterActivate.computedAt >= activatedAt).toBe(true);
    expect(afterActivate.basis).toContain(held.importId);
    expect(afterActivate.basis).not.toContain(demo.importId);
    // Its one-sided opening (#IB 1930 1 000.00, nothing against it) is what the reconciliation now finds.
    expect(afterActivate).toMatchObject({
      status: "differences",
      count: 1,
      total: "1000.00",
      differences: [
        {
          code: "OPENING_NOT_BALANCED",
          account: null,
          amount: "1000.00",
          sources: [{ kind: "file", importId: held.importId, format: "sie", figure: "1000.00" }],
        },
      ],
    });
    expect(await served()).toEqual(await storedJson());
  });
});
