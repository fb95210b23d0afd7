import { useMemo, useState } from "preact/hooks";
import { call, downloadExport, type TrialBalance, type TrialBalanceAccount } from "../api/client.ts";
import { EngagementFrame, useEngagementScope } from "../components/EngagementFrame.tsx";
import { VirtualRows } from "../components/VirtualRows.tsx";
import { formatDate, sameAmount, toOre } from "../format.ts";
import { useI18n, type Translate } from "../i18n.ts";
import { Amount, enc, ErrorMessage, SourceRef, useApi, useLoad } from "../ui.tsx";

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/** An account whose opening balance is not the prior engagement's closing balance. */
function openingDiffers(account: TrialBalanceAccount): boolean {
  return account.priorClosing !== null && !sameAmount(account.opening ?? "0.00", account.priorClosing);
}

type Plan = TrialBalance["sourcePlan"];

/**
 * The figure columns, each with where its figures come from (the engagement's source plan as the API resolved it:
 * the opening from the prior closing, a file or the API; the movement from a file or the API; the closing computed).
 */
function columns(t: Translate, plan: Plan | undefined) {
  return [
    { id: "opening", label: t("opening"), value: (a: TrialBalanceAccount) => a.opening, source: plan?.opening.from },
    {
      id: "movement",
      label: t("movement"),
      value: (a: TrialBalanceAccount) => a.movement,
      source: plan?.movement.from,
    },
    { id: "closing", label: t("closing"), value: (a: TrialBalanceAccount) => a.closing, source: undefined },
    {
      id: "priorClosing",
      label: t("priorClosing"),
      value: (a: TrialBalanceAccount) => a.priorClosing,
      source: undefined,
    },
  ] as const;
}

function sourceTitle(t: Translate, source: Plan["opening"]["from"] | undefined): string {
  if (!source) return "";
  const detail = source.system ?? source.format;
  return [
    t(`kind.${source.kind}`),
    detail ? `(${detail})` : "",
    source.engagementId ?? "",
    source.importId ?? "",
    source.missing ? `– ${t("sourceMissing")}` : "",
  ]
    .filter(Boolean)
    .join(" ");
}

function sum(values: (string | null)[]): string {
  const total = values.reduce((acc, value) => acc + (value ? toOre(value) : 0n), 0n);
  const negative = total < 0n;
  const abs = negative ? -total : total;
  return `${negative ? "-" : ""}${abs / 100n}.${String(abs % 100n).padStart(2, "0")}`;
}

