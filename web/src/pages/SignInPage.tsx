import { useEffect, useState } from "preact/hooks";
import { signedOutInThisTab, signInLocally, signOutReason, startOidcSignIn, type Session } from "../auth.ts";
import type { ConsoleConfig } from "../config.ts";
import { useI18n } from "../i18n.ts";
import { ErrorMessage } from "../ui.tsx";

export function SignInPage({
  config,
  onSignedIn,
  finishing = false,
}: {
  config: ConsoleConfig;
  onSignedIn(session: Session): void;
  /** The issuer's redirect back is being handled (the code exchanged): nothing to click meanwhile. */
  finishing?: boolean;
}) {
  const { t } = useI18n();
  const reason = signOutReason();
  const notice =
    reason === "expired"
      ? t("sessionExpired")
      : reason === "rejected"
        ? t("sessionEnded")
        : reason === "signedOut"
          ? t("signedOut")
          : undefined;
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const auth = config.auth;
  const [tenant, setTenant] = useState(auth.kind === "local" ? (auth.tenants[0] ?? "demo") : "");
  // Local stack: open signed in as its demo tenant (development only), unless someone signed out in this tab.
  useEffect(() => {
    if (auth.kind === "local" && auth.autoSignIn && !signedOutInThisTab())
      signInLocally(auth, auth.autoSignIn).then(onSignedIn, setError);
  }, []);

  if (auth.kind === "oidc") {
    return (
      <main class="signin">
        <h1>saldo</h1>
        {notice && !finishing && (
          <p role="status" data-testid="signin-notice">
            {notice}
          </p>
        )}
        <ErrorMessage error={error} />
        <button
          type="button"
          disabled={finishing}
          onClick={() =>
            startOidcSignIn(auth, location.pathname === "/auth/callback" ? "/clients" : location.pathname).catch(
              setError,
            )
          }
        >
          {t("signInCloud")}
        </button>
      </main>
    );
  }
  return (
    <main class="signin">
      <h1>saldo</h1>
      {notice && (
        <p role="status" data-testid="signin-notice">
          {notice}
        </p>
      )}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          setBusy(true);
          signInLocally(auth, tenant.trim())
            .then(onSignedIn, setError)
            .finally(() => setBusy(false));
        }}
      >
        <p>{t("signInLocal")}</p>
        <label>
          {t("tenant")}
          <input
            name="tenant"
            list="tenants"
            required
            value={tenant}
            onInput={(event) => setTenant((event.target as HTMLInputElement).value)}
          />
        </label>
        <datalist id="tenants">
          {auth.tenants.map((name) => (
            <option key={name} value={name} />
          ))}
        </datalist>
        <ErrorMessage error={error} />
        <button type="submit" disabled={busy}>
          {t("signIn")}
        </button>
      </form>
    </main>
  );
}
