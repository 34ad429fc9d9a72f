/** Public types of the sandbox (docs/sandbox-spec.md); other packages code against these. */

export interface SandboxOptions {
  port?: number;
  accountId?: string;
  startTime?: Date;
  snapshotCompletionMs?: number;
  /**
   * How long a snapshot copy stays pending, on the sandbox clock. A number: every EBS copy and every
   * cross-Region RDS copy (same-Region RDS copies take snapshotCompletionMs); default 60 min. A
   * function: asked once per copy (EBS, RDS and Aurora, same-Region or not) when CopySnapshot /
   * CopyDBSnapshot / CopyDBClusterSnapshot is accepted, e.g. `(c) => c.sizeGiB * 60_000` makes a
   * 500 GiB copy take 500 minutes. A time-based EBS copy still ends by its CompletionDurationMinutes.
   */
  copyCompletionMs?: number | ((copy: CopyInfo) => number);
  throttling?: { timeScale: number } | false;
  /**
   * EC2 eventual consistency: a snapshot created by CreateSnapshot(s)/CopySnapshot is invisible to
   * DescribeSnapshots, and InvalidSnapshot.NotFound to calls naming it, for this long after creation,
   * measured on the sandbox clock AND the wall clock: it appears when either has moved this far.
   * Default 0 (visible at once).
   */
  describeVisibilityDelayMs?: number;
  /**
   * Route 53: how long an accepted change stays PENDING before GetChange reports INSYNC, on the sandbox
   * clock; while a zone has a PENDING change, another change to it answers PriorRequestNotComplete.
   * Default 5 s (AWS: "generally within 60 seconds").
   */
  route53PropagationMs?: number;
}

/** What the copyCompletionMs hook is told about a copy. */
export interface CopyInfo {
  /** "ebs" CopySnapshot, "rds" CopyDBSnapshot, "aurora" CopyDBClusterSnapshot. */
  kind: "ebs" | "rds" | "aurora";
  sourceSnapshotId: string;
  sourceRegion: string;
  /** The destination Region, where the copy is made. */
  region: string;
  /** EBS: the source's VolumeSize; RDS/Aurora: the source snapshot's AllocatedStorage. */
  sizeGiB: number;
}

export type ServiceId =
  | "ec2"
  | "rds"
  | "sqs"
  | "sns"
  | "route53"
  | "cloudwatch"
  | "outposts"
  | "events"
  | "kms"
  | "lambda"
  | "sts";

export interface FaultRule {
  service?: ServiceId;
  operation?: string;
  throttleRate?: number;
  serverErrorRate?: number;
  quotaErrorRate?: number;
  latencyMs?: [number, number];
  timeoutRate?: number;
  /**
   * 0..1: batch calls with per-entry results (EventBridge PutEvents) answer 200 but fail this share of
   * otherwise valid entries with AWS's retryable per-entry errors (InternalFailure / ThrottlingException,
   * alternating), counted in FailedEntryCount.
   */
  entryFailureRate?: number;
  /**
   * Answer this error instead of serving the request (in the service's own error shape), at errorRate
   * (default 1), e.g. `{ service: "lambda", error: { code: "AccessDeniedException" } }`. status defaults to
   * 403 for codes starting with "AccessDenied", else 400; message to an IAM-style "User: ... is not
   * authorized to perform: ..." for AccessDenied codes, else the code.
   */
  error?: { code: string; message?: string; status?: number };
  errorRate?: number;
  seed?: number;
}

export type KmsKeyState =
  | "Creating"
  | "Enabled"
  | "Disabled"
  | "PendingDeletion"
  | "PendingImport"
  | "PendingReplicaDeletion"
  | "Unavailable"
  | "Updating";

export type VolumeType = "gp2" | "gp3" | "io1" | "io2" | "st1" | "sc1" | "standard";
export type SnapshotCategory = "manual" | "automated" | "awsbackup";

export interface QuotaSeed {
  region: string;
  manualDbSnapshots?: number;
  manualDbClusterSnapshots?: number;
  snapshotsPerRegion?: number;
}

