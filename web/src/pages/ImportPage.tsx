import { useState } from "preact/hooks";
import { useRoute } from "preact-iso";
import { call, type AcceptCode, type ImportReport } from "../api/client.ts";
import { formatDateTime } from "../format.ts";
import { useI18n } from "../i18n.ts";
import { Amount, enc, engagementPath, ErrorMessage, Loading, StatusBadge, useApi, useLoad } from "../ui.tsx";
import { EngagementCrumbs, useEngagementScope } from "../components/EngagementFrame.tsx";
import { sourceText } from "./ImportsPage.tsx";

type Issue = ImportReport["issues"][number];

export function ImportPage() {
  const { params } = useRoute();
  const scope = useEngagementScope();
  const clientId = params.clientId!;
  const engagementId = params.engagementId!;
  const importId = params.importId!;
  const api = useApi();
  const { t } = useI18n();
  const path = { clientId, engagementId, importId };
  const report = useLoad(
    () =>
      call(() =>
        api.client.GET("/clients/{clientId}/engagements/{engagementId}/imports/{importId}", { params: { path } }),
      ),
    [clientId, engagementId, importId],
  );
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<unknown>();
  const base = engagementPath(clientId, engagementId);
  if (report.error) return <ErrorMessage error={report.error} />;
  if (!report.data) return <Loading />;
  const r = report.data;
  const groups = new Map<string, Issue[]>();
  for (const issue of r.issues) groups.set(issue.code, [...(groups.get(issue.code) ?? []), issue]);
  const activatable = !r.active && (r.status === "succeeded" || r.status === "held" || r.status === "superseded");
  return (
    <section>
      <EngagementCrumbs scope={scope} trail={[{ href: `${base}/imports`, label: t("imports") }, { label: importId }]} />
      <h1>
        {importId} <StatusBadge status={r.status} active={r.active} />
      </h1>
      <dl class="facts">
        <dt>{t("source")}</dt>
        <dd>{sourceText(r.source)}</dd>
        {r.source.type === "file" && r.source.sha256 && (
          <>
            <dt>SHA-256</dt>
            <dd class="mono">{r.source.sha256}</dd>
          </>
        )}
        {r.source.type === "api" && (
          <>
            <dt>{t("dataAsOf")}</dt>
            <dd>{formatDateTime(r.source.dataAsOf ?? r.source.fetchedAt)}</dd>
          </>
        )}
        <dt>{t("created")}</dt>
        <dd>
          {formatDateTime(r.createdAt)} {r.finishedAt ? `→ ${formatDateTime(r.finishedAt)}` : ""}
        </dd>
        <dt>{t("counts")}</dt>
        <dd>{r.counts ? `${r.counts.accounts} / ${r.counts.transactions} / ${r.counts.lines}` : "—"}</dd>
        {r.heldFor.length > 0 && (
          <>
            <dt>{t("status.held")}</dt>
            <dd>{r.heldFor.join(", ")}</dd>
          </>
        )}
        {r.accepted && (
          <>
            <dt>{t("accepting")}</dt>
            <dd>
              {r.accepted.codes.join(", ")} ({r.accepted.by}, {formatDateTime(r.accepted.at)})
            </dd>
          </>
        )}
        {r.failure && (
          <>
            <dt>{t("error")}</dt>
            <dd class="error">
              {r.failure.message} ({r.failure.code})
            </dd>
          </>
        )}
      </dl>
      {activatable && !confirming && (
        <button type="button" onClick={() => setConfirming(true)}>
          {t("activate")}
        </button>
      )}
      {confirming && (
        <div role="alertdialog" aria-labelledby="confirm-text" class="card confirm">
          <p id="confirm-text">{t("activateConfirm")}</p>
          {r.heldFor.length > 0 && (
            <p>
              {t("accepting")}: <strong>{r.heldFor.join(", ")}</strong>
            </p>
          )}
          <button
            type="button"
            onClick={() =>
              call(() =>
                api.client.POST("/clients/{clientId}/engagements/{engagementId}/imports/{importId}/activate", {
                  params: { path },
                  ...(r.heldFor.length > 0 ? { body: { accept: r.heldFor as AcceptCode[] } } : {}),
                }),
              ).then(() => {
                setConfirming(false);
                report.reload();
              }, setError)
            }
          >
            {t("yes")}, {t("activate").toLowerCase()}
          </button>{" "}
          <button type="button" onClick={() => setConfirming(false)}>
            {t("cancel")}
          </button>
        </div>
      )}
      <ErrorMessage error={error} />

      <h2>{t("report")}</h2>
      {r.issues.length === 0 && <p class="muted">{t("noIssues")}</p>}
      {[...groups].map(([code, issues]) => (
        <details key={code} open={issues.length <= 20} class="issue-group" data-code={code}>
          <summary>
            <span class={`badge sev-${issues[0]!.severity}`}>{issues[0]!.severity}</span> <code>{code}</code> ·{" "}
            {issues.length}
          </summary>
          <table class="grid">
            <thead>
              <tr>
                <th scope="col">{t("account")}</th>
                <th scope="col" class="num">
                  {t("amount")}
                </th>
                <th scope="col">{t("location")}</th>
                <th scope="col">{t("message")}</th>
              </tr>
            </thead>
            <tbody>
              {issues.map((issue, index) => (
                <tr key={index}>
                  <td>
                    {issue.account ? (
                      <a href={`${base}/transactions?account=${enc(issue.account)}`}>{issue.account}</a>
                    ) : (
                      ""
                    )}
                  </td>
                  <td class="num">
                    <Amount value={issue.amount} />
                  </td>
                  <td>
                    {issue.location ? `${issue.location.line}:${issue.location.column}` : ""}
                    {issue.transactionId ? ` ${t("voucher")} ${issue.transactionId}` : ""}
                  </td>
                  <td>{issue.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ))}
    </section>
  );
}
