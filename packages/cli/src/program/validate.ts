/** `validate`: check the config without touching AWS. */
import { validateOutput } from "../commands/validate.ts";
import { loadConfig } from "../load-config.ts";
import type { Cli } from "./cli.ts";
import { type CommonOptions, commonOptions } from "./options.ts";

export function registerValidate(cli: Cli): void {
  const validate = commonOptions(
    cli.program
      .command("validate")
      .description("Check the config, as npm test and sst deploy do; nothing reaches AWS"),
  );
  cli.action(validate, async (options: CommonOptions) => {
    const { config, path } = await loadConfig(options.config);
    cli.io.stdout.write(`${validateOutput(config, path, options.json === true)}\n`);
    return 0;
  });
}
