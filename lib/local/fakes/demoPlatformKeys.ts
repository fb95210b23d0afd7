/**
 * saldo's platform keys in the local stack and the fakes' demo setup: fixed demo values the fake servers accept (in the
 * cloud they are one Secrets Manager secret). A module of their own so that the CLI can name them without loading the
 * fakes.
 */

/** The API consumer token the fake Tripletex's demo setup expects. */
export const DEMO_TRIPLETEX_CONSUMER_TOKEN = "saldo-demo-tripletex-consumer";
/** saldo's PowerOffice Go application key against the fake. */
export const DEMO_POWEROFFICE_APPLICATION_KEY = "demo-poweroffice-application-key";
/** saldo's PowerOffice Go subscription key against the fake. */
export const DEMO_POWEROFFICE_SUBSCRIPTION_KEY = "demo-poweroffice-subscription-key";
