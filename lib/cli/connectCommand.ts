import type { AccountingConnector, ConnectedCompany, ConnectionCheck } from "../connectors/ports.ts";
import { EngagementConflictError } from "../engagements/errors.ts";
import { createClient, getClient, updateClient } from "../engagements/manageClients.ts";
import type { Client, ClientRef } from "../engagements/types.ts";
import { IdSchema } from "../ids/ids.ts";
import { bindIntegrationCompany, storeIntegrationKey } from "../imports/integrationConnection.ts";
import { formatOrgNumberForPeople } from "../presentation/formatForPeople.ts";
import { labelsFor } from "../presentation/labels.ts";
import type { Locale } from "../presentation/locale.ts";
import { displayWidth } from "../presentation/textTable.ts";
import { IntegrationKeySchemas, IntegrationSystemSchema } from "../secrets/schemas.ts";
import { Secret } from "../secrets/Secret.ts";
import type { IntegrationKeyBySystem, IntegrationSystem, KeyStatus } from "../secrets/types.ts";
import { ConnectRefusedError, invalidIdError, UsageError } from "./errors.ts";
import { openIntegrationTarget } from "./integrationTarget.ts";
import { LOCALE_OPTION, localeFromOptions } from "./outputOptions.ts";
import { parseOptions } from "./parseOptions.ts";

/** Exit code of `saldo connect` when the key was checked but the client is not connected (see the status). */
export const EXIT_NOT_CONNECTED = 3;

/** How the connection was seen: the check's outcome (a new client's key), or the status recorded on the client. */
type ConnectionJson = Pick<ConnectionCheck, "status" | "checkedAt" | "company" | "missingPrivileges" | "message">;

/** What `saldo connect --json` prints. */
interface ConnectJson {
  system: IntegrationSystem;
  client: { clientId: string; name: string; orgNumber: string | null; created: boolean } | null;
  key: KeyStatus | null;
  companyId: string | null;
  connection: ConnectionJson;
  /** The companies the key reaches, when the client must be bound to one of them (an accountant key). */
  companies: ConnectedCompany[] | null;
}

/**
 * `saldo connect <poweroffice-go|tripletex> --tenant T --client C --key KEY [--company ID] [--json] [--locale nb|en]`:
 * connects a client to its accounting system. Stores the key through the same use case as
 * `PUT /clients/{clientId}/integrations/{system}` (`putIntegrationKey`), binds the company with `--company` (an
 * accountant key reaches several; it must name one the key reaches), checks the connection (`checkConnection`, which
 * records the status on the client) and prints the company it reaches.
 *
 * A client that does not exist yet is created — named after the company the key reaches, with its organisation
 * number, its accounting system set — only once the key has been checked and the company is known: a refused key, or
 * an accountant key without `--company` (whose companies are listed, to pick one), creates and stores nothing. An
 * existing client of another accounting system is switched to this one (a sync reads the client's system).
 *
 * Exit codes: 0 connected (status `ok`); 3 the key was checked but the client is not connected (the status says why:
 * `invalid-key`, `no-access`, …, or a company to pick); 1 it could not be done; 2 wrong usage.
 */
