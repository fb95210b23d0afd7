import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, call, type Api, type ImportSummary } from "../api/client.ts";
import { EngagementFrame, useEngagementScope } from "../components/EngagementFrame.tsx";
import { formatDate, formatDateTime } from "../format.ts";
import { useI18n } from "../i18n.ts";
import { enc, engagementPath, ErrorMessage, ReconciliationBadge, StatusBadge, useApi, useLoad } from "../ui.tsx";

const FINAL = new Set(["succeeded", "held", "failed", "unchanged", "superseded"]);

export function EngagementPage() {
  const scope = useEngagementScope();
  const { clientId, engagementId, path, base, client, engagement } = scope;
  const api = useApi();
  const { t } = useI18n();
  const imports = useLoad(
    () =>
      call(() =>
        api.client.GET("/clients/{clientId}/engagements/{engagementId}/imports", {
          params: { path, query: { limit: 5 } },
        }),
      ),
    [clientId, engagementId],
  );
  const [syncError, setSyncError] = useState<unknown>();
  const [syncImport, setSyncImport] = useState<string>();
  const [closeError, setCloseError] = useState<unknown>();
  const active = imports.data?.items.find((item) => item.active);
  const connected = client.data?.accountingSystem === "tripletex" || client.data?.accountingSystem === "poweroffice-go";
  return (
    <EngagementFrame scope={scope} trail={[]} data={engagement}>
      {(e) => (
        <>
          <h1>
            {e.kind === "year-end" ? `${t("yearEnd")} ${e.fiscalYear}` : t("periodEnd")} · {formatDate(e.periodStart)}–
            {formatDate(e.periodEnd)}
          </h1>
          <dl class="facts">
            <dt>{t("activeImport")}</dt>
            <dd data-testid="active-import">
              {e.activeImportId ? (
                <a href={`${base}/imports/${enc(e.activeImportId)}`}>{e.activeImportId}</a>
              ) : (
                t("none")
              )}
            </dd>
            {(e.refresh.dataAsOf ??
              (active?.source.type === "api" ? (active.source.dataAsOf ?? active.source.fetchedAt) : null)) && (
              <>
                <dt>{t("dataAsOf")}</dt>
                <dd data-testid="data-as-of">
                  {formatDateTime(
                    e.refresh.dataAsOf ??
                      (active?.source.type === "api" ? (active.source.dataAsOf ?? active.source.fetchedAt) : null),
                  )}
                </dd>
              </>
            )}
            <dt>{t("reconciliation")}</dt>
            <dd data-testid="reconciliation-status">
              <a href={`${base}/reconciliation`}>
                {e.reconciliation ? (
                  <ReconciliationBadge status={e.reconciliation.status} count={e.reconciliation.differences} />
                ) : (
                  t("open")
                )}
              </a>
            </dd>
            {e.refresh.lastRunAt && (
              <>
                <dt>{t("refresh")}</dt>
                <dd data-testid="refresh-record">
                  {t("lastRun")} {formatDateTime(e.refresh.lastRunAt)}
                  {e.refresh.lastOutcome && (
                    <>
                      {" "}
                      <StatusBadge status={e.refresh.lastOutcome} />
                    </>
                  )}
                  {e.refresh.lastTrigger && <span class="muted"> ({e.refresh.lastTrigger})</span>}
                  {e.refresh.lastImportId && (
                    <>
                      {" "}
                      <a href={`${base}/imports/${enc(e.refresh.lastImportId)}`}>{e.refresh.lastImportId}</a>
                    </>
                  )}
                  {e.refresh.lastError && (
                    <span class="error">
                      {" "}
                      {t("lastError")}: <code>{e.refresh.lastError.code}</code> {e.refresh.lastError.message}
                    </span>
                  )}
                </dd>
              </>
            )}
            {e.refresh.nextRunAt && (
              <>
                <dt>{t("nextRun")}</dt>
                <dd data-testid="next-refresh">{formatDateTime(e.refresh.nextRunAt)}</dd>
              </>
            )}
            {e.closedAt && (
              <>
                <dt>{t("closed")}</dt>
                <dd data-testid="closed-at">{formatDateTime(e.closedAt)}</dd>
              </>
            )}
          </dl>
          <nav class="actions" aria-label={t("engagements")}>
            <a class="button" href={`${base}/trial-balance`}>
              {t("trialBalance")}
            </a>
            <a class="button" href={`${base}/transactions`}>
              {t("transactions")}
            </a>
            <a class="button" href={`${base}/imports`}>
              {t("imports")}
            </a>
            <a class="button" href={`${base}/reconciliation`}>
              {t("reconciliation")}
            </a>
            {connected && (
              <button
                type="button"
                onClick={() => {
                  setSyncError(undefined);
                  call(() =>
                    api.client.POST("/clients/{clientId}/engagements/{engagementId}/sync", { params: { path } }),
                  ).then((accepted) => setSyncImport(accepted.importId), setSyncError);
                }}
              >
                {t("syncNow")}
              </button>
            )}
          </nav>
          <p>
            <button
              type="button"
              data-testid="close-engagement"
              onClick={() => {
                setCloseError(undefined);
                const action = e.closedAt
                  ? api.client.POST("/clients/{clientId}/engagements/{engagementId}/reopen", { params: { path } })
                  : api.client.POST("/clients/{clientId}/engagements/{engagementId}/close", { params: { path } });
                call(() => action).then(() => engagement.reload(), setCloseError);
              }}
            >
              {e.closedAt ? t("reopenEngagement") : t("closeEngagement")}
            </button>
          </p>
          <ErrorMessage error={closeError} />
          <SourcePlanCard clientId={clientId} engagementId={engagementId} onChanged={engagement.reload} />
          <ErrorMessage error={syncError} />
          {syncImport && (
            <FollowImport
              api={api}
              clientId={clientId}
              engagementId={engagementId}
              find={(items) => items.find((item) => item.importId === syncImport)}
              onDone={() => {
                engagement.reload();
                imports.reload();
              }}
            />
          )}
          <Upload
            clientId={clientId}
            engagementId={engagementId}
            onDone={() => {
              engagement.reload();
              imports.reload();
            }}
          />
        </>
      )}
    </EngagementFrame>
  );
}

