import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  SecretsManagerClient,
  TagResourceCommand,
  type DescribeSecretCommandOutput,
  type SecretsManagerClientConfig,
  type Tag,
} from "@aws-sdk/client-secrets-manager";
import {
  KeyNotFoundError,
  KeyVaultCorruptError,
  KeyVaultUnavailableError,
  translateSecretsManagerError,
} from "./errors.ts";
import { checkKeyValue, credentialOf, readStoredKeyValue } from "./keyValue.ts";
import type { KeyVault } from "./ports.ts";
import { DEFAULT_SECRET_PREFIX, checkKeyRef, lastFour, maskKey, secretName } from "./secretName.ts";
import type { Secret } from "./Secret.ts";
import type { IntegrationKeyBySystem, IntegrationSystem, KeyRef, KeyStatus } from "./types.ts";

/**
 * Tag keys of saldo's secrets. The non-secret facts a status needs live in tags, so that {@link
 * SecretsManagerKeyVault.status} answers from DescribeSecret alone and never calls GetSecretValue: the API's status
 * route needs no permission to read values (only the connectors' role gets `secretsmanager:GetSecretValue`), and
 * reading values is what Secrets Manager bills and CloudTrail audits as access.
 *
 * Tags rather than the description: each is updated on its own (TagResource), so `markUsed` never races with `put`
 * over a shared field. Tenant, client and system tags let IAM policies use `secretsmanager:ResourceTag/…`.
 */
export const SECRET_TAGS = {
  tenantId: "saldo:tenant",
  clientId: "saldo:client",
  system: "saldo:system",
  /** Last 4 characters of the credential (see lastFour), encoded with {@link encodeTagValue}. */
  last4: "saldo:last4",
  /** ISO 8601 time of the last `put`. */
  updatedAt: "saldo:updatedAt",
  /** ISO 8601 time of the last `markUsed`; empty after a `put` (the new key has not been used yet). */
  lastUsedAt: "saldo:lastUsedAt",
} as const;

/** Characters Secrets Manager allows in tag values (Tag.Value: `^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`). */
const TAG_VALUE_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const BASE64URL_TAG_PREFIX = "b64u:";

/**
 * A tag value for arbitrary text: as is when Secrets Manager allows its characters, otherwise `b64u:` + base64url
 * (a credential may end in characters such as `!` or `~` that tags refuse).
 */
export function encodeTagValue(text: string): string {
  if (TAG_VALUE_PATTERN.test(text) && !text.startsWith(BASE64URL_TAG_PREFIX)) return text;
  return BASE64URL_TAG_PREFIX + Buffer.from(text, "utf8").toString("base64url");
}

/** Inverse of {@link encodeTagValue}. */
export function decodeTagValue(value: string): string {
  if (!value.startsWith(BASE64URL_TAG_PREFIX)) return value;
  return Buffer.from(value.slice(BASE64URL_TAG_PREFIX.length), "base64url").toString("utf8");
}

export interface SecretsManagerKeyVaultOptions {
  /** A ready client (created once per Lambda container at the composition root); otherwise one is made from clientConfig. */
  client?: SecretsManagerClient;
  clientConfig?: SecretsManagerClientConfig;
  /** First segment(s) of secret names, e.g. one per stage; default `saldo`. */
  prefix?: string;
  /** Customer managed KMS key for new secrets; default Secrets Manager's `aws/secretsmanager` key. */
  kmsKeyId?: string;
  /**
   * How `delete` deletes. Default: a 7-day recovery window (the shortest Secrets Manager allows), so an operator can
   * still restore a key deleted by mistake, while the API already reports it as not set. `"force"` deletes without
   * recovery (e.g. for test stages).
   */
  deletion?: { recoveryWindowInDays: number } | "force";
  /** Clock for `updatedAt`; tests pin it. */
  now?: () => Date;
}

/**
 * Integration keys in AWS Secrets Manager, one secret per key named `saldo/{tenantId}/{clientId}/{system}` holding
 * the value as JSON (`{"clientKey":"…"}` or `{"employeeToken":"…"}`).
 *
 * - `put`: CreateSecret (with all tags) the first time; when the secret exists (ResourceExistsException),
 *   PutSecretValue then one TagResource for last4/updatedAt/lastUsedAt. A secret scheduled for deletion refuses
 *   CreateSecret and PutSecretValue (InvalidRequestException): it is restored (RestoreSecret) and then written, so
 *   delete-then-put works inside the recovery window. (After a forced deletion, AWS may refuse the name for a few
 *   seconds: that is reported as KeyVaultUnavailableError, to be retried.)
 * - `status`: DescribeSecret only (tags; a secret with a DeletedDate counts as not set).
 * - `get`: GetSecretValue (the AWSCURRENT version), validated with the system's schema.
 * - `markUsed`: one TagResource; ignored when the secret is gone or scheduled for deletion.
 * - `delete`: DescribeSecret (to answer `false` for an absent or already deleted key, which DeleteSecret would refuse
 *   with an error), then DeleteSecret with the configured recovery.
 *
 * Every SDK failure is translated into a KeyVaultError; no value ever appears in one.
 */
