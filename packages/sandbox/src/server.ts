import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { AwsError, serverError, throttlingError } from "./errors.ts";
import type { Faults } from "./faults.ts";
import type { Env, HttpAnswer, RequestContext, ServiceHandler } from "./http.ts";
import { requestId } from "./ids.ts";
import { parseQuery, type QueryTree } from "./query.ts";
import { callerArn } from "./sts.ts";
import { bucketFor, type Throttling } from "./throttle.ts";
import type { FaultRule, ServiceId } from "./types.ts";

export interface Router {
  byService: Record<ServiceId, ServiceHandler>;
  faults: Faults;
  throttling: Throttling;
  env: Env;
  counts: Map<string, number>;
}

/** Held "timeout" requests answer nothing for this long, so the client's socket timeout fires first. */
const HOLD_MS = 30_000;

/** SigV4: `Credential=AKID/20240101/us-west-2/ec2/aws4_request` carries the region the client signed for. */
export function credentialScope(auth: string | undefined): {
  accessKeyId?: string;
  region?: string;
  service?: string;
} {
  const m = auth ? /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth) : null;
  return m ? { accessKeyId: m[1], region: m[2], service: m[3] } : {};
}

const QUERY_VERSIONS: Record<string, ServiceId> = {
  "2016-11-15": "ec2",
  "2014-10-31": "rds",
  "2010-03-31": "sns",
  "2011-06-15": "sts",
};
const SCOPE_SERVICES: Record<string, ServiceId> = {
  ec2: "ec2",
  rds: "rds",
  sns: "sns",
  sqs: "sqs",
  route53: "route53",
  monitoring: "cloudwatch",
  outposts: "outposts",
  events: "events",
  kms: "kms",
  lambda: "lambda",
  sts: "sts",
};

/** Pick the service by protocol: JSON target header, REST path, or the Query body's Version. */
function routeService(
  req: IncomingMessage,
  path: string,
  form: QueryTree,
  scopeService?: string,
): ServiceId | undefined {
  const target = req.headers["x-amz-target"];
  if (typeof target === "string") {
    if (target.startsWith("AmazonSQS.")) return "sqs";
    if (target.startsWith("GraniteServiceVersion20100801.")) return "cloudwatch";
    if (target.startsWith("AWSEvents.")) return "events";
    if (target.startsWith("TrentService.")) return "kms";
  }
  if (path.startsWith("/2013-04-01/")) return "route53";
  if (path.startsWith("/outposts")) return "outposts";
  if (path.startsWith("/2015-03-31/")) return "lambda";
  const version = form.Version;
  if (typeof version === "string" && QUERY_VERSIONS[version]) return QUERY_VERSIONS[version];
  return scopeService ? SCOPE_SERVICES[scopeService] : undefined;
}

/**
 * The request body as text. The SDK gzips large bodies of operations that carry Smithy's
 * requestCompression trait (CloudWatch PutMetricData over 10 KB), with Content-Encoding: gzip, as
 * AWS accepts them.
 */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      try {
        resolve((req.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw).toString("utf8"));
      } catch (error) {
        reject(error);
      }
    });
    req.on("error", reject);
  });
}

function send(res: ServerResponse, answer: HttpAnswer, reqId: string): void {
  if (res.writableEnded || res.destroyed) return;
  const headers: Record<string, string | number> = {
    "x-amzn-requestid": reqId,
    "content-length": Buffer.byteLength(answer.body),
    ...answer.headers,
  };
  res.writeHead(answer.status, headers);
  res.end(answer.body);
}

