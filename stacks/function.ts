import type { FunctionSpec } from "@outpost-ops/functions/src/jobs.ts";
import { Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { Key } from "aws-cdk-lib/aws-kms";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Topic } from "aws-cdk-lib/aws-sns";
import { type App, Function as SstFunction, type Stack } from "sst/constructs";
import { namePrefix, useConfig } from "./context.ts";
import { type HandlerName, Handlers } from "./handlers.ts";
import { kmsKeysOf, placeholdersFrom, statementsFor } from "./iam.ts";

export interface AlertsOutput {
  topic: Topic;
  key: Key;
}

type EnvironmentOf<K extends HandlerName> = Record<(typeof Handlers)[K]["environment"][number], string>;

export interface HandlerFunctionProps<K extends HandlerName> {
  description: string;
  timeoutSeconds: number;
  /** Exactly the variables Handlers[name].environment declares: the compiler checks none is missing. */
  environment: EnvironmentOf<K>;
  alerts: AlertsOutput;
  /** A fixed function name (`<prefix>-<name>`) instead of CloudFormation's generated one. */
  functionName?: string;
}

/**
 * A Lambda for one entry of Handlers: its path, the IAM its role declares in core, and publish rights
 * on the alert topic (which includes kms:GenerateDataKey and kms:Decrypt on the topic's key) unless
 * it publishes no alert.
 *
 * The role is our own rather than the CDK default, which attaches the managed
 * AWSLambdaBasicExecutionRole (logs:CreateLogGroup, CreateLogStream and PutLogEvents on every log
 * group in the account). The function logs to its own group, so it gets exactly that group.
 */
export function handlerFunction<K extends HandlerName>(
  stack: Stack,
  id: string,
  name: K,
  props: HandlerFunctionProps<K>,
): SstFunction {
  const spec = Handlers[name];
  // Our own log group: run summaries stay searchable for a quarter, then stop costing storage
  // (SST's logRetention would add a custom resource whose role needs logs:* on every group).
  const logGroup = new LogGroup(stack, `${id}Logs`, { retention: RetentionDays.THREE_MONTHS });
  const role = new Role(stack, `${id}Role`, {
    assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
    description: `outpost-ops ${stack.stage}: ${name} (${spec.role})`,
  });
  logGroup.grantWrite(role);
  const fn = new SstFunction(stack, id, {
    handler: spec.path,
    ...(props.functionName ? { functionName: props.functionName } : {}),
    description: props.description,
    timeout: props.timeoutSeconds,
    environment: { ...props.environment },
    logGroup,
    role,
  });
  const app = stack.node.root as App;
  const config = useConfig(app);
  // The destination keys of this deployment's Region only (kmsKeysOf).
  const placeholders = {
    ...placeholdersFrom(config, {}, kmsKeysOf(config, app.region)),
    prefix: namePrefix(app),
  };
  const statements = statementsFor(spec.role, stack, placeholders);
  if (statements.length > 0) fn.attachPermissions(statements);
  // A function that publishes no alert (its declaration says `alerts: false`) gets no right to.
  const declared: FunctionSpec = spec;
  if (declared.alerts !== false) props.alerts.topic.grantPublish(fn);
  return fn;
}
