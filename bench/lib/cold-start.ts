/**
 * A Lambda cold start's INIT phase, as far as the bundle decides it: loading the handler module
 * (its top-level code and every module it imports), in a fresh Node process each time, so nothing is
 * cached but the file system's pages. The handler is not invoked: Lambda reports that separately
 * (Duration), and our handlers build their clients and config on first invocation (lazyRuntime).
 */
import { execFile } from "node:child_process";
import { readdir } from "node:fs/promises";
import { dirname } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Imports the module named by argv[1] and prints how long that took, in milliseconds. */
const IMPORT_TIMER = [
  "const started = performance.now();",
  "await import(process.argv[1]);",
  "process.stdout.write(String(performance.now() - started));",
].join("\n");

/**
 * Milliseconds to import `file` in a new `node` process with exactly `env` (Lambda's variables
 * and the function's own: a handler module may read them at import, Powertools' logger does).
 */
export async function initMs(file: string, env: Record<string, string>): Promise<number> {
  const { stdout } = await run(
    process.execPath,
    ["--input-type=module", "-e", IMPORT_TIMER, pathToFileURL(file).href],
    { env },
  );
  const ms = Number(stdout.trim());
  if (!Number.isFinite(ms)) throw new Error(`Importing ${file} printed "${stdout}", not a duration`);
  return ms;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/**
 * The exported client class of an SDK client package, from the entry esbuild resolved
 * (`…/client-ec2/dist-es/index.js` sits next to `EC2Client.js`).
 */
async function clientClassOf(entry: string): Promise<string> {
  const files = await readdir(dirname(entry));
  const client = files.find((f) => /^[A-Za-z0-9]+Client\.js$/.test(f));
  if (!client) throw new Error(`No *Client.js beside ${entry}: not an SDK v3 client package?`);
  return client.replace(/\.js$/, "");
}

/**
 * The floor's handler: it imports the same client packages (the very copies the function's bundle
 * resolved) and nothing else. It constructs them in the handler, as ours do on first invocation, so
 * the two INITs load the same clients and neither constructs one.
 * @example await bareHandlerSource({ "@aws-sdk/client-sns": "/repo/node_modules/@aws-sdk/client-sns/dist-es/index.js" })
 */
export async function bareHandlerSource(clients: Record<string, string>): Promise<string> {
  const entries = Object.entries(clients).sort(([a], [b]) => a.localeCompare(b));
  const imports: string[] = [];
  const classes: string[] = [];
  for (const [i, [, entry]] of entries.entries()) {
    const name = await clientClassOf(entry);
    imports.push(`import { ${name} as Client${i} } from ${JSON.stringify(entry)};`);
    classes.push(`Client${i}`);
  }
  return [
    ...imports,
    `export const handler = async () => [${classes.join(", ")}].map((C) => new C({})).length;`,
    "",
  ].join("\n");
}
