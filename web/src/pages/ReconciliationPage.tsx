import { call } from "../api/client.ts";
import { EngagementFrame, useEngagementScope } from "../components/EngagementFrame.tsx";
import { formatDateTime } from "../format.ts";
import { useI18n } from "../i18n.ts";
import { Amount, enc, ReconciliationBadge, SourceRef, useApi, useLoad } from "../ui.tsx";

const PAGE = 1_000;

/** The engagement's reconciliation across years and sources (`GET …/reconciliation`): status and every difference. */
export function ReconciliationPage() {
  const scope = useEngagementScope();
  const { clientId, engagementId, path, base } = scope;
  const api = useApi();
  const { t } = useI18n();
  // Every difference: the API answers them a page at a time (its cursor), the page shows them all.
  const result = useLoad(async () => {
    const page = (cursor?: string) =>
      call(() =>
        api.client.GET("/clients/{clientId}/engagements/{engagementId}/reconciliation", {
          params: { path, query: { limit: PAGE, ...(cursor ? { cursor } : {}) } },
        }),
      );
    const first = await page();
    const differences = [...first.differences];
    for (let next = first.nextCursor; next !== null;) {
      const more = await page(next);
      differences.push(...more.differences);
      next = more.nextCursor;
    }
    return { ...first, differences };
  }, [clientId, engagementId]);
  return (
    <EngagementFrame scope={scope} trail={[{ label: t("reconciliation") }]} data={result}>
      {(r) => (
        <>
          <h1>
            {t("reconciliation")} <ReconciliationBadge status={r.status} />
          </h1>
          <dl class="facts">
            <dt>{t("differencesCount")}</dt>
            <dd data-testid="reconciliation-count">{r.count}</dd>
            <dt>{t("differencesTotal")}</dt>
            <dd data-testid="reconciliation-total">
              <Amount value={r.total} />
            </dd>
            <dt>{t("computedAt")}</dt>
            <dd>{formatDateTime(r.computedAt)}</dd>
          </dl>
          {r.missing.length > 0 && (
            <p class="error" data-testid="reconciliation-missing">
              {t("missingSources")}: {r.missing.map((m) => `${t(m.part)} (${t(`kind.${m.kind}`)})`).join(", ")}
            </p>
          )}
          {r.differences.length === 0 ? (
            <p>{t("noDifferences")}</p>
          ) : (
            <table class="grid" data-testid="reconciliation-table">
              <thead>
                <tr>
                  <th scope="col">{t("code")}</th>
                  <th scope="col">{t("account")}</th>
                  <th scope="col">{t("name")}</th>
                  <th scope="col" class="num">
                    {t("amount")}
                  </th>
                  <th scope="col">{t("comparedFigures")}</th>
                  <th scope="col">{t("hint")}</th>
                </tr>
              </thead>
              <tbody>
                {r.differences.map((d, index) => (
                  <tr key={index} data-code={d.code} data-account={d.account ?? ""}>
                    <td>
                      <code>{d.code}</code>
                    </td>
                    <td>{d.account && <a href={`${base}/transactions?account=${enc(d.account)}`}>{d.account}</a>}</td>
                    <td>{d.name}</td>
                    <td class="num">
                      <Amount value={d.amount} />
                    </td>
                    <td>
                      <ul class="plain">
                        {d.sources.map((source, i) => (
                          <li key={i}>
                            <SourceRef clientId={clientId} engagementId={engagementId} source={source} />
                            {source.figure !== null && (
                              <>
                                : <Amount value={source.figure} />
                              </>
                            )}
                          </li>
                        ))}
                      </ul>
                    </td>
                    <td title={d.message}>
                      {d.hint ? (
                        <span data-hint={d.hint}>{t(`hint.${d.hint}`)}</span>
                      ) : (
                        <span class="muted">{d.message}</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {r.count > r.differences.length && (
            <p class="muted">
              {r.differences.length} / {r.count}
            </p>
          )}
        </>
      )}
    </EngagementFrame>
  );
}
