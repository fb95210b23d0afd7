/**
 * The dependency rules `npm run lint` checks with dependency-cruiser (beside eslint):
 *
 * - no file imports itself through other files (`no-circular`);
 * - lib/'s modules are layered: a module imports only modules below it in LAYERS, so no two modules depend on each
 *   other, however indirectly (`lib-layers`). A module is a folder directly under lib/ with everything beneath it.
 *
 * Why dependency-cruiser rather than eslint's import-x/no-cycle: it checks the module (folder) level as well as the
 * file level, type-only imports included (a type import is a design dependency too), and walks the whole graph once
 * instead of once per file.
 */

/** lib/'s modules, lowest first. Adding a module means giving it its place here. */
const LAYERS = [
  "errors",
  "config",
  "money",
  "ids",
  "paging",
  "ledger",
  "formats",
  "presentation",
  "secrets",
  "connectors",
  "engagements",
  "reconcile",
  "imports",
  "export",
  "store",
  "auth",
  "api",
  "local",
  "cli",
];

/** One rule per module: nothing in it imports a module above it. */
const layerRules = LAYERS.map((module, index) => ({
  name: "lib-layers",
  severity: "error",
  comment: `lib/${module} may import only ${index === 0 ? "no other module" : LAYERS.slice(0, index).join(", ")} of lib/ (.dependency-cruiser.cjs LAYERS)`,
  from: { path: `^lib/${module}/` },
  to: { path: `^lib/(${LAYERS.slice(index + 1).join("|") || "$^"})/` },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "A file must not import itself through other files.",
      from: {},
      to: { circular: true },
    },
    {
      name: "lib-unknown-module",
      severity: "error",
      comment: "Every folder directly under lib/ has its place in LAYERS (.dependency-cruiser.cjs).",
      from: { path: "^lib/", pathNot: `^lib/(${LAYERS.join("|")})/` },
      to: {},
    },
    ...layerRules,
    {
      name: "web-no-server-code",
      severity: "error",
      comment:
        "The web console (web/) runs in the browser and knows the API only through the types generated from openapi.json: it never imports lib/, functions/, infra/ or scripts/.",
      from: { path: "^web/" },
      to: { path: "^(lib|functions|infra|scripts|bin)/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|\\.sst|\\.saldo|coverage|web/dist)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};
