/**
 * Errors a user or operator can act on. Each names what was wrong and says what to do; `cause` is
 * forwarded so nothing is swallowed.
 */
export class OutpostOpsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "OutpostOpsError";
  }
}

/**
 * A run stopped before it finished (a deadline, work AWS would not take): what it did stands, the
 * rest is for a retry. Not a refusal and not a bad input: the CLI exits 1 for these.
 */
export class IncompleteRunError extends OutpostOpsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "IncompleteRunError";
  }
}

/** One problem in the config, located by its field path (e.g. `policies[0].schedules[1].expression`). */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** The config failed validation; nothing was sent to AWS. */
export class ConfigError extends OutpostOpsError {
  readonly issues: ConfigIssue[];
  constructor(issues: ConfigIssue[], source = "outpost-ops.config.ts") {
    super(
      `Invalid ${source}:\n${issues.map((i) => `  - ${i.path || "(root)"}: ${i.message}`).join("\n")}\nFix the field(s) above; nothing was sent to AWS.`,
    );
    this.name = "ConfigError";
    this.issues = issues;
  }
}

/**
 * The config file could not be loaded at all (missing, not valid TypeScript, an import that cannot be
 * found, no default export, or it threw), so there is nothing to validate; nothing was sent to AWS.
 */
export class ConfigLoadError extends OutpostOpsError {
  readonly file: string;
  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(`Cannot load the config ${file}: ${problem} Nothing was sent to AWS.`, options);
    this.name = "ConfigLoadError";
    this.file = file;
  }
}

/** A trigger delivered an event we do not understand; the handler changes nothing. */
export class EventShapeError extends OutpostOpsError {
  readonly issues: ConfigIssue[];
  constructor(trigger: string, issues: ConfigIssue[]) {
    super(
      `Unexpected ${trigger} event: ${issues.map((i) => `${i.path || "(root)"}: ${i.message}`).join("; ")}. Nothing was changed; check the rule or queue that targets this function.`,
    );
    this.name = "EventShapeError";
    this.issues = issues;
  }
}

/** A required environment variable is missing or malformed (read once at cold start). */
export class EnvironmentError extends OutpostOpsError {
  constructor(variable: string, problem: string) {
    super(
      `Environment variable ${variable} ${problem}. It is set by the stacks in stacks/; redeploy with \`npx sst deploy\`.`,
    );
    this.name = "EnvironmentError";
  }
}

/** A time given by a user or an event is not an ISO-8601 date-time with a zone; `field` says where. */
export class TimeFormatError extends OutpostOpsError {
  readonly field: string;
  readonly text: string;
  constructor(field: string, text: string, accepted: string) {
    super(`${field} "${text}" is not ${accepted}.`);
    this.name = "TimeFormatError";
    this.field = field;
    this.text = text;
  }
}

/**
 * A name under the capacity alarm prefix that is not one of ours (an Outpost no longer in the config, a
 * kind or band we do not make, a hand-made alarm): the handler sends no alert for it.
 */
export class CapacityAlarmError extends OutpostOpsError {
  readonly alarmName: string;
  constructor(alarmName: string, problem: string) {
    super(
      `Capacity alarm ${alarmName}: ${problem}. No alert was sent; if the Outpost left the config, delete the alarm.`,
    );
    this.name = "CapacityAlarmError";
    this.alarmName = alarmName;
  }
}
