import { AwsError } from "../errors.ts";
import { type Env, type HttpAnswer, type RequestContext, type ServiceHandler, xmlAnswer } from "../http.ts";
import { str } from "../query.ts";
import { awsQueryError } from "../xml.ts";
import { describeAccountAttributes } from "./account.ts";
import { describeDBClusters, describeDBInstances, describeDBSnapshots } from "./describe.ts";
import { RdsState } from "./model.ts";
import { RDS_XMLNS } from "./render.ts";
import {
  addTagsToResource,
  copySnapshot,
  createSnapshot,
  deleteSnapshot,
  listTagsForResource,
  removeTagsFromResource,
} from "./snapshots.ts";

export class RdsService implements ServiceHandler {
  readonly service = "rds" as const;
  readonly state: RdsState;

  constructor(env: Env) {
    this.state = new RdsState(env);
  }

  operation(ctx: RequestContext): string {
    return str(ctx.form, "Action") ?? "Unknown";
  }

  handle(operation: string, ctx: RequestContext): HttpAnswer {
    const s = this.state;
    const region = s.region(ctx.region);
    switch (operation) {
      case "DescribeAccountAttributes":
        return xmlAnswer(describeAccountAttributes(region, ctx));
      case "DescribeDBInstances":
        return xmlAnswer(describeDBInstances(s, region, ctx));
      case "DescribeDBClusters":
        return xmlAnswer(describeDBClusters(s, region, ctx));
      case "DescribeDBSnapshots":
        return xmlAnswer(describeDBSnapshots(s, region, ctx, "instance"));
      case "DescribeDBClusterSnapshots":
        return xmlAnswer(describeDBSnapshots(s, region, ctx, "cluster"));
      case "CreateDBSnapshot":
        return xmlAnswer(createSnapshot(s, region, ctx, false));
      case "CreateDBClusterSnapshot":
        return xmlAnswer(createSnapshot(s, region, ctx, true));
      case "DeleteDBSnapshot":
        return xmlAnswer(deleteSnapshot(s, region, ctx, false));
      case "DeleteDBClusterSnapshot":
        return xmlAnswer(deleteSnapshot(s, region, ctx, true));
      case "CopyDBSnapshot":
        return xmlAnswer(copySnapshot(s, region, ctx, false));
      case "CopyDBClusterSnapshot":
        return xmlAnswer(copySnapshot(s, region, ctx, true));
      case "ListTagsForResource":
        return xmlAnswer(listTagsForResource(s, ctx));
      case "AddTagsToResource":
        return xmlAnswer(addTagsToResource(s, ctx));
      case "RemoveTagsFromResource":
        return xmlAnswer(removeTagsFromResource(s, ctx));
      default:
        throw new AwsError("InvalidAction", `The action ${operation} is not valid for this web service.`);
    }
  }

  renderError(err: AwsError, ctx: RequestContext): HttpAnswer {
    return xmlAnswer(awsQueryError(RDS_XMLNS, err.type, err.code, err.message, ctx.requestId), err.status);
  }

  quotaError(operation: string): AwsError | undefined {
    if (
      operation === "CreateDBSnapshot" ||
      operation === "CreateDBClusterSnapshot" ||
      operation.startsWith("CopyDB")
    ) {
      return new AwsError(
        "SnapshotQuotaExceeded",
        "Cannot create the snapshot because the maximum allowed number of snapshots has been reached.",
      );
    }
    return undefined;
  }
}
