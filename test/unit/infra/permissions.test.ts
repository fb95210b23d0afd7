import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import {
  API_PERMISSIONS,
  API_ROUTES,
  INGEST_CONFIG,
  INGEST_PERMISSIONS,
  REFRESH_CONFIG,
  REFRESH_PERMISSIONS,
  SWEEPER_CONFIG,
  SWEEPER_PERMISSIONS,
  SYNC_DEAD_LETTERS_CONFIG,
  SYNC_DEAD_LETTERS_PERMISSIONS,
  SYNC_WORKER_CONFIG,
  SYNC_WORKER_PERMISSIONS,
  platformKeysSecretName,
  secretPrefix,
} from "../../../infra/config.ts";

/**
 * Invariants of the functions' IAM grants (infra/config.ts), checked against the code instead of restating the
 * constants: every action granted to a function is one that code the function's handler loads can call. The AWS SDK
 * commands in that code (and the kinds of items in its DynamoDB transactions, which IAM authorises item by item) are
 * found by reading the sources from the handler along its relative imports.
 */

const root = resolve(import.meta.dirname, "..", "..", "..");

/** The IAM actions each AWS SDK command needs (DynamoDB through lib-dynamodb's document commands). */
const ACTIONS_OF_COMMAND: Record<string, readonly string[]> = {
  GetCommand: ["dynamodb:GetItem"],
  PutCommand: ["dynamodb:PutItem"],
  UpdateCommand: ["dynamodb:UpdateItem"],
  DeleteCommand: ["dynamodb:DeleteItem"],
  QueryCommand: ["dynamodb:Query"],
  BatchWriteCommand: ["dynamodb:BatchWriteItem"],
  BatchGetCommand: ["dynamodb:BatchGetItem"],
  // A read of a given version needs s3:GetObjectVersion; a copy reads its source and writes its target.
  GetObjectCommand: ["s3:GetObject", "s3:GetObjectVersion"],
  CopyObjectCommand: ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"],
  PutObjectCommand: ["s3:PutObject"],
  InvokeCommand: ["lambda:InvokeFunction"],
  SendMessageCommand: ["sqs:SendMessage"],
  CreateSecretCommand: ["secretsmanager:CreateSecret"],
  PutSecretValueCommand: ["secretsmanager:PutSecretValue"],
  GetSecretValueCommand: ["secretsmanager:GetSecretValue"],
  DescribeSecretCommand: ["secretsmanager:DescribeSecret"],
  DeleteSecretCommand: ["secretsmanager:DeleteSecret"],
  RestoreSecretCommand: ["secretsmanager:RestoreSecret"],
  TagResourceCommand: ["secretsmanager:TagResource"],
};

/** TransactWriteItems is authorised per item: `Put:`, `Update:`, `Delete:`, `ConditionCheck:` items. */
const ACTIONS_OF_TRANSACTION_ITEM: Record<string, string> = {
  Put: "dynamodb:PutItem",
  Update: "dynamodb:UpdateItem",
  Delete: "dynamodb:DeleteItem",
  ConditionCheck: "dynamodb:ConditionCheckItem",
};

/**
 * Actions granted that no SDK call of saldo's names, each with why it is granted all the same.
 * - s3:ListBucket: without it S3 answers a GetObject of a missing object with 403 instead of 404.
 * - sqs:SendMessage on the ingest function's dead-letter queue: Lambda itself sends a failed asynchronous event there
 *   with the role (the sync queues' senders are checked: only the ingest function is exempt, see below).
 * - sqs:ReceiveMessage, DeleteMessage, GetQueueAttributes, ChangeMessageVisibility: Lambda's event source mapping
 *   polls the sync queue and deletes what the worker handled with the worker's role.
 */
const PLATFORM_ACTIONS = new Set([
  "s3:ListBucket",
  "sqs:ReceiveMessage",
  "sqs:DeleteMessage",
  "sqs:GetQueueAttributes",
  "sqs:ChangeMessageVisibility",
]);
/** Granted for the platform only to the ingest function (its dead-letter queue). */
const INGEST_PLATFORM_ACTIONS = new Set(["sqs:SendMessage"]);

/** The `.ts` files a module loads, following relative imports (type-only ones too: an over-approximation). */
function reachableSources(entry: string): string[] {
  const seen = new Set<string>();
  const pending = [resolve(root, entry)];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+\.ts)"/g)) {
      pending.push(resolve(dirname(file), match[1]!));
    }
  }
  return [...seen];
}

