import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { SecretsManagerClient, type SecretsManagerClientConfig } from "@aws-sdk/client-secrets-manager";

/**
 * A fake AWS Secrets Manager speaking the service's wire protocol (AWS JSON 1.1: `POST /`, `X-Amz-Target:
 * secretsmanager.<Operation>`, JSON bodies, timestamps as epoch seconds, errors as HTTP 400/500 with
 * `{"__type": "<Exception>", "message": …}`) over real HTTP on 127.0.0.1, so the real SecretsManagerClient can be
 * tested at its SDK boundary. No emulator of Secrets Manager exists as an npm package.
 *
 * It models what SecretsManagerKeyVault relies on, with the service's documented behaviour: names are unique even
 * while a secret is scheduled for deletion; a secret scheduled for deletion refuses CreateSecret (same name),
 * PutSecretValue, GetSecretValue, TagResource and a second DeleteSecret with InvalidRequestException until
 * RestoreSecret; tag values are checked against the service's pattern.
 */
export interface FakeSecretsManager {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Every request received, in order: the operation (from X-Amz-Target) and the parsed JSON body. */
  readonly requests: ReceivedRequest[];
  /** The stored secrets by name (inspect only). */
  readonly secrets: ReadonlyMap<string, StoredSecret>;
  /** Operations received so far, in order. */
  operations(): string[];
  /** The next `times` requests for `operation` fail with this error instead of being served. */
  failNext(operation: string, error: { type: string; message?: string; status?: number }, times?: number): void;
  /** A SecretsManagerClient pointed at this fake, with dummy credentials. */
  client(config?: Partial<SecretsManagerClientConfig>): SecretsManagerClient;
  stop(): Promise<void>;
}

export interface ReceivedRequest {
  operation: string;
  body: Record<string, unknown>;
  /** Whether the request carried a SigV4 Authorization header (the real client signs every request). */
  signed: boolean;
}

export interface StoredSecret {
  arn: string;
  name: string;
  description?: string;
  kmsKeyId?: string;
  versions: { id: string; secretString?: string; stages: string[]; createdDate: number }[];
  tags: Map<string, string>;
  createdDate: number;
  lastChangedDate: number;
  deletedDate?: number;
}