type Phase =
  | { kind: "idle" }
  | { kind: "uploading"; loaded: number; total: number }
  | { kind: "following"; key: string; known: Set<string> }
  | { kind: "failed"; error: unknown };

/**
 * Drag and drop (or choose) a file: the API signs a PUT to S3, the browser sends the bytes straight there with a
 * progress bar, then the page follows the import the upload starts to its outcome. A failed upload keeps the file
 * in the page, so "retry" sends it again.
 */
function Upload({ clientId, engagementId, onDone }: { clientId: string; engagementId: string; onDone(): void }) {
  const api = useApi();
  const { t } = useI18n();
  const [file, setFile] = useState<File>();
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const path = { clientId, engagementId };

  const start = async (chosen: File) => {
    setFile(chosen);
    try {
      const before = await call(() =>
        api.client.GET("/clients/{clientId}/engagements/{engagementId}/imports", {
          params: { path, query: { limit: 50 } },
        }),
      );
      const contentType = chosen.type || "application/octet-stream";
      const ticket = await call(() =>
        api.client.POST("/clients/{clientId}/engagements/{engagementId}/uploads", {
          params: { path },
          body: { fileName: chosen.name, size: chosen.size, contentType },
        }),
      );
      setPhase({ kind: "uploading", loaded: 0, total: chosen.size });
      await putWithProgress(ticket.uploadUrl, { ...ticket.headers, "content-type": contentType }, chosen, (loaded) =>
        setPhase({ kind: "uploading", loaded, total: chosen.size }),
      );
      setPhase({ kind: "following", key: ticket.key, known: new Set(before.items.map((item) => item.importId)) });
    } catch (error) {
      setPhase({ kind: "failed", error: readableUploadError(error) });
    }
  };
  // A storage failure as a sentence (the API's own problems are already readable: ErrorMessage shows them).
  const readableUploadError = (error: unknown): unknown =>
    error instanceof UploadTransferError
      ? new ApiError(
          error.status,
          error.status === 0 ? "UPLOAD_NETWORK" : (error.storageCode ?? `HTTP_${error.status}`),
          error.status === 0 ? t("uploadNetwork") : t("uploadRefused"),
        )
      : error;

  return (
    <div class="card">
      <h2>{t("upload")}</h2>
      <div
        class={dragging ? "dropzone dragging" : "dropzone"}
        data-testid="dropzone"
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(event) => {
          event.preventDefault();
          setDragging(false);
          const dropped = event.dataTransfer?.files[0];
          if (dropped) void start(dropped);
        }}
      >
        <p>{t("dropHere")}</p>
        <label class="button">
          {t("chooseFile")}
          <input
            ref={input}
            type="file"
            name="file"
            class="visually-hidden"
            accept=".xml,.sie,.se,.si,.csv,.txt,.zip"
            onChange={(event) => {
              const chosen = (event.target as HTMLInputElement).files?.[0];
              if (chosen) void start(chosen);
            }}
          />
        </label>
      </div>
      {phase.kind === "uploading" && (
        <p>
          <label>
            {t("uploading")} {file?.name}{" "}
            <progress max={phase.total || 1} value={phase.loaded} data-testid="upload-progress" />
          </label>
        </p>
      )}
      {phase.kind === "following" && (
        <FollowImport
          api={api}
          clientId={clientId}
          engagementId={engagementId}
          find={(items) =>
            items.find(
              (item) => !phase.known.has(item.importId) && item.source.type === "file" && item.source.key === phase.key,
            )
          }
          onDone={onDone}
        />
      )}
      {phase.kind === "failed" && (
        <div data-testid="upload-failed">
          <ErrorMessage error={phase.error} />
          {file && (
            <p>
              <button type="button" onClick={() => void start(file)}>
                {t("retry")}
              </button>{" "}
              <span class="muted">
                {t("uploadKeepsFile")}: {file.name}
              </span>
            </p>
          )}
        </div>
      )}
    </div>
  );
}