export interface Estate {
  outposts?: {
    region: string;
    id: string;
    arn?: string;
    name: string;
    availabilityZone: string;
    siteId?: string;
    instanceTypes?: string[];
    /**
     * Total S3 on Outposts capacity in GiB, where local EBS snapshots are stored. When set, the
     * sandbox publishes S3Outposts OutpostTotalBytes / OutpostFreeBytes for this Outpost every 5
     * sandbox minutes and local snapshots that do not fit end in `error`. Unset: no S3 on Outposts
     * metrics and no capacity check (the sandbox's behaviour before this existed).
     */
    snapshotStorageGiB?: number;
  }[];
  volumes?: {
    region: string;
    id?: string;
    sizeGiB: number;
    type: VolumeType;
    availabilityZone: string;
    outpostArn?: string;
    tags?: Record<string, string>;
    attachments?: { instanceId: string; device: string }[];
  }[];
  instances?: {
    region: string;
    id?: string;
    availabilityZone: string;
    outpostArn?: string;
    rootDeviceName?: string;
    tags?: Record<string, string>;
    /** Attached volumes, first is root. */
    volumeIds: string[];
    state?: "running" | "stopped";
    /** Default "m5.large". */
    instanceType?: string;
    /** LaunchTime (ISO 8601); default the sandbox clock when seeded. */
    launchTime?: string;
  }[];
  snapshots?: {
    region: string;
    id?: string;
    volumeId: string;
    startTime: string;
    state?: "pending" | "completed" | "error";
    tags?: Record<string, string>;
    outpostArn?: string;
    description?: string;
    awsBackup?: boolean;
    /** VolumeSize; default the seeded volume's size, else 8. */
    sizeGiB?: number;
  }[];
  images?: { region: string; id?: string; name: string; snapshotIds: string[] }[];
  dbInstances?: {
    region: string;
    id: string;
    engine: string;
    status?: string;
    clusterId?: string;
    tags?: Record<string, string>;
    /** AllocatedStorage in GiB (its snapshots inherit it); default 20. */
    allocatedStorage?: number;
  }[];
  dbClusters?: {
    region: string;
    id: string;
    engine: string;
    status?: string;
    members?: string[];
    tags?: Record<string, string>;
    /** AllocatedStorage in GiB of its cluster snapshots; default 20. */
    allocatedStorage?: number;
  }[];
  dbSnapshots?: {
    region: string;
    id: string;
    dbInstanceId: string;
    createdAt: string;
    status?: string;
    type?: SnapshotCategory;
    tags?: Record<string, string>;
    /** AllocatedStorage in GiB; default the seeded source's, else 20. */
    allocatedStorage?: number;
  }[];
  dbClusterSnapshots?: {
    region: string;
    id: string;
    clusterId: string;
    createdAt: string;
    status?: string;
    type?: SnapshotCategory;
    tags?: Record<string, string>;
    /** AllocatedStorage in GiB; default the seeded source's, else 20. */
    allocatedStorage?: number;
  }[];
  hostedZones?: {
    id?: string;
    name: string;
    records?: RecordSeed[];
  }[];
  /** Route 53 health checks (global); healthy by default. Flip them with `sandbox.setHealthCheck`. */
  healthChecks?: HealthCheckSeed[];
  /** One region's quotas, or several. */
  quotas?: QuotaSeed | QuotaSeed[];
  /** EventBridge custom buses (the "default" bus always exists in every region). */
  eventBuses?: { region: string; name: string; description?: string }[];
  /** KMS keys (symmetric encryption keys) DescribeKey answers for; aliases with or without "alias/". */
  kmsKeys?: {
    region: string;
    /** The key id (UUID, or mrk-... for a multi-Region key). */
    id: string;
    /** Default arn:aws:kms:REGION:ACCOUNT:key/ID. */
    arn?: string;
    aliases?: string[];
    /** Default: true unless keyState says otherwise. */
    enabled?: boolean;
    /** Default "Enabled" ("Disabled" when enabled is false). */
    keyState?: KmsKeyState;
    description?: string;
    multiRegion?: boolean;
    /** For keyState PendingDeletion; default 30 days after seeding. */
    deletionDate?: string;
  }[];
  /** CloudWatch datapoints; timestamps ISO strings or epoch ms. */
  metrics?: {
    region: string;
    namespace: string;
    name: string;
    dimensions?: Record<string, string>;
    points: [string | number, number][];
  }[];
}

/** An Outpost's S3 on Outposts storage at the sandbox clock's now, in GiB. */
export interface OutpostStorageView {
  totalGiB: number;
  otherUseGiB: number;
  /** VolumeSize of each completed local snapshot on the Outpost (not incremental). */
  localSnapshotGiB: number;
  /** total − other use − local snapshots, never below 0. */
  freeGiB: number;
}

