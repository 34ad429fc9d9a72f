import { AwsError } from "./errors.ts";
import { type Env, type HttpAnswer, jsonAnswer, type RequestContext, type ServiceHandler } from "./http.ts";
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
}

const VCPUS: Record<string, number> = {
  large: 2,
  xlarge: 4,
  "2xlarge": 8,
  "4xlarge": 16,
  "8xlarge": 32,
  "12xlarge": 48,
  "16xlarge": 64,
  "24xlarge": 96,
};

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
        instanceTypes: o.instanceTypes ?? ["m5.large", "m5.xlarge", "c5.xlarge", "r5.2xlarge"],
      });
    }
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
        return jsonAnswer(
          {
            InstanceTypes: o.instanceTypes.map((t) => ({
              InstanceType: t,
              VCPUs: VCPUS[t.split(".")[1] ?? ""] ?? 2,
            })),
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
