import { randomUUID } from "node:crypto";
import { AwsError } from "./errors.ts";
import { type Env, type HttpAnswer, type RequestContext, type ServiceHandler, xmlAnswer } from "./http.ts";
import { type QueryTree, str, structs } from "./query.ts";
import type { SqsService } from "./sqs.ts";
import type { SnsMessageView } from "./types.ts";
import { awsQueryError, awsQueryResponse, leaf, list } from "./xml.ts";

/** SNS over awsQuery (Version 2010-03-31); lists use `<member>`, maps `entry.N.key/value`. */
const XMLNS = "http://sns.amazonaws.com/doc/2010-03-31/";
const MAX_MESSAGE_BYTES = 262_144;

interface Topic {
  arn: string;
  name: string;
  attributes: Record<string, string>;
  subscriptions: { arn: string; protocol: string; endpoint: string }[];
}

type Attributes = SnsMessageView["messageAttributes"];

const invalidParameter = (message: string) =>
  new AwsError("InvalidParameter", `Invalid parameter: ${message}`);

function messageAttributes(tree: QueryTree | string | undefined): Attributes {
  const out: Attributes = {};
  for (const e of structs(tree, "MessageAttributes", "entry")) {
    const name = str(e, "Name") ?? "";
    const dataType = str(e, "Value", "DataType");
    if (!dataType)
      throw invalidParameter(
        `The message attribute '${name}' must contain non-empty message attribute type.`,
      );
    out[name] = { dataType, value: str(e, "Value", "StringValue") ?? str(e, "Value", "BinaryValue") ?? "" };
  }
  return out;
}

export class SnsService implements ServiceHandler {
  readonly service = "sns" as const;
  private readonly topics = new Map<string, Topic>();
  private readonly messages = new Map<string, SnsMessageView[]>();

  constructor(
    private readonly env: Env,
    private readonly sqs: SqsService,
  ) {}

  operation(ctx: RequestContext): string {
    return str(ctx.form, "Action") ?? "Unknown";
  }

  renderError(err: AwsError, ctx: RequestContext): HttpAnswer {
    return xmlAnswer(awsQueryError(XMLNS, err.type, err.code, err.message, ctx.requestId), err.status);
  }

  published(region: string): SnsMessageView[] {
    return [...(this.messages.get(region) ?? [])];
  }

  handle(operation: string, ctx: RequestContext): HttpAnswer {
    const f = ctx.form;
    const respond = (result: string | undefined) =>
      xmlAnswer(awsQueryResponse(operation, XMLNS, ctx.requestId, result));
    switch (operation) {
      case "CreateTopic": {
        const name = str(f, "Name") ?? "";
        const attributes: Record<string, string> = {};
        for (const e of structs(f, "Attributes", "entry"))
          attributes[str(e, "key") ?? ""] = str(e, "value") ?? "";
        const fifo = attributes.FifoTopic === "true";
        if (!/^[A-Za-z0-9_-]{1,256}(\.fifo)?$/.test(name) || fifo !== name.endsWith(".fifo")) {
          throw invalidParameter("Topic Name");
        }
        const arn = `arn:aws:sns:${ctx.region}:${this.env.accountId}:${name}`;
        if (!this.topics.has(arn)) this.topics.set(arn, { arn, name, attributes, subscriptions: [] });
        return respond(leaf("TopicArn", arn));
      }
      case "ListTopics": {
        const all = [...this.topics.values()].filter((t) => t.arn.split(":")[3] === ctx.region);
        const start = Number(str(f, "NextToken") ?? 0);
        const page = all.slice(start, start + 100);
        const next = start + 100 < all.length ? String(start + 100) : undefined;
        return respond(
          list("Topics", "member", page, (t) => leaf("TopicArn", t.arn)) + leaf("NextToken", next),
        );
      }
      case "Subscribe": {
        const topic = this.topic(str(f, "TopicArn"));
        const protocol = str(f, "Protocol") ?? "";
        const endpoint = str(f, "Endpoint") ?? "";
        const arn = `${topic.arn}:${randomUUID()}`;
        topic.subscriptions.push({ arn, protocol, endpoint });
        // Email subscriptions wait for the recipient to confirm; SQS and Lambda ones are confirmed at once.
        const confirmed =
          protocol === "sqs" || protocol === "lambda" || str(f, "ReturnSubscriptionArn") === "true";
        return respond(leaf("SubscriptionArn", confirmed ? arn : "pending confirmation"));
      }
      case "Publish": {
        const topic = this.topic(str(f, "TopicArn") ?? str(f, "TargetArn"));
        const r = this.publish(ctx, topic, f);
        return respond(leaf("MessageId", r.messageId) + leaf("SequenceNumber", r.sequenceNumber));
      }
      case "PublishBatch":
        return respond(this.publishBatch(ctx, f));
      default:
        throw new AwsError("InvalidAction", `The action ${operation} is not valid for this web service.`);
    }
  }

