/**
 * Where events go: EventBridge in Lambda (PutEvents, batched), memory in the CLI and tests.
 * PutEvents takes at most 10 entries and 256 KB per call and reports failures per entry
 * (FailedEntryCount) instead of throwing, so failed entries are re-sent a few times and whatever
 * still fails is returned to the caller to log and count: an event is never dropped silently.
 */
import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsCommandOutput,
  type PutEventsRequestEntry,
} from "@aws-sdk/client-eventbridge";
import type { AwsClients } from "../aws/clients.ts";
import { errorCode } from "../aws/errors.ts";
import { EVENT_SOURCE, type OutpostOpsEvent } from "./event.ts";

export interface EventPublishResult {
  sent: number;
  /** Entries EventBridge refused after every try, with its error code. */
  failed: { event: OutpostOpsEvent; code: string }[];
}

export interface EventSink {
  publish(events: OutpostOpsEvent[]): Promise<EventPublishResult>;
}

/** PutEvents' limits (AWS-LIMITS.md). */
export const MAX_ENTRIES_PER_CALL = 10;
export const MAX_BYTES_PER_CALL = 256 * 1024;
/** Rounds for entries refused one by one (their codes are throttling or internal errors). */
const ROUNDS = 3;

function toEntry(event: OutpostOpsEvent, busName: string): PutEventsRequestEntry {
  return {
    Source: EVENT_SOURCE,
    DetailType: event.detailType,
    Detail: JSON.stringify(event.detail),
    Resources: event.resources,
    Time: event.time,
    EventBusName: busName,
  };
}

/** AWS's size rule for an entry: Source, DetailType, Detail and each Resource as UTF-8, plus 14 for Time. */
function entrySize(entry: PutEventsRequestEntry): number {
  const bytes = (s: string | undefined) => (s ? Buffer.byteLength(s) : 0);
  return (
    14 +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    (entry.Resources ?? []).reduce((n, r) => n + bytes(r), 0)
  );
}

/** Groups entries into calls of at most 10 entries and 256 KB. */
export function batchEntries<T>(items: T[], size: (item: T) => number): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const n = size(item);
    if (current.length === MAX_ENTRIES_PER_CALL || (current.length > 0 && bytes + n > MAX_BYTES_PER_CALL)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += n;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * @example await eventBridgeSink(clients.get(EventBridgeClient, region), "default").publish(events)
 */
export function eventBridgeSink(client: EventBridgeClient, busName: string): EventSink {
  return {
    async publish(events) {
      const failed: EventPublishResult["failed"] = [];
      let pending: { event: OutpostOpsEvent; entry: PutEventsRequestEntry }[] = [];
      for (const event of events) {
        const entry = toEntry(event, busName);
        // PutEvents refuses a whole call over 256 KB: an entry that large alone can never be sent.
        if (entrySize(entry) > MAX_BYTES_PER_CALL) failed.push({ event, code: "EntryTooLarge" });
        else pending.push({ event, entry });
      }
      let sent = 0;
      for (let round = 1; round <= ROUNDS && pending.length > 0; round++) {
        const again: typeof pending = [];
        for (const batch of batchEntries(pending, (p) => entrySize(p.entry))) {
          let out: PutEventsCommandOutput;
          try {
            out = await client.send(new PutEventsCommand({ Entries: batch.map((p) => p.entry) }));
          } catch (error) {
            // The whole call failed after the SDK's retries (AccessDenied, a lasting 5xx): its entries
            // are reported like refused ones, so the job that produced them goes on.
            for (const p of batch) failed.push({ event: p.event, code: errorCode(error) });
            continue;
          }
          batch.forEach((p, i) => {
            const result = out.Entries?.[i];
            const code = result?.ErrorCode ?? (result?.EventId ? undefined : "NoEventId");
            if (code === undefined) sent += 1;
            // A malformed entry fails the same way every time; only transient refusals are re-sent.
            else if (round < ROUNDS && isTransient(code)) again.push(p);
            else failed.push({ event: p.event, code });
          });
        }
        pending = again;
      }
      return { sent, failed };
    },
  };
}

function isTransient(code: string): boolean {
  return /Throttl|Internal|ServiceUnavailable|Timeout/i.test(code);
}

/**
 * The stream on a Region's event bus, through the shared clients. Core alone imports the EventBridge
 * client (SST pins an older one at the root of node_modules): one copy in every bundle.
 * @example const events = eventBridgeEvents(clients, "us-west-2", "default")
 */
export function eventBridgeEvents(clients: AwsClients, region: string, busName: string): EventSink {
  return eventBridgeSink(clients.get(EventBridgeClient, region), busName);
}

/** Keeps events in memory (the CLI without a bus, dry runs, tests). */
export function memoryEventSink(): EventSink & { events: OutpostOpsEvent[] } {
  const events: OutpostOpsEvent[] = [];
  return {
    events,
    async publish(batch) {
      events.push(...batch);
      return { sent: batch.length, failed: [] };
    },
  };
}
