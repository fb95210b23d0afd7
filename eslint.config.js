// @ts-check
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      ".saldo/**",
      ".work/**",
      ".sst/**",
      "coverage/**",
      "web/dist/**",
      "web/src/api/schema.d.ts",
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // Dependencies point inward (STYLE.md §1): lib/ never reaches out to functions/, infra/, SST, middy or Lambda types.
    files: ["lib/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["**/functions/**", "**/infra/**"], message: "lib/ must not import functions/ or infra/" },
            {
              group: ["sst", "sst/*", "@middy/*", "aws-lambda"],
              message: "lib/ stays free of SST, middy and Lambda types",
            },
          ],
        },
      ],
    },
  },
  {
    // The web console runs in the browser and knows the API only from openapi.json (generated types).
    files: ["web/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/lib/**", "**/functions/**", "**/infra/**"],
              message: "web/ knows the API only through the types generated from openapi.json",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["infra/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["**/lib/**"], message: "infra/ must not import lib/" }] },
      ],
    },
  },
);