const REGION = "eu-north-1";
const ACCOUNT = "123456789012";
/** Tag.Value in the Secrets Manager API reference. */
const TAG_VALUE_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export async function startFakeSecretsManager(): Promise<FakeSecretsManager> {
  const secrets = new Map<string, StoredSecret>();
  const requests: ReceivedRequest[] = [];
  const failures: { operation: string; error: ServiceError; remaining: number }[] = [];
  const clients: SecretsManagerClient[] = [];
  const nowSeconds = () => Date.now() / 1000;

  const find = (secretId: unknown): StoredSecret => {
    const id = String(secretId ?? "");
    const secret = secrets.get(id) ?? [...secrets.values()].find((candidate) => candidate.arn === id);
    if (!secret)
      throw new ServiceError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
    return secret;
  };
  const alive = (secret: StoredSecret, what: string): StoredSecret => {
    if (secret.deletedDate !== undefined) {
      throw new ServiceError(
        "InvalidRequestException",
        `You can't perform this operation on the secret because it was marked for deletion (${what}).`,
      );
    }
    return secret;
  };
  const checkTags = (tags: unknown): { Key: string; Value: string }[] => {
    const list = (Array.isArray(tags) ? tags : []) as { Key: string; Value: string }[];
    for (const tag of list) {
      if (!TAG_VALUE_PATTERN.test(tag.Value ?? "") || (tag.Value ?? "").length > 256) {
        throw new ServiceError(
          "ValidationException",
          `1 validation error detected: Value at 'tags.member.value' failed to satisfy constraint`,
        );
      }
    }
    return list;
  };
  const addVersion = (secret: StoredSecret, secretString: unknown) => {
    for (const version of secret.versions) {
      version.stages = version.stages.includes("AWSCURRENT") ? ["AWSPREVIOUS"] : [];
    }
    secret.versions = secret.versions.filter((version) => version.stages.length > 0);
    const version = {
      id: randomUUID(),
      secretString: String(secretString),
      stages: ["AWSCURRENT"],
      createdDate: nowSeconds(),
    };
    secret.versions.push(version);
    secret.lastChangedDate = nowSeconds();
    return version;
  };
  const current = (secret: StoredSecret) => secret.versions.find((version) => version.stages.includes("AWSCURRENT"));

  const operations: Record<string, (body: Record<string, unknown>) => unknown> = {
    CreateSecret(body) {
      const name = String(body.Name);
      const existing = secrets.get(name);
      if (existing?.deletedDate !== undefined) {
        throw new ServiceError(
          "InvalidRequestException",
          "You can't create this secret because a secret with this name is already scheduled for deletion.",
        );
      }
      if (existing)
        throw new ServiceError(
          "ResourceExistsException",
          `The operation failed because the secret ${name} already exists.`,
        );
      const tags = checkTags(body.Tags);
      const created = nowSeconds();
      const secret: StoredSecret = {
        arn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-${randomUUID().slice(0, 6)}`,
        name,
        ...(typeof body.Description === "string" ? { description: body.Description } : {}),
        ...(typeof body.KmsKeyId === "string" ? { kmsKeyId: body.KmsKeyId } : {}),
        versions: [],
        tags: new Map(tags.map((tag) => [tag.Key, tag.Value])),
        createdDate: created,
        lastChangedDate: created,
      };
      secrets.set(name, secret);
      const version = body.SecretString === undefined ? undefined : addVersion(secret, body.SecretString);
      return { ARN: secret.arn, Name: name, ...(version ? { VersionId: version.id } : {}) };
    },
    PutSecretValue(body) {
      const secret = alive(find(body.SecretId), "PutSecretValue");
      const version = addVersion(secret, body.SecretString);
      return { ARN: secret.arn, Name: secret.name, VersionId: version.id, VersionStages: version.stages };
    },
    GetSecretValue(body) {
      const secret = alive(find(body.SecretId), "GetSecretValue");
      const version = current(secret);
      if (!version)
        throw new ServiceError(
          "ResourceNotFoundException",
          "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
        );
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: version.id,
        SecretString: version.secretString,
        VersionStages: version.stages,
        CreatedDate: version.createdDate,
      };
    },
    DescribeSecret(body) {
      const secret = find(body.SecretId);
      return {
        ARN: secret.arn,
        Name: secret.name,
        ...(secret.description === undefined ? {} : { Description: secret.description }),
        ...(secret.kmsKeyId === undefined ? {} : { KmsKeyId: secret.kmsKeyId }),
        CreatedDate: secret.createdDate,
        LastChangedDate: secret.lastChangedDate,
        ...(secret.deletedDate === undefined ? {} : { DeletedDate: secret.deletedDate }),
        Tags: [...secret.tags].map(([Key, Value]) => ({ Key, Value })),
        VersionIdsToStages: Object.fromEntries(secret.versions.map((version) => [version.id, version.stages])),
      };
    },
    DeleteSecret(body) {
      const secret = find(body.SecretId);
      if (body.ForceDeleteWithoutRecovery === true && body.RecoveryWindowInDays !== undefined) {
        throw new ServiceError(
          "InvalidParameterException",
          "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
        );
      }
      if (secret.deletedDate !== undefined) {
        throw new ServiceError(
          "InvalidRequestException",
          "You tried to perform the operation on a secret that's currently marked deleted.",
        );
      }
      if (body.ForceDeleteWithoutRecovery === true) {
        secrets.delete(secret.name);
        return { ARN: secret.arn, Name: secret.name, DeletionDate: nowSeconds() };
      }
      const days = body.RecoveryWindowInDays === undefined ? 30 : Number(body.RecoveryWindowInDays);
      if (!Number.isInteger(days) || days < 7 || days > 30) {
        throw new ServiceError("InvalidParameterException", "RecoveryWindowInDays must be between 7 and 30 days.");
      }
      secret.deletedDate = nowSeconds();
      return { ARN: secret.arn, Name: secret.name, DeletionDate: secret.deletedDate + days * 86_400 };
    },
    RestoreSecret(body) {
      const secret = find(body.SecretId);
      delete secret.deletedDate;
      return { ARN: secret.arn, Name: secret.name };
    },
    TagResource(body) {
      const secret = alive(find(body.SecretId), "TagResource");
      for (const tag of checkTags(body.Tags)) secret.tags.set(tag.Key, tag.Value);
      secret.lastChangedDate = nowSeconds();
      return {};
    },
    UntagResource(body) {
      const secret = alive(find(body.SecretId), "UntagResource");
      for (const key of (body.TagKeys ?? []) as string[]) secret.tags.delete(key);
      secret.lastChangedDate = nowSeconds();
      return {};
    },
  };

  const respond = (response: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    response.writeHead(status, {
      "content-type": "application/x-amz-json-1.1",
      "content-length": Buffer.byteLength(text),
      "x-amzn-requestid": randomUUID(),
    });
    response.end(text);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const target = String(request.headers["x-amz-target"] ?? "");
    const operation = target.startsWith("secretsmanager.") ? target.slice("secretsmanager.".length) : target;
    let body: Record<string, unknown> = {};
    try {
      body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>) : {};
    } catch {
      respond(response, 400, { __type: "SerializationException", message: "body is not JSON" });
      return;
    }
    requests.push({
      operation,
      body,
      signed: String(request.headers.authorization ?? "").startsWith("AWS4-HMAC-SHA256 "),
    });
    try {
      if (request.method !== "POST" || request.url !== "/")
        throw new ServiceError("UnknownOperationException", "POST / only");
      const failure = failures.find((candidate) => candidate.operation === operation && candidate.remaining > 0);
      if (failure) {
        failure.remaining -= 1;
        throw failure.error;
      }
      const serve = operations[operation];
      if (!serve) throw new ServiceError("UnknownOperationException", `unknown operation ${operation}`);
      respond(response, 200, serve(body));
    } catch (error) {
      const serviceError =
        error instanceof ServiceError ? error : new ServiceError("InternalServiceError", "fake failure", 500);
      respond(response, serviceError.status, { __type: serviceError.type, message: serviceError.message });
    }
  };

  const server = createServer((request, response) => {
    void handle(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    endpoint,
    requests,
    secrets,
    operations: () => requests.map((request) => request.operation),
    failNext(operation, error, times = 1) {
      failures.push({
        operation,
        error: new ServiceError(error.type, error.message ?? `injected ${error.type}`, error.status ?? 400),
        remaining: times,
      });
    },
    client(config = {}) {
      const client = new SecretsManagerClient({
        endpoint,
        region: REGION,
        credentials: { accessKeyId: "AKIDFAKE", secretAccessKey: "fake-secret-access-key" },
        maxAttempts: 1,
        ...config,
      });
      clients.push(client);
      return client;
    },
    async stop() {
      for (const client of clients) client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
