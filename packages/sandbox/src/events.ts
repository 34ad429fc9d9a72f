import { randomUUID } from "node:crypto";
import { AwsError } from "./errors.ts";
import {
  type AwsServiceEvent,
  type Env,
  type HttpAnswer,
  json11Answer,
  json11Error,
  type RequestContext,
  type ServiceHandler,
} from "./http.ts";
import type { DroppedEventView, Estate, EventEnvelope } from "./types.ts";

/**
 * EventBridge over awsJson1_1 (X-Amz-Target AWSEvents.*, signing name `events`): PutEvents onto the
 * default bus (always there, per region) or custom buses (CreateEventBus / DescribeEventBus). Events are
 * kept per bus in the envelope EventBridge delivers to targets; no rules or targets are modelled.
 */

/** PutEvents: 1..10 entries (API Reference, Entries "Array Members"). */
const MAX_ENTRIES = 10;
/** The entry-size sum AWS documents ("Calculating PutEvents event entry size"): under 256 KB per request. */
const MAX_REQUEST_BYTES = 262_144;
/** EventBusName on PutEvents: a name or an event-bus ARN, 1..256 (API Reference pattern). */
const BUS_NAME_OR_ARN =
  /^(arn:aws[\w-]*:events:[a-z]+-[a-z]+-[\w-]+:[0-9]{12}:event-bus\/)?[.\-_A-Za-z0-9]+$/;
/** CreateEventBus Name: [/\.\-_A-Za-z0-9]+, 1..256; "/" only for partner buses (not modelled). */
const CREATE_NAME = /^[.\-_A-Za-z0-9]{1,256}$/;
/** "Maximum 100 event buses per account" (EventBridge quotas); counted per region here, default included. */
const MAX_BUSES = 100;

interface Bus {
  name: string;
  arn: string;
  description?: string;
  createdMs: number;
  events: EventEnvelope[];
}

type Input = Record<string, unknown>;

const validation = (message: string) =>
  new AwsError("ValidationException", `1 validation error detected: ${message}`);

/** What one PutEvents entry turned into: an event on a bus, a dropped event, or a per-entry error. */
type EntryResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

/** EventBridge's `time`: ISO 8601 to the second, as in its documented example events. */
const isoSeconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");

export class EventsService implements ServiceHandler {
  readonly service = "events" as const;
  private readonly buses = new Map<string, Map<string, Bus>>();
  private readonly dropped = new Map<string, DroppedEventView[]>();
  private entryFaults = 0;

  constructor(private readonly env: Env) {}

  operation(ctx: RequestContext): string {
    const target = ctx.headers["x-amz-target"];
    return typeof target === "string" ? target.slice("AWSEvents.".length) : "Unknown";
  }

  renderError(err: AwsError): HttpAnswer {
    return json11Error(err);
  }

  handle(operation: string, ctx: RequestContext): HttpAnswer {
    let input: Input;
    try {
      input = (ctx.body ? JSON.parse(ctx.body) : {}) as Input;
    } catch {
      throw new AwsError("SerializationException", "Start of structure or map found where not expected.");
    }
    switch (operation) {
      case "PutEvents":
        return json11Answer(this.putEvents(ctx, input));
      case "CreateEventBus":
        return json11Answer(this.createEventBus(ctx, input));
      case "DescribeEventBus":
        return json11Answer(this.describeEventBus(ctx, input));
      default:
        throw new AwsError("UnknownOperationException", `Operation ${operation} is not supported.`);
    }
  }

  seed(estate: Estate): void {
    for (const b of estate.eventBuses ?? []) this.addBus(b.region, b.name, b.description);
  }

  /** Events on a bus (name or ARN; default "default"), in arrival order. */
  events(region: string, busName = "default"): EventEnvelope[] {
    return [...(this.resolve(region, busName)?.events ?? [])];
  }