export function TrialBalancePage() {
  const scope = useEngagementScope();
  const { clientId, engagementId, base } = scope;
  const api = useApi();
  const { t, locale } = useI18n();
  const tb = useLoad(
    () =>
      call(() =>
        api.client.GET("/clients/{clientId}/engagements/{engagementId}/trial-balance", {
          params: { path: { clientId, engagementId } },
        }),
      ),
    [clientId, engagementId],
  );
  const [filter, setFilter] = useState("");
  const [onlyDifferences, setOnlyDifferences] = useState(false);
  const [exportError, setExportError] = useState<unknown>();
  const cols = columns(t, tb.data?.sourcePlan);
  const accounts = tb.data?.accounts;
  // The validation report's warnings and errors per account (a closing that does not add up, a sub-ledger that
  // disagrees…): those rows are highlighted with their codes, as are openings that differ from the prior closing.
  const flagged = useMemo(() => {
    const codes = new Map<string, string[]>();
    for (const issue of tb.data?.issues ?? []) {
      if (!issue.account || issue.severity === "info") continue;
      codes.set(issue.account, [...new Set([...(codes.get(issue.account) ?? []), issue.code])]);
    }
    for (const account of accounts ?? [])
      if (openingDiffers(account))
        codes.set(account.account, [...(codes.get(account.account) ?? []), t("differenceHint")]);
    return codes;
  }, [tb.data, t]);
  const shown = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    return (accounts ?? []).filter(
      (a) =>
        (needle === "" || a.account.startsWith(needle) || a.name.toLowerCase().includes(needle)) &&
        (!onlyDifferences || flagged.has(a.account)),
    );
  }, [accounts, filter, onlyDifferences, flagged]);
  return (
    <EngagementFrame scope={scope} trail={[{ label: t("trialBalance") }]} data={tb}>
      {(data) => body(data)}
    </EngagementFrame>
  );

  function body(data: TrialBalance) {
    const filtered = shown.length !== data.accounts.length;
    const source = data.import.source;
    const sourceLabel =
      source.type === "file"
        ? `${source.fileName}`
        : `${source.system} (${t("dataAsOf")} ${formatDate(source.dataAsOf)})`;
    const exportPath = `/clients/${enc(clientId)}/engagements/${enc(engagementId)}/trial-balance`;
    const save = (accept: string, ext: string) => {
      setExportError(undefined);
      downloadExport(api, exportPath, accept, locale, `saldobalanse-${clientId}-${engagementId}.${ext}`).catch(
        setExportError,
      );
    };
    const grid = "6rem minmax(10rem, 1fr) repeat(4, 11rem)";
    return (
      <>
        <h1>
          {t("trialBalance")} {formatDate(data.engagement.periodStart)}–{formatDate(data.engagement.periodEnd)}
        </h1>
        <p class="muted">
          {t("source")}: <a href={`${base}/imports/${enc(data.import.importId)}`}>{sourceLabel}</a> ·{" "}
          {data.accounts.length} {t("accounts").toLowerCase()}
        </p>
        <ul class="plain column-sources" data-testid="column-sources">
          {cols
            .filter((col) => col.id === "opening" || col.id === "movement")
            .map((col) => (
              <li key={col.id} data-column={col.id}>
                {col.label}:{" "}
                {col.source && <SourceRef clientId={clientId} engagementId={engagementId} source={col.source} />}
                {col.source?.missing && <span class="error"> ({t("sourceMissing")})</span>}
              </li>
            ))}
          <li data-column="closing">
            {t("closing")}: {t("computed")}
          </li>
        </ul>
        <div class="toolbar">
          <label class="inline">
            {t("filter")}{" "}
            <input
              type="search"
              name="filter"
              value={filter}
              onInput={(e) => setFilter((e.target as HTMLInputElement).value)}
            />
          </label>
          <label class="inline">
            <input
              type="checkbox"
              checked={onlyDifferences}
              onChange={(e) => setOnlyDifferences((e.target as HTMLInputElement).checked)}
            />{" "}
            {t("onlyDifferences")}
          </label>
          <span class="spacer" />
          <button type="button" onClick={() => save("text/csv", "csv")}>
            {t("exportCsv")}
          </button>
          <button type="button" onClick={() => save(XLSX, "xlsx")}>
            {t("exportXlsx")}
          </button>
        </div>
        <ErrorMessage error={exportError} />
        <div
          role="table"
          aria-label={t("trialBalance")}
          aria-rowcount={shown.length + 2}
          class="vtable"
          data-testid="trial-balance"
        >
          <div role="rowgroup">
            <div role="row" aria-rowindex={1} class="vrow head" style={{ gridTemplateColumns: grid }}>
              <span role="columnheader">{t("account")}</span>
              <span role="columnheader">{t("name")}</span>
              {cols.map((col) => (
                <span
                  role="columnheader"
                  class="num"
                  key={col.id}
                  title={`${t("source")}: ${col.id === "closing" ? t("computed") : col.source ? sourceTitle(t, col.source) : sourceLabel}`}
                >
                  {col.label}
                </span>
              ))}
            </div>
          </div>
          <VirtualRows
            items={shown}
            rowHeight={32}
            firstRowIndex={2}
            rowKey={(a) => a.account}
            testId="trial-balance-rows"
            row={(a) => (
              <div
                class={flagged.has(a.account) ? "cells differs" : "cells"}
                style={{ gridTemplateColumns: grid }}
                data-account={a.account}
                data-flagged={flagged.has(a.account) ? "true" : undefined}
                title={flagged.get(a.account)?.join(", ")}
              >
                <span role="cell">
                  <a href={`${base}/transactions?account=${enc(a.account)}`}>{a.account}</a>
                  {flagged.has(a.account) && (
                    <span class="flag" aria-label={flagged.get(a.account)!.join(", ")}>
                      {" "}
                      ⚠
                    </span>
                  )}
                </span>
                <span role="cell">{a.name}</span>
                {cols.map((col) => (
                  <span role="cell" class="num" key={col.id} data-column={col.id}>
                    <Amount value={col.value(a)} />
                  </span>
                ))}
              </div>
            )}
          />
          <div role="rowgroup">
            <div
              role="row"
              aria-rowindex={shown.length + 2}
              class="vrow foot"
              style={{ gridTemplateColumns: grid }}
              data-testid="totals"
            >
              <span role="rowheader">{t("total")}</span>
              <span role="cell">{filtered ? `${shown.length} / ${data.accounts.length}` : ""}</span>
              <span role="cell" class="num" data-column="opening">
                <Amount value={filtered ? sum(shown.map((a) => a.opening)) : data.totals.opening} />
              </span>
              <span role="cell" class="num" data-column="movement">
                <Amount value={filtered ? sum(shown.map((a) => a.movement)) : data.totals.movement} />
              </span>
              <span role="cell" class="num" data-column="closing">
                <Amount value={filtered ? sum(shown.map((a) => a.closing)) : data.totals.closing} />
              </span>
              <span role="cell" class="num" data-column="priorClosing">
                <Amount
                  value={shown.some((a) => a.priorClosing !== null) ? sum(shown.map((a) => a.priorClosing)) : null}
                />
              </span>
            </div>
          </div>
        </div>
      </>
    );
  }
}
