import { createHash, randomUUID } from "node:crypto";
import { AwsError } from "./errors.ts";
import { type Env, type HttpAnswer, jsonAnswer, type RequestContext, type ServiceHandler } from "./http.ts";

/**
 * SQS over awsJson1_0 (X-Amz-Target AmazonSQS.*). Errors carry the modelled `__type` plus the legacy
 * query code in `x-amzn-query-error`, which the SDK uses to pick the exception class.
 * Visibility timeouts, delays and the FIFO dedupe window run on the sandbox clock; long polls wait
 * on the wall clock (at most WaitTimeSeconds) and wake as soon as a message arrives or the clock moves.
 */

const DEDUPE_WINDOW_MS = 5 * 60_000;
const MAX_MESSAGE_BYTES = 262_144;

type MessageAttributeValue = { DataType: string; StringValue?: string; BinaryValue?: string };

interface Message {
  messageId: string;
  body: string;
  md5OfBody: string;
  attributes: Record<string, MessageAttributeValue>;
  md5OfAttributes?: string;
  sentMs: number;
  visibleAtMs: number;
  receiveCount: number;
  firstReceiveMs?: number;
  groupId?: string;
  dedupeId?: string;
  sequenceNumber?: string;
  deleted: boolean;
}

interface Queue {
  name: string;
  region: string;
  url: string;
  arn: string;
  fifo: boolean;
  attributes: Record<string, string>;
  messages: Message[];
  dedupe: Map<string, { expiresMs: number; messageId: string; sequenceNumber?: string }>;
  handles: Map<string, Message>;
  createdMs: number;
  lastPurgeMs?: number;
  nextSequence: bigint;
}

const DEFAULT_ATTRIBUTES: Record<string, string> = {
  VisibilityTimeout: "30",
  DelaySeconds: "0",
  MaximumMessageSize: "262144",
  MessageRetentionPeriod: "345600",
  ReceiveMessageWaitTimeSeconds: "0",
  // Server-side encryption with SQS-owned keys is on by default for new queues (and so reported).
  SqsManagedSseEnabled: "true",
};

function sqsError(code: string, queryCode: string, message: string, status = 400): AwsError {
  return new AwsError(code, message, status, "Sender", queryCode);
}

const nonExistentQueue = () =>
  sqsError(
    "QueueDoesNotExist",
    "AWS.SimpleQueueService.NonExistentQueue",
    "The specified queue does not exist for this wsdl version.",
  );
const invalidParameter = (message: string) =>
  sqsError("InvalidParameterValue", "InvalidParameterValue", message);
const missingParameter = (name: string) =>
  sqsError("MissingParameter", "MissingParameter", `The request must contain the parameter ${name}.`);

const md5 = (data: string | Buffer) => createHash("md5").update(data).digest("hex");

/** The MD5 AWS computes over message attributes (sorted by name, length-prefixed, transport-typed). */
function md5OfAttributes(attrs: Record<string, MessageAttributeValue>): string | undefined {
  const names = Object.keys(attrs).sort();
  if (names.length === 0) return undefined;
  const parts: Buffer[] = [];
  const lenPrefixed = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    parts.push(len, b);
  };
  for (const name of names) {
    const v = attrs[name] as MessageAttributeValue;
    lenPrefixed(Buffer.from(name, "utf8"));
    lenPrefixed(Buffer.from(v.DataType, "utf8"));
    if (v.BinaryValue !== undefined) {
      parts.push(Buffer.from([2]));
      lenPrefixed(Buffer.from(v.BinaryValue, "base64"));
    } else {
      parts.push(Buffer.from([1]));
      lenPrefixed(Buffer.from(v.StringValue ?? "", "utf8"));
    }
  }
  return md5(Buffer.concat(parts));
}

interface Input {
  [key: string]: unknown;
}

const text = (input: Input, name: string) =>
  typeof input[name] === "string" ? (input[name] as string) : undefined;
const int = (input: Input, name: string) =>
  typeof input[name] === "number" ? (input[name] as number) : undefined;

export class SqsService implements ServiceHandler {
  readonly service = "sqs" as const;
  private readonly queues = new Map<string, Queue>();
  private readonly waiters = new Set<() => void>();

  constructor(private readonly env: Env) {
    env.clock.onChange(() => this.wake());
  }