export async function connectCommand(
  args: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const { values, positionals } = parseOptions(args, {
    tenant: { type: "string" },
    client: { type: "string" },
    key: { type: "string" },
    company: { type: "string" },
    json: { type: "boolean", default: false },
    ...LOCALE_OPTION,
  });
  const [systemArgument, ...extra] = positionals;
  const system = IntegrationSystemSchema.safeParse(systemArgument);
  if (!system.success || extra.length > 0)
    throw new UsageError(
      `connect takes one accounting system: ${IntegrationSystemSchema.options.join(" or ")}`,
      `«saldo connect» tar ett regnskapssystem: ${IntegrationSystemSchema.options.join(" eller ")}.`,
    );
  for (const name of ["tenant", "client"] as const) {
    const value = values[name];
    if (value === undefined) throw new UsageError(`--${name} is required`, `Oppgi --${name}.`);
    const checked = IdSchema.safeParse(value);
    if (!checked.success) throw invalidIdError(name, value, checked.error.issues[0]?.message);
  }
  if (values.company !== undefined && !/^\d{1,18}$/.test(values.company))
    throw new UsageError(
      `--company "${values.company}": expected the system's company id (digits)`,
      `--company «${values.company}» er ikke en selskaps-id: oppgi systemets id for selskapet (sifre).`,
    );
  const ref: ClientRef = { tenantId: values.tenant!, clientId: values.client! };
  const key = keyOf(system.data, values.key);
  const locale = localeFromOptions(values.locale, env);
  const labels = labelsFor(locale).integration;
  const lines: string[] = [];

  const target = await openIntegrationTarget(env, { syncs: false });
  try {
    const { deps } = target;
    const connector = deps.connectors[system.data] as AccountingConnector | undefined;
    if (connector === undefined)
      throw new ConnectRefusedError("SYNC_NOT_CONNECTED", `this target has no ${system.data} connector`, {
        system: system.data,
        reason: "no-connector",
      });
    const companyId = values.company;
    const chosen = companyId === undefined ? undefined : await reachedCompany(connector, key, companyId);

    let client = await target.engagementStore.getClient(ref);
    // A deleted client stays deleted (its id is never revived): the use case says it does not exist.
    if (client?.deletedAt !== undefined) await getClient(deps, ref);
    let created = false;
    if (client === undefined) {
      // A new client is named after the company the key reaches: find it before creating anything.
      const probe = await connector.check({ key, ...(chosen ? { companyId: chosen.id } : {}) });
      const company = chosen ?? (probe.status === "ok" ? probe.company : undefined);
      if (company === undefined) {
        const companies = await companiesToPick(connector, key, probe);
        return finish({ system: system.data, client: null, key: null, companyId: null, connection: probe, companies }, [
          labels.notCreated(ref.clientId),
        ]);
      }
      client = await createNamedAfter(deps, ref, company, system.data);
      created = true;
      lines.push(
        labels.createdClient(
          ref.clientId,
          client.name,
          client.orgNumber === undefined ? undefined : formatOrgNumberForPeople(client.orgNumber, locale),
          system.data,
        ),
      );
    } else if (client.accountingSystem !== system.data) {
      const previous = client.accountingSystem;
      client = await updateClient(deps, ref, { accountingSystem: system.data });
      lines.push(labels.systemChanged(ref.clientId, system.data, previous));
    }

    // The use cases of `PUT …/integrations/{system}` (store and check) and `PUT …/integrations/tripletex/company`
    // (bind, which checks again as bound).
    const integrationRef = { ...ref, system: system.data };
    let view = await storeIntegrationKey(deps, integrationRef, key);
    lines.push(labels.storedKey(system.data, view.key.masked ?? "", ref.clientId));
    if (chosen !== undefined) {
      view = await bindIntegrationCompany(deps, integrationRef, chosen.id);
      lines.push(labels.boundCompany(chosen.id, chosen.name));
    }
    const connection: ConnectionJson = view.connection ?? {
      status: "unavailable",
      checkedAt: new Date().toISOString(),
      message: "the connection was not checked",
    };
    const companies = view.companyId === undefined ? await companiesToPick(connector, key, connection) : null;
    return finish(
      {
        system: system.data,
        client: { clientId: client.clientId, name: client.name, orgNumber: client.orgNumber ?? null, created },
        key: view.key,
        companyId: view.companyId ?? null,
        connection,
        companies,
      },
      lines,
    );
  } finally {
    target.close();
  }

  function finish(result: ConnectJson, said: string[]): number {
    if (values.json) process.stdout.write(JSON.stringify(result, null, 2) + "\n");
    else process.stdout.write(renderConnected(result, said, ref, locale));
    return result.connection.status === "ok" && result.client !== null ? 0 : EXIT_NOT_CONNECTED;
  }
}

/** The key as its system's value, validated as the API validates it (the messages never echo the value). */
function keyOf<S extends IntegrationSystem>(system: S, value: string | undefined): Secret<IntegrationKeyBySystem[S]> {
  if (value === undefined || value === "")
    throw new UsageError("--key is required", "Oppgi --key (nøkkelen fra regnskapssystemet).");
  const field = system === "tripletex" ? "employeeToken" : "clientKey";
  const parsed = IntegrationKeySchemas[system].safeParse({ [field]: value });
  if (!parsed.success)
    throw new UsageError(
      `--key: ${parsed.error.issues.map((issue) => issue.message).join("; ")}`,
      `--key har ikke riktig form (${parsed.error.issues.map((issue) => issue.message).join("; ")}). Kopier hele nøkkelen på nytt.`,
    );
  return new Secret(parsed.data as IntegrationKeyBySystem[S]);
}