/** A datapoint for `sandbox.metrics.put`: [timestamp (Date, ISO 8601 string or epoch ms), value]. */
export type MetricPoint = readonly [Date | string | number, number];

/** A record set to seed; ttl defaults to 300 unless aliasTarget is given (alias records have no TTL). */
export interface RecordSeed {
  name: string;
  type: string;
  ttl?: number;
  values?: string[];
  setIdentifier?: string;
  weight?: number;
  failover?: "PRIMARY" | "SECONDARY";
  healthCheckId?: string;
  aliasTarget?: { hostedZoneId: string; dnsName: string; evaluateTargetHealth?: boolean };
}

export type HealthCheckType = "HTTP" | "HTTPS" | "HTTP_STR_MATCH" | "HTTPS_STR_MATCH" | "TCP";

export interface HealthCheckSeed {
  /** Default: a generated UUID, as Route 53 assigns them. */
  id?: string;
  /** Default true. */
  healthy?: boolean;
  /** Default "HTTPS". */
  type?: HealthCheckType;
  fqdn?: string;
  ipAddress?: string;
  /** Default 443 for HTTPS types, 80 otherwise. */
  port?: number;
  resourcePath?: string;
  searchString?: string;
  /** Seconds between checks, 10 or 30 (default 30). */
  requestInterval?: number;
  /** Default 3. */
  failureThreshold?: number;
  /** What the checkers report when unhealthy; must start "Failure: " (default: a connection time-out). */
  failureReason?: string;
  /** Checker Regions (default Route 53's eight). */
  regions?: string[];
}

export interface EbsSnapshotView {
  snapshotId: string;
  volumeId: string;
  state: "pending" | "completed" | "error";
  startTime: Date;
  progress: string;
  outpostArn?: string;
  description?: string;
  tags: Record<string, string>;
  encrypted: boolean;
  kmsKeyId?: string;
  sourceSnapshotId?: string;
  sourceRegion?: string;
}

export interface DbSnapshotView {
  id: string;
  arn: string;
  /** DBInstanceIdentifier for DB snapshots, DBClusterIdentifier for cluster snapshots. */
  sourceId: string;
  status: string;
  snapshotType: SnapshotCategory;
  createdAt: Date;
  tags: Record<string, string>;
  kmsKeyId?: string;
  sourceSnapshotArn?: string;
}

export interface SnsMessageView {
  messageId: string;
  topicArn: string;
  subject?: string;
  message: string;
  messageAttributes: Record<string, { dataType: string; value: string }>;
  at: Date;
}

/** One accepted ChangeResourceRecordSets batch. */
export interface Route53ChangeView {
  /** The change id, without `/change/`. */
  id: string;
  submittedAt: Date;
  comment?: string;
  /** Each change of the batch: action and the record set it named. */
  changes: { action: string; name: string; type: string; setIdentifier?: string; values: string[] }[];
}

export interface RecordView {
  name: string;
  type: string;
  ttl?: number;
  values: string[];
  setIdentifier?: string;
  weight?: number;
  failover?: string;
  healthCheckId?: string;
  aliasTarget?: { hostedZoneId: string; dnsName: string; evaluateTargetHealth: boolean };
}

/** An event as EventBridge delivers it to targets (its documented envelope). */
export interface EventEnvelope {
  version: "0";
  id: string;
  "detail-type": string;
  source: string;
  account: string;
  /** ISO 8601 to the second: the entry's Time, else when the sandbox clock received it. */
  time: string;
  region: string;
  resources: string[];
  /** The entry's Detail, parsed. */
  detail: unknown;
}

/** An event PutEvents accepted for a bus that does not exist (AWS answers an EventId and drops it). */
export interface DroppedEventView extends EventEnvelope {
  eventBusName: string;
}

export interface StateView {
  snapshots(region: string): EbsSnapshotView[];
  dbSnapshots(region: string): DbSnapshotView[];
  dbClusterSnapshots(region: string): DbSnapshotView[];
  snsMessages(region: string): SnsMessageView[];
  queueMessages(region: string, queueName: string): { visible: number; inFlight: number; delayed: number };
  records(hostedZoneId: string): RecordView[];
  /**
   * The change batches Route 53 accepted for a zone, oldest first (refused batches are not changes):
   * how many times DNS was changed, whatever the callers believe they did.
   */
  route53Changes(hostedZoneId: string): Route53ChangeView[];
  /** EventBridge events on a bus (name or ARN; default "default"), oldest first. */
  events(region: string, busName?: string): EventEnvelope[];
  /** Events PutEvents accepted for buses that do not exist, oldest first. */
  droppedEvents(region: string): DroppedEventView[];
  /** Snapshot ids deleted through the API (EBS and RDS), for invariant checks. */
  deleted(region: string): string[];
  /**
   * The same deletions with when each happened on the sandbox clock, EBS ones then RDS ones, each
   * in the order they were deleted (a benchmark's delete rate).
   */
  deletions(region: string): { id: string; at: Date }[];
}

