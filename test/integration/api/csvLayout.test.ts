import { describe, expect, it } from "vitest";
import { ClientSchema, EngagementSchema, UploadTicketSchema } from "../../../lib/api/schemas.ts";
import { ImportListSchema, ImportReportSchema } from "../../../lib/imports/importReports.ts";
import { TrialBalanceViewSchema } from "../../../lib/imports/importViews.ts";
import { useTestStack } from "../stack/localStackFixture.ts";
import { apiTestClient, type ApiTestClient } from "./apiTestClient.ts";

/**
 * The uploads API takes the layout `saldo inspect` takes: the presigned PUT carries it as signed object metadata, the
 * real S3 emulator stores it, the ingest handler reads it and imports into DynamoDB Local a CSV that detection alone
 * cannot read; the client remembers it, and its next CSV without a layout is read with it.
 */
const local = useTestStack();
const encoder = new TextEncoder();

/** No header and two amount columns: detection cannot tell which is opening and which closing. */
function twoAmountColumns(closingBank: string): Uint8Array {
  return encoder.encode(
    [
      "1500\tKundefordringer\t100,00\t125,00",
      `1920\tBankinnskudd\t-100,00\t${closingBank}`,
      "3000\tSalgsinntekt\t0,00\t-25,00",
    ].join("\r\n") + "\r\n",
  );
}
const layout = { delimiter: "\t", columns: { account: 0, name: 1, opening: 2, closing: 3 } };

async function setup(api: ApiTestClient, tenant: string) {
  const created = await api.call("POST", "/clients", {
    tenant,
    body: { orgNumber: "923609016", name: "Fjellbekk Snekkeri AS", accountingSystem: "other" },
  });
  const { clientId } = ClientSchema.parse(created.json);
  const paths: string[] = [];
  for (const fiscalYear of [2024, 2025]) {
    const engagement = await api.call("POST", `/clients/${clientId}/engagements`, {
      tenant,
      body: { kind: "year-end", fiscalYear },
    });
    paths.push(`/clients/${clientId}/engagements/${EngagementSchema.parse(engagement.json).engagementId}`);
  }
  return { clientId, paths: paths as [string, string] };
}

/** Asks for an upload URL, PUTs the bytes with the answered headers, and waits for the import to finish. */
async function uploadAndWait(
  api: ApiTestClient,
  tenant: string,
  path: string,
  fileName: string,
  bytes: Uint8Array,
  extra: object = {},
) {
  const answer = await api.call("POST", `${path}/uploads`, {
    tenant,
    body: { fileName, size: bytes.length, ...extra },
  });
  expect(answer.status).toBe(201);
  const ticket = UploadTicketSchema.parse(answer.json);
  const put = await fetch(ticket.uploadUrl, { method: "PUT", headers: ticket.headers, body: bytes });
  expect(put.status).toBe(200);
  await local().stack.waitForDeliveries();
  for (let attempt = 0; attempt < 1_000; attempt++) {
    const { items } = ImportListSchema.parse((await api.call("GET", `${path}/imports`, { tenant })).json);
    const mine = items.find((item) => item.source.type === "file" && item.source.key === ticket.key);
    if (mine && !["queued", "running"].includes(mine.status)) {
      const report = await api.call("GET", `${path}/imports/${mine.importId}`, { tenant });
      return { ticket, report: ImportReportSchema.parse(report.json) };
    }
    await new Promise((wait) => setTimeout(wait, 100));
  }
  throw new Error("the import did not finish");
}

