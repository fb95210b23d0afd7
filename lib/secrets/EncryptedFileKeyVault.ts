import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, randomUUID } from "node:crypto";
import { link, mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import {
  KeyNotFoundError,
  KeyVaultCorruptError,
  KeyVaultError,
  KeyVaultMasterKeyError,
  KeyVaultRequestError,
  KeyVaultTamperedError,
} from "./errors.ts";
import { checkKeyValue, credentialOf, readStoredKeyValue } from "./keyValue.ts";
import type { KeyVault } from "./ports.ts";
import { checkKeyRef, lastFour, maskKey, secretName } from "./secretName.ts";
import type { Secret } from "./Secret.ts";
import type { IntegrationKeyBySystem, IntegrationSystem, KeyRef, KeyStatus } from "./types.ts";

/** Length of an AES-256 key. */
export const MASTER_KEY_BYTES = 32;
/** File name of the master key inside the vault's directory when none is given. */
export const MASTER_KEY_FILE = "master.key";
/** Version tag of the files this vault writes. */
const FILE_FORMAT = "saldo-key-vault/1";
/** 96-bit IVs, the size GCM is specified for (NIST SP 800-38D §8.2); random per encryption. */
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** One secret's file, as written and read back (zod: the file system is a trust boundary). */
const KeyFileSchema = z.object({
  format: z.literal(FILE_FORMAT),
  /** The secret name, which is also the AES-GCM additional data. */
  name: z.string(),
  /** Fingerprint of the master key the value was encrypted with (see masterKeyId). */
  masterKeyId: z.string(),
  iv: z.base64(),
  tag: z.base64(),
  ciphertext: z.base64(),
  /** Non-secret metadata, readable without the master key, like the tags of SecretsManagerKeyVault. */
  last4: z.string(),
  updatedAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().optional(),
});
type KeyFile = z.infer<typeof KeyFileSchema>;

export interface EncryptedFileKeyVaultOptions {
  /** Where the files live: the local stack uses `${SALDO_DATA_DIR}/secrets`. Created (mode 0700) on first use. */
  directory: string;
  /**
   * The 32-byte AES-256 key. When omitted, it is read from `${directory}/master.key` (base64), which is created with
   * mode 0600 and random bytes on first use.
   */
  masterKey?: Uint8Array;
  /** Clock for `updatedAt`; tests pin it. */
  now?: () => Date;
}

/**
 * Integration keys in local files, for the local stack (there is no Secrets Manager emulator). One JSON file per
 * secret, `${directory}/keys/{sha256 of the secret name}.json`: hashing keeps tenant and client ids that differ only
 * in case apart on case-insensitive file systems, and the name is kept inside the file.
 *
 * Each value is encrypted with AES-256-GCM under the master key, with a random 12-byte IV per write and the secret
 * name as additional authenticated data, so a file altered or copied to another tenant's/client's place fails
 * authentication (KeyVaultTamperedError) instead of yielding someone else's key. A fingerprint of the master key in
 * each file tells a wrong master key (KeyVaultMasterKeyError) from tampering. Writes go to a temporary file that is
 * then renamed over the old one, so a crash never leaves half a file.
 *
 * Writes of one secret are serialised within the process; across processes (the local stack, and `saldo connect`
 * storing a key) the last rename wins, and a reader never sees half a file.
 */
export class EncryptedFileKeyVault implements KeyVault {
  readonly #directory: string;
  readonly #keysDirectory: string;
  readonly #givenMasterKey: Uint8Array | undefined;
  readonly #now: () => Date;
  #masterKey: Promise<Buffer> | undefined;
  readonly #locks = new Map<string, Promise<unknown>>();

  constructor(options: EncryptedFileKeyVaultOptions) {
    this.#directory = options.directory;
    this.#keysDirectory = join(options.directory, "keys");
    this.#givenMasterKey = options.masterKey;
    this.#now = options.now ?? (() => new Date());
  }

  async put<S extends IntegrationSystem>(
    ref: KeyRef<S>,
    value: IntegrationKeyBySystem[S] | Secret<IntegrationKeyBySystem[S]>,
  ): Promise<KeyStatus> {
    const checkedRef = checkKeyRef(ref);
    const name = secretName(checkedRef);
    const plain = checkKeyValue(checkedRef.system, value);
    const credential = credentialOf(checkedRef.system, plain);
    // Everything after the checks runs under the secret's lock, in call order.
    return this.#locked(name, async () => {
      const key = await this.#loadMasterKey();
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(name, "utf8"));
      const ciphertext = Buffer.concat([cipher.update(JSON.stringify(plain), "utf8"), cipher.final()]);
      const record: KeyFile = {
        format: FILE_FORMAT,
        name,
        masterKeyId: masterKeyId(key),
        iv: iv.toString("base64"),
        tag: cipher.getAuthTag().toString("base64"),
        ciphertext: ciphertext.toString("base64"),
        last4: lastFour(credential),
        updatedAt: this.#now().toISOString(),
      };
      await this.#write(name, record);
      return toStatus(record);
    });
  }

  async get<S extends IntegrationSystem>(ref: KeyRef<S>): Promise<Secret<IntegrationKeyBySystem[S]>> {
    const checkedRef = checkKeyRef(ref);
    const name = secretName(checkedRef);
    const record = await this.#read(name);
    if (!record) {
      throw new KeyNotFoundError(`no ${checkedRef.system} key is set for client ${checkedRef.clientId}`, {
        context: { secretName: name },
      });
    }
    const key = await this.#loadMasterKey();
    const context = { secretName: name, file: this.#fileOf(name) };
    if (record.masterKeyId !== masterKeyId(key)) {
      throw new KeyVaultMasterKeyError(`${name} was encrypted with another master key than the one given`, { context });
    }
    let text: string;
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(record.iv, "base64"), {
        authTagLength: TAG_BYTES,
      });
      // The name expected for this ref, not the one in the file: a file moved or renamed fails here.
      decipher.setAAD(Buffer.from(name, "utf8"));
      decipher.setAuthTag(Buffer.from(record.tag, "base64"));
      text = Buffer.concat([decipher.update(Buffer.from(record.ciphertext, "base64")), decipher.final()]).toString(
        "utf8",
      );
    } catch (error) {
      throw new KeyVaultTamperedError(`${name} failed authentication: its file was altered or does not belong here`, {
        cause: error,
        context,
      });
    }
    return readStoredKeyValue(checkedRef.system, text, context);
  }

  async status(ref: KeyRef): Promise<KeyStatus> {
    const record = await this.#read(secretName(ref));
    return record ? toStatus(record) : { set: false };
  }

  async markUsed(ref: KeyRef, at: Date): Promise<void> {
    const name = secretName(ref);
    await this.#locked(name, async () => {
      const record = await this.#read(name);
      if (record) await this.#write(name, { ...record, lastUsedAt: at.toISOString() });
    });
  }

  async delete(ref: KeyRef): Promise<boolean> {
    const name = secretName(ref);
    return this.#locked(name, async () => {
      try {
        await unlink(this.#fileOf(name));
        return true;
      } catch (error) {
        if (errnoCode(error) === "ENOENT") return false;
        throw fileError(error, "delete", this.#fileOf(name));
      }
    });
  }

  #fileOf(name: string): string {
    return join(this.#keysDirectory, `${createHash("sha256").update(name, "utf8").digest("hex")}.json`);
  }

  async #read(name: string): Promise<KeyFile | undefined> {
    const file = this.#fileOf(name);
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      if (errnoCode(error) === "ENOENT") return undefined;
      throw fileError(error, "read", file);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new KeyVaultCorruptError(`${file} is not JSON`, { context: { secretName: name, file } });
    }
    const parsed = KeyFileSchema.safeParse(json);
    if (!parsed.success) {
      const fields = parsed.error.issues.map((issue) => issue.path.join(".") || "(file)").join(", ");
      throw new KeyVaultCorruptError(`${file} is not a saldo key file (${fields})`, {
        context: { secretName: name, file },
      });
    }
    return parsed.data;
  }

  async #write(name: string, record: KeyFile): Promise<void> {
    const file = this.#fileOf(name);
    await ensureDirectory(this.#keysDirectory);
    await writeAtomically(file, JSON.stringify(record, null, 2) + "\n");
  }

  /** Runs `task` after every earlier task on the same secret (read-modify-write of markUsed must not undo a put). */
  #locked<T>(name: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(name) ?? Promise.resolve();
    const next = previous.then(task, task);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.#locks.set(name, settled);
    void settled.then(() => {
      if (this.#locks.get(name) === settled) this.#locks.delete(name);
    });
    return next;
  }

  #loadMasterKey(): Promise<Buffer> {
    this.#masterKey ??= (async () => {
      if (this.#givenMasterKey !== undefined)
        return checkMasterKey(Buffer.from(this.#givenMasterKey), "the given master key");
      return loadOrCreateMasterKeyFile(join(this.#directory, MASTER_KEY_FILE));
    })();
    // A failed load is not cached: the next call tries again (e.g. after the file's permissions were fixed).
    this.#masterKey.catch(() => {
      this.#masterKey = undefined;
    });
    return this.#masterKey;
  }
}

