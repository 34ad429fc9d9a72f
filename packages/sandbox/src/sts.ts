import { AwsError } from "./errors.ts";
import { type Env, type HttpAnswer, type RequestContext, type ServiceHandler, xmlAnswer } from "./http.ts";
import { str } from "./query.ts";
import { awsQueryError, awsQueryResponse, leaf } from "./xml.ts";

/**
 * STS over awsQuery (Version 2011-06-15): GetCallerIdentity only. Every caller is an IAM user named after
 * its access key id, in the sandbox's account (as the API Reference's "Called by an IAM user" example:
 * Arn arn:aws:iam::ACCOUNT:user/NAME, UserId the access key id).
 */
const XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/";

/** The identity the sandbox gives a caller signing with `accessKeyId`. */
export function callerArn(accountId: string, accessKeyId: string | undefined): string {
  return `arn:aws:iam::${accountId}:user/${accessKeyId ?? "anonymous"}`;
}

export class StsService implements ServiceHandler {
  readonly service = "sts" as const;

  constructor(private readonly env: Env) {}

  operation(ctx: RequestContext): string {
    return str(ctx.form, "Action") ?? "Unknown";
  }

  renderError(err: AwsError, ctx: RequestContext): HttpAnswer {
    return xmlAnswer(awsQueryError(XMLNS, err.type, err.code, err.message, ctx.requestId), err.status);
  }

  handle(operation: string, ctx: RequestContext): HttpAnswer {
    if (operation !== "GetCallerIdentity")
      throw new AwsError("InvalidAction", `Could not find operation ${operation} for version 2011-06-15`);
    if (!ctx.accessKeyId)
      throw new AwsError("MissingAuthenticationToken", "Request is missing Authentication Token", 403);
    const result =
      leaf("Arn", callerArn(this.env.accountId, ctx.accessKeyId)) +
      leaf("UserId", ctx.accessKeyId) +
      leaf("Account", this.env.accountId);
    return xmlAnswer(awsQueryResponse(operation, XMLNS, ctx.requestId, result));
  }
}