export function startServer(router: Router, port: number): Promise<{ server: Server; endpoint: string }> {
  const held = new Set<NodeJS.Timeout>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const contentType = req.headers["content-type"] ?? "";
    const form = contentType.includes("x-www-form-urlencoded") ? parseQuery(body) : {};
    const scope = credentialScope(req.headers.authorization);
    const service = routeService(req, url.pathname, form, scope.service);
    const reqId = requestId();
    if (!service) {
      send(
        res,
        { status: 400, headers: { "content-type": "text/plain" }, body: "sandbox: unrecognised request" },
        reqId,
      );
      return;
    }
    const handler = router.byService[service];
    let resolveAborted: () => void = () => {};
    const aborted = new Promise<void>((r) => {
      resolveAborted = r;
    });
    res.on("close", () => resolveAborted());
    const ctx: RequestContext = {
      region: scope.region ?? "us-east-1",
      accessKeyId: scope.accessKeyId,
      accountId: router.env.accountId,
      endpoint: router.env.endpoint,
      method: req.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
      form,
      clock: router.env.clock,
      requestId: reqId,
      aborted,
    };
    let operation = "Unknown";
    try {
      operation = handler.operation(ctx);
      router.counts.set(operation, (router.counts.get(operation) ?? 0) + 1);

      const fault = router.faults.decide(service, operation);
      ctx.fault = fault;
      if (fault) {
        if (fault.latencyMs > 0) await new Promise((r) => setTimeout(r, fault.latencyMs).unref());
        if (fault.timeout) {
          // Say nothing: the client's socket timeout must fire. The timer is unref'd and close() ends the
          // socket, so a held request never keeps the process alive.
          const t = setTimeout(() => {
            held.delete(t);
            res.destroy();
          }, HOLD_MS);
          t.unref();
          held.add(t);
          return;
        }
        if (fault.throttle) throw throttlingError(service);
        if (fault.serverError) throw serverError(service, (router.counts.get(operation) ?? 0) % 2 === 0);
        if (fault.error) throw injectedError(fault.error, service, operation, ctx);
        if (fault.quotaError) {
          const q = handler.quotaError?.(operation, ctx);
          if (q) throw q;
        }
      }
      const paged = service !== "ec2" || isPagedEc2Call(form);
      if (
        !router.throttling.take(
          router.env.accountId,
          ctx.region,
          bucketFor(service, operation, paged, ctx.region),
        )
      ) {
        throw throttlingError(service);
      }
      send(res, await handler.handle(operation, ctx), reqId);
    } catch (e) {
      const err =
        e instanceof AwsError
          ? e
          : new AwsError("InternalError", `sandbox: ${(e as Error)?.message ?? String(e)}`, 500, "Receiver");
      if (!(e instanceof AwsError)) console.error(`sandbox ${service}:${operation}`, e);
      send(res, handler.renderError(err, ctx), reqId);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      console.error("sandbox: unhandled", e);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  // Keep-alive sockets would otherwise hold close() open until they idle out.
  server.keepAliveTimeout = 5_000;

  const originalClose = server.close.bind(server);
  server.close = ((cb?: (err?: Error) => void) => {
    for (const t of held) clearTimeout(t);
    held.clear();
    originalClose(cb);
    server.closeAllConnections();
    return server;
  }) as typeof server.close;

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const { port: bound } = server.address() as AddressInfo;
      resolve({ server, endpoint: `http://127.0.0.1:${bound}` });
    });
  });
}

/** The IAM action an operation is authorised by (Lambda's Invoke is lambda:InvokeFunction). */
function iamAction(service: ServiceId, operation: string): string {
  if (service === "lambda" && operation === "Invoke") return "lambda:InvokeFunction";
  return `${service}:${operation}`;
}

/** A FaultRule's `error`: AccessDenied codes default to 403 and IAM's "is not authorized" wording. */
function injectedError(
  spec: NonNullable<FaultRule["error"]>,
  service: ServiceId,
  operation: string,
  ctx: RequestContext,
): AwsError {
  const denied = spec.code.startsWith("AccessDenied");
  const action = iamAction(service, operation);
  const message =
    spec.message ??
    (denied
      ? `User: ${callerArn(ctx.accountId, ctx.accessKeyId)} is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`
      : spec.code);
  return new AwsError(spec.code, message, spec.status ?? (denied ? 403 : 400));
}

/** AWS's smaller bucket is for Describe calls that neither filter nor paginate. */
function isPagedEc2Call(form: QueryTree): boolean {
  for (const key of Object.keys(form)) {
    if (key !== "Action" && key !== "Version" && key !== "DryRun") return true;
  }
  return false;
}
