import { Clock } from "./clock.ts";
import { CloudWatchService } from "./cloudwatch/index.ts";
import { Ec2Service } from "./ec2/index.ts";
import { EventsService } from "./events.ts";
import { Faults } from "./faults.ts";
import type { Env } from "./http.ts";
import { KmsService } from "./kms.ts";
import { LambdaService } from "./lambda.ts";
import { OutpostsService } from "./outposts.ts";
import { RdsService } from "./rds/index.ts";
import { DEFAULT_PROPAGATION_MS, Route53Service } from "./route53/index.ts";
import { type Router, startServer } from "./server.ts";
import { Settler } from "./settle.ts";
import { SnsService } from "./sns.ts";
import { SqsService } from "./sqs.ts";
import { OutpostStorage } from "./storage.ts";
import { StsService } from "./sts.ts";
import { Throttling } from "./throttle.ts";
import type { Estate, Sandbox, SandboxOptions, StateView } from "./types.ts";

export type * from "./types.ts";

const DEFAULT_START = new Date("2024-01-01T00:00:00Z");

/**
 * Start an embedded AWS-compatible endpoint on 127.0.0.1 (docs/sandbox-spec.md).
 *
 * @example
 * const sb = await startSandbox();
 * const ec2 = new EC2Client({ region: "us-west-2", endpoint: sb.endpoint, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const clock = new Clock(options.startTime ?? DEFAULT_START);
  const env: Env = {
    accountId: options.accountId ?? "123456789012",
    clock,
    snapshotCompletionMs: options.snapshotCompletionMs ?? 10 * 60_000,
    copyCompletionMs: typeof options.copyCompletionMs === "number" ? options.copyCompletionMs : 60 * 60_000,
    copyDuration: typeof options.copyCompletionMs === "function" ? options.copyCompletionMs : undefined,
    describeVisibilityDelayMs: options.describeVisibilityDelayMs ?? 0,
    endpoint: "",
    settler: new Settler(clock),
    emit: (region, event) => events.deliver(region, event),
    kmsKeyUsable: (region, keyId) => kms.usable(region, keyId),
    localSnapshotFailure: (region, outpostArn, sizeGiB, atMs) =>
      storage.failure(region, outpostArn, sizeGiB, atMs),
  };
  const ec2 = new Ec2Service(env);
  const rds = new RdsService(env);
  const sqs = new SqsService(env);
  const sns = new SnsService(env, sqs);
  const route53 = new Route53Service(options.route53PropagationMs ?? DEFAULT_PROPAGATION_MS);
  const cloudwatch = new CloudWatchService(env);
  const outposts = new OutpostsService(env);
  const events = new EventsService(env);
  const kms = new KmsService(env);
  const lambda = new LambdaService(env);
  const sts = new StsService(env);
  const storage = new OutpostStorage(() => clock.nowMs(), outposts, ec2.state, cloudwatch);
  const faults = new Faults();
  const throttling = new Throttling();
  throttling.configure(options.throttling ?? false);
  const router: Router = {
    byService: {
      ec2,
      rds,
      sqs,
      sns,
      route53,
      cloudwatch,
      outposts,
      events,
      kms,
      lambda,
      sts,
    },
    faults,
    throttling,
    env,
    counts: new Map(),
  };
  const { server, endpoint } = await startServer(router, options.port ?? 0);
  env.endpoint = endpoint;

  const state: StateView = {
    snapshots: (region) => ec2.state.view(region),
    dbSnapshots: (region) => rds.state.view(region, "instance"),
    dbClusterSnapshots: (region) => rds.state.view(region, "cluster"),
    snsMessages: (region) => sns.published(region),
    queueMessages: (region, queueName) => sqs.counts(region, queueName),
    records: (hostedZoneId) => route53.records(hostedZoneId),
    route53Changes: (hostedZoneId) => route53.history(hostedZoneId),
    events: (region, busName) => events.events(region, busName),
    droppedEvents: (region) => events.droppedEvents(region),
    deleted: (region) => [...ec2.state.region(region).deletedIds, ...rds.state.region(region).deletedIds],
    deletions: (region) =>
      [ec2.state.region(region), rds.state.region(region)].flatMap((r) =>
        r.deletedIds.map((id, i) => ({ id, at: new Date(r.deletedAtMs[i] ?? 0) })),
      ),
  };

  return {
    endpoint,
    clock: {
      now: () => clock.now(),
      set: (t) => clock.set(t),
      advance: (ms) => clock.advance(ms),
    },
    seed(estate: Estate) {
      ec2.state.seed(estate);
      rds.state.seed(estate);
      route53.seed(estate, clock.nowMs());
      cloudwatch.seed(estate);
      outposts.seed(estate);
      storage.seeded();
      events.seed(estate);
      kms.seed(estate);
    },
    faults: { set: (rule) => faults.set(rule), clear: () => faults.clear() },
    throttling: (opts) => throttling.configure(opts),
    consistency: ({ describeDelayMs }) => {
      env.describeVisibilityDelayMs = Math.max(0, describeDelayMs);
    },
    state,
    requests: {
      count: (operation) =>
        operation === undefined
          ? [...router.counts.values()].reduce((a, b) => a + b, 0)
          : (router.counts.get(operation) ?? 0),
      reset: () => router.counts.clear(),
    },
    setHealthCheck: (id, healthy, reason) => route53.healthChecks.set(id, healthy, reason),
    metrics: {
      put: (region, namespace, name, dimensions, points) =>
        cloudwatch.put(region, namespace, name, dimensions, points),
      get: (region, namespace, name, dimensions) =>
        cloudwatch
          .points(region, namespace, name, dimensions)
          .map((p) => ({ at: new Date(p.t), value: p.v })),
    },
    outposts: {
      setInstanceTypes: (region, outpostId, types) => outposts.setInstanceTypes(region, outpostId, types),
      setOtherStorageUse: (region, outpostId, gib) => storage.setOtherStorageUse(region, outpostId, gib),
      storage: (region, outpostId) => storage.view(region, outpostId),
    },
    lambda: {
      register: (name, handler, opts) => lambda.register(name, handler, opts),
      invocations: (name) => lambda.invocations(name),
    },
    close: () =>
      new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
