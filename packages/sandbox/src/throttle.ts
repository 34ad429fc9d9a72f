import type { ServiceId } from "./types.ts";

/**
 * AWS-shaped token buckets (AWS-LIMITS.md). Buckets are per account + region + bucket name; refill is
 * measured on the WALL clock (throttling is about request rate, not simulated time) and multiplied by
 * timeScale so tests can use tiny rates.
 */
interface BucketSpec {
  name: string;
  capacity: number;
  refillPerSecond: number;
}

class TokenBucket {
  private tokens: number;
  private last = performance.now();

  constructor(
    private readonly spec: BucketSpec,
    private readonly timeScale: number,
  ) {
    this.tokens = spec.capacity;
  }

  take(): boolean {
    const now = performance.now();
    const refill = ((now - this.last) / 1000) * this.spec.refillPerSecond * this.timeScale;
    this.tokens = Math.min(this.spec.capacity, this.tokens + refill);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

const LARGE_EVENTS_REGIONS = new Set(["us-east-1", "us-west-2", "eu-west-1"]);

const EC2_OWN_BUCKETS = new Set(["CreateSnapshot", "CreateSnapshots", "DeleteSnapshot"]);

/** Which bucket an operation draws from; undefined = not throttled (SQS, SNS: effectively unlimited). */
export function bucketFor(
  service: ServiceId,
  operation: string,
  paged: boolean,
  region = "us-east-1",
): BucketSpec | undefined {
  switch (service) {
    case "ec2":
      if (EC2_OWN_BUCKETS.has(operation))
        return { name: `ec2:${operation}`, capacity: 100, refillPerSecond: 5 };
      if (operation === "CreateTags" || operation === "DeleteTags")
        return { name: "ec2:tags", capacity: 100, refillPerSecond: 10 };
      if (operation.startsWith("Describe")) {
        // AWS gives unfiltered, unpaginated Describe calls a smaller bucket of their own.
        return paged
          ? { name: "ec2:describe", capacity: 100, refillPerSecond: 20 }
          : { name: "ec2:describe-unpaged", capacity: 50, refillPerSecond: 10 };
      }
      return { name: "ec2:mutating", capacity: 50, refillPerSecond: 5 };
    case "rds": {
      // AWS does not publish RDS bucket sizes; we assume 50 burst / 10 per second per operation family
      // (Describe*, Create*, Delete*, Copy*, tags) as the spec asks.
      const family = /^(Describe|Create|Delete|Copy|List|Add|Remove)/.exec(operation)?.[1] ?? operation;
      return { name: `rds:${family}`, capacity: 50, refillPerSecond: 10 };
    }
    case "route53":
      // 5 requests per second per account, across all Route 53 APIs.
      return { name: "route53", capacity: 5, refillPerSecond: 5 };
    case "events":
      // PutEvents quotas are per Region: 10,000/s in AWS's largest tier (us-east-1, us-west-2, eu-west-1
      // among them); elsewhere we take the next tier, 2,400/s (the sandbox has no per-Region table). One
      // second's worth of burst. Every other EventBridge API: 50/s (EventBridge quotas).
      if (operation === "PutEvents") {
        const rate = LARGE_EVENTS_REGIONS.has(region) ? 10_000 : 2_400;
        return { name: "events:PutEvents", capacity: rate, refillPerSecond: rate };
      }
      return { name: "events:other", capacity: 50, refillPerSecond: 50 };
    case "kms":
      // KMS request quotas: "DescribeKey request rate" 2,000 per second per account and Region.
      return operation === "DescribeKey"
        ? { name: "kms:DescribeKey", capacity: 2_000, refillPerSecond: 2_000 }
        : undefined;
    case "cloudwatch":
      return operation === "GetMetricData"
        ? { name: "cloudwatch:GetMetricData", capacity: 50, refillPerSecond: 50 }
        : undefined;
    default:
      return undefined;
  }
}

export class Throttling {
  private buckets = new Map<string, TokenBucket>();
  private timeScale: number | undefined;

  configure(opts: { timeScale: number } | false): void {
    this.timeScale = opts === false ? undefined : opts.timeScale;
    this.buckets.clear();
  }

  /** True when the request may proceed. */
  take(accountId: string, region: string, spec: BucketSpec | undefined): boolean {
    if (this.timeScale === undefined || spec === undefined) return true;
    // Route 53 is global: one bucket per account whatever region the client signed for.
    const key = spec.name === "route53" ? `${accountId}:${spec.name}` : `${accountId}:${region}:${spec.name}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(spec, this.timeScale);
      this.buckets.set(key, bucket);
    }
    return bucket.take();
  }
}
