import { parseConsoleConfig, type ConsoleConfig } from "./configSchema.ts";

export type { AuthConfig, ConsoleConfig } from "./configSchema.ts";

/** Reads `/config.json` (web/src/configSchema.ts says what it holds and who serves it). */
export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch("/config.json", { cache: "no-store" }).catch(() => undefined);
  if (!response?.ok || !(response.headers.get("content-type") ?? "").includes("json"))
    throw new Error(
      `the console has no configuration: /config.json answered ${response ? `HTTP ${response.status} (${response.headers.get("content-type") ?? "no type"})` : "nothing"}`,
    );
  return parseConsoleConfig(await response.json());
}
