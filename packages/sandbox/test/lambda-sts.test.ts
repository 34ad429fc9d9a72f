/**
 * Lambda Invoke (REST-JSON) running handlers registered with sandbox.lambda.register, STS
 * GetCallerIdentity (awsQuery), and fault rules' `error` on both, through the real SDK clients; the wire
 * forms are checked raw where the SDK would hide them.
 */
import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from "@aws-sdk/client-lambda";
import { ChangeResourceRecordSetsCommand, Route53Client } from "@aws-sdk/client-route-53";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type LambdaContext, type Sandbox, startSandbox } from "../src/index.ts";
import { missing, query, rest, xmlShape } from "./wire-shape.ts";

const ACCOUNT = "210987654321";
const credentials = { accessKeyId: "AKIDSANDBOXTEST", secretAccessKey: "secret" };
const ARN = `arn:aws:lambda:us-west-2:${ACCOUNT}:function:dr-failover`;

let sb: Sandbox;
let lambda: LambdaClient;
let calls: { event: unknown; context: LambdaContext }[] = [];

beforeAll(async () => {
  sb = await startSandbox({ accountId: ACCOUNT });
  lambda = new LambdaClient({ region: "us-west-2", endpoint: sb.endpoint, credentials, maxAttempts: 1 });
  sb.lambda.register("dr-failover", async (event, context) => {
    calls.push({ event, context });
    const e = event as { fail?: string; throwString?: boolean; sleepMs?: number };
    if (e.throwString) throw "plain string";
    if (e.fail) throw new TypeError(e.fail);
    if (e.sleepMs) await new Promise((r) => setTimeout(r, e.sleepMs));
    return { switched: true, to: "dr", remainingMs: context.getRemainingTimeInMillis() };
  });
  sb.lambda.register("slow", () => new Promise((r) => setTimeout(() => r("late"), 300)), { timeoutMs: 50 });
  sb.lambda.register("regional", () => "eu only", { region: "eu-west-1" });
  sb.lambda.register("nothing", () => undefined);
  sb.lambda.register("bigint", () => ({ n: 1n }));
});

afterEach(() => {
  calls = [];
  sb.faults.clear();
});

afterAll(async () => {
  lambda.destroy();
  await sb.close();
});

const invoke = (input: Partial<ConstructorParameters<typeof InvokeCommand>[0]> & { payload?: unknown }) => {
  const { payload, ...others } = input;
  return lambda.send(
    new InvokeCommand({
      FunctionName: "dr-failover",
      ...(payload === undefined ? {} : { Payload: new TextEncoder().encode(JSON.stringify(payload)) }),
      ...others,
    }),
  );
};
const body = (out: InvokeCommandOutput) => JSON.parse(new TextDecoder().decode(out.Payload)) as unknown;

