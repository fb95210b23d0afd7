import { useEffect, useRef, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { call, type TransactionLine } from "../api/client.ts";
import { EngagementCrumbs, useEngagementScope } from "../components/EngagementFrame.tsx";
import { VirtualRows } from "../components/VirtualRows.tsx";
import { formatDate } from "../format.ts";
import { useI18n } from "../i18n.ts";
import { Amount, enc, ErrorMessage, Loading, useApi } from "../ui.tsx";

const PAGE = 500;

/**
 * The active version's transaction lines, filtered by account or voucher (from the URL, so a link can be shared),
 * loaded a page at a time with the API's cursor as the table is scrolled (any number of lines; only the rows in view
 * are in the page). A voucher id opens all the lines of that voucher.
 */
export function TransactionsPage() {
  const scope = useEngagementScope();
  const { query, route } = useLocation();
  const { clientId, engagementId, base } = scope;
  const account = query.account || undefined;
  const voucher = query.voucher || undefined;
  const api = useApi();
  const { t } = useI18n();
  const [lines, setLines] = useState<TransactionLine[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<unknown>();
  const loading = useRef(false);
  const generation = useRef(0);

  const loadPage = (after: string | null, run: number) => {
    if (loading.current) return;
    loading.current = true;
    call(() =>
      api.client.GET("/clients/{clientId}/engagements/{engagementId}/transactions", {
        params: {
          path: { clientId, engagementId },
          query: {
            limit: PAGE,
            ...(account ? { account } : {}),
            ...(voucher ? { voucher } : {}),
            ...(after ? { cursor: after } : {}),
          },
        },
      }),
    )
      .then((page) => {
        if (run !== generation.current) return;
        setLines((current) => (after ? [...current, ...page.items] : page.items));
        setCursor(page.nextCursor);
        setDone(page.nextCursor === null);
      }, setError)
      .finally(() => {
        loading.current = false;
      });
  };

  useEffect(() => {
    generation.current += 1;
    loading.current = false;
    setLines([]);
    setCursor(null);
    setDone(false);
    setError(undefined);
    loadPage(null, generation.current);
  }, [clientId, engagementId, account, voucher]);

  const grid = "7rem 7rem 5rem 4rem minmax(12rem, 1fr) 11rem";
  const [accountInput, setAccountInput] = useState(account ?? "");
  return (
    <section>
      <EngagementCrumbs
        scope={scope}
        trail={[
          { href: `${base}/trial-balance`, label: t("trialBalance") },
          {
            label: voucher ? `${t("voucher")} ${voucher}` : account ? `${t("account")} ${account}` : t("transactions"),
          },
        ]}
      />
      <h1>
        {t("transactions")}
        {account ? ` · ${t("account")} ${account}` : ""}
        {voucher ? ` · ${t("voucher")} ${voucher}` : ""}
      </h1>
      <form
        class="toolbar"
        onSubmit={(event) => {
          event.preventDefault();
          route(
            accountInput.trim() ? `${base}/transactions?account=${enc(accountInput.trim())}` : `${base}/transactions`,
          );
        }}
      >
        <label class="inline">
          {t("account")}{" "}
          <input
            name="account"
            value={accountInput}
            onInput={(e) => setAccountInput((e.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit">{t("filter").split(" ")[0]}</button>
        <span class="spacer" />
        <span class="muted" aria-live="polite" data-testid="line-count">
          {lines.length} {t("lines")}
          {done ? ` · ${t("allLoaded")}` : ""}
        </span>
      </form>
      <ErrorMessage error={error} />
      {!done && lines.length === 0 && !error && <Loading />}
      <div role="table" aria-label={t("transactions")} class="vtable" data-testid="transactions">
        <div role="rowgroup">
          <div role="row" aria-rowindex={1} class="vrow head" style={{ gridTemplateColumns: grid }}>
            <span role="columnheader">{t("voucher")}</span>
            <span role="columnheader">{t("date")}</span>
            <span role="columnheader">{t("account")}</span>
            <span role="columnheader">#</span>
            <span role="columnheader">{t("text")}</span>
            <span role="columnheader" class="num">
              {t("amount")}
            </span>
          </div>
        </div>
        <VirtualRows
          items={lines}
          rowHeight={32}
          firstRowIndex={2}
          rowKey={(line) => `${line.transactionId}/${line.lineNumber}`}
          onEnd={() => {
            if (!done && cursor) loadPage(cursor, generation.current);
          }}
          testId="transaction-rows"
          row={(line) => (
            <div class="cells" style={{ gridTemplateColumns: grid }} data-voucher={line.transactionId}>
              <span role="cell">
                <a href={`${base}/transactions?voucher=${enc(line.transactionId)}`}>{line.transactionId}</a>
              </span>
              <span role="cell">{formatDate(line.date)}</span>
              <span role="cell">
                <a href={`${base}/transactions?account=${enc(line.account)}`}>{line.account}</a>
              </span>
              <span role="cell">{line.lineNumber + 1}</span>
              <span role="cell" class="ellipsis">
                {line.description ?? line.transactionDescription ?? ""}
              </span>
              <span role="cell" class="num" data-column="amount">
                <Amount value={line.amount} />
              </span>
            </div>
          )}
        />
      </div>
      {!done && cursor && (
        <button type="button" onClick={() => loadPage(cursor, generation.current)}>
          {t("loadMore")}
        </button>
      )}
    </section>
  );
}
