import { AwsError } from "./errors.ts";
import { type Env, type HttpAnswer, jsonAnswer, type RequestContext, type ServiceHandler } from "./http.ts";
import { vcpusOf } from "./instance-types.ts";
import type { Estate } from "./types.ts";

/** Outposts over REST-JSON: errors name themselves in `x-amzn-errortype` and carry `{ Message }`. */
interface Outpost {
  region: string;
  id: string;
  arn: string;
  name: string;
  availabilityZone: string;
  siteId: string;
  instanceTypes: string[];
  /** S3 on Outposts capacity in GiB (Estate `snapshotStorageGiB`); undefined = not provisioned / not modelled. */
  snapshotStorageGiB?: number;
}

/** GetOutpostInstanceTypes MaxResults: "Valid Range: Minimum value of 1. Maximum value of 1000." */
const MAX_RESULTS = 1000;

export class OutpostsService implements ServiceHandler {
  readonly service = "outposts" as const;
  private readonly outposts = new Map<string, Outpost>();

  constructor(private readonly env: Env) {}

  seed(estate: Estate): void {
    for (const o of estate.outposts ?? []) {
      this.outposts.set(`${o.region}|${o.id}`, {
        region: o.region,
        id: o.id,
        arn: o.arn ?? `arn:aws:outposts:${o.region}:${this.env.accountId}:outpost/${o.id}`,
        name: o.name,
        availabilityZone: o.availabilityZone,
        siteId: o.siteId ?? "os-0123456789abcdef0",
        instanceTypes: [...(o.instanceTypes ?? ["m5.large", "m5.xlarge", "c5.xlarge", "r5.2xlarge"])],
        snapshotStorageGiB: o.snapshotStorageGiB,
      });
    }
  }

  /** The runtime seam: the Outpost now offers these instance types (a capacity change, a new type). */
  setInstanceTypes(region: string, outpostId: string, types: readonly string[]): void {
    this.byId(region, outpostId).instanceTypes = [...types];
  }

  /** A seeded Outpost by id or ARN; throws for an unknown one (a seam called with a typo). */
  byId(region: string, idOrArn: string): Outpost {
    const id = idOrArn.startsWith("arn:") ? (idOrArn.split("/").pop() ?? "") : idOrArn;
    const o = this.outposts.get(`${region}|${id}`);
    if (!o) throw new Error(`sandbox: no Outpost ${idOrArn} seeded in ${region}`);
    return o;
  }

  /** The seeded Outposts of every Region. */
  all(): Iterable<Outpost> {
    return this.outposts.values();
  }

  operation(ctx: RequestContext): string {
    if (ctx.path === "/outposts") return "ListOutposts";
    if (/^\/outposts\/[^/]+\/instanceTypes$/.test(ctx.path)) return "GetOutpostInstanceTypes";
    if (/^\/outposts\/[^/]+$/.test(ctx.path)) return "GetOutpost";
    return "Unknown";
  }

  renderError(err: AwsError): HttpAnswer {
    return {
      status: err.status,
      headers: { "content-type": "application/json", "x-amzn-errortype": err.code },
      body: JSON.stringify({ Message: err.message }),
    };
  }

  handle(operation: string, ctx: RequestContext): HttpAnswer {
    const rawId = decodeURIComponent(ctx.path.split("/")[2] ?? "");
    switch (operation) {
      case "ListOutposts": {
        const all = [...this.outposts.values()]
          .filter((o) => o.region === ctx.region)
          .map((o) => this.outpostJson(o));
        return jsonAnswer({ Outposts: all }, 200, { "content-type": "application/json" });
      }
      case "GetOutpost":
        return jsonAnswer({ Outpost: this.outpostJson(this.find(ctx, rawId)) }, 200, {
          "content-type": "application/json",
        });
      case "GetOutpostInstanceTypes": {
        const o = this.find(ctx, rawId);
        const { page, nextToken } = this.pageOfTypes(ctx, o);
        return jsonAnswer(
          {
            InstanceTypes: page.map((t) => ({ InstanceType: t, VCPUs: vcpusOf(t) })),
            ...(nextToken ? { NextToken: nextToken } : {}),
            OutpostId: o.id,
            OutpostArn: o.arn,
          },
          200,
          { "content-type": "application/json" },
        );
      }
      default:
        throw new AwsError(
          "ValidationException",
          `Unsupported Outposts request ${ctx.method} ${ctx.path}`,
          400,
        );
    }
  }

  /**
   * MaxResults 1..1000 (outside: ValidationException) and NextToken. Without MaxResults every type is
   * returned (AWS does not document a default page size). The token follows the documented pattern
   * `^(\d+)##(\S+)$`: the offset to resume from, "##", the Outpost id.
   */
  private pageOfTypes(ctx: RequestContext, o: Outpost): { page: string[]; nextToken?: string } {
    const rawMax = ctx.query.get("MaxResults");
    const max = rawMax === null ? undefined : Number(rawMax);
    if (max !== undefined && (!Number.isInteger(max) || max < 1 || max > MAX_RESULTS)) {
      throw new AwsError(
        "ValidationException",
        `1 validation error detected: Value '${rawMax}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and ${MAX_RESULTS}`,
        400,
      );
    }
    const token = ctx.query.get("NextToken");
    let from = 0;
    if (token !== null && token !== "") {
      const m = /^(\d+)##(\S+)$/.exec(token);
      if (!m || m[2] !== o.id) throw new AwsError("ValidationException", `Invalid NextToken: ${token}`, 400);
      from = Number(m[1]);
    }
    const end = max === undefined ? o.instanceTypes.length : from + max;
    const page = o.instanceTypes.slice(from, end);
    return { page, nextToken: end < o.instanceTypes.length ? `${end}##${o.id}` : undefined };
  }

  /** Operations accept the Outpost id or its ARN. */
  private find(ctx: RequestContext, idOrArn: string): Outpost {
    const id = idOrArn.startsWith("arn:") ? (idOrArn.split("/").pop() ?? "") : idOrArn;
    const o = this.outposts.get(`${ctx.region}|${id}`);
    if (!o) throw new AwsError("NotFoundException", `Outpost not found: ${idOrArn}`, 404);
    return o;
  }

  private outpostJson(o: Outpost) {
    return {
      OutpostId: o.id,
      OwnerId: this.env.accountId,
      OutpostArn: o.arn,
      SiteId: o.siteId,
      Name: o.name,
      LifeCycleStatus: "ACTIVE",
      AvailabilityZone: o.availabilityZone,
      AvailabilityZoneId: `${o.region.replace(/-/g, "").slice(0, 4)}-az1`,
      SiteArn: `arn:aws:outposts:${o.region}:${this.env.accountId}:site/${o.siteId}`,
      SupportedHardwareType: "RACK",
    };
  }
}