  operation(ctx: RequestContext): string {
    const target = ctx.headers["x-amz-target"];
    return typeof target === "string" ? target.slice("AmazonSQS.".length) : "Unknown";
  }

  renderError(err: AwsError, _ctx: RequestContext): HttpAnswer {
    const queryCode = err.queryCode ?? err.code;
    return jsonAnswer({ __type: `com.amazonaws.sqs#${err.code}`, message: err.message }, err.status, {
      "x-amzn-query-error": `${queryCode};${err.type}`,
    });
  }

  async handle(operation: string, ctx: RequestContext): Promise<HttpAnswer> {
    const input = (ctx.body ? JSON.parse(ctx.body) : {}) as Input;
    switch (operation) {
      case "CreateQueue":
        return jsonAnswer(this.createQueue(ctx, input));
      case "GetQueueUrl": {
        const name = text(input, "QueueName") ?? "";
        const q = this.queues.get(`${ctx.region}/${name}`);
        if (!q) throw nonExistentQueue();
        return jsonAnswer({ QueueUrl: q.url });
      }
      case "ListQueues": {
        const prefix = text(input, "QueueNamePrefix") ?? "";
        const urls = [...this.queues.values()]
          .filter((q) => q.region === ctx.region && q.name.startsWith(prefix))
          .map((q) => q.url);
        return jsonAnswer(urls.length ? { QueueUrls: urls } : {});
      }
      case "GetQueueAttributes":
        return jsonAnswer(this.getQueueAttributes(ctx, input));
      case "SetQueueAttributes": {
        const q = this.queue(ctx, input);
        Object.assign(q.attributes, (input.Attributes ?? {}) as Record<string, string>);
        return jsonAnswer({});
      }
      case "SendMessage":
        return jsonAnswer(this.send(ctx, this.queue(ctx, input), input));
      case "SendMessageBatch":
        return jsonAnswer(this.sendBatch(ctx, input));
      case "ReceiveMessage":
        return jsonAnswer(await this.receive(ctx, input));
      case "DeleteMessage":
        this.deleteMessage(this.queue(ctx, input), text(input, "ReceiptHandle"));
        return jsonAnswer({});
      case "DeleteMessageBatch":
        return jsonAnswer(this.deleteBatch(ctx, input));
      case "ChangeMessageVisibility":
        this.changeVisibility(
          ctx,
          this.queue(ctx, input),
          text(input, "ReceiptHandle"),
          int(input, "VisibilityTimeout"),
        );
        return jsonAnswer({});
      case "PurgeQueue":
        return jsonAnswer(this.purge(ctx, input));
      case "DeleteQueue": {
        const q = this.queue(ctx, input);
        this.queues.delete(`${q.region}/${q.name}`);
        return jsonAnswer({});
      }
      default:
        throw sqsError(
          "InvalidAction",
          "InvalidAction",
          `The action ${operation} is not valid for this endpoint.`,
        );
    }
  }

  /** SNS fan-out to SQS subscriptions enqueues through here (a standard or FIFO send). */
  deliver(queueArn: string, body: string, groupId?: string, dedupeId?: string): void {
    const [, , , region, , name] = queueArn.split(":");
    const q = this.queues.get(`${region}/${name}`);
    if (!q) return;
    const ctx = { clock: this.env.clock } as RequestContext;
    this.send(ctx, q, {
      MessageBody: body,
      MessageGroupId: groupId,
      MessageDeduplicationId: dedupeId ?? (q.fifo ? randomUUID() : undefined),
    });
  }