/** Every IAM action the code loaded by `handler` ("functions/….handler") can use. */
function actionsUsedBy(handler: string): Set<string> {
  const used = new Set<string>();
  for (const file of reachableSources(`${handler.replace(/\.handler$/, "")}.ts`)) {
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(/new (\w+Command)\(/g)) {
      for (const action of ACTIONS_OF_COMMAND[match[1]!] ?? []) used.add(action);
    }
    for (const match of text.matchAll(/\b(Put|Update|Delete|ConditionCheck): \{/g)) {
      used.add(ACTIONS_OF_TRANSACTION_ITEM[match[1]!]!);
    }
  }
  return used;
}

function unusedGrants(granted: readonly string[], handler: string): string[] {
  const used = actionsUsedBy(handler);
  return [...new Set(granted)].filter((action) => !used.has(action) && !PLATFORM_ACTIONS.has(action));
}

describe("every action granted is used by the function's code", () => {
  it("the ingest function", () => {
    expect(
      unusedGrants(Object.values(INGEST_PERMISSIONS).flat(), INGEST_CONFIG.handler).filter(
        (action) => !INGEST_PLATFORM_ACTIONS.has(action),
      ),
    ).toEqual([]);
  });

  it("the sync worker", () => {
    expect(unusedGrants(Object.values(SYNC_WORKER_PERMISSIONS).flat(), SYNC_WORKER_CONFIG.handler)).toEqual([]);
  });

  it("the sync queues' dead-letter worker", () => {
    expect(unusedGrants(Object.values(SYNC_DEAD_LETTERS_PERMISSIONS).flat(), SYNC_DEAD_LETTERS_CONFIG.handler)).toEqual(
      [],
    );
  });

  it("the refresh function", () => {
    expect(unusedGrants(Object.values(REFRESH_PERMISSIONS).flat(), REFRESH_CONFIG.handler)).toEqual([]);
  });

  it("the import sweeper", () => {
    expect(unusedGrants(Object.values(SWEEPER_PERMISSIONS).flat(), SWEEPER_CONFIG.handler)).toEqual([]);
  });

  it("finds the calls it checks against: the sync reads keys and writes batches; the sweeper invokes", () => {
    const sync = actionsUsedBy(SYNC_WORKER_CONFIG.handler);
    for (const action of ["secretsmanager:GetSecretValue", "dynamodb:BatchWriteItem", "dynamodb:UpdateItem"]) {
      expect(sync).toContain(action);
    }
    expect(actionsUsedBy(SWEEPER_CONFIG.handler)).toContain("lambda:InvokeFunction");
    expect(actionsUsedBy(SWEEPER_CONFIG.handler)).toContain("sqs:SendMessage");
    expect(actionsUsedBy(REFRESH_CONFIG.handler)).toContain("sqs:SendMessage");
    expect(actionsUsedBy(SYNC_WORKER_CONFIG.handler)).toContain("dynamodb:BatchWriteItem");
  });

  it.each(API_ROUTES.map((route) => [`${route.method} ${route.path}`, route] as const))(
    "the API route %s",
    (_name, route) => {
      const granted = route.access.flatMap((access) => API_PERMISSIONS[access]);
      expect(unusedGrants(granted, route.handler)).toEqual([]);
    },
  );

  it("finds the calls it checks against: the ingest's code writes chunks in batches and claims in a transaction", () => {
    const used = actionsUsedBy(INGEST_CONFIG.handler);
    for (const action of ["dynamodb:BatchWriteItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "s3:GetObject"]) {
      expect(used).toContain(action);
    }
  });
});

describe("no grant is wider than its use", () => {
  const everyAction = [
    ...Object.values(INGEST_PERMISSIONS).flat(),
    ...Object.values(SWEEPER_PERMISSIONS).flat(),
    ...Object.values(SYNC_WORKER_PERMISSIONS).flat(),
    ...Object.values(SYNC_DEAD_LETTERS_PERMISSIONS).flat(),
    ...Object.values(REFRESH_PERMISSIONS).flat(),
    ...Object.values(API_PERMISSIONS).flat(),
  ];

  it("names every action, no wildcards", () => {
    expect(everyAction.filter((action) => action.includes("*"))).toEqual([]);
  });

  it("never deletes an upload or a table item outside a client's organisation-number marker", () => {
    expect(everyAction.filter((action) => /^s3:Delete/.test(action))).toEqual([]);
    // DeleteItem only where a client is written (its marker is released in the same transaction).
    const withDelete = Object.entries(API_PERMISSIONS)
      .filter(([, actions]) => (actions as readonly string[]).includes("dynamodb:DeleteItem"))
      .map(([access]) => access);
    expect(withDelete).toEqual(["tableWrite"]);
    expect([
      ...INGEST_PERMISSIONS.table,
      ...SWEEPER_PERMISSIONS.table,
      ...SYNC_WORKER_PERMISSIONS.table,
      ...REFRESH_PERMISSIONS.table,
    ]).not.toContain("dynamodb:DeleteItem");
    expect(
      [
        ...SYNC_WORKER_PERMISSIONS.table,
        ...SYNC_WORKER_PERMISSIONS.clientKeys,
        ...SYNC_WORKER_PERMISSIONS.platformKeys,
      ].filter((action) => /Delete|Create|PutSecretValue/.test(action)),
    ).toEqual([]);
  });

  it("gives read-only routes no write action", () => {
    expect(API_PERMISSIONS.tableRead.filter((action) => !/:(GetItem|Query)$/.test(action))).toEqual([]);
    expect(API_PERMISSIONS.secretsRead).toEqual(["secretsmanager:DescribeSecret"]);
  });

  it("grants an index only to the sweeper and the refresh round, and only the index each queries", () => {
    const infra = (name: string) => readFileSync(resolve(root, "infra", name), "utf8");
    expect(infra("ingest.ts")).not.toContain("/index/");
    expect(infra("api.ts")).not.toContain("/index/");
    expect(infra("sweeper.ts")).toContain("/index/${SWEEPER_CONFIG.sweepIndex}");
    expect(infra("sweeper.ts")).not.toContain("/index/*");
    expect(infra("schedule.ts").match(/\/index\//g)).toHaveLength(1);
    expect(infra("schedule.ts")).toContain("/index/${REFRESH_CONFIG.scheduleIndex}");
  });

  it("lets the refresh round see whether a client has a key, never its value", () => {
    expect(REFRESH_PERMISSIONS.clientKeys).toEqual(["secretsmanager:DescribeSecret"]);
    expect(Object.values(REFRESH_PERMISSIONS).flat()).not.toContain("secretsmanager:GetSecretValue");
  });
});

describe("the sync queues and the platform keys in infra/", () => {
  const infra = (name: string) => readFileSync(resolve(root, "infra", name), "utf8");

  it("sends to the sync queues only from the sync route, the refresh round and the sweeper, on those queues alone", () => {
    expect(API_ROUTES.filter((route) => route.access.includes("sendSync")).map((route) => route.path)).toEqual([
      "/clients/{clientId}/engagements/{engagementId}/sync",
    ]);
    expect(infra("api.ts")).toContain("resources: syncQueueArns");
    expect(infra("sweeper.ts")).toContain("resources: syncQueueArns");
    expect(infra("schedule.ts")).toContain("resources: syncQueueArns");
    // Each worker polls its own queue alone.
    expect(infra("schedule.ts")).toContain("resources: [queue.arn]");
  });

  it("grants the platform-keys secret's value on that secret alone, and keeps it out of the client keys' prefix", () => {
    expect(infra("api.ts")).toContain("resources: [platformKeysSecret.arn]");
    expect(infra("schedule.ts")).toContain("resources: [platformKeysSecret.arn]");
    expect(platformKeysSecretName("production").startsWith(`${secretPrefix("production")}/`)).toBe(false);
    // Created without a value: the keys are set out of band and never pass through the deployment's state.
    expect(infra("secrets.ts")).not.toMatch(/SecretVersion|secretString/);
  });

  it("runs every sync in the queues' worker: no function of its own for a manual sync", () => {
    expect(existsSync(resolve(root, "infra", "sync.ts"))).toBe(false);
    expect(existsSync(resolve(root, "functions", "sync", "runSync.ts"))).toBe(false);
    expect(readFileSync(resolve(root, "sst.config.ts"), "utf8")).not.toMatch(/syncFunction/);
    expect(SYNC_WORKER_CONFIG.timeoutSeconds).toBe(900);
  });
});
