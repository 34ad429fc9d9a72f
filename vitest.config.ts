import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    testTimeout: 30_000,
    // Node 20 here, Node 22 in Lambda: the SDK's one-line notice about that is noise in test output.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    hookTimeout: 60_000,
    benchmark: { include: ["bench/micro/**/*.bench.ts", "packages/*/bench/**/*.bench.ts"] },
  },
});
