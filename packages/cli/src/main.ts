/**
 * The `outpost-ops` command: every job runs here with the same core code as the Lambdas, against
 * whatever endpoint the SDK resolves (AWS_PROFILE/AWS_REGION, or AWS_ENDPOINT_URL for a sandbox).
 */
import { runCli } from "./cli.ts";
import { processIo } from "./io.ts";

// exitCode, not exit(): stdout may still be flushing a large --json document into a pipe.
process.exitCode = await runCli(process.argv.slice(2), processIo());