describe("uploads with a CSV layout over HTTP: presign → S3 emulator → ingest → DynamoDB Local", () => {
  it("imports a CSV detection cannot read, remembers its layout on the client, and reads the next file with it", async () => {
    const api = await apiTestClient(local());
    const { clientId, paths } = await setup(api, "layout");

    const without = await uploadAndWait(api, "layout", paths[0], "saldo-2024.txt", twoAmountColumns("100,00"));
    expect(without.report).toMatchObject({ status: "failed", failure: { code: "CSV_AMBIGUOUS_LAYOUT" } });
    expect(without.report.failure?.message).toContain('"layout"');

    const first = await uploadAndWait(api, "layout", paths[0], "saldo-2024b.txt", twoAmountColumns("100,00"), {
      layout,
    });
    // The layout is signed into the URL as a header the PUT must carry, not hoisted into the query.
    expect(first.ticket.headers["x-amz-meta-saldo-csv-layout"]).toBe(JSON.stringify(layout).replace("\t", "\\t"));
    expect(new URL(first.ticket.uploadUrl).searchParams.get("X-Amz-SignedHeaders")?.split(";")).toContain(
      "x-amz-meta-saldo-csv-layout",
    );
    expect(first.report).toMatchObject({
      status: "succeeded",
      source: { formatVersion: "tab/decimal-comma/no-header" },
    });
    const view = TrialBalanceViewSchema.parse(
      (await api.call("GET", `${paths[0]}/trial-balance`, { tenant: "layout" })).json,
    );
    expect(view.accounts.map((a) => [a.account, a.opening, a.movement, a.closing])).toEqual([
      ["1500", "100.00", "25.00", "125.00"],
      ["1920", "-100.00", "200.00", "100.00"],
      ["3000", "0.00", "-25.00", "-25.00"],
    ]);

    const client = ClientSchema.parse((await api.call("GET", `/clients/${clientId}`, { tenant: "layout" })).json);
    expect(client.csvLayout).toEqual({
      layout,
      encoding: null,
      importId: first.report.importId,
      rememberedAt: expect.any(String),
    });

    const next = await uploadAndWait(api, "layout", paths[1], "saldo-2025.txt", twoAmountColumns("-75,00"));
    expect(next.ticket.headers).toEqual({});
    expect(next.report.status).toBe("succeeded");
    expect(next.report.issues.map((issue) => issue.code)).toContain("CSV_LAYOUT_REMEMBERED");
    const nextView = TrialBalanceViewSchema.parse(
      (await api.call("GET", `${paths[1]}/trial-balance`, { tenant: "layout" })).json,
    );
    // Read with the remembered layout: the file states 1920 closing at -75.00. The default source plan opens 2025 at
    // 2024's closing (100.00), so the shown figures carry that opening and the file's movement.
    expect(nextView.accounts.find((a) => a.account === "1920")).toMatchObject({
      opening: "100.00",
      statedClosing: "-75.00",
      sources: { opening: { kind: "prior", importId: first.report.importId } },
    });
  });

  it("answers a closing-only CSV with null opening and movement, per account and in the totals", async () => {
    const api = await apiTestClient(local());
    const { paths } = await setup(api, "closing");
    const closingOnly = encoder.encode("1500\tKundefordringer\t125,00\r\n1920\tBankinnskudd\t-125,00\r\n");
    const { report } = await uploadAndWait(api, "closing", paths[1], "ub.txt", closingOnly);
    expect(report.status).toBe("succeeded");
    expect(report.issues.filter((issue) => issue.code === "OPENING_NOT_STATED")).toHaveLength(1);
    expect(report.issues.map((issue) => issue.code)).not.toContain("CLOSING_MISMATCH");
    const view = TrialBalanceViewSchema.parse(
      (await api.call("GET", `${paths[1]}/trial-balance`, { tenant: "closing" })).json,
    );
    expect(view.accounts.map((a) => [a.account, a.opening, a.movement, a.closing])).toEqual([
      ["1500", null, null, "125.00"],
      ["1920", null, null, "-125.00"],
    ]);
    expect(view.totals).toEqual({ opening: null, movement: null, closing: "0.00" });
  });

  it("refuses a layout the CSV reader cannot use with 400 naming the field, before any URL is signed", async () => {
    const api = await apiTestClient(local());
    const { paths } = await setup(api, "badlayout");
    const answer = await api.call("POST", `${paths[0]}/uploads`, {
      tenant: "badlayout",
      body: { fileName: "x.csv", size: 10, layout: { delimiter: "|" }, encoding: "klingon" },
    });
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ code: "VALIDATION_FAILED" });
    const paths400 = (answer.json as { errors: { path: string }[] }).errors.map((error) => error.path);
    expect(paths400).toEqual(expect.arrayContaining(["body.layout.delimiter", "body.encoding"]));
  });
});
