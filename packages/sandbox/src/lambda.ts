import { AwsError } from "./errors.ts";
import type { Env, HttpAnswer, RequestContext, ServiceHandler } from "./http.ts";
import { callerArn } from "./sts.ts";
import type { LambdaContext, LambdaFunctionOptions, LambdaHandler, LambdaInvocationView } from "./types.ts";

/**
 * Lambda Invoke over REST-JSON (`POST /2015-03-31/functions/{FunctionName}/invocations`), running
 * handlers registered in-process with `sandbox.lambda.register`. Errors name themselves in
 * `x-amzn-ErrorType` with a `{ Type, Message }` body, as Lambda answers them.
 */
const DEFAULT_TIMEOUT_MS = 3_000;
/** Invoke's synchronous payload limit (RequestTooLargeException). */
const MAX_SYNC_PAYLOAD = 6_291_456;
const INVOCATION_TYPES = ["RequestResponse", "Event", "DryRun"];

/** The FunctionName pattern of the API Reference: name, partial ARN or full ARN, optional qualifier. */
const FUNCTION_NAME =
  /^(?:arn:aws[a-zA-Z-]*:lambda:([a-z]{2}(?:-gov)?-[a-z]+-\d):)?(?:(\d{12}):)?(?:function:)?([a-zA-Z0-9_.-]+)(?::(\$LATEST|[a-zA-Z0-9_-]+))?$/;

interface Registered {
  name: string;
  handler: LambdaHandler;
  timeoutMs: number;
  memoryMB: number;
}

interface FunctionError {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: FunctionError };

/** The Node.js runtime's rendering of a thrown value. */
function runtimeError(e: unknown): FunctionError {
  if (e instanceof Error)
    return { errorType: e.name, errorMessage: e.message, trace: (e.stack ?? "").split("\n") };
  return { errorType: typeof e, errorMessage: String(e), trace: [] };
}

export class LambdaService implements ServiceHandler {
  readonly service = "lambda" as const;
  private readonly functions = new Map<string, Registered>();
  private readonly log: LambdaInvocationView[] = [];

  constructor(private readonly env: Env) {}

  register(name: string, handler: LambdaHandler, options: LambdaFunctionOptions = {}): void {
    if (!/^[a-zA-Z0-9_-]{1,64}$/.test(name))
      throw new Error(
        `sandbox: a Lambda function name is 1-64 letters, digits, - and _; got ${JSON.stringify(name)}`,
      );
    this.functions.set(`${options.region ?? "*"}|${name}`, {
      name,
      handler,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      memoryMB: options.memoryMB ?? 128,
    });
  }

  invocations(name?: string): LambdaInvocationView[] {
    return this.log.filter((i) => name === undefined || i.functionName === name).map((i) => ({ ...i }));
  }

  operation(ctx: RequestContext): string {
    if (ctx.method === "POST" && /^\/2015-03-31\/functions\/[^/]+\/invocations$/.test(ctx.path))
      return "Invoke";
    return "Unknown";
  }

  renderError(err: AwsError): HttpAnswer {
    const body: Record<string, string> = {
      Type: err.status >= 500 ? "Service" : "User",
      Message: err.message,
    };
    if (err.code === "TooManyRequestsException") body.Reason = "CallerRateLimitExceeded";
    return {
      status: err.status,
      headers: { "content-type": "application/json", "x-amzn-errortype": err.code },
      body: JSON.stringify(body),
    };
  }

