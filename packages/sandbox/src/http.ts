import type { Clock } from "./clock.ts";
import type { AwsError, ServiceName } from "./errors.ts";
import type { FaultDecision } from "./faults.ts";
import type { QueryTree } from "./query.ts";
import type { Settler } from "./settle.ts";
import type { CopyInfo } from "./types.ts";

/** What a service handler sees of one request. */
export interface RequestContext {
  region: string;
  /** The access key id of the SigV4 credential scope, if the request was signed. */
  accessKeyId?: string;
  accountId: string;
  endpoint: string;
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Query-protocol (EC2, RDS, SNS) bodies, parsed once by the router. */
  form: QueryTree;
  clock: Clock;
  requestId: string;
  /** Resolves when the client has gone away (used to end SQS long polls early). */
  aborted: Promise<void>;
  /** What the fault rules decided for this request, if any rule matched (per-entry failures read it). */
  fault?: FaultDecision;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A service module: recognises its operation, answers it, and renders its own error shape. */
export interface ServiceHandler {
  readonly service: ServiceName;
  /** The operation name, for counters, faults and throttling. */
  operation(ctx: RequestContext): string;
  handle(operation: string, ctx: RequestContext): HttpAnswer | Promise<HttpAnswer>;
  renderError(err: AwsError, ctx: RequestContext): HttpAnswer;
  /** The operation's own quota error, if AWS documents one (used by quotaErrorRate faults). */
  quotaError?(operation: string, ctx: RequestContext): AwsError | undefined;
}

/** Settings shared by every service model. */
export interface Env {
  accountId: string;
  clock: Clock;
  snapshotCompletionMs: number;
  /** The number form of SandboxOptions.copyCompletionMs (default 60 min). */
  copyCompletionMs: number;
  /** The function form of SandboxOptions.copyCompletionMs, if given: asked for every copy. */
  copyDuration?: (copy: CopyInfo) => number;
  /**
   * EC2 eventual consistency: how long a snapshot created through the API stays invisible to
   * DescribeSnapshots (sandbox clock or wall clock, whichever passes first); 0 = at once.
   */
  describeVisibilityDelayMs: number;
  /** Known once the server listens; SQS queue URLs embed it. */
  endpoint: string;
  /** Runs what happens when a moment passes on the sandbox clock (snapshot completion events). */
  settler: Settler;
  /** Deliver an event an AWS service sends (source aws.*) to the region's default event bus. */
  emit(region: string, event: AwsServiceEvent): void;
  /**
   * KMS: whether KeyId names an enabled key of the region (key id, key ARN, alias, alias ARN;
   * alias/aws/* always does). undefined when the estate seeds no key for that region, so models
   * without keys behave as before.
   */
  kmsKeyUsable(region: string, keyId: string): boolean | undefined;
  /**
   * S3 on Outposts: why a local snapshot of `sizeGiB` cannot be stored on the Outpost at `atMs` (the
   * StateMessage it ends with), or undefined when it fits or the Outpost's storage is not modelled.
   */
  localSnapshotFailure(region: string, outpostArn: string, sizeGiB: number, atMs: number): string | undefined;
}

/** An event emitted by an AWS service model, at `timeMs` on the sandbox clock. */
export interface AwsServiceEvent {
  source: string;
  detailType: string;
  resources: string[];
  detail: Record<string, unknown>;
  timeMs: number;
}

export function xmlAnswer(body: string, status = 200): HttpAnswer {
  return { status, headers: { "content-type": "text/xml;charset=UTF-8" }, body };
}

export function jsonAnswer(body: unknown, status = 200, headers: Record<string, string> = {}): HttpAnswer {
  return {
    status,
    headers: { "content-type": "application/x-amz-json-1.0", ...headers },
    body: JSON.stringify(body),
  };
}

/** awsJson1_1 (EventBridge, KMS): the same JSON, its own content type. */
export function json11Answer(body: unknown, status = 200): HttpAnswer {
  return jsonAnswer(body, status, { "content-type": "application/x-amz-json-1.1" });
}

/** The awsJson1_1 error body the SDK reads: `__type` (the code) and `message`. */
export function json11Error(err: AwsError): HttpAnswer {
  return json11Answer({ __type: err.code, message: err.message }, err.status);
}

/**
 * How long a copy stays pending: the copyCompletionMs hook's answer when there is one, else
 * `standardMs` (what the number form means for this kind of copy).
 */
export function copyDurationMs(env: Env, copy: CopyInfo, standardMs: number): number {
  if (!env.copyDuration) return standardMs;
  const ms = env.copyDuration(copy);
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) {
    throw new Error(
      `copyCompletionMs(${JSON.stringify(copy)}) answered ${String(ms)}: want a finite number >= 0`,
    );
  }
  return ms;
}
