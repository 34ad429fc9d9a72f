import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/**
 * The root config only collects `bench/**` at the repo root; run the sandbox's benchmark with
 * `npx vitest bench --run --config packages/sandbox/bench/vitest.config.ts`.
 */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  test: { benchmark: { include: ["*.bench.ts"] } },
});
