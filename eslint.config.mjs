// ESLint for the dashboard (ngsp_sim/ui/*.js: native ES modules in the browser, no build step).
// `make lint` installs the pinned linter into .lint/ (git-ignored, like the bench's Prism in .bench/), so its
// packages are resolved from there rather than from a node_modules beside this file.
import { createRequire } from "node:module";

const require = createRequire(new URL("./.lint/package.json", import.meta.url));
const js = require("@eslint/js");
const globals = require("globals");

export default [
  { ignores: [".venv/", ".lint/", ".bench/", "build/", "dist/", ".artifacts/"] },  // installed, not ours
  js.configs.recommended,
  {
    files: ["ngsp_sim/ui/**/*.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: globals.browser },
  },
  { files: ["eslint.config.mjs"], languageOptions: { globals: globals.node } },
];