  /**
   * An event an AWS service sends (EBS, RDS): always onto the region's default bus, which is where AWS
   * delivers service events; `time` is when it happened on the sandbox clock.
   */
  deliver(region: string, e: AwsServiceEvent): void {
    this.region(region)
      .get("default")
      ?.events.push({
        version: "0",
        id: randomUUID(),
        "detail-type": e.detailType,
        source: e.source,
        account: this.env.accountId,
        time: isoSeconds(e.timeMs),
        region,
        resources: e.resources,
        detail: e.detail,
      });
  }

  droppedEvents(region: string): DroppedEventView[] {
    return [...(this.dropped.get(region) ?? [])];
  }

  private region(region: string): Map<string, Bus> {
    let buses = this.buses.get(region);
    if (!buses) {
      buses = new Map();
      this.buses.set(region, buses);
      buses.set("default", this.newBus(region, "default"));
    }
    return buses;
  }

  private newBus(region: string, name: string, description?: string): Bus {
    const arn = `arn:aws:events:${region}:${this.env.accountId}:event-bus/${name}`;
    return { name, arn, description, createdMs: this.env.clock.nowMs(), events: [] };
  }

  private addBus(region: string, name: string, description?: string): Bus {
    const buses = this.region(region);
    const bus = buses.get(name) ?? this.newBus(region, name, description);
    buses.set(name, bus);
    return bus;
  }

  /** A bus by name or by ARN; an ARN must be of this account and region to name a bus here. */
  private resolve(region: string, nameOrArn: string): Bus | undefined {
    const prefix = `arn:aws:events:${region}:${this.env.accountId}:event-bus/`;
    if (nameOrArn.startsWith("arn:")) {
      return nameOrArn.startsWith(prefix)
        ? this.region(region).get(nameOrArn.slice(prefix.length))
        : undefined;
    }
    return this.region(region).get(nameOrArn);
  }

  private putEvents(ctx: RequestContext, input: Input): { FailedEntryCount: number; Entries: EntryResult[] } {
    const entries = input.Entries;
    if (!Array.isArray(entries))
      throw validation("Value null at 'entries' failed to satisfy constraint: Member must not be null");
    if (entries.length < 1 || entries.length > MAX_ENTRIES) {
      const bound =
        entries.length < 1 ? "greater than or equal to 1" : `less than or equal to ${MAX_ENTRIES}`;
      throw validation(`Value at 'entries' failed to satisfy constraint: Member must have length ${bound}`);
    }
    let size = 0;
    (entries as Input[]).forEach((e, n) => {
      const bus = e.EventBusName;
      if (bus !== undefined && (typeof bus !== "string" || bus.length > 256 || !BUS_NAME_OR_ARN.test(bus))) {
        throw validation(
          `Value '${String(bus)}' at 'entries.${n + 1}.member.eventBusName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${BUS_NAME_OR_ARN.source}`,
        );
      }
      size += entrySize(e);
    });
    if (size > MAX_REQUEST_BYTES) {
      throw new AwsError(
        "ValidationException",
        "Total size of the entries in the request is over the limit.",
      );
    }
    const results = (entries as Input[]).map((e) => this.putEntry(ctx, e));
    return { FailedEntryCount: results.filter((r) => "ErrorCode" in r).length, Entries: results };
  }