  /** Read-only counts for tests and drill reports. */
  counts(region: string, name: string): { visible: number; inFlight: number; delayed: number } {
    const q = this.queues.get(`${region}/${name}`);
    const counts = { visible: 0, inFlight: 0, delayed: 0 };
    if (!q) return counts;
    const now = this.env.clock.nowMs();
    for (const m of q.messages) {
      if (m.deleted) continue;
      if (m.visibleAtMs <= now) counts.visible++;
      else if (m.receiveCount > 0) counts.inFlight++;
      else counts.delayed++;
    }
    return counts;
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Queue URL `${endpoint}/${accountId}/${name}`; we resolve by the last path segment and the signing region. */
  private queue(ctx: RequestContext, input: Input): Queue {
    const url = text(input, "QueueUrl");
    if (!url) throw missingParameter("QueueUrl");
    const name = url.split("/").pop() ?? "";
    const q = this.queues.get(`${ctx.region}/${name}`);
    if (!q) throw nonExistentQueue();
    return q;
  }

  private createQueue(ctx: RequestContext, input: Input): { QueueUrl: string } {
    const name = text(input, "QueueName");
    if (!name) throw missingParameter("QueueName");
    const attrs = (input.Attributes ?? {}) as Record<string, string>;
    const fifo = attrs.FifoQueue === "true";
    if (!/^[A-Za-z0-9_-]{1,80}(\.fifo)?$/.test(name) || fifo !== name.endsWith(".fifo")) {
      throw invalidParameter(
        fifo
          ? "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length."
          : "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length",
      );
    }
    const key = `${ctx.region}/${name}`;
    const existing = this.queues.get(key);
    if (existing) {
      for (const [k, v] of Object.entries(attrs)) {
        if (existing.attributes[k] !== v) {
          throw sqsError(
            "QueueNameExists",
            "QueueAlreadyExists",
            `A queue already exists with the same name and a different value for attribute ${k}`,
          );
        }
      }
      return { QueueUrl: existing.url };
    }
    if (attrs.RedrivePolicy) this.parseRedrive(attrs.RedrivePolicy);
    const q: Queue = {
      name,
      region: ctx.region,
      url: `${this.env.endpoint}/${this.env.accountId}/${name}`,
      arn: `arn:aws:sqs:${ctx.region}:${this.env.accountId}:${name}`,
      fifo,
      attributes: {
        ...DEFAULT_ATTRIBUTES,
        ...(fifo ? { ContentBasedDeduplication: "false" } : {}),
        ...attrs,
      },
      messages: [],
      dedupe: new Map(),
      handles: new Map(),
      createdMs: ctx.clock.nowMs(),
      nextSequence: 10000000000000000000n,
    };
    this.queues.set(key, q);
    return { QueueUrl: q.url };
  }

  private parseRedrive(policy: string): { deadLetterTargetArn: string; maxReceiveCount: number } {
    try {
      const p = JSON.parse(policy) as { deadLetterTargetArn?: string; maxReceiveCount?: number | string };
      const max = Number(p.maxReceiveCount);
      if (!p.deadLetterTargetArn || !Number.isInteger(max) || max < 1 || max > 1000) throw new Error("bad");
      return { deadLetterTargetArn: p.deadLetterTargetArn, maxReceiveCount: max };
    } catch {
      throw invalidParameter(
        `Value ${policy} for parameter RedrivePolicy is invalid. Reason: Redrive policy is not a valid JSON map or is missing deadLetterTargetArn/maxReceiveCount.`,
      );
    }
  }

  private getQueueAttributes(ctx: RequestContext, input: Input): { Attributes?: Record<string, string> } {
    const q = this.queue(ctx, input);
    const c = this.counts(q.region, q.name);
    const all: Record<string, string> = {
      ...q.attributes,
      QueueArn: q.arn,
      ApproximateNumberOfMessages: String(c.visible),
      ApproximateNumberOfMessagesNotVisible: String(c.inFlight),
      ApproximateNumberOfMessagesDelayed: String(c.delayed),
      CreatedTimestamp: String(Math.floor(q.createdMs / 1000)),
      LastModifiedTimestamp: String(Math.floor(q.createdMs / 1000)),
    };
    const wanted = (input.AttributeNames ?? []) as string[];
    if (wanted.length === 0) return {};
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(all)) if (wanted.includes("All") || wanted.includes(k)) out[k] = v;
    return { Attributes: out };
  }