  async handle(operation: string, ctx: RequestContext): Promise<HttpAnswer> {
    if (operation !== "Invoke")
      throw new AwsError("UnknownOperationException", `Unsupported Lambda request ${ctx.method} ${ctx.path}`);
    const raw = decodeURIComponent(ctx.path.split("/")[3] ?? "");
    const m = FUNCTION_NAME.exec(raw);
    if (!m || raw.length > 170) {
      throw new AwsError(
        "ValidationException",
        `1 validation error detected: Value '${raw}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`,
      );
    }
    const [, arnRegion, account, name = "", nameQualifier] = m;
    const param = ctx.query.get("Qualifier") ?? undefined;
    if (param !== undefined && nameQualifier !== undefined && param !== nameQualifier) {
      throw new AwsError(
        "InvalidParameterValueException",
        "The derived qualifier from the function name does not match the specified qualifier.",
      );
    }
    const qualifier = nameQualifier ?? param;
    const region = arnRegion ?? ctx.region;
    const arn = `arn:aws:lambda:${region}:${account ?? this.env.accountId}:function:${name}${qualifier ? `:${qualifier}` : ""}`;
    if (account !== undefined && account !== this.env.accountId) {
      const who = callerArn(this.env.accountId, ctx.accessKeyId);
      throw new AwsError(
        "AccessDeniedException",
        `User: ${who} is not authorized to perform: lambda:InvokeFunction on resource: ${arn} because no resource-based policy allows the lambda:InvokeFunction action`,
        403,
      );
    }
    const fn =
      region === ctx.region && (qualifier === undefined || qualifier === "$LATEST")
        ? (this.functions.get(`${region}|${name}`) ?? this.functions.get(`*|${name}`))
        : undefined;
    if (!fn) throw new AwsError("ResourceNotFoundException", `Function not found: ${arn}`, 404);

    const header = ctx.headers["x-amz-invocation-type"];
    const invocationType = typeof header === "string" ? header : "RequestResponse";
    if (!INVOCATION_TYPES.includes(invocationType)) {
      throw new AwsError(
        "ValidationException",
        `1 validation error detected: Value '${invocationType}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`,
      );
    }
    if (invocationType === "RequestResponse" && Buffer.byteLength(ctx.body) > MAX_SYNC_PAYLOAD) {
      throw new AwsError(
        "RequestTooLargeException",
        `Request must be smaller than ${MAX_SYNC_PAYLOAD} bytes for the InvokeFunction operation`,
        413,
      );
    }
    let event: unknown;
    try {
      event = ctx.body.trim() === "" ? {} : JSON.parse(ctx.body);
    } catch (e) {
      throw new AwsError(
        "InvalidRequestContentException",
        `Could not parse request body into json: Could not parse payload into json: ${(e as Error).message}`,
      );
    }
    const version = { "x-amz-executed-version": "$LATEST" };
    if (invocationType === "DryRun") return { status: 204, headers: version, body: "" };

    const view: LambdaInvocationView = {
      functionName: fn.name,
      region: ctx.region,
      invocationType: invocationType as "RequestResponse" | "Event",
      event,
      requestId: ctx.requestId,
      at: ctx.clock.now(),
    };
    this.log.push(view);
    const context = this.context(fn, ctx, arn);
    const started = performance.now();
    const settled = this.run(fn, event, context).then((outcome) => {
      if (outcome.ok) view.result = outcome.value;
      else view.error = { errorType: outcome.error.errorType, errorMessage: outcome.error.errorMessage };
      return outcome;
    });
    if (invocationType === "Event") {
      // Accepted and queued: the handler runs after the answer; its outcome only reaches the log.
      return { status: 202, headers: {}, body: "" };
    }
    const outcome = await settled;
    const headers: Record<string, string> = { "content-type": "application/json", ...version };
    if (ctx.headers["x-amz-log-type"] === "Tail")
      headers["x-amz-log-result"] = this.tail(ctx.requestId, performance.now() - started, fn.memoryMB);
    if (!outcome.ok) {
      headers["x-amz-function-error"] = "Unhandled";
      return { status: 200, headers, body: JSON.stringify(outcome.error) };
    }
    let body: string | undefined;
    try {
      body = JSON.stringify(outcome.value);
    } catch {
      view.result = undefined;
      view.error = { errorType: "Runtime.MarshalError", errorMessage: "Unable to stringify response body" };
      headers["x-amz-function-error"] = "Unhandled";
      return { status: 200, headers, body: JSON.stringify(view.error) };
    }
    return { status: 200, headers, body: body ?? "null" };
  }

  /** `arn` is the ARN as invoked: with the qualifier when the caller gave one, as Lambda reports it. */
  private context(fn: Registered, ctx: RequestContext, arn: string): LambdaContext {
    const deadline = Date.now() + fn.timeoutMs;
    return {
      functionName: fn.name,
      functionVersion: "$LATEST",
      invokedFunctionArn: arn,
      memoryLimitInMB: String(fn.memoryMB),
      awsRequestId: ctx.requestId,
      logGroupName: `/aws/lambda/${fn.name}`,
      logStreamName: `${ctx.clock.now().toISOString().slice(0, 10).replace(/-/g, "/")}/[$LATEST]${ctx.requestId.replace(/-/g, "")}`,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
  }

  /** The handler's outcome, or the runtime's time-out error once the function's timeout has passed. */
  private async run(fn: Registered, event: unknown, context: LambdaContext): Promise<Outcome> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<Outcome>((resolve) => {
      timer = setTimeout(
        () =>
          resolve({
            ok: false,
            error: {
              errorType: "Sandbox.Timedout",
              errorMessage: `RequestId: ${context.awsRequestId} Error: Task timed out after ${(fn.timeoutMs / 1000).toFixed(2)} seconds`,
            },
          }),
        fn.timeoutMs,
      );
      timer.unref();
    });
    const ran = Promise.resolve()
      .then(() => fn.handler(event, context))
      .then(
        (value): Outcome => ({ ok: true, value }),
        (e): Outcome => ({ ok: false, error: runtimeError(e) }),
      );
    try {
      return await Promise.race([ran, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** X-Amz-Log-Result: the last 4 KB of the invocation's log, base64 (the platform's START/END/REPORT lines). */
  private tail(requestId: string, ms: number, memoryMB: number): string {
    const log =
      `START RequestId: ${requestId} Version: $LATEST\n` +
      `END RequestId: ${requestId}\n` +
      `REPORT RequestId: ${requestId}\tDuration: ${ms.toFixed(2)} ms\tBilled Duration: ${Math.max(1, Math.ceil(ms))} ms\tMemory Size: ${memoryMB} MB\tMax Memory Used: ${Math.min(memoryMB, 64)} MB\t\n`;
    return Buffer.from(log).toString("base64");
  }
}