describe("Lambda Invoke (RequestResponse)", () => {
  it("runs the handler with the event and a context, answering 200 and its JSON result", async () => {
    const out = await invoke({ payload: { alarm: "primary-down", region: "us-east-1" } });
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    expect(out.ExecutedVersion).toBe("$LATEST");
    expect(body(out)).toMatchObject({ switched: true, to: "dr" });
    expect(calls).toHaveLength(1);
    const [{ event, context }] = calls as [{ event: unknown; context: LambdaContext }];
    expect(event).toEqual({ alarm: "primary-down", region: "us-east-1" });
    expect(context).toMatchObject({
      functionName: "dr-failover",
      functionVersion: "$LATEST",
      invokedFunctionArn: ARN,
      memoryLimitInMB: "128",
      awsRequestId: out.$metadata.requestId,
      logGroupName: "/aws/lambda/dr-failover",
    });
    const remaining = (body(out) as { remainingMs: number }).remainingMs;
    expect(remaining).toBeGreaterThan(0);
    expect(remaining).toBeLessThanOrEqual(3_000);
    expect(sb.lambda.invocations("dr-failover")).toMatchObject([
      {
        functionName: "dr-failover",
        region: "us-west-2",
        invocationType: "RequestResponse",
        result: { switched: true },
      },
    ]);
  });

  it("accepts the name, the full ARN, a partial ARN, and $LATEST; an empty payload is {}", async () => {
    for (const FunctionName of [
      ARN,
      `${ACCOUNT}:function:dr-failover`,
      "dr-failover:$LATEST",
      `${ARN}:$LATEST`,
    ]) {
      const out = await invoke({ FunctionName });
      expect(out.StatusCode, FunctionName).toBe(200);
    }
    const out = await invoke({ FunctionName: "dr-failover", Qualifier: "$LATEST" });
    expect(out.StatusCode).toBe(200);
    expect(calls.map((c) => c.context.invokedFunctionArn)).toEqual([
      ARN,
      ARN,
      `${ARN}:$LATEST`,
      `${ARN}:$LATEST`,
      `${ARN}:$LATEST`,
    ]);
    expect(calls.map((c) => c.event)).toEqual([{}, {}, {}, {}, {}]);
    expect(new TextDecoder().decode((await invoke({ FunctionName: "nothing" })).Payload)).toBe("null");
  });

  it("answers a handler's exception as Lambda does: 200, X-Amz-Function-Error Unhandled, { errorType, errorMessage }", async () => {
    const out = await invoke({ payload: { fail: "zone not found" } });
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe("Unhandled");
    const err = body(out) as { errorType: string; errorMessage: string; trace: string[] };
    expect(err).toMatchObject({ errorType: "TypeError", errorMessage: "zone not found" });
    expect(err.trace[0]).toBe("TypeError: zone not found");
    const str = await invoke({ payload: { throwString: true } });
    expect(str.FunctionError).toBe("Unhandled");
    expect(body(str)).toEqual({ errorType: "string", errorMessage: "plain string", trace: [] });
    expect(
      sb.lambda
        .invocations("dr-failover")
        .slice(-2)
        .map((i) => i.error?.errorType),
    ).toEqual(["TypeError", "string"]);
  });

  it("times out on the wall clock after the function's timeout with Sandbox.Timedout", async () => {
    const out = await invoke({ FunctionName: "slow" });
    expect(out.FunctionError).toBe("Unhandled");
    expect(body(out)).toEqual({
      errorType: "Sandbox.Timedout",
      errorMessage: `RequestId: ${out.$metadata.requestId} Error: Task timed out after 0.05 seconds`,
    });
  });

  it("returns the log tail (START/END/REPORT) when LogType is Tail", async () => {
    const out = await invoke({ LogType: "Tail" });
    const log = Buffer.from(out.LogResult ?? "", "base64").toString("utf8");
    expect(log).toContain(`START RequestId: ${out.$metadata.requestId} Version: $LATEST`);
    expect(log).toMatch(
      /REPORT RequestId: .*\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB/,
    );
    expect((await invoke({})).LogResult).toBeUndefined();
  });
});

