/** `drill` (also `npm start`): the offline DR drill on the embedded sandbox. */
import type { Cli } from "./cli.ts";
import { type CommonOptions, commonOptions } from "./options.ts";

export function registerDrill(cli: Cli): void {
  const drill = commonOptions(
    cli.program.command("drill").description("Offline DR drill on the embedded sandbox (npm start)"),
  ).option("--days <n>", "simulated days, 1 to 366", "21");
  cli.action(drill, async (options: CommonOptions & { days: string }) => {
    // Before the handlers load: their logger and metrics read these once, as in Lambda.
    cli.io.env.POWERTOOLS_LOG_LEVEL ??= "SILENT";
    cli.io.env.POWERTOOLS_METRICS_DISABLED ??= "true";
    // The SDK's notice that it will need Node 22 in 2027 says nothing about an offline drill.
    cli.io.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    const { drill } = await import("../commands/drill.ts");
    return drill({ json: options.json === true, days: options.days, config: options.config });
  });
}