  private send(ctx: RequestContext, q: Queue, input: Input) {
    const body = text(input, "MessageBody");
    if (body === undefined || body === "") throw missingParameter("MessageBody");
    const attributes = (input.MessageAttributes ?? {}) as Record<string, MessageAttributeValue>;
    const size =
      Buffer.byteLength(body) +
      Object.entries(attributes).reduce(
        (n, [k, v]) =>
          n + k.length + v.DataType.length + (v.StringValue?.length ?? v.BinaryValue?.length ?? 0),
        0,
      );
    if (size > MAX_MESSAGE_BYTES) {
      throw invalidParameter(
        `One or more parameters are invalid. Reason: Message must be shorter than ${MAX_MESSAGE_BYTES} bytes.`,
      );
    }
    const now = ctx.clock.nowMs();
    const md5OfBody = md5(body);
    const md5OfAttrs = md5OfAttributes(attributes);
    let groupId: string | undefined;
    let dedupeId: string | undefined;
    if (q.fifo) {
      groupId = text(input, "MessageGroupId");
      if (!groupId) throw missingParameter("MessageGroupId");
      dedupeId = text(input, "MessageDeduplicationId");
      if (!dedupeId) {
        if (q.attributes.ContentBasedDeduplication !== "true") {
          throw invalidParameter(
            "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
          );
        }
        dedupeId = createHash("sha256").update(body).digest("hex");
      }
      const seen = q.dedupe.get(dedupeId);
      if (seen && seen.expiresMs > now) {
        // A duplicate within 5 minutes is accepted but not enqueued again: AWS answers the original ids.
        return {
          MessageId: seen.messageId,
          MD5OfMessageBody: md5OfBody,
          MD5OfMessageAttributes: md5OfAttrs,
          SequenceNumber: seen.sequenceNumber,
        };
      }
    } else if (input.DelaySeconds !== undefined && typeof input.DelaySeconds !== "number") {
      throw invalidParameter("DelaySeconds must be a number");
    }
    const delayS = int(input, "DelaySeconds") ?? Number(q.attributes.DelaySeconds ?? 0);
    const message: Message = {
      messageId: randomUUID(),
      body,
      md5OfBody,
      attributes,
      md5OfAttributes: md5OfAttrs,
      sentMs: now,
      visibleAtMs: now + delayS * 1000,
      receiveCount: 0,
      groupId,
      dedupeId,
      sequenceNumber: q.fifo ? String(q.nextSequence++) : undefined,
      deleted: false,
    };
    if (dedupeId)
      q.dedupe.set(dedupeId, {
        expiresMs: now + DEDUPE_WINDOW_MS,
        messageId: message.messageId,
        sequenceNumber: message.sequenceNumber,
      });
    q.messages.push(message);
    this.wake();
    return {
      MessageId: message.messageId,
      MD5OfMessageBody: md5OfBody,
      MD5OfMessageAttributes: md5OfAttrs,
      SequenceNumber: message.sequenceNumber,
    };
  }

  private sendBatch(ctx: RequestContext, input: Input) {
    const q = this.queue(ctx, input);
    const entries = (input.Entries ?? []) as (Input & { Id: string })[];
    checkBatch(entries);
    const total = entries.reduce((n, e) => n + Buffer.byteLength(String(e.MessageBody ?? "")), 0);
    if (total > MAX_MESSAGE_BYTES) {
      throw sqsError(
        "BatchRequestTooLong",
        "AWS.SimpleQueueService.BatchRequestTooLong",
        `Batch requests cannot be longer than ${MAX_MESSAGE_BYTES} bytes.`,
      );
    }
    const Successful: unknown[] = [];
    const Failed: unknown[] = [];
    for (const e of entries) {
      try {
        const r = this.send(ctx, q, { ...e, QueueUrl: q.url });
        Successful.push({ Id: e.Id, ...r });
      } catch (err) {
        if (!(err instanceof AwsError)) throw err;
        Failed.push({ Id: e.Id, SenderFault: true, Code: err.queryCode ?? err.code, Message: err.message });
      }
    }
    return { Successful, Failed };
  }

  private async receive(ctx: RequestContext, input: Input) {
    const q = this.queue(ctx, input);
    const max = int(input, "MaxNumberOfMessages") ?? 1;
    if (!Number.isInteger(max) || max < 1 || max > 10) {
      throw invalidParameter(
        `Value ${max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`,
      );
    }
    const waitS = int(input, "WaitTimeSeconds") ?? Number(q.attributes.ReceiveMessageWaitTimeSeconds ?? 0);
    if (waitS < 0 || waitS > 20) {
      throw invalidParameter(
        `Value ${waitS} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.`,
      );
    }
    let messages = this.take(q, ctx, input, max);
    if (messages.length === 0 && waitS > 0) {
      await new Promise<void>((resolve) => {
        let timer: NodeJS.Timeout | undefined;
        const done = () => {
          this.waiters.delete(check);
          if (timer) clearTimeout(timer);
          resolve();
        };
        const check = () => {
          messages = this.take(q, ctx, input, max);
          if (messages.length > 0) done();
        };
        timer = setTimeout(done, waitS * 1000);
        timer.unref();
        this.waiters.add(check);
        ctx.aborted.then(done);
      });
    }
    return messages.length ? { Messages: messages } : {};
  }

