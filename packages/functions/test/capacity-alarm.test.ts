/**
 * The capacity alarm handler around core's handleCapacityAlarm (tested in core with its decisions):
 * what it is given, what it publishes (the alert with the stage, exactly once; one event per state
 * change, silent ones too), and what it refuses: a malformed event (naming the field, before any
 * call), an alarm name core cannot parse (CapacityAlarmError: logged, no alert), and the capacity
 * functions' own errors alarms (the relay's).
 */
import type { Alert } from "@outpost-ops/core/alerts";
import { CapacityAlarmError, EventShapeError } from "@outpost-ops/core/errors";
import { handleCapacityAlarm } from "@outpost-ops/core/jobs/capacity-alarm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createHandler } from "../src/alarm/capacity-alarm.ts";
import { logger } from "../src/lib/observability.ts";
import { alarmEvent, context, FACTORY_ID, NOW, PREFIX, REGION, runtime } from "./capacity-fakes.ts";

vi.hoisted(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
});

vi.mock("@outpost-ops/core/jobs/capacity-alarm", () => ({ handleCapacityAlarm: vi.fn() }));
const handle = vi.mocked(handleCapacityAlarm);

afterEach(() => {
  handle.mockReset();
  vi.restoreAllMocks();
});

const WARNING = "outpost-ops-test-capacity-factory-instance-m5.large-warning";

const reading = {
  condition: {
    outpost: "factory",
    outpostId: FACTORY_ID,
    kind: "instance-type" as const,
    subject: "m5.large",
  },
  current: 86,
  at: NOW,
  daily: [],
  consumers: [],
};

const alert: Omit<Alert, "stage"> = {
  severity: "warning",
  job: "capacity",
  title: "factory Outpost: m5.large capacity 86 %, no trend",
  subject: "[WARNING] factory Outpost: m5.large capacity 86 %, no trend",
  body: "m5.large on factory is at 86 % (warning at 80 %).",
  region: REGION,
  at: NOW,
  resourceIds: [FACTORY_ID],
  links: [],
  attributes: { outpost: "factory", metric: "instance-type", band: "warning" },
} as Omit<Alert, "stage">;

describe("Handler: alarm/capacity-alarm", () => {
  it("a band going to ALARM: core is given the change, the prefix and the stage; exactly one alert (with the stage) and one event", async () => {
    // Prepare
    handle.mockResolvedValue({
      decision: { kind: "alert", band: "warning" },
      condition: reading.condition,
      band: "warning",
      alert,
      reading,
    });
    const { runtime: rt, alerts, events } = runtime();

    // Act
    const result = await createHandler(rt)(alarmEvent(WARNING), context);

    // Assess
    expect(handle).toHaveBeenCalledTimes(1);
    expect(handle.mock.calls[0]?.[0]).toMatchObject({
      prefix: PREFIX,
      region: REGION,
      stage: "test",
      now: NOW,
      change: {
        alarmName: WARNING,
        state: "ALARM",
        previousState: "OK",
        region: REGION,
        at: new Date("2024-05-14T10:07:41Z"),
      },
    });
    expect(alerts.alerts).toEqual([{ ...alert, stage: "test" }]);
    expect(events.events).toHaveLength(1);
    expect(events.events[0]).toMatchObject({
      detailType: "Capacity Alert",
      detail: {
        job: "capacity",
        outcome: "alert",
        resource: { type: "outpost", id: FACTORY_ID, region: REGION },
        capacity: {
          outpost: "factory",
          kind: "instance-type",
          subject: "m5.large",
          band: "warning",
          state: "ALARM",
          value: 86,
          decision: "alert",
        },
      },
    });
    expect(result).toMatchObject({ alarm: WARNING, published: alert.title });
  });

  it("a silent decision (a higher band already spoke): no alert, still one event with the decision", async () => {
    handle.mockResolvedValue({
      decision: { kind: "silent", why: "critical is in ALARM" },
      condition: reading.condition,
      band: "warning",
    });
    const { runtime: rt, alerts, events } = runtime();
    const result = await createHandler(rt)(alarmEvent(WARNING), context);
    expect(alerts.alerts).toEqual([]);
    expect(events.events).toHaveLength(1);
    expect(events.events[0]?.detail).toMatchObject({
      outcome: "silent",
      reason: expect.stringContaining("no alert: critical is in ALARM"),
    });
    expect(result).toEqual({ alarm: WARNING, decision: { kind: "silent", why: "critical is in ALARM" } });
  });

  it("a name core cannot parse (CapacityAlarmError): the error logged with the alarm, no alert, no event", async () => {
    const name = "outpost-ops-test-capacity-warehouse-cpu-warning";
    const error = new CapacityAlarmError(
      name,
      "no Outpost in the config matches (known: factory, factory-2)",
    );
    handle.mockRejectedValue(error);
    const logged = vi.spyOn(logger, "error");
    const { runtime: rt, alerts, events } = runtime();

    const result = await createHandler(rt)(alarmEvent(name), context);

    expect(result).toEqual({ alarm: name, ignored: error.message });
    expect(alerts.alerts).toEqual([]);
    expect(events.events).toEqual([]);
    expect(logged).toHaveBeenCalledWith(
      "capacity alarm not understood: no alert",
      expect.objectContaining({ alarm: name, error: expect.stringContaining("no Outpost in the config") }),
    );
  });

  it("any other error fails the invocation (EventBridge retries it)", async () => {
    handle.mockRejectedValue(Object.assign(new Error("Rate exceeded"), { name: "Throttling" }));
    const { runtime: rt, alerts } = runtime();
    await expect(createHandler(rt)(alarmEvent(WARNING), context)).rejects.toThrow("Rate exceeded");
    expect(alerts.alerts).toEqual([]);
  });

  it.each([
    [
      "no alarm name",
      (e: Record<string, unknown>) => ({ ...e, detail: { state: { value: "ALARM" } } }),
      "detail.alarmName",
    ],
    [
      "a state CloudWatch does not have",
      (e: Record<string, unknown>) => ({
        ...e,
        detail: { ...(e.detail as object), state: { value: "BROKEN" } },
      }),
      "detail.state.value",
    ],
    ["a time without a zone", (e: Record<string, unknown>) => ({ ...e, time: "2024-05-14 10:07" }), "time"],
    [
      "another event",
      (e: Record<string, unknown>) => ({ ...e, "detail-type": "Scheduled Event" }),
      "detail-type",
    ],
  ])(
    "a malformed event (%s): EventShapeError naming %s, before any call; no alert",
    async (_what, mangle, field) => {
      const { runtime: rt, alerts, events } = runtime();
      const run = createHandler(rt)(mangle(alarmEvent(WARNING)), context);
      await expect(run).rejects.toBeInstanceOf(EventShapeError);
      await expect(run).rejects.toThrow(`${field}:`);
      expect(handle).not.toHaveBeenCalled();
      expect(alerts.alerts).toEqual([]);
      expect(events.events).toEqual([]);
    },
  );

  it("the capacity functions' own errors alarms are the relay's: ignored here, core not called", async () => {
    const { runtime: rt, alerts } = runtime();
    const result = await createHandler(rt)(alarmEvent("outpost-ops-test-capacity-monitor-errors"), context);
    expect(result).toMatchObject({ ignored: expect.stringContaining("relay") });
    expect(handle).not.toHaveBeenCalled();
    expect(alerts.alerts).toEqual([]);
  });
});
