/**
 * A Lambda function's bundle as `sst deploy` builds it: SST v2.49's esbuild options for a NodeJS
 * function (node_modules/sst/runtime/handlers/node.js, `build`) with our defaults from
 * stacks/defaults.ts (`format: "esm"`, `minify: true`). SST bundles the AWS SDK v3 into every ESM
 * function (only `sharp` and `pg-native` are forced external; `aws-sdk` only on nodejs16.x CJS), so
 * the bundle carries every client it imports, and nothing comes from the Lambda runtime's own SDK.
 *
 * The deployed zip holds the `.mjs` only: SST gzips the source map and uploads it beside the
 * function, not in it (constructs/Function.js), so the bundle's size is the `.mjs` file's.
 */
import { stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { type BuildOptions, build, type Metafile, type Plugin } from "esbuild";

export const REPO_ROOT = resolve(import.meta.dirname, "../..");

/** SST's ESM banner: CommonJS dependencies bundled into ESM still call `require` and `__dirname`. */
const SST_ESM_BANNER = [
  `import { createRequire as topLevelCreateRequire } from 'module';`,
  `const require = topLevelCreateRequire(import.meta.url);`,
  `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"`,
  `const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))`,
  "",
].join("\n");

/** What SST v2 passes esbuild for `nodejs: { format: "esm", minify: true }` in deploy mode. */
export function sstEsbuildOptions(outfile: string): BuildOptions {
  return {
    platform: "node",
    external: ["sharp", "pg-native"],
    keepNames: true,
    bundle: true,
    logLevel: "silent",
    metafile: true,
    format: "esm",
    target: "esnext",
    mainFields: ["module", "main"],
    banner: { js: SST_ESM_BANNER },
    outfile,
    sourcemap: true,
    minify: true,
    absWorkingDir: REPO_ROOT,
  };
}

/** A built bundle: the file Lambda loads, its size, and the SDK clients esbuild put in it. */
export interface Bundle {
  file: string;
  bytes: number;
  /** `@aws-sdk/client-*` package names among the bundle's inputs, sorted. */
  sdkClients: string[];
  /** Each client package as the build resolved it (absolute entry file), so a bare handler loads the same copy. */
  resolvedClients: Record<string, string>;
  metafile: Metafile;
}

const CLIENT_PACKAGE = /(?:^|\/)node_modules\/(@aws-sdk\/client-[^/]+)\//;

/**
 * The `@aws-sdk/client-*` packages with code in the bundle (nested copies count once). From the
 * output's inputs, not the build's: esbuild reads a side-effect-free module it then drops whole,
 * and such a client is imported but never loaded.
 */
export function sdkClientsOf(metafile: Metafile): string[] {
  const found = new Set<string>();
  for (const [output, { inputs }] of Object.entries(metafile.outputs)) {
    if (output.endsWith(".map")) continue;
    for (const [input, { bytesInOutput }] of Object.entries(inputs)) {
      const match = CLIENT_PACKAGE.exec(input);
      if (match?.[1] && bytesInOutput > 0) found.add(match[1]);
    }
  }
  return [...found].sort();
}

/**
 * Records where each `@aws-sdk/client-*` import resolves to. There are several copies in the tree
 * (packages/core pins its own EventBridge client; SST hoists an older one to the root), and the bare
 * handler must load the very copy the function does, or the two bundles differ by more than our code.
 */
function recordClientResolution(into: Record<string, string>): Plugin {
  return {
    name: "record-sdk-client-resolution",
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^@aws-sdk\/client-[^/]+$/ }, async (args) => {
        if (args.pluginData === "resolving") return undefined;
        const result = await pluginBuild.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: "resolving",
        });
        if (result.errors.length === 0) into[args.path] ??= result.path;
        return result.errors.length === 0 ? { path: result.path } : undefined;
      });
    },
  };
}

/**
 * Bundles an entry file, or source text (`contents`, resolved from the repo root), into `outfile`.
 * @example await bundle({ entry: "packages/functions/src/alarm/state-change.ts" }, "/tmp/p5/relay.mjs")
 */
export async function bundle(
  source: { entry: string } | { contents: string },
  outfile: string,
  /** `write: false, sourcemap: false`: in memory and faster, for what only reads the metafile (tests). */
  options: { write?: boolean; sourcemap?: boolean } = {},
): Promise<Bundle> {
  const resolvedClients: Record<string, string> = {};
  const write = options.write ?? true;
  const result = await build({
    ...sstEsbuildOptions(outfile),
    ...("entry" in source
      ? { entryPoints: [join(REPO_ROOT, source.entry)] }
      : { stdin: { contents: source.contents, resolveDir: REPO_ROOT, loader: "ts", sourcefile: "bare.ts" } }),
    write,
    ...(options.sourcemap === false ? { sourcemap: false } : {}),
    plugins: [recordClientResolution(resolvedClients)],
  });
  const metafile = result.metafile as Metafile;
  const bytes = write
    ? (await stat(outfile)).size
    : (result.outputFiles?.find((f) => f.path.endsWith(".mjs") || f.path === resolve(outfile))?.contents
        .byteLength ?? 0);
  return { file: outfile, bytes, sdkClients: sdkClientsOf(metafile), resolvedClients, metafile };
}

/** `…/node_modules/@aws-lambda-powertools/logger/lib/…` → the package; our own files → their package dir. */
function ownerOf(input: string): string {
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (dependency?.[1]) return dependency[1];
  return /^packages\/[^/]+/.exec(input)?.[0] ?? input;
}

function bytesByOwner(metafile: Metafile): Map<string, number> {
  const owners = new Map<string, number>();
  for (const [output, { inputs }] of Object.entries(metafile.outputs)) {
    if (output.endsWith(".map")) continue;
    for (const [input, { bytesInOutput }] of Object.entries(inputs))
      owners.set(ownerOf(input), (owners.get(ownerOf(input)) ?? 0) + bytesInOutput);
  }
  return owners;
}

/**
 * What a bundle carries beyond another (the bare handler's), by package, largest first: why a
 * bundle figure misses its goal.
 * @example extraByPackage(ours, bare) // [["zod", 103219], ["@aws-lambda-powertools/logger", 17612], …]
 */
export function extraByPackage(ours: Bundle, floor: Bundle): [string, number][] {
  const mine = bytesByOwner(ours.metafile);
  const theirs = bytesByOwner(floor.metafile);
  return [...mine]
    .map(([owner, bytes]): [string, number] => [owner, bytes - (theirs.get(owner) ?? 0)])
    .filter(([, extra]) => extra > 0)
    .sort((a, b) => b[1] - a[1]);
}
