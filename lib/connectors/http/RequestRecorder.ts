import type { RequestRecord } from "../ports.ts";

/**
 * Query parameters whose values are secrets and are never recorded, logged or put in an error: names ending in
 * `token`, `key`, `secret` or `password` (Tripletex `consumerToken`/`employeeToken` on `/token/session/:create`,
 * any `…Key`), case-insensitively, plus `Authorization`-like names.
 */
export const SECRET_QUERY_PARAM = /(?:token|key|secret|password|passwd|authorization|signature)$/i;

/** Path and query as sent, without the secret parameters (removed, not masked: their names say nothing useful). */
export function redactPathAndQuery(
  pathAndQuery: string,
  isSecret: (name: string) => boolean = (name) => SECRET_QUERY_PARAM.test(name),
): string {
  const questionMark = pathAndQuery.indexOf("?");
  if (questionMark < 0) return pathAndQuery;
  const path = pathAndQuery.slice(0, questionMark);
  const kept = pathAndQuery
    .slice(questionMark + 1)
    .split("&")
    .filter((pair) => pair !== "" && !isSecret(safeDecode(pair.split("=")[0]!)));
  return kept.length > 0 ? `${path}?${kept.join("&")}` : path;
}

/**
 * Keeps the requests a connector made, for the import's provenance: every request counted exactly, the first
 * `limit` (default 500) kept in full, so a 1 M-posting sync does not carry thousands of records around.
 */
export class RequestRecorder {
  readonly #limit: number;
  readonly #records: RequestRecord[] = [];
  #count = 0;

  constructor(options: { limit?: number } = {}) {
    this.#limit = options.limit ?? 500;
  }

  record(entry: RequestRecord): void {
    this.#count++;
    if (this.#records.length < this.#limit) this.#records.push({ ...entry, path: redactPathAndQuery(entry.path) });
  }

  /** Every request made (retries included). */
  get count(): number {
    return this.#count;
  }

  /** The first `limit` requests (a copy). */
  get records(): RequestRecord[] {
    return this.#records.map((record) => ({ ...record }));
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return text;
  }
}
