import { AwsError } from "../errors.ts";
import { type Env, type HttpAnswer, type RequestContext, type ServiceHandler, xmlAnswer } from "../http.ts";
import { str } from "../query.ts";
import { esc, leaf } from "../xml.ts";
import { describeImages, describeInstances, describeSnapshots, describeVolumes } from "./describe.ts";
import { Ec2State } from "./model.ts";
import { copySnapshot, createSnapshot, createSnapshots, deleteSnapshot } from "./snapshots.ts";
import { createTags, deleteTags } from "./tags.ts";

export { Ec2State } from "./model.ts";

export class Ec2Service implements ServiceHandler {
  readonly service = "ec2" as const;
  readonly state: Ec2State;
  private quotaFaults = 0;

  constructor(env: Env) {
    this.state = new Ec2State(env);
  }

  operation(ctx: RequestContext): string {
    return str(ctx.form, "Action") ?? "Unknown";
  }

  handle(operation: string, ctx: RequestContext): HttpAnswer {
    const region = this.state.region(ctx.region);
    if (str(ctx.form, "DryRun") === "true") {
      // AWS answers a permitted dry run with this error.
      throw new AwsError("DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412);
    }
    switch (operation) {
      case "DescribeVolumes":
        return xmlAnswer(describeVolumes(this.state, region, ctx));
      case "DescribeInstances":
        return xmlAnswer(describeInstances(this.state, region, ctx));
      case "DescribeSnapshots":
        return xmlAnswer(describeSnapshots(this.state, region, ctx));
      case "DescribeImages":
        return xmlAnswer(describeImages(this.state, region, ctx));
      case "CreateSnapshot":
        return xmlAnswer(createSnapshot(this.state, region, ctx));
      case "CreateSnapshots":
        return xmlAnswer(createSnapshots(this.state, region, ctx));
      case "DeleteSnapshot":
        return xmlAnswer(deleteSnapshot(region, ctx));
      case "CopySnapshot":
        return xmlAnswer(copySnapshot(this.state, region, ctx));
      case "CreateTags":
        return xmlAnswer(createTags(region, ctx));
      case "DeleteTags":
        return xmlAnswer(deleteTags(region, ctx));
      default:
        throw new AwsError("InvalidAction", `The action ${operation} is not valid for this web service.`);
    }
  }

  /** EC2's own error envelope: `<Response><Errors><Error>..</Error></Errors><RequestID>..</RequestID></Response>`. */
  renderError(err: AwsError, ctx: RequestContext): HttpAnswer {
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${esc(err.code)}</Code><Message>${esc(err.message)}</Message></Error></Errors>${leaf("RequestID", ctx.requestId)}</Response>`;
    return xmlAnswer(body, err.status);
  }

  quotaError(operation: string): AwsError | undefined {
    switch (operation) {
      case "CreateSnapshot":
      case "CreateSnapshots":
        // Alternate between the two per-volume quota errors AWS documents for snapshot creation.
        if (this.quotaFaults++ % 2 === 1) {
          return new AwsError(
            "ConcurrentSnapshotLimitExceeded",
            "Maximum allowed in-progress snapshots for a single volume exceeded.",
          );
        }
        return new AwsError(
          "SnapshotCreationPerVolumeRateExceeded",
          "The maximum per volume CreateSnapshot request rate has been exceeded. Use an increasing or variable sleep interval between requests.",
        );
      case "CopySnapshot":
        return new AwsError(
          "ResourceLimitExceeded",
          "Too many snapshot copies in progress. The limit is 20 for this destination region.",
        );
      default:
        return undefined;
    }
  }
}