describe("Lambda Invoke: other invocation types and errors", () => {
  it("DryRun answers 204 without running the handler", async () => {
    const before = sb.lambda.invocations().length;
    const out = await invoke({ InvocationType: "DryRun", payload: { x: 1 } });
    expect(out.StatusCode).toBe(204);
    expect(calls).toHaveLength(0);
    expect(sb.lambda.invocations()).toHaveLength(before);
    await expect(invoke({ FunctionName: "nope", InvocationType: "DryRun" })).rejects.toMatchObject({
      name: "ResourceNotFoundException",
    });
  });

  it("Event answers 202 at once and runs the handler after", async () => {
    const out = await invoke({ InvocationType: "Event", payload: { sleepMs: 30 } });
    expect(out.StatusCode).toBe(202);
    await expect
      .poll(() => sb.lambda.invocations("dr-failover").at(-1)?.result)
      .toMatchObject({ switched: true });
    expect(sb.lambda.invocations("dr-failover").at(-1)).toMatchObject({
      invocationType: "Event",
      event: { sleepMs: 30 },
    });
  });

  it("answers ResourceNotFoundException (404) naming the function's ARN, qualifier included", async () => {
    await expect(invoke({ FunctionName: "nope" })).rejects.toMatchObject({
      name: "ResourceNotFoundException",
      message: `Function not found: arn:aws:lambda:us-west-2:${ACCOUNT}:function:nope`,
      $metadata: { httpStatusCode: 404 },
    });
    await expect(invoke({ FunctionName: "dr-failover:live" })).rejects.toMatchObject({
      name: "ResourceNotFoundException",
      message: `Function not found: ${ARN}:live`,
    });
    // Registered for eu-west-1 only.
    await expect(invoke({ FunctionName: "regional" })).rejects.toMatchObject({
      name: "ResourceNotFoundException",
    });
    const eu = new LambdaClient({ region: "eu-west-1", endpoint: sb.endpoint, credentials, maxAttempts: 1 });
    try {
      expect(body(await eu.send(new InvokeCommand({ FunctionName: "regional" })))).toBe("eu only");
    } finally {
      eu.destroy();
    }
    expect(calls).toHaveLength(0);
  });

  it("answers Runtime.MarshalError for a result that is not JSON", async () => {
    const out = await invoke({ FunctionName: "bigint" });
    expect(out.FunctionError).toBe("Unhandled");
    expect(body(out)).toEqual({
      errorType: "Runtime.MarshalError",
      errorMessage: "Unable to stringify response body",
    });
  });

  it("validates names, invocation types and payload size", async () => {
    await expect(invoke({ FunctionName: "bad name!" })).rejects.toMatchObject({
      name: "ValidationException",
      message: expect.stringContaining("Value 'bad name!' at 'functionName' failed to satisfy constraint"),
    });
    await expect(invoke({ InvocationType: "Later" as "Event" })).rejects.toMatchObject({
      name: "ValidationException",
      message: expect.stringContaining(
        "Member must satisfy enum value set: [Event, RequestResponse, DryRun]",
      ),
    });
    await expect(invoke({ payload: { blob: "x".repeat(6_291_456) } })).rejects.toMatchObject({
      name: "RequestTooLargeException",
      $metadata: { httpStatusCode: 413 },
    });
    expect(calls).toHaveLength(0);
    expect(() => sb.lambda.register("arn:aws:lambda:us-east-1:1:function:x", () => 1)).toThrow(
      /function name/,
    );
    const other = await rest(
      sb.endpoint,
      "lambda",
      "GET",
      "/2015-03-31/functions/dr-failover",
      undefined,
      "us-west-2",
    );
    expect(other.headers.get("x-amzn-errortype")).toBe("UnknownOperationException");
  });

  it("validates qualifiers, payloads and other accounts' functions", async () => {
    await expect(invoke({ FunctionName: "dr-failover:$LATEST", Qualifier: "live" })).rejects.toMatchObject({
      name: "InvalidParameterValueException",
      message: "The derived qualifier from the function name does not match the specified qualifier.",
      $metadata: { httpStatusCode: 400 },
    });
    await expect(invoke({ Payload: new TextEncoder().encode("{not json") })).rejects.toMatchObject({
      name: "InvalidRequestContentException",
      message: expect.stringMatching(/^Could not parse request body into json: /),
      $metadata: { httpStatusCode: 400 },
    });
    await expect(
      invoke({ FunctionName: "arn:aws:lambda:us-west-2:111111111111:function:dr-failover" }),
    ).rejects.toMatchObject({
      name: "AccessDeniedException",
      $metadata: { httpStatusCode: 403 },
    });
    expect(calls).toHaveLength(0);
  });

  it("answers Lambda's REST-JSON error form: x-amzn-ErrorType and { Type, Message }", async () => {
    const res = await rest(
      sb.endpoint,
      "lambda",
      "POST",
      "/2015-03-31/functions/nope/invocations",
      "{}",
      "us-west-2",
    );
    expect(res.status).toBe(404);
    expect(res.headers.get("x-amzn-errortype")).toBe("ResourceNotFoundException");
    expect(JSON.parse(res.body)).toEqual({
      Type: "User",
      Message: `Function not found: arn:aws:lambda:us-west-2:${ACCOUNT}:function:nope`,
    });
    const ok = await rest(
      sb.endpoint,
      "lambda",
      "POST",
      `/2015-03-31/functions/${encodeURIComponent(ARN)}/invocations`,
      '{"a":1}',
      "us-west-2",
      {
        "x-amz-invocation-type": "RequestResponse",
      },
    );
    expect(ok.status).toBe(200);
    expect(ok.headers.get("x-amz-executed-version")).toBe("$LATEST");
    expect(ok.headers.get("x-amz-function-error")).toBeNull();
  });
});