  private putEntry(ctx: RequestContext, e: Input): EntryResult {
    const fail = (ErrorCode: string, ErrorMessage: string) => ({ ErrorCode, ErrorMessage });
    const source = typeof e.Source === "string" ? e.Source : "";
    const detailType = typeof e.DetailType === "string" ? e.DetailType : "";
    for (const [name, value] of [
      ["Source", source],
      ["DetailType", detailType],
      ["Detail", typeof e.Detail === "string" ? e.Detail : ""],
    ] as const) {
      if (value === "")
        return fail(
          "InvalidArgument",
          `Parameter ${name} is not valid. Reason: ${name} is a required argument.`,
        );
    }
    let detail: unknown;
    try {
      detail = JSON.parse(e.Detail as string);
    } catch {
      return fail("MalformedDetail", "Detail is malformed.");
    }
    // The event's `detail` is a JSON object: a bare string, number or array is not an event detail.
    if (detail === null || typeof detail !== "object" || Array.isArray(detail)) {
      return fail("MalformedDetail", "Detail is malformed.");
    }
    // The aws.* sources belong to AWS services; custom events cannot claim them.
    if (source.startsWith("aws."))
      return fail("NotAuthorizedForSourceException", "Not authorized for the source.");
    if (ctx.fault?.entryFailure()) {
      return this.entryFaults++ % 2 === 0
        ? fail("InternalFailure", "Internal Service Failure")
        : fail("ThrottlingException", "Rate Exceeded");
    }
    const timeMs = typeof e.Time === "number" ? e.Time * 1000 : ctx.clock.nowMs();
    const envelope: EventEnvelope = {
      version: "0",
      id: randomUUID(),
      "detail-type": detailType,
      source,
      account: ctx.accountId,
      time: isoSeconds(timeMs),
      region: ctx.region,
      resources: Array.isArray(e.Resources) ? (e.Resources as string[]) : [],
      detail,
    };
    const busName = typeof e.EventBusName === "string" ? e.EventBusName : "default";
    const bus = this.resolve(ctx.region, busName);
    if (bus) bus.events.push(envelope);
    else {
      // AWS accepts an event for a bus that does not exist, answers its EventId and drops it.
      let list = this.dropped.get(ctx.region);
      if (!list) {
        list = [];
        this.dropped.set(ctx.region, list);
      }
      list.push({ ...envelope, eventBusName: busName });
    }
    return { EventId: envelope.id };
  }

  private createEventBus(ctx: RequestContext, input: Input): { EventBusArn: string; Description?: string } {
    const name = input.Name;
    if (typeof name !== "string")
      throw validation("Value null at 'name' failed to satisfy constraint: Member must not be null");
    if (!CREATE_NAME.test(name)) {
      throw validation(
        `Value '${name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [.\\-_A-Za-z0-9]+ and have length between 1 and 256`,
      );
    }
    if (name === "default") {
      throw new AwsError("ValidationException", "The name default is reserved for the default event bus.");
    }
    const buses = this.region(ctx.region);
    if (buses.has(name)) {
      throw new AwsError("ResourceAlreadyExistsException", `Event bus ${name} already exists.`);
    }
    if (buses.size >= MAX_BUSES) {
      throw new AwsError(
        "LimitExceededException",
        `The requested resource exceeds the maximum number allowed.`,
      );
    }
    const description = typeof input.Description === "string" ? input.Description : undefined;
    const bus = this.addBus(ctx.region, name, description);
    return { EventBusArn: bus.arn, ...(description !== undefined ? { Description: description } : {}) };
  }

  private describeEventBus(ctx: RequestContext, input: Input): Record<string, unknown> {
    const name = typeof input.Name === "string" ? input.Name : "default";
    const bus = this.resolve(ctx.region, name);
    if (!bus) throw new AwsError("ResourceNotFoundException", `Event bus ${name} does not exist.`);
    return {
      Name: bus.name,
      Arn: bus.arn,
      ...(bus.description !== undefined ? { Description: bus.description } : {}),
      // awsJson timestamps travel as epoch seconds.
      CreationTime: bus.createdMs / 1000,
      LastModifiedTime: bus.createdMs / 1000,
    };
  }
}

/** AWS's documented entry size: Time 14 bytes if given, then the UTF-8 bytes of Source, DetailType, Detail, Resources. */
function entrySize(e: Input): number {
  const bytes = (v: unknown) => (typeof v === "string" ? Buffer.byteLength(v, "utf8") : 0);
  let size = e.Time !== undefined && e.Time !== null ? 14 : 0;
  size += bytes(e.Source) + bytes(e.DetailType) + bytes(e.Detail);
  if (Array.isArray(e.Resources)) for (const r of e.Resources) size += bytes(r);
  return size;
}