/** The presigned PUT to S3 failed: no answer (`status` 0), or the storage's refusal (its status and error code). */
class UploadTransferError extends Error {
  constructor(
    readonly status: number,
    readonly storageCode: string | undefined,
  ) {
    super(status === 0 ? "network error" : `HTTP ${status}`);
  }
}

function putWithProgress(url: string, headers: Record<string, string>, body: Blob, progress: (loaded: number) => void) {
  return new Promise<void>((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("PUT", url);
    for (const [name, value] of Object.entries(headers)) request.setRequestHeader(name, value);
    request.upload.onprogress = (event) => progress(event.loaded);
    request.onload = () =>
      request.status >= 200 && request.status < 300
        ? resolve()
        : reject(new UploadTransferError(request.status, /<Code>([^<]+)<\/Code>/.exec(request.responseText)?.[1]));
    request.onerror = () => reject(new UploadTransferError(0, undefined));
    request.onabort = () => reject(new UploadTransferError(0, undefined));
    request.send(body);
  });
}

/** Polls the engagement's imports until the import `find` picks is final, and shows its outcome. */
function FollowImport(props: {
  api: Api;
  clientId: string;
  engagementId: string;
  find(items: ImportSummary[]): ImportSummary | undefined;
  onDone(): void;
}) {
  const { t } = useI18n();
  const [found, setFound] = useState<ImportSummary>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    let live = true;
    const path = { clientId: props.clientId, engagementId: props.engagementId };
    const poll = async () => {
      for (let delay = 300; live; delay = Math.min(delay * 1.5, 2000)) {
        const list = await call(() =>
          props.api.client.GET("/clients/{clientId}/engagements/{engagementId}/imports", {
            params: { path, query: { limit: 50 } },
          }),
        );
        const item = props.find(list.items);
        if (item && live) setFound(item);
        if (item && FINAL.has(item.status)) return;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    };
    poll().then(
      () => live && props.onDone(),
      (failure: unknown) => live && setError(failure),
    );
    return () => {
      live = false;
    };
    // Follows one import for the life of this component.
  }, []);
  const base = engagementPath(props.clientId, props.engagementId);
  return (
    <div role="status" aria-live="polite" data-testid="import-outcome">
      <ErrorMessage error={error} />
      {!found && <p>{t("importing")}…</p>}
      {found && (
        <p>
          <a href={`${base}/imports/${enc(found.importId)}`}>{found.importId}</a>{" "}
          <StatusBadge status={found.status} active={found.active} />
          {found.counts && (
            <span class="muted">
              {" "}
              {found.counts.accounts} / {found.counts.transactions} / {found.counts.lines}
            </span>
          )}
          {found.failure && <span class="error"> {found.failure.message}</span>}
          {found.heldFor.length > 0 && <span> {found.heldFor.join(", ")}</span>}
        </p>
      )}
    </div>
  );
}

type OpeningChoice = "prior" | "file" | "api" | "none" | "default";
type MovementChoice = "file" | "api" | "default";
type ReplaceChoice = "true" | "false" | "default";
interface PlanChoices {
  opening: OpeningChoice;
  movement: MovementChoice;
  replace: ReplaceChoice;
}