describe("fault rules on Lambda and other services", () => {
  it("an error rule answers AccessDeniedException (403) with IAM's wording, without running the handler", async () => {
    sb.faults.set({ service: "lambda", error: { code: "AccessDeniedException" } });
    await expect(invoke({})).rejects.toMatchObject({
      name: "AccessDeniedException",
      message: `User: arn:aws:iam::${ACCOUNT}:user/AKIDSANDBOXTEST is not authorized to perform: lambda:InvokeFunction because no identity-based policy allows the lambda:InvokeFunction action`,
      $metadata: { httpStatusCode: 403 },
    });
    expect(calls).toHaveLength(0);
    sb.faults.clear();
    sb.faults.set({
      service: "lambda",
      operation: "Invoke",
      error: { code: "AccessDeniedException" },
      errorRate: 0,
    });
    await expect(invoke({})).resolves.toMatchObject({ StatusCode: 200 });
  });

  it("throttles with TooManyRequestsException (429) and fails with ServiceException (500)", async () => {
    sb.faults.set({ service: "lambda", throttleRate: 1 });
    await expect(invoke({})).rejects.toMatchObject({
      name: "TooManyRequestsException",
      $metadata: { httpStatusCode: 429 },
    });
    sb.faults.clear();
    sb.faults.set({ service: "lambda", serverErrorRate: 1 });
    await expect(invoke({})).rejects.toMatchObject({
      name: "ServiceException",
      $metadata: { httpStatusCode: 500 },
    });
    expect(calls).toHaveLength(0);
  });

  it("renders an error rule in each service's own shape (Route 53 REST-XML, custom code and status)", async () => {
    sb.seed({ hostedZones: [{ id: "Z0000000000FLT", name: "example.com" }] });
    const r53 = new Route53Client({
      region: "us-east-1",
      endpoint: sb.endpoint,
      credentials,
      maxAttempts: 1,
    });
    try {
      sb.faults.set({
        service: "route53",
        operation: "ChangeResourceRecordSets",
        error: { code: "AccessDenied", message: "denied by SCP" },
      });
      await expect(
        r53.send(
          new ChangeResourceRecordSetsCommand({
            HostedZoneId: "Z0000000000FLT",
            ChangeBatch: {
              Changes: [
                {
                  Action: "UPSERT",
                  ResourceRecordSet: {
                    Name: "a.example.com",
                    Type: "A",
                    TTL: 60,
                    ResourceRecords: [{ Value: "10.0.0.1" }],
                  },
                },
              ],
            },
          }),
        ),
      ).rejects.toMatchObject({
        name: "AccessDenied",
        message: "denied by SCP",
        $metadata: { httpStatusCode: 403 },
      });
      expect(sb.state.records("Z0000000000FLT").some((r) => r.name === "a.example.com.")).toBe(false);
      sb.faults.clear();
      sb.faults.set({ service: "route53", error: { code: "InvalidInput", status: 400 } });
      await expect(
        r53.send(
          new ChangeResourceRecordSetsCommand({
            HostedZoneId: "Z0000000000FLT",
            ChangeBatch: { Changes: [] },
          }),
        ),
      ).rejects.toMatchObject({
        name: "InvalidInput",
        message: "InvalidInput",
        $metadata: { httpStatusCode: 400 },
      });
    } finally {
      r53.destroy();
    }
  });
});

describe("STS GetCallerIdentity", () => {
  it("answers the sandbox's account and an IAM user named after the access key id", async () => {
    const sts = new STSClient({ region: "us-west-2", endpoint: sb.endpoint, credentials, maxAttempts: 1 });
    try {
      const out = await sts.send(new GetCallerIdentityCommand({}));
      expect(out).toMatchObject({
        Account: ACCOUNT,
        Arn: `arn:aws:iam::${ACCOUNT}:user/AKIDSANDBOXTEST`,
        UserId: "AKIDSANDBOXTEST",
      });
      expect(sb.requests.count("GetCallerIdentity")).toBeGreaterThan(0);
      sb.faults.set({
        service: "sts",
        error: { code: "ExpiredToken", message: "The security token included in the request is expired" },
      });
      await expect(sts.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
        name: "ExpiredToken",
        message: "The security token included in the request is expired",
        $metadata: { httpStatusCode: 400 },
      });
    } finally {
      sts.destroy();
    }
  });

  // https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html (Example 1: called by an IAM user)
  it("has the shape of the API Reference's example", async () => {
    const res = await query(sb.endpoint, "sts", { Action: "GetCallerIdentity", Version: "2011-06-15" });
    expect(res.status, res.body).toBe(200);
    const shape = xmlShape(res.body);
    const doc = xmlShape(`<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
  <Arn>arn:aws:iam::123456789012:user/Alice</Arn>
    <UserId>AKIAI44QH8DHBEXAMPLE</UserId>
    <Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata>
    <RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId>
  </ResponseMetadata>
</GetCallerIdentityResponse>`);
    expect(shape.root).toBe(doc.root);
    expect(shape.xmlns).toBe(doc.xmlns);
    expect(shape.paths).toEqual(doc.paths);
    expect(missing(doc.paths, shape.paths)).toEqual([]);
    expect(res.body).toContain(`<Arn>arn:aws:iam::${ACCOUNT}:user/AKID</Arn>`);
    const unknown = await query(sb.endpoint, "sts", { Action: "AssumeRole", Version: "2011-06-15" });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toContain("<Code>InvalidAction</Code>");
    // Unsigned: STS wants credentials.
    const unsigned = await fetch(`${sb.endpoint}/`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "Action=GetCallerIdentity&Version=2011-06-15",
    });
    expect(unsigned.status).toBe(403);
    expect(await unsigned.text()).toContain("<Code>MissingAuthenticationToken</Code>");
  });
});