export interface Sandbox {
  endpoint: string;
  clock: { now(): Date; set(t: Date): void; advance(ms: number): void };
  seed(estate: Estate): void;
  faults: { set(rule: FaultRule): void; clear(): void };
  throttling(opts: { timeScale: number } | false): void;
  /** Set the EC2 describe visibility delay for snapshots created from now on (see SandboxOptions). */
  consistency(opts: { describeDelayMs: number }): void;
  state: StateView;
  requests: { count(operation?: string): number; reset(): void };
  /**
   * Route 53: make a seeded health check healthy or not, at once (every checker agrees). `reason` is
   * what the checkers report when unhealthy (must start "Failure: "). Throws for an unknown id.
   */
  setHealthCheck(id: string, healthy: boolean, reason?: string): void;
  /**
   * CloudWatch datapoints at runtime, in any namespace, AWS/* included (PutMetricData refuses AWS/
   * namespaces, as AWS does; this is how a test or the drill plays AWS's own metrics, e.g. a squeeze
   * of AWS/Outposts InstanceTypeCapacityUtilization).
   */
  metrics: {
    /**
     * Add datapoints to one series (Region + namespace + name + exact dimension set) and evaluate the
     * alarms on it at once, as PutMetricData does (state change events included).
     */
    put(
      region: string,
      namespace: string,
      name: string,
      dimensions: Record<string, string>,
      points: readonly MetricPoint[],
    ): void;
    /** The series' stored datapoints, oldest first (empty when there is none). */
    get(
      region: string,
      namespace: string,
      name: string,
      dimensions: Record<string, string>,
    ): { at: Date; value: number }[];
  };
  /** Outposts at runtime (seeded ones; each throws for an unknown Outpost id/ARN). */
  outposts: {
    /** GetOutpostInstanceTypes answers these types from now on (e.g. a type added to the Outpost). */
    setInstanceTypes(region: string, outpostId: string, types: readonly string[]): void;
    /**
     * GiB of the Outpost's S3 on Outposts capacity taken by data other than local snapshots, from now
     * on (the next 5-minute OutpostFreeBytes datapoint and every later local snapshot see it).
     */
    setOtherStorageUse(region: string, outpostId: string, gib: number): void;
    /** The storage as the sandbox models it now (total 0 when the Outpost has no snapshotStorageGiB). */
    storage(region: string, outpostId: string): OutpostStorageView;
  };
  /** Lambda functions the Invoke API runs in-process. */
  lambda: {
    /** Register (or replace) a function; it answers Invoke under its name, full ARN or partial ARN. */
    register(name: string, handler: LambdaHandler, options?: LambdaFunctionOptions): void;
    /** Invocations that ran (not DryRun ones), oldest first; of one function when named. */
    invocations(name?: string): LambdaInvocationView[];
  };
  close(): Promise<void>;
}

/** What a registered Lambda handler is given, as the Node.js runtime's context (the part the sandbox models). */
export interface LambdaContext {
  functionName: string;
  functionVersion: string;
  /** The ARN the caller invoked, with its qualifier if it gave one. */
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  /** Wall-clock milliseconds left before the function's timeout. */
  getRemainingTimeInMillis(): number;
}

export type LambdaHandler = (event: unknown, context: LambdaContext) => Promise<unknown> | unknown;

export interface LambdaFunctionOptions {
  /** Serve it only in this Region; default every Region. */
  region?: string;
  /** Wall-clock timeout; default 3,000 ms (Lambda's default). Past it, Invoke answers Sandbox.Timedout. */
  timeoutMs?: number;
  /** Default 128. */
  memoryMB?: number;
}

export interface LambdaInvocationView {
  functionName: string;
  region: string;
  invocationType: "RequestResponse" | "Event";
  event: unknown;
  requestId: string;
  at: Date;
  /** The handler's result (RequestResponse and Event, once settled). */
  result?: unknown;
  /** Set when the handler threw or timed out. */
  error?: { errorType: string; errorMessage: string };
}
