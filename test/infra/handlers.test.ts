import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type HandlerName, Handlers, type Trigger } from "../../stacks/handlers.ts";

/*
 * sst/console's pain, closed: a handler path in stacks/ is an unchecked string until deploy. Here each
 * path must resolve to a module exporting `handler` and `parseEvent`, and `parseEvent` must accept
 * the event its trigger really sends (the AWS-documented samples in test/fixtures/events).
 */

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** Beside the repo, here and in CI. */
const EVENTS = path.resolve(ROOT, "test/fixtures/events");
const EXTENSIONS = [".ts", ".mts", ".js", ".mjs"]; // what SST's node runtime tries, minus JSX/CJS

const FIXTURES: Record<Trigger, string[]> = {
  schedule: ["scheduled-event.json"],
  // The body is a work item, which is the handler's business; here only the SQS envelope matters.
  sqs: ["sqs-event.json"],
  alarm: ["cloudwatch-alarm-state-change.json", "cloudwatch-alarm-state-change-ok.json"],
};

/** Values shaped like the ones the stacks set, so a handler that reads its environment on import works. */
const ENVIRONMENT: Record<string, string> = {
  AWS_REGION: "us-west-2",
  OUTPOST_OPS_STAGE: "test",
  POWERTOOLS_SERVICE_NAME: "outpost-ops",
  POWERTOOLS_METRICS_NAMESPACE: "OutpostOps",
  ALERT_TOPIC_ARN: "arn:aws:sns:us-west-2:123456789012:outpost-ops-test-alerts",
  EVENT_BUS_NAME: "default",
  SNAPSHOT_QUEUE_URL: "https://sqs.us-west-2.amazonaws.com/123456789012/outpost-ops-test-snapshot-work.fifo",
  RETENTION_QUEUE_URL: "https://sqs.us-west-2.amazonaws.com/123456789012/outpost-ops-test-retention-work",
};

function moduleFile(handlerPath: string): { file: string | undefined; exportName: string } {
  const dot = handlerPath.lastIndexOf(".");
  const base = path.join(ROOT, handlerPath.slice(0, dot));
  return {
    file: EXTENSIONS.map((ext) => base + ext).find(existsSync),
    exportName: handlerPath.slice(dot + 1),
  };
}

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(path.join(EVENTS, name), "utf8"));
}

async function load(name: HandlerName): Promise<Record<string, unknown>> {
  const { file } = moduleFile(Handlers[name].path);
  if (!file) throw new Error(`${Handlers[name].path}: no ${EXTENSIONS.join("/")} file`);
  for (const variable of Handlers[name].environment) {
    expect(ENVIRONMENT[variable], `test environment lacks ${variable}`).toBeDefined();
  }
  Object.assign(process.env, ENVIRONMENT);
  return (await import(file)) as Record<string, unknown>;
}

describe("Handlers", () => {
  it("finds the shared event fixtures", () => {
    for (const name of Object.values(FIXTURES).flat())
      expect(existsSync(path.join(EVENTS, name)), name).toBe(true);
  });

  describe.each(Object.keys(Handlers) as HandlerName[])("%s", (name) => {
    const spec = Handlers[name];

    it(`${spec.path} exists`, () => {
      expect(moduleFile(spec.path).file).toBeDefined();
    });

    it("exports the handler function and parseEvent", async () => {
      const mod = await load(name);
      expect(typeof mod[moduleFile(spec.path).exportName]).toBe("function");
      expect(typeof mod.parseEvent).toBe("function");
    });

    it.each(FIXTURES[spec.trigger])(`parseEvent accepts the ${spec.trigger} event %s`, async (file) => {
      const { parseEvent } = (await load(name)) as { parseEvent: (raw: unknown) => unknown };
      expect(() => parseEvent(fixture(file))).not.toThrow();
    });

    it("parseEvent rejects {} with an EventShapeError", async () => {
      const { parseEvent } = (await load(name)) as { parseEvent: (raw: unknown) => unknown };
      let thrown: unknown;
      try {
        parseEvent({});
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(Error);
      expect((thrown as Error).name).toBe("EventShapeError");
    });
  });

  it("no file in stacks/ names a handler path: they come from the job declarations", () => {
    const stacksDir = path.join(ROOT, "stacks");
    const offenders = readdirSync(stacksDir, { recursive: true, encoding: "utf8" })
      .filter((f) => /\.[cm]?[jt]s$/.test(f))
      .filter((f) => /src\/[\w/-]+\.handler\b/.test(readFileSync(path.join(stacksDir, f), "utf8")));
    expect(offenders).toEqual([]);
  });
});