/**
 * Reads the master key from `file` (base64 of 32 bytes), creating it with random bytes and mode 0600 when it does not
 * exist. Creation is race-free across processes: the key is written to a temporary file and hard-linked into place,
 * which fails if another process got there first — then that process's key is used.
 *
 * @throws KeyVaultMasterKeyError when the file does not hold a 32-byte key; KeyVaultRequestError when it cannot be
 * read or written.
 */
export async function loadOrCreateMasterKeyFile(file: string): Promise<Buffer> {
  const existing = await readMasterKeyFile(file);
  if (existing) return existing;
  const directory = join(file, "..");
  await ensureDirectory(directory);
  const temporary = `${file}.${randomUUID()}.tmp`;
  try {
    await writeDurably(temporary, randomBytes(MASTER_KEY_BYTES).toString("base64") + "\n");
    try {
      await link(temporary, file);
    } catch (error) {
      if (errnoCode(error) !== "EEXIST") throw error;
    }
  } catch (error) {
    throw fileError(error, "create the master key", file);
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
  const created = await readMasterKeyFile(file);
  if (!created) throw new KeyVaultRequestError(`${file} vanished right after it was created`, { context: { file } });
  return created;
}

async function readMasterKeyFile(file: string): Promise<Buffer | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return undefined;
    throw fileError(error, "read the master key", file);
  }
  return checkMasterKey(Buffer.from(text.trim(), "base64"), file);
}