/** The company `--company` names, when the key reaches it; otherwise refused, naming the companies it does reach. */
async function reachedCompany(
  connector: AccountingConnector,
  key: Secret<IntegrationKeyBySystem[IntegrationSystem]>,
  companyId: string,
): Promise<ConnectedCompany> {
  const companies = await connector.listCompanies({ key });
  const company = companies.find((candidate) => candidate.id === companyId);
  if (company !== undefined) return company;
  throw new ConnectRefusedError(
    "INTEGRATION_COMPANY_UNREACHABLE",
    `the key does not reach company ${companyId}; it reaches ${
      companies.map((candidate) => `${candidate.id} (${candidate.name})`).join(", ") || "none"
    }: nothing was stored`,
    {
      companyId,
      reachable: companies.length,
      companies: companies.map((candidate) => `${candidate.id} (${candidate.name})`),
    },
  );
}

/**
 * The companies to pick from, when the check says the key must be bound to one (an accountant key: `no-access`
 * without a company); otherwise null.
 */
async function companiesToPick(
  connector: AccountingConnector,
  key: Secret<IntegrationKeyBySystem[IntegrationSystem]>,
  check: ConnectionJson,
): Promise<ConnectedCompany[] | null> {
  if (check.status !== "no-access" || check.company !== undefined) return null;
  const companies = await connector.listCompanies({ key }).catch(() => []);
  return companies.length > 0 ? companies : null;
}

/** Creates the client named after the company, with its organisation number and the accounting system. */
async function createNamedAfter(
  deps: Parameters<typeof createClient>[0],
  ref: ClientRef,
  company: ConnectedCompany,
  system: IntegrationSystem,
): Promise<Client> {
  try {
    return await createClient(deps, {
      tenantId: ref.tenantId,
      clientId: ref.clientId,
      name: company.name,
      orgNumber: company.orgNumber,
      accountingSystem: system,
    });
  } catch (error) {
    if (error instanceof EngagementConflictError && error.code === "ORG_NUMBER_TAKEN") {
      const other = error.context.clientId;
      throw new ConnectRefusedError(
        "ORG_NUMBER_TAKEN",
        typeof other === "string"
          ? `${error.message}: connect client ${other} instead (--client ${other})`
          : error.message,
        { ...error.context },
      );
    }
    throw error;
  }
}

/** The outcome for people: what was created and stored, the connection's status and company, companies to pick. */
function renderConnected(result: ConnectJson, said: string[], ref: ClientRef, locale: Locale): string {
  const all = labelsFor(locale);
  const labels = all.integration;
  const check = result.connection;
  const word = labels.connectionStatus[check.status] ?? check.status;
  const status = word === check.status ? check.status : `${word} (${check.status})`;
  const company = check.company
    ? `${check.company.name} (${result.system} ${check.company.id}` +
      (check.company.orgNumber
        ? `, ${all.orgNumber} ${formatOrgNumberForPeople(check.company.orgNumber, locale)})`
        : ")")
    : undefined;
  const lines = [...said, labels.connection(status, company)];
  if (check.message && check.status !== "ok") lines.push(`  ${check.message}`);
  if (check.missingPrivileges?.length) lines.push(labels.missingPrivileges(check.missingPrivileges.join(", ")));
  if (result.companies) {
    lines.push(labels.pickCompany(String(result.companies.length)));
    const rows = result.companies.map((candidate) => [
      candidate.id,
      candidate.name,
      candidate.orgNumber ? `${all.orgNumber} ${formatOrgNumberForPeople(candidate.orgNumber, locale)}` : "",
    ]);
    const widths = [0, 1].map((column) => Math.max(...rows.map((row) => displayWidth(row[column]!))));
    for (const row of rows)
      lines.push(
        `  ${row.map((cell, column) => (column < 2 ? cell + " ".repeat(widths[column]! - displayWidth(cell)) : cell)).join("  ")}`.trimEnd(),
      );
    lines.push(
      `  saldo connect ${result.system} --tenant ${ref.tenantId} --client ${ref.clientId} --key … --company ${result.companies[0]!.id}`,
    );
  }
  return lines.join("\n") + "\n";
}