/**
 * The engagement's source plan (`GET|PUT …/source-plan`): where the opening and the movement come from, and whether
 * a newer import of a slot replaces its active one (else it is held with `SOURCE_REPLACE_NOT_ALLOWED` until a person
 * activates it), each as chosen or by default, with the import or prior engagement each part uses; a choice is saved
 * as it is picked ("default" hands the part back to the default rule).
 */
function SourcePlanCard({
  clientId,
  engagementId,
  onChanged,
}: {
  clientId: string;
  engagementId: string;
  onChanged(): void;
}) {
  const api = useApi();
  const { t } = useI18n();
  const path = { clientId, engagementId };
  const plan = useLoad(
    () =>
      call(() => api.client.GET("/clients/{clientId}/engagements/{engagementId}/source-plan", { params: { path } })),
    [clientId, engagementId],
  );
  const [error, setError] = useState<unknown>();
  // One change at a time: the controls wait for the saved plan to be read back, so a quick second pick builds on the
  // first one's answer and two PUTs never race.
  const [saving, setSaving] = useState(false);
  useEffect(() => setSaving(false), [plan.data]);
  if (plan.error) return <ErrorMessage error={plan.error} />;
  if (!plan.data) return null;
  const p = plan.data;
  const now: PlanChoices = {
    opening: p.opening.chosenBy === "explicit" ? p.opening.source : "default",
    movement: p.movement.chosenBy === "explicit" ? p.movement.source : "default",
    replace: p.replace.chosenBy === "explicit" ? (String(p.replace.value) as "true" | "false") : "default",
  };
  const put = (change: Partial<PlanChoices>) => {
    const next = { ...now, ...change };
    setError(undefined);
    setSaving(true);
    const body = {
      ...(next.opening === "default" ? {} : { opening: next.opening }),
      ...(next.movement === "default" ? {} : { movement: next.movement }),
      ...(next.replace === "default" ? {} : { replace: next.replace === "true" }),
    };
    call(() =>
      api.client.PUT("/clients/{clientId}/engagements/{engagementId}/source-plan", { params: { path }, body }),
    ).then(
      () => {
        plan.reload();
        onChanged();
      },
      (failure: unknown) => {
        setSaving(false);
        setError(failure);
      },
    );
  };
  return (
    <div class="card" data-testid="source-plan">
      <h2>{t("sourcePlan")}</h2>
      <PlanChoice
        label={t("opening")}
        name="planOpening"
        disabled={saving}
        value={now.opening}
        byDefault={t(`kind.${p.opening.source}`)}
        choices={(["prior", "file", "api", "none"] as const).map((kind) => ({ value: kind, label: t(`kind.${kind}`) }))}
        onPick={(opening) => put({ opening })}
      />{" "}
      <PlanChoice
        label={t("movement")}
        name="planMovement"
        disabled={saving}
        value={now.movement}
        byDefault={t(`kind.${p.movement.source}`)}
        choices={(["file", "api"] as const).map((kind) => ({ value: kind, label: t(`kind.${kind}`) }))}
        onPick={(movement) => put({ movement })}
      />{" "}
      <PlanChoice
        label={t("replaceNewer")}
        name="planReplace"
        disabled={saving}
        value={now.replace}
        // The default rule: a newer import replaces the active one (README "Source plans").
        byDefault={t("replace.true")}
        choices={(["true", "false"] as const).map((value) => ({ value, label: t(`replace.${value}`) }))}
        onPick={(replace) => put({ replace })}
      />
      <ErrorMessage error={error} />
    </div>
  );
}

/**
 * One part of the source plan as a labelled select: "default" first (naming what the default rule gives now), then
 * the part's explicit choices; a pick is handed to `onPick` at once.
 */
function PlanChoice<Choice extends string>({
  label,
  name,
  disabled,
  value,
  byDefault,
  choices,
  onPick,
}: {
  label: string;
  name: string;
  disabled: boolean;
  value: Choice;
  byDefault: string;
  choices: readonly { value: Exclude<Choice, "default">; label: string }[];
  onPick(choice: Choice): void;
}) {
  const { t } = useI18n();
  return (
    <label class="inline">
      {label}{" "}
      <select
        name={name}
        disabled={disabled}
        value={value}
        onChange={(event) => onPick((event.target as HTMLSelectElement).value as Choice)}
      >
        <option value="default">
          {t("byDefault")} ({byDefault})
        </option>
        {choices.map((choice) => (
          <option key={choice.value} value={choice.value}>
            {choice.label}
          </option>
        ))}
      </select>
    </label>
  );
}
