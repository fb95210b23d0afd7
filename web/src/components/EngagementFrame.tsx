import type { ComponentChildren } from "preact";
import { useRoute } from "preact-iso";
import { call, type Client, type Engagement } from "../api/client.ts";
import { formatDate } from "../format.ts";
import { useI18n, type Translate } from "../i18n.ts";
import { Crumbs, enc, engagementPath, ErrorMessage, Loading, useApi, useLoad, type Loaded } from "../ui.tsx";

/** The engagement a page under `/clients/{clientId}/engagements/{engagementId}` is about, with its client. */
export interface EngagementScope {
  clientId: string;
  engagementId: string;
  /** The path parameters of the engagement's API routes. */
  path: { clientId: string; engagementId: string };
  /** The engagement page's URL. */
  base: string;
  client: Loaded<Client>;
  engagement: Loaded<Engagement>;
}

/** The route's client and engagement, loaded once for the page (its breadcrumbs name them; the page may use them). */
export function useEngagementScope(): EngagementScope {
  const { params } = useRoute();
  const clientId = params.clientId!;
  const engagementId = params.engagementId!;
  const api = useApi();
  const path = { clientId, engagementId };
  const client = useLoad(
    () => call(() => api.client.GET("/clients/{clientId}", { params: { path: { clientId } } })),
    [clientId],
  );
  const engagement = useLoad(
    () => call(() => api.client.GET("/clients/{clientId}/engagements/{engagementId}", { params: { path } })),
    [clientId, engagementId],
  );
  return { clientId, engagementId, path, base: engagementPath(clientId, engagementId), client, engagement };
}

/** An engagement in a few words: `Årsavslutning 2025 01.01.2025–31.12.2025` (its id until it is loaded). */
export function engagementLabel(t: Translate, engagement: Engagement | undefined, fallback: string): string {
  if (!engagement) return fallback;
  const kind = engagement.kind === "year-end" ? `${t("yearEnd")} ${engagement.fiscalYear}` : t("periodEnd");
  return `${kind} ${formatDate(engagement.periodStart)}–${formatDate(engagement.periodEnd)}`;
}

/** Breadcrumbs Klienter › client › engagement › `trail`: the client and engagement named once they are loaded. */
export function EngagementCrumbs({
  scope,
  trail,
}: {
  scope: EngagementScope;
  trail: { href?: string; label: ComponentChildren }[];
}) {
  const { t } = useI18n();
  return (
    <Crumbs
      items={[
        { href: "/clients", label: t("clients") },
        { href: `/clients/${enc(scope.clientId)}`, label: scope.client.data?.name ?? scope.clientId },
        {
          ...(trail.length > 0 ? { href: scope.base } : {}),
          label: engagementLabel(t, scope.engagement.data, scope.engagementId),
        },
        ...trail,
      ]}
    />
  );
}

/**
 * The frame of every page about one engagement: its breadcrumbs, then the page's main data — its problem as a
 * readable message, a loading note, or `children(data)`.
 */
export function EngagementFrame<T>(props: {
  scope: EngagementScope;
  trail: { href?: string; label: ComponentChildren }[];
  data: Loaded<T>;
  children(data: T): ComponentChildren;
}) {
  const { data } = props;
  return (
    <section>
      <EngagementCrumbs scope={props.scope} trail={props.trail} />
      {data.error !== undefined ? (
        <ErrorMessage error={data.error} />
      ) : data.data === undefined ? (
        <Loading />
      ) : (
        props.children(data.data)
      )}
    </section>
  );
}