  /** Deliver up to `max` visible messages; FIFO groups with a message in flight are held back. */
  private take(q: Queue, ctx: RequestContext, input: Input, max: number) {
    const now = ctx.clock.nowMs();
    const redrive = q.attributes.RedrivePolicy ? this.parseRedrive(q.attributes.RedrivePolicy) : undefined;
    const visibilityS = int(input, "VisibilityTimeout") ?? Number(q.attributes.VisibilityTimeout ?? 30);
    const blockedGroups = new Set<string>();
    const taken: Message[] = [];
    if (q.fifo) {
      for (const m of q.messages)
        if (!m.deleted && m.groupId && m.receiveCount > 0 && m.visibleAtMs > now)
          blockedGroups.add(m.groupId);
    }
    for (const m of q.messages) {
      if (taken.length >= max) break;
      if (m.deleted) continue;
      if (m.groupId && blockedGroups.has(m.groupId)) continue;
      if (m.visibleAtMs > now) {
        // A FIFO message not yet visible (delayed) holds back the rest of its group, preserving order.
        if (m.groupId) blockedGroups.add(m.groupId);
        continue;
      }
      if (redrive && m.receiveCount >= redrive.maxReceiveCount) {
        this.moveToDeadLetterQueue(q, m, redrive.deadLetterTargetArn, now);
        continue;
      }
      m.receiveCount++;
      m.firstReceiveMs ??= now;
      m.visibleAtMs = now + visibilityS * 1000;
      taken.push(m);
    }
    if (q.messages.length > 1024 && q.messages.filter((m) => m.deleted).length * 2 > q.messages.length) {
      q.messages = q.messages.filter((m) => !m.deleted);
    }
    const systemNames = [
      ...((input.MessageSystemAttributeNames ?? []) as string[]),
      ...((input.AttributeNames ?? []) as string[]),
    ];
    const attrNames = (input.MessageAttributeNames ?? []) as string[];
    return taken.map((m) => {
      const receiptHandle = Buffer.from(`${q.name}:${m.messageId}:${randomUUID()}`).toString("base64");
      q.handles.set(receiptHandle, m);
      const system: Record<string, string> = {
        SenderId: "AIDAEXAMPLE",
        SentTimestamp: String(m.sentMs),
        ApproximateReceiveCount: String(m.receiveCount),
        ApproximateFirstReceiveTimestamp: String(m.firstReceiveMs ?? now),
        ...(m.groupId ? { MessageGroupId: m.groupId } : {}),
        ...(m.dedupeId ? { MessageDeduplicationId: m.dedupeId } : {}),
        ...(m.sequenceNumber ? { SequenceNumber: m.sequenceNumber } : {}),
      };
      const attributes = Object.fromEntries(
        Object.entries(system).filter(([k]) => systemNames.includes("All") || systemNames.includes(k)),
      );
      const messageAttributes = Object.fromEntries(
        Object.entries(m.attributes).filter(([k]) =>
          attrNames.some(
            (n) => n === "All" || n === ".*" || n === k || (n.endsWith(".*") && k.startsWith(n.slice(0, -1))),
          ),
        ),
      );
      const hasAttrs = Object.keys(messageAttributes).length > 0;
      return {
        MessageId: m.messageId,
        ReceiptHandle: receiptHandle,
        MD5OfBody: m.md5OfBody,
        Body: m.body,
        ...(Object.keys(attributes).length ? { Attributes: attributes } : {}),
        ...(hasAttrs
          ? {
              MessageAttributes: messageAttributes,
              MD5OfMessageAttributes: md5OfAttributes(messageAttributes),
            }
          : {}),
      };
    });
  }