  private topic(arn: string | undefined): Topic {
    if (!arn) throw invalidParameter("TopicArn or TargetArn Reason: no value for required parameter");
    const t = this.topics.get(arn);
    if (!t) throw new AwsError("NotFound", "Topic does not exist", 404);
    return t;
  }

  private publish(
    ctx: RequestContext,
    topic: Topic,
    entry: QueryTree,
  ): { messageId: string; sequenceNumber?: string } {
    const message = str(entry, "Message");
    if (message === undefined || message === "") throw invalidParameter("Empty message");
    const attrs = messageAttributes(entry);
    const size =
      Buffer.byteLength(message) +
      Object.entries(attrs).reduce(
        (n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v.dataType) + Buffer.byteLength(v.value),
        0,
      );
    if (size > MAX_MESSAGE_BYTES) throw invalidParameter("Message too long");
    const subject = str(entry, "Subject");
    if (subject !== undefined && (subject.length > 100 || /[\r\n]/.test(subject)))
      throw invalidParameter("Subject");
    const fifo = topic.name.endsWith(".fifo");
    const groupId = str(entry, "MessageGroupId");
    if (fifo && !groupId) throw invalidParameter("The MessageGroupId parameter is required for FIFO topics");
    const messageId = randomUUID();
    const at = ctx.clock.now();
    const region = topic.arn.split(":")[3] as string;
    let list = this.messages.get(region);
    if (!list) {
      list = [];
      this.messages.set(region, list);
    }
    list.push({ messageId, topicArn: topic.arn, subject, message, messageAttributes: attrs, at });
    for (const sub of topic.subscriptions) {
      if (sub.protocol !== "sqs") continue;
      // SNS wraps the message in its JSON notification envelope unless raw delivery is on.
      const envelope = JSON.stringify({
        Type: "Notification",
        MessageId: messageId,
        TopicArn: topic.arn,
        Subject: subject,
        Message: message,
        Timestamp: at.toISOString(),
        MessageAttributes: Object.fromEntries(
          Object.entries(attrs).map(([k, v]) => [k, { Type: v.dataType, Value: v.value }]),
        ),
      });
      this.sqs.deliver(sub.endpoint, envelope, groupId, str(entry, "MessageDeduplicationId"));
    }
    return { messageId, sequenceNumber: fifo ? String(Date.now()).padStart(20, "0") : undefined };
  }

  private publishBatch(ctx: RequestContext, f: QueryTree): string {
    const topic = this.topic(str(f, "TopicArn"));
    const entries = structs(f, "PublishBatchRequestEntries", "member");
    if (entries.length === 0)
      throw new AwsError("EmptyBatchRequest", "The batch request doesn't contain any entries.");
    if (entries.length > 10) {
      throw new AwsError(
        "TooManyEntriesInBatchRequest",
        "The batch request contains more entries than permissible.",
      );
    }
    const ids = entries.map((e) => str(e, "Id") ?? "");
    if (new Set(ids).size !== ids.length) {
      throw new AwsError(
        "BatchEntryIdsNotDistinct",
        "Two or more batch entries in the request have the same Id.",
      );
    }
    const total = entries.reduce((n, e) => n + Buffer.byteLength(str(e, "Message") ?? ""), 0);
    if (total > MAX_MESSAGE_BYTES)
      throw new AwsError(
        "BatchRequestTooLong",
        "The length of all the messages put together is more than the limit.",
      );
    let ok = "";
    let failed = "";
    entries.forEach((e, n) => {
      try {
        const r = this.publish(ctx, topic, e);
        ok += `<member>${leaf("Id", ids[n])}${leaf("MessageId", r.messageId)}${leaf("SequenceNumber", r.sequenceNumber)}</member>`;
      } catch (err) {
        if (!(err instanceof AwsError)) throw err;
        failed += `<member>${leaf("Id", ids[n])}${leaf("Code", err.code)}${leaf("Message", err.message)}${leaf("SenderFault", true)}</member>`;
      }
    });
    return `<Successful>${ok}</Successful><Failed>${failed}</Failed>`;
  }
}
