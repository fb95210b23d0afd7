import { fileURLToPath } from "node:url";
import preact from "@preact/preset-vite";
import { defineConfig } from "vite";

/** The web console (web/): a static single-page app; `npm run web:build` writes web/dist. */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  plugins: [preact()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true },
});