  private moveToDeadLetterQueue(source: Queue, m: Message, dlqArn: string, now: number): void {
    const name = dlqArn.split(":").pop() ?? "";
    const region = dlqArn.split(":")[3] ?? source.region;
    const dlq = this.queues.get(`${region}/${name}`);
    m.deleted = true;
    // With no such DLQ the message is dropped (AWS requires the DLQ to exist when the policy is set).
    if (!dlq) return;
    dlq.messages.push({
      ...m,
      deleted: false,
      visibleAtMs: now,
      sequenceNumber: dlq.fifo ? String(dlq.nextSequence++) : undefined,
    });
  }

  private byReceiptHandle(q: Queue, handle: string | undefined): Message | undefined {
    if (!handle) throw missingParameter("ReceiptHandle");
    const m = q.handles.get(handle);
    if (!m) {
      throw sqsError(
        "ReceiptHandleIsInvalid",
        "ReceiptHandleIsInvalid",
        `The input receipt handle "${handle}" is not a valid receipt handle.`,
        404,
      );
    }
    return m;
  }

  private deleteMessage(q: Queue, handle: string | undefined): void {
    const m = this.byReceiptHandle(q, handle);
    if (m) m.deleted = true;
    if (handle) q.handles.delete(handle);
  }

  private changeVisibility(
    ctx: RequestContext,
    q: Queue,
    handle: string | undefined,
    timeoutS: number | undefined,
  ): void {
    const m = this.byReceiptHandle(q, handle) as Message;
    if (timeoutS === undefined) throw missingParameter("VisibilityTimeout");
    if (timeoutS < 0 || timeoutS > 43_200)
      throw invalidParameter(
        `Value ${timeoutS} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.`,
      );
    const now = ctx.clock.nowMs();
    if (m.deleted || m.visibleAtMs <= now) {
      throw sqsError(
        "MessageNotInflight",
        "AWS.SimpleQueueService.MessageNotInflight",
        "The message referred to isn't in flight.",
      );
    }
    m.visibleAtMs = now + timeoutS * 1000;
    if (timeoutS === 0) this.wake();
  }

  private deleteBatch(ctx: RequestContext, input: Input) {
    const q = this.queue(ctx, input);
    const entries = (input.Entries ?? []) as (Input & { Id: string })[];
    checkBatch(entries);
    const Successful: unknown[] = [];
    const Failed: unknown[] = [];
    for (const e of entries) {
      try {
        this.deleteMessage(q, text(e, "ReceiptHandle"));
        Successful.push({ Id: e.Id });
      } catch (err) {
        if (!(err instanceof AwsError)) throw err;
        Failed.push({ Id: e.Id, SenderFault: true, Code: err.queryCode ?? err.code, Message: err.message });
      }
    }
    return { Successful, Failed };
  }

  /** AWS allows one purge per queue every 60 seconds. */
  private purge(ctx: RequestContext, input: Input) {
    const q = this.queue(ctx, input);
    const now = ctx.clock.nowMs();
    if (q.lastPurgeMs !== undefined && now - q.lastPurgeMs < 60_000) {
      throw sqsError(
        "PurgeQueueInProgress",
        "AWS.SimpleQueueService.PurgeQueueInProgress",
        `Only one PurgeQueue operation on ${q.name} is allowed every 60 seconds.`,
        403,
      );
    }
    q.lastPurgeMs = now;
    q.messages = [];
    q.handles.clear();
    return {};
  }
}

function checkBatch(entries: { Id: string }[]): void {
  if (entries.length === 0) {
    throw sqsError(
      "EmptyBatchRequest",
      "AWS.SimpleQueueService.EmptyBatchRequest",
      "There should be at least one SendMessageBatchRequestEntry in the request.",
    );
  }
  if (entries.length > 10) {
    throw sqsError(
      "TooManyEntriesInBatchRequest",
      "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
      `Maximum number of entries per request are 10. You have sent ${entries.length}.`,
    );
  }
  const ids = new Set<string>();
  for (const e of entries) {
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(e.Id ?? "")) {
      throw sqsError(
        "InvalidBatchEntryId",
        "AWS.SimpleQueueService.InvalidBatchEntryId",
        "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.",
      );
    }
    if (ids.has(e.Id)) {
      throw sqsError(
        "BatchEntryIdsNotDistinct",
        "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
        `Id ${e.Id} repeated.`,
      );
    }
    ids.add(e.Id);
  }
}