function checkMasterKey(key: Buffer, what: string): Buffer {
  if (key.length !== MASTER_KEY_BYTES) {
    throw new KeyVaultMasterKeyError(`${what} is not a ${MASTER_KEY_BYTES}-byte key (got ${key.length} bytes)`, {
      context: { masterKey: what },
    });
  }
  return key;
}

/**
 * A short, non-reversible fingerprint of the master key (HMAC-SHA-256 of a fixed label), so that a wrong key is
 * reported as such rather than as tampering.
 */
function masterKeyId(key: Buffer): string {
  return createHmac("sha256", key).update("saldo key vault master key id").digest("base64url").slice(0, 16);
}

function toStatus(record: KeyFile): KeyStatus {
  return {
    set: true,
    masked: maskKey(record.last4),
    updatedAt: record.updatedAt,
    ...(record.lastUsedAt === undefined ? {} : { lastUsedAt: record.lastUsedAt }),
  };
}

async function ensureDirectory(directory: string): Promise<void> {
  try {
    await mkdir(directory, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw fileError(error, "create the directory", directory);
  }
}

/** Writes `text` to a temporary file (mode 0600, flushed to disk) and renames it over `file`. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const temporary = `${file}.${randomUUID()}.tmp`;
  try {
    await writeDurably(temporary, text);
    await rename(temporary, file);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw fileError(error, "write", file);
  }
}

async function writeDurably(file: string, text: string): Promise<void> {
  const handle = await open(file, "wx", 0o600);
  try {
    await handle.writeFile(text, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function errnoCode(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "code" in error && typeof error.code === "string"
    ? error.code
    : undefined;
}

function fileError(error: unknown, action: string, file: string): KeyVaultError {
  if (error instanceof KeyVaultError) return error;
  const code = errnoCode(error) ?? (error instanceof Error ? error.name : "Error");
  return new KeyVaultRequestError(`could not ${action} ${file} (${code})`, { cause: error, context: { file } });
}

/** The local stack's vault directory: `${dataDir}/secrets` (its master key at `${dataDir}/secrets/master.key`). */
export function localKeyVaultDirectory(dataDir: string): string {
  return join(dataDir, "secrets");
}
