/**
 * Node module hooks that let `--config PATH` name a config file anywhere on disk (registered by
 * load-config.ts with module.register, so they run in Node's loader thread: plain JavaScript, since
 * that thread does not go through tsx on every Node version we support).
 *
 * A config outside this project has two problems, both fixed here for the config's own imports only
 * (load-config.ts marks the config's URL with a query parameter, and the mark is passed on to the files
 * it imports by relative path; nothing else in the process is touched):
 *
 * 1. `import { defineConfig } from "@outpost-ops/core/config"` resolves through the node_modules
 *    folders above the importing file, and /tmp or /etc/outpost-ops has none. The config is validated by
 *    this CLI's schema, so it must get this CLI's copy of core anyway: the bare specifier is resolved as
 *    if this CLI imported it. (A config inside the project resolves to the same file either way.)
 * 2. A `.ts` file outside a `"type": "module"` package is CommonJS to Node and to tsx, and its `import`
 *    syntax then fails with ERR_REQUIRE_CYCLE_MODULE. The config is an ES module by contract
 *    (`export default defineConfig(...)`), as it is in the project, so its .ts files load as one.
 */

/** The query parameter that marks the config and the files it imports by relative path. */
const MARK = "outpost-ops-config";
const CORE = "@outpost-ops/core";

/** The URL our own imports resolve from: the CLI's copy of @outpost-ops/core. */
let cliURL = "";

/** @param {{ cliURL: string }} data */
export function initialize(data) {
  cliURL = data.cliURL;
}

/** @param {string | undefined} url */
function marked(url) {
  return url !== undefined && URL.canParse(url) && new URL(url).searchParams.has(MARK);
}

/** @param {string} specifier */
function relative(specifier) {
  return specifier.startsWith("./") || specifier.startsWith("../");
}

/**
 * @param {string} specifier
 * @param {{ parentURL?: string }} context
 * @param {(specifier: string, context?: object) => Promise<{ url: string, format?: string | null }>} nextResolve
 */
export async function resolve(specifier, context, nextResolve) {
  const fromConfig = marked(context.parentURL);
  if (fromConfig && (specifier === CORE || specifier.startsWith(`${CORE}/`)))
    return nextResolve(specifier, { ...context, parentURL: cliURL });
  const resolved = await nextResolve(specifier, context);
  const ownFile = marked(resolved.url) || (fromConfig && relative(specifier));
  if (!ownFile || !resolved.url.startsWith("file:")) return resolved;
  const url = new URL(resolved.url);
  if (!url.pathname.endsWith(".ts")) return resolved;
  url.searchParams.set(MARK, "");
  return { ...resolved, url: url.href, format: "module" };
}
