import { S3Client } from "@aws-sdk/client-s3";
import type { EngagementRef } from "../engagements/types.ts";
import type { EngagementStore } from "../engagements/ports.ts";
import type { ImportStore } from "../imports/ports.ts";
import { IdSchema } from "../ids/ids.ts";
import { createDynamoStores } from "../store/createDynamoStores.ts";
import { invalidIdError, UsageError } from "./errors.ts";
import { resolveTarget, type Target } from "./resolveTarget.ts";

/** The `--tenant`, `--client`, `--engagement` options every pipeline command takes. */
export const ENGAGEMENT_OPTIONS = {
  tenant: { type: "string" },
  client: { type: "string" },
  engagement: { type: "string" },
} as const;

/** Reads and checks the engagement named on the command line (ids as in the upload key layout). */
export function engagementRefFromOptions(values: {
  tenant?: string;
  client?: string;
  engagement?: string;
}): EngagementRef {
  const ids: [string, string | undefined][] = [
    ["tenant", values.tenant],
    ["client", values.client],
    ["engagement", values.engagement],
  ];
  for (const [name, value] of ids) {
    if (value === undefined) throw new UsageError(`--${name} is required`, `Oppgi --${name}.`);
    const checked = IdSchema.safeParse(value);
    if (!checked.success) throw invalidIdError(name, value, checked.error.issues[0]?.message);
  }
  return { tenantId: values.tenant!, clientId: values.client!, engagementId: values.engagement! };
}

/** The stores and the S3 client of the resolved target, for one command; `close` releases their sockets. */
export interface PipelineTarget {
  target: Target;
  engagementStore: EngagementStore;
  importStore: ImportStore;
  s3: S3Client;
  close(): void;
}

/** Resolves the target from the environment (lib/cli/resolveTarget.ts) and opens its adapters. */
export async function openPipelineTarget(
  env: Record<string, string | undefined>,
  cwd?: string,
): Promise<PipelineTarget> {
  const target = await resolveTarget(env, cwd);
  const stores = createDynamoStores({ tableName: target.tableName, clientConfig: target.dynamoDbClientConfig });
  const s3 = new S3Client(target.s3ClientConfig);
  return {
    target,
    engagementStore: stores.engagementStore,
    importStore: stores.importStore,
    s3,
    close: () => {
      s3.destroy();
      stores.close();
    },
  };
}