export class SecretsManagerKeyVault implements KeyVault {
  readonly #client: SecretsManagerClient;
  readonly #prefix: string;
  readonly #kmsKeyId: string | undefined;
  readonly #deletion: { recoveryWindowInDays: number } | "force";
  readonly #now: () => Date;

  constructor(options: SecretsManagerKeyVaultOptions = {}) {
    this.#client = options.client ?? new SecretsManagerClient(options.clientConfig ?? {});
    this.#prefix = options.prefix ?? DEFAULT_SECRET_PREFIX;
    this.#kmsKeyId = options.kmsKeyId;
    this.#deletion = options.deletion ?? { recoveryWindowInDays: 7 };
    this.#now = options.now ?? (() => new Date());
  }

  async put<S extends IntegrationSystem>(
    ref: KeyRef<S>,
    value: IntegrationKeyBySystem[S] | Secret<IntegrationKeyBySystem[S]>,
  ): Promise<KeyStatus> {
    const checkedRef = checkKeyRef(ref);
    const name = secretName(checkedRef, this.#prefix);
    const plain = checkKeyValue(checkedRef.system, value);
    const secretString = JSON.stringify(plain);
    const last4 = lastFour(credentialOf(checkedRef.system, plain));
    const updatedAt = this.#now().toISOString();
    const metadata: Tag[] = [
      { Key: SECRET_TAGS.last4, Value: encodeTagValue(last4) },
      { Key: SECRET_TAGS.updatedAt, Value: updatedAt },
      { Key: SECRET_TAGS.lastUsedAt, Value: "" },
    ];
    const context = { secretName: name };

    let created = true;
    try {
      await this.#client.send(
        new CreateSecretCommand({
          Name: name,
          Description: `saldo integration key (${checkedRef.system}) of client ${checkedRef.clientId}, tenant ${checkedRef.tenantId}`,
          SecretString: secretString,
          ...(this.#kmsKeyId === undefined ? {} : { KmsKeyId: this.#kmsKeyId }),
          Tags: [
            { Key: SECRET_TAGS.tenantId, Value: checkedRef.tenantId },
            { Key: SECRET_TAGS.clientId, Value: checkedRef.clientId },
            { Key: SECRET_TAGS.system, Value: checkedRef.system },
            ...metadata,
          ],
        }),
      );
    } catch (error) {
      created = false;
      if (sdkErrorName(error) === "InvalidRequestException") {
        // The name is taken by a secret scheduled for deletion (a key deleted within its recovery window): restore
        // it, then write the new value over the old one below.
        if (await this.#isScheduledForDeletion(name)) {
          await this.#send("RestoreSecret", context, () =>
            this.#client.send(new RestoreSecretCommand({ SecretId: name })),
          );
        } else if (error instanceof Error && /delet/i.test(error.message)) {
          // Right after a forced deletion AWS refuses the name for a while ("scheduled for deletion") although
          // DescribeSecret no longer finds it: retryable. Other InvalidRequestExceptions (a disabled KMS key…) are not.
          throw new KeyVaultUnavailableError(
            `Secrets Manager CreateSecret: ${name} is still being deleted; retry shortly`,
            {
              cause: error,
              context: { operation: "CreateSecret", ...context },
            },
          );
        } else {
          throw translateSecretsManagerError(error, "CreateSecret", context);
        }
      } else if (sdkErrorName(error) !== "ResourceExistsException") {
        throw translateSecretsManagerError(error, "CreateSecret", context);
      }
    }

    if (!created) {
      await this.#putValue(name, secretString, context);
      // After the value: a failure here leaves the new value with the old tags, and the caller's retry of put mends them.
      await this.#send("TagResource", context, () =>
        this.#client.send(new TagResourceCommand({ SecretId: name, Tags: metadata })),
      );
    }
    return { set: true, masked: maskKey(last4), updatedAt };
  }

  async get<S extends IntegrationSystem>(ref: KeyRef<S>): Promise<Secret<IntegrationKeyBySystem[S]>> {
    const checkedRef = checkKeyRef(ref);
    const name = secretName(checkedRef, this.#prefix);
    const context = { secretName: name };
    let secretString: string | undefined;
    try {
      const output = await this.#client.send(new GetSecretValueCommand({ SecretId: name }));
      secretString = output.SecretString;
    } catch (error) {
      if (sdkErrorName(error) === "ResourceNotFoundException") throw notSet(checkedRef, name, error);
      // A secret scheduled for deletion refuses GetSecretValue with InvalidRequestException: for saldo it is not set.
      if (sdkErrorName(error) === "InvalidRequestException" && (await this.#isScheduledForDeletion(name))) {
        throw notSet(checkedRef, name, error);
      }
      throw translateSecretsManagerError(error, "GetSecretValue", context);
    }
    if (secretString === undefined) {
      throw new KeyVaultCorruptError(`secret ${name} holds binary data, not a saldo key`, { context });
    }
    return readStoredKeyValue(checkedRef.system, secretString, context);
  }

  async status(ref: KeyRef): Promise<KeyStatus> {
    const name = secretName(ref, this.#prefix);
    const description = await this.#describe(name);
    if (!description || description.DeletedDate !== undefined) return { set: false };
    const tags = new Map((description.Tags ?? []).map((tag) => [tag.Key ?? "", tag.Value ?? ""]));
    const last4Tag = tags.get(SECRET_TAGS.last4);
    const updatedAt = tags.get(SECRET_TAGS.updatedAt) || description.LastChangedDate?.toISOString();
    const lastUsedAt = tags.get(SECRET_TAGS.lastUsedAt);
    return {
      set: true,
      // A secret created outside saldo has no last4 tag: say it is set without showing anything.
      ...(last4Tag === undefined ? {} : { masked: maskKey(decodeTagValue(last4Tag)) }),
      ...(updatedAt ? { updatedAt } : {}),
      ...(lastUsedAt ? { lastUsedAt } : {}),
    };
  }

  async markUsed(ref: KeyRef, at: Date): Promise<void> {
    const name = secretName(ref, this.#prefix);
    try {
      await this.#client.send(
        new TagResourceCommand({ SecretId: name, Tags: [{ Key: SECRET_TAGS.lastUsedAt, Value: at.toISOString() }] }),
      );
    } catch (error) {
      const errorName = sdkErrorName(error);
      // Gone, or scheduled for deletion (Secrets Manager refuses changes to it): nothing to record.
      if (errorName === "ResourceNotFoundException") return;
      if (errorName === "InvalidRequestException" && (await this.#isScheduledForDeletion(name))) return;
      throw translateSecretsManagerError(error, "TagResource", { secretName: name });
    }
  }

  async delete(ref: KeyRef): Promise<boolean> {
    const name = secretName(ref, this.#prefix);
    const description = await this.#describe(name);
    if (!description || description.DeletedDate !== undefined) return false;
    try {
      await this.#client.send(
        new DeleteSecretCommand(
          this.#deletion === "force"
            ? { SecretId: name, ForceDeleteWithoutRecovery: true }
            : { SecretId: name, RecoveryWindowInDays: this.#deletion.recoveryWindowInDays },
        ),
      );
      return true;
    } catch (error) {
      // Deleted by someone else between DescribeSecret and DeleteSecret: the outcome the caller wanted.
      if (sdkErrorName(error) === "ResourceNotFoundException") return false;
      throw translateSecretsManagerError(error, "DeleteSecret", { secretName: name });
    }
  }

  /** PutSecretValue, restoring the secret first when it is scheduled for deletion. */
  async #putValue(name: string, secretString: string, context: Record<string, unknown>): Promise<void> {
    const put = () => this.#client.send(new PutSecretValueCommand({ SecretId: name, SecretString: secretString }));
    try {
      await put();
      return;
    } catch (error) {
      if (sdkErrorName(error) !== "InvalidRequestException" || !(await this.#isScheduledForDeletion(name))) {
        throw translateSecretsManagerError(error, "PutSecretValue", context);
      }
    }
    await this.#send("RestoreSecret", context, () => this.#client.send(new RestoreSecretCommand({ SecretId: name })));
    await this.#send("PutSecretValue", context, put);
  }

  /** DescribeSecret, or `undefined` when there is no such secret. */
  async #describe(name: string): Promise<DescribeSecretCommandOutput | undefined> {
    try {
      return await this.#client.send(new DescribeSecretCommand({ SecretId: name }));
    } catch (error) {
      if (sdkErrorName(error) === "ResourceNotFoundException") return undefined;
      throw translateSecretsManagerError(error, "DescribeSecret", { secretName: name });
    }
  }

  async #isScheduledForDeletion(name: string): Promise<boolean> {
    const description = await this.#describe(name);
    return description?.DeletedDate !== undefined;
  }

  /** Runs one SDK call, translating its failure. */
  async #send<T>(operation: string, context: Record<string, unknown>, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw translateSecretsManagerError(error, operation, context);
    }
  }
}

function sdkErrorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

function notSet(ref: KeyRef, name: string, cause: unknown): KeyNotFoundError {
  return new KeyNotFoundError(`no ${ref.system} key is set for client ${ref.clientId}`, {
    cause,
    context: { secretName: name },
  });
}
