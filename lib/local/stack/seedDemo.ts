import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { EngagementConflictError } from "../../engagements/errors.ts";
import { createClient } from "../../engagements/manageClients.ts";
import { createEngagement } from "../../engagements/manageEngagements.ts";
import type { Client, Engagement, EngagementRef } from "../../engagements/types.ts";
import type { EngagementStore } from "../../engagements/ports.ts";
import type { ImportStore } from "../../imports/ports.ts";
import { listAllImports } from "../../imports/listAllImports.ts";
import type { ImportRunSummary } from "../../imports/ports.ts";
import { uploadKey } from "../../imports/uploadKey.ts";

/**
 * The demo the local stack seeds on first start: a tenant, the client of the bundled sample
 * (samples/demo-saft-1.30.xml, Fjellbekk Snekkeri AS) and a period-end engagement matching the sample's period
 * (2025-01-01 – 2025-03-31), so the import passes the activation rules (lib/imports/activationRules.ts) without a note.
 */
export const DEMO: {
  ref: EngagementRef;
  client: Pick<Client, "name" | "accountingSystem"> & { orgNumber: string };
  engagement: Pick<Engagement, "kind" | "fiscalYear" | "periodStart" | "periodEnd">;
} = {
  ref: { tenantId: "demo", clientId: "fjellbekk", engagementId: "q1-2025" },
  client: { orgNumber: "923609016", name: "Fjellbekk Snekkeri AS", accountingSystem: "other" },
  engagement: { kind: "period-end", fiscalYear: 2025, periodStart: "2025-01-01", periodEnd: "2025-03-31" },
};

export interface DemoSeedResult {
  ref: EngagementRef;
  /** True when this start uploaded the sample (the first start); false when the demo was already there. */
  uploaded: boolean;
  /** The key the sample was uploaded under. */
  key: string;
  /** The engagement's newest import after seeding (the sample's, imported through the S3 event path). */
  latestImport?: ImportRunSummary;
}

/**
 * Seeds the demo when the demo engagement has no import yet: creates the client and the engagement, then uploads
 * the sample to the bucket like any user would, so the real path (S3 event → ingest handler → DynamoDB) imports it,
 * and waits for that delivery. Idempotent: on later starts it only reports what is there.
 */
export async function seedDemo(deps: {
  engagementStore: EngagementStore;
  importStore: ImportStore;
  s3: S3Client;
  bucketName: string;
  samplePath: string;
  waitForDeliveries: () => Promise<void>;
  now?: () => Date;
}): Promise<DemoSeedResult> {
  const { ref } = DEMO;
  const now = (deps.now ?? (() => new Date()))().toISOString();
  const key = uploadKey({ ...ref, fileName: basename(deps.samplePath) });
  const existing = await listAllImports(deps.importStore, ref).catch(() => []);
  if (existing.length > 0) return { ref, uploaded: false, key, latestImport: existing[0]! };

  // Through the use cases every entry point uses (normalised, unique organisation number; one engagement per period).
  // A start that stopped halfway through seeding left them behind: then they are there already (ID_TAKEN).
  const clock = () => new Date(now);
  await createClient(
    { engagementStore: deps.engagementStore, now: clock },
    { tenantId: ref.tenantId, clientId: ref.clientId, ...DEMO.client },
  ).catch(alreadyThere);
  const { periodStart, periodEnd } = DEMO.engagement;
  await createEngagement({ engagementStore: deps.engagementStore, now: clock }, ref, {
    kind: "period-end",
    periodStart,
    periodEnd,
  }).catch(alreadyThere);
  const { size } = await stat(deps.samplePath);
  await deps.s3.send(
    new PutObjectCommand({
      Bucket: deps.bucketName,
      Key: key,
      Body: createReadStream(deps.samplePath),
      ContentLength: size,
      ContentType: "application/xml",
    }),
  );
  await deps.waitForDeliveries();
  const [latestImport] = (await deps.importStore.listImports(ref, { limit: 1 })).items;
  return { ref, uploaded: true, key, ...(latestImport ? { latestImport } : {}) };
}

function alreadyThere(error: unknown): void {
  if (!(error instanceof EngagementConflictError && error.code === "ID_TAKEN")) throw error;
}
