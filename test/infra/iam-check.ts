/**
 * The permission checker behind test/infra/permissions.test.ts, kept free of vitest so its own
 * tests can feed it doctored policies and recordings and see it fail.
 *
 * Three parts:
 * - what IAM actions a recorded SDK command needs (`iamActionsFor`, with the exceptions table
 *   AUTHORIZED_AS and the client-name → IAM-prefix table IAM_PREFIX);
 * - what a function may do without our code sending it (RUNTIME_GRANTS, the allowlist);
 * - a small IAM evaluator (`isAllowed`): action + resource ARN + condition context → allowed?,
 *   and `authorizationRequests`, which turns an EC2/RDS command we sent (with its real input) into
 *   the requests AWS authorizes for it, per the Service Authorization Reference.
 */
import type { Trigger } from "../../stacks/handlers.ts";

// ————————————————————————————————————————————————————————————— policies

export interface Statement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action?: string | string[];
  NotAction?: string | string[];
  /** ARN patterns, or CloudFormation references (`{ Ref }`, `{ "Fn::GetAtt" }`, `{ "Fn::ImportValue" }`). */
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

interface TemplateJson {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

export interface RolePolicy {
  statements: Statement[];
  /** Things this checker cannot see through (managed policies): each is a test failure. */
  problems: string[];
}

const refersTo = (roles: unknown, roleId: string) =>
  Array.isArray(roles) && roles.some((r) => (r as { Ref?: string })?.Ref === roleId);

/** Every statement attached to a role: its inline policies and the AWS::IAM::Policy resources naming it. */
export function roleStatements(template: TemplateJson, roleId: string): RolePolicy {
  const statements: Statement[] = [];
  const problems: string[] = [];
  const role = template.Resources[roleId];
  if (role?.Type !== "AWS::IAM::Role") return { statements, problems: [`${roleId} is not a role`] };
  for (const arn of (role.Properties?.ManagedPolicyArns as unknown[] | undefined) ?? []) {
    problems.push(`managed policy ${JSON.stringify(arn)} (its grants are invisible to this check)`);
  }
  for (const p of (role.Properties?.Policies as { PolicyDocument: { Statement: Statement[] } }[]) ?? []) {
    statements.push(...p.PolicyDocument.Statement);
  }
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== "AWS::IAM::Policy" && resource.Type !== "AWS::IAM::ManagedPolicy") continue;
    if (!refersTo(resource.Properties?.Roles, roleId)) continue;
    if (resource.Type === "AWS::IAM::ManagedPolicy") problems.push(`managed policy ${id}`);
    const document = resource.Properties?.PolicyDocument as { Statement: Statement[] };
    statements.push(...document.Statement);
  }
  return { statements, problems };
}

export const listOf = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
export const actionsOf = (s: Statement): string[] => listOf(s.Action) as string[];

// ———————————————————————————————————————————————————————— recorded commands → IAM actions

/** One command a handler sent, as createClients' `onCommand` reports it. */
export interface RecordedCall {
  /** The client's name without `Client`, lowercased: `ec2`, `rds`, `sns`, `sqs`, `eventbridge`. */
  service: string;
  command: string;
  region: string;
}

/**
 * Client names whose IAM prefix differs (createClients names the service after the client class).
 * Add a row when a function starts using such a client.
 */
export const IAM_PREFIX: Record<string, string> = {
  eventbridge: "events", // EventBridgeClient → events:PutEvents
  cloudwatchevents: "events",
  cloudwatchlogs: "logs", // CloudWatchLogsClient → logs:*
  sfn: "states", // SFNClient → states:StartExecution
};

/**
 * Commands that are authorized as other (or more) IAM actions than `prefix:Command`. Every row says
 * why, with the AWS page that says so.
 */
export const AUTHORIZED_AS: Record<string, { actions: string[]; why: string }> = {
  // "Amazon SQS API permissions: Actions and resource reference": batch actions have no IAM action of
  // their own; each is authorized as its single-message form.
  "sqs:SendMessageBatch": { actions: ["sqs:SendMessage"], why: "SQS batch = its single form" },
  "sqs:DeleteMessageBatch": { actions: ["sqs:DeleteMessage"], why: "SQS batch = its single form" },
  "sqs:ChangeMessageVisibilityBatch": {
    actions: ["sqs:ChangeMessageVisibility"],
    why: "SQS batch = its single form",
  },
  // Our creates always tag at creation (TagSpecifications): EC2 authorizes that as ec2:CreateTags
  // with ec2:CreateAction = the create ("Grant permission to tag Amazon EC2 resources during creation").
  "ec2:CreateSnapshot": { actions: ["ec2:CreateSnapshot", "ec2:CreateTags"], why: "tags on create" },
  "ec2:CreateSnapshots": { actions: ["ec2:CreateSnapshots", "ec2:CreateTags"], why: "tags on create" },
  // Tags on an RDS create are authorized as rds:AddTagsToResource on the new resource ("Grant
  // permission to tag Amazon RDS resources during creation"; its dependent action in the reference).
  "rds:CreateDBSnapshot": {
    actions: ["rds:CreateDBSnapshot", "rds:AddTagsToResource"],
    why: "tags on create",
  },
  "rds:CreateDBClusterSnapshot": {
    actions: ["rds:CreateDBClusterSnapshot", "rds:AddTagsToResource"],
    why: "tags on create",
  },
  // DR copies are tagged in the copy call itself, authorized the same ways as the creates above.
  "ec2:CopySnapshot": { actions: ["ec2:CopySnapshot", "ec2:CreateTags"], why: "tags on create" },
  "rds:CopyDBSnapshot": { actions: ["rds:CopyDBSnapshot", "rds:AddTagsToResource"], why: "tags on create" },
  "rds:CopyDBClusterSnapshot": {
    actions: ["rds:CopyDBClusterSnapshot", "rds:AddTagsToResource"],
    why: "tags on create",
  },
  // The alert topic is KMS-encrypted: SNS calls KMS with the publisher's permissions, which must
  // include kms:GenerateDataKey* and kms:Decrypt on the key (SNS developer guide, "Key management").
  "sns:Publish": {
    actions: ["sns:Publish", "kms:GenerateDataKey", "kms:Decrypt"],
    why: "publish to a KMS-encrypted topic",
  },
};

/** The IAM actions one recorded command needs. */
export function iamActionsFor(call: Pick<RecordedCall, "service" | "command">): string[] {
  const key = `${IAM_PREFIX[call.service] ?? call.service}:${call.command}`;
  return AUTHORIZED_AS[key]?.actions ?? [key];
}

// ——————————————————————————————————————————————————————— what the runtime needs on its own

/** What the permission test knows about a function: its trigger and environment (stacks/handlers.ts). */
export interface FunctionSpec {
  trigger: Trigger;
  environment: readonly string[];
}

export interface RuntimeGrant {
  actions: string[];
  why: string;
  appliesTo: (spec: FunctionSpec) => boolean;
}

/**
 * The allowlist: actions a function's role is granted that our code never sends, because Lambda
 * itself uses the role. Keep it short; every row says why.
 */
export const RUNTIME_GRANTS: readonly RuntimeGrant[] = [
  {
    actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
    why: "Lambda writes the function's logs to its own log group with the function's role",
    appliesTo: () => true,
  },
  {
    actions: [
      "sqs:ReceiveMessage",
      "sqs:DeleteMessage",
      "sqs:ChangeMessageVisibility",
      "sqs:GetQueueAttributes",
    ],
    why: "Lambda's SQS event source mapping polls, deletes and re-hides messages with the function's role (Lambda developer guide, 'Execution role permissions' for SQS)",
    appliesTo: (spec) => spec.trigger === "sqs",
  },
  {
    actions: ["sqs:GetQueueUrl"],
    why: "added by CDK's SqsEventSource (grantConsumeMessages); the mapping never calls it, and it only resolves the queue's name to its URL",
    appliesTo: (spec) => spec.trigger === "sqs",
  },
];

export function runtimeActionsFor(spec: FunctionSpec): string[] {
  return RUNTIME_GRANTS.filter((g) => g.appliesTo(spec)).flatMap((g) => g.actions);
}

// ————————————————————————————————————————————————————————————————— the check

/** `*` and `?` as IAM uses them, anchored; everything else literal. */
function glob(pattern: string, flags = ""): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`, flags);
}

export const actionMatches = (pattern: string, action: string) => glob(pattern, "i").test(action);

export interface CheckInput {
  statements: Statement[];
  recorded: RecordedCall[];
  /** Actions the function may hold without sending them (RUNTIME_GRANTS that apply to it). */
  runtime: string[];
  /**
   * Actions AWS uses with the function's identity on its behalf (`onBehalf` statements in core: KMS
   * calls EC2 and RDS make for a copy), which no recording can show: exempt from `unused`, never
   * from `missing`.
   */
  onBehalf?: string[];
  /** Where the function is deployed: CloudFormation references are resources of this Region. */
  region: string;
}

export interface CheckResult {
  /** Sent (or implied by what is sent) but not granted. */
  missing: string[];
  /** Granted but neither sent nor in the runtime allowlist. */
  unused: string[];
  /** Sent to a Region none of the granting statements' resources is in. */
  wrongRegion: string[];
  /** Statements this checker refuses to reason about (NotAction, NotResource). */
  unsupported: string[];
}

function regionOfResource(resource: unknown, stackRegion: string): string | undefined {
  if (typeof resource !== "string") return stackRegion; // a CloudFormation reference in this app
  if (resource === "*") return "*";
  const region = resource.split(":")[3];
  return region === undefined || region === "" ? "*" : region;
}

/**
 * The meta-test: does the policy grant exactly what the recording shows the function sends?
 * Action level (a resource-level check of EC2/RDS calls is `isAllowed` over `authorizationRequests`).
 */
export function checkPolicy(input: CheckInput): CheckResult {
  const allow = input.statements.filter((s) => s.Effect === "Allow");
  const unsupported = input.statements
    .filter((s) => s.NotAction !== undefined || s.NotResource !== undefined)
    .map((s) => JSON.stringify(s));
  const needed = new Map<string, Set<string>>(); // action → regions it is sent to
  for (const call of input.recorded) {
    for (const action of iamActionsFor(call)) {
      const regions = needed.get(action) ?? new Set<string>();
      regions.add(call.region);
      needed.set(action, regions);
    }
  }
  const missing: string[] = [];
  const wrongRegion: string[] = [];
  for (const [action, regions] of needed) {
    const granting = allow.filter((s) => actionsOf(s).some((p) => actionMatches(p, action)));
    if (granting.length === 0) {
      missing.push(action);
      continue;
    }
    const grantedRegions = granting.flatMap((s) =>
      listOf(s.Resource).map((r) => regionOfResource(r, input.region)),
    );
    for (const region of regions) {
      if (!grantedRegions.some((g) => g !== undefined && glob(g).test(region)))
        wrongRegion.push(`${action} in ${region} (granted in ${[...new Set(grantedRegions)].join(", ")})`);
    }
  }
  const unused = [
    ...new Set(
      allow
        .flatMap(actionsOf)
        .filter(
          (granted) =>
            ![...needed.keys()].some((a) => actionMatches(granted, a)) &&
            !input.runtime.some((r) => r.toLowerCase() === granted.toLowerCase()) &&
            !(input.onBehalf ?? []).some((r) => r.toLowerCase() === granted.toLowerCase()),
        ),
    ),
  ];
  return { missing: missing.sort(), unused: unused.sort(), wrongRegion: wrongRegion.sort(), unsupported };
}

// ——————————————————————————————————————————————————————————————— a small IAM evaluator

export type ConditionContext = Record<string, string | string[]>;

export interface AuthRequest {
  action: string;
  resource: string;
  context: ConditionContext;
}

const asStrings = (v: unknown): string[] => listOf(v).map(String);

function conditionHolds(
  operator: string,
  key: string,
  expected: unknown,
  context: ConditionContext,
): boolean {
  const ifExists = operator.endsWith("IfExists");
  const base = operator.replace(/IfExists$/, "");
  const [qualifier, op] = base.includes(":") ? (base.split(":") as [string, string]) : [undefined, base];
  const present = key in context;
  const actual = present ? asStrings(context[key]) : [];
  const wanted = asStrings(expected);
  if (op === "Null") return wanted.includes("true") ? !present : present;
  if (!present) return ifExists || op.startsWith("StringNot") || op.startsWith("ArnNot");
  const one = (a: string, w: string): boolean => {
    switch (op) {
      case "StringEquals":
      case "ArnEquals":
      case "Bool":
        return a === w;
      case "StringEqualsIgnoreCase":
        return a.toLowerCase() === w.toLowerCase();
      case "StringLike":
      case "ArnLike":
        return glob(w).test(a);
      case "StringNotEquals":
      case "ArnNotEquals":
        return a !== w;
      case "StringNotLike":
      case "ArnNotLike":
        return !glob(w).test(a);
      default:
        throw new Error(`isAllowed: condition operator ${operator} is not modelled; add it`);
    }
  };
  const negated = op.startsWith("StringNot") || op.startsWith("ArnNot");
  const matches = (a: string) => (negated ? wanted.every((w) => one(a, w)) : wanted.some((w) => one(a, w)));
  return qualifier === "ForAllValues" ? actual.every(matches) : actual.some(matches);
}

function statementApplies(s: Statement, request: AuthRequest): boolean {
  if (s.NotAction !== undefined || s.NotResource !== undefined)
    throw new Error(`isAllowed: NotAction/NotResource are not modelled: ${JSON.stringify(s)}`);
  if (!actionsOf(s).some((p) => actionMatches(p, request.action))) return false;
  // CloudFormation references never equal a literal ARN: such statements do not apply here.
  if (!listOf(s.Resource).some((r) => typeof r === "string" && glob(r).test(request.resource))) return false;
  return Object.entries(s.Condition ?? {}).every(([operator, entries]) =>
    Object.entries(entries).every(([key, value]) => conditionHolds(operator, key, value, request.context)),
  );
}

/**
 * Identity-policy evaluation for one request: an explicit Deny wins, else any Allow, else denied.
 * @example isAllowed(statements, { action: "rds:AddTagsToResource", resource: "arn:aws:rds:us-west-2:123456789012:snapshot:manual-prod-backup", context: { "aws:RequestTag/outpost-ops:managed": "true" } }) // false
 */
export function isAllowed(statements: Statement[], request: AuthRequest): boolean {
  if (statements.some((s) => s.Effect === "Deny" && statementApplies(s, request))) return false;
  return statements.some((s) => s.Effect === "Allow" && statementApplies(s, request));
}

/** `aws:RequestTag/K` for each tag, and `aws:TagKeys`. */
export function requestTagContext(tags: { Key?: string; Value?: string }[]): ConditionContext {
  const context: ConditionContext = {};
  for (const t of tags) if (t.Key !== undefined) context[`aws:RequestTag/${t.Key}`] = t.Value ?? "";
  context["aws:TagKeys"] = tags.flatMap((t) => (t.Key === undefined ? [] : [t.Key]));
  return context;
}

export function resourceTagContext(tags: Record<string, string>): ConditionContext {
  return Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:ResourceTag/${k}`, v]));
}

/** One command as sent, with its input and (for deletes) the tags the resource had when it was sent. */
export interface SentCommand extends RecordedCall {
  input: Record<string, unknown>;
  resourceTags?: Record<string, string>;
}

type Derivation = (
  sent: SentCommand,
  /** An ARN in the Region the command went to, or in `region`. */
  arn: (service: string, resource: string, noAccount?: boolean, region?: string) => string,
) => AuthRequest[];

const str = (v: unknown) => String(v ?? "");
const tagSpecs = (input: Record<string, unknown>) =>
  ((input.TagSpecifications as { Tags?: { Key?: string; Value?: string }[] }[]) ?? []).flatMap(
    (s) => s.Tags ?? [],
  );

/** A placeholder for the id AWS has not assigned yet when it authorizes a create. */
const NEW_SNAPSHOT = "snap-00000000000000000";

/** The RDS copies: the source (an ARN, in its own Region), the target here, and its tags. */
function dbCopy(kind: "snapshot" | "cluster-snapshot"): Derivation {
  const [action, sourceKey, targetKey] =
    kind === "snapshot"
      ? ["rds:CopyDBSnapshot", "SourceDBSnapshotIdentifier", "TargetDBSnapshotIdentifier"]
      : [
          "rds:CopyDBClusterSnapshot",
          "SourceDBClusterSnapshotIdentifier",
          "TargetDBClusterSnapshotIdentifier",
        ];
  return ({ input }, arn) => {
    const tagList = (input.Tags as { Key?: string; Value?: string }[]) ?? [];
    const tags = requestTagContext(tagList);
    const source = str(input[sourceKey]);
    const target = arn("rds", `${kind}:${str(input[targetKey])}`);
    return [
      // Cross-Region, the source Region authorizes the SDK's presigned request against the source.
      {
        action,
        resource: source.startsWith("arn:") ? source : arn("rds", `${kind}:${source}`),
        context: tags,
      },
      { action, resource: target, context: tags },
      ...(tagList.length > 0 ? [{ action: "rds:AddTagsToResource", resource: target, context: tags }] : []),
    ];
  };
}

/**
 * A DNS name as Route 53 puts it in route53:ChangeResourceRecordSetsNormalizedRecordNames (Route 53
 * Developer Guide, "Using IAM policy conditions for fine-grained access control"): lower case, no
 * final dot, other characters than a-z, 0-9, `-`, `_` and `.` as `\` and three octal digits. Written
 * here from the guide, not imported from core, so a misreading in core is caught.
 */
function route53Normalized(name: string): string {
  return name
    .toLowerCase()
    .replace(/\.$/, "")
    .replace(/[^a-z0-9_.-]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, "0")}`);
}

/**
 * How AWS authorizes each EC2/RDS command the functions send: every resource the Service
 * Authorization Reference lists for the action, with the condition keys it supplies. A new EC2 or
 * RDS command (other than Describe*) needs a row here, or the permission test says so.
 */
const DERIVATIONS: Record<string, Derivation> = {
  "ec2:CreateSnapshot": ({ input }, arn) => {
    const tags = requestTagContext(tagSpecs(input));
    const requests: AuthRequest[] = [
      { action: "ec2:CreateSnapshot", resource: arn("ec2", `volume/${str(input.VolumeId)}`), context: tags },
      { action: "ec2:CreateSnapshot", resource: arn("ec2", `snapshot/${NEW_SNAPSHOT}`, true), context: tags },
    ];
    if (input.OutpostArn)
      requests.push({ action: "ec2:CreateSnapshot", resource: str(input.OutpostArn), context: tags });
    if (tagSpecs(input).length > 0)
      requests.push({
        action: "ec2:CreateTags",
        resource: arn("ec2", `snapshot/${NEW_SNAPSHOT}`, true),
        context: { ...tags, "ec2:CreateAction": "CreateSnapshot" },
      });
    return requests;
  },
  "ec2:CreateSnapshots": ({ input }, arn) => {
    const tags = requestTagContext(tagSpecs(input));
    const instance = str((input.InstanceSpecification as { InstanceId?: string } | undefined)?.InstanceId);
    const requests: AuthRequest[] = [
      { action: "ec2:CreateSnapshots", resource: arn("ec2", `instance/${instance}`), context: tags },
      {
        action: "ec2:CreateSnapshots",
        resource: arn("ec2", `snapshot/${NEW_SNAPSHOT}`, true),
        context: tags,
      },
    ];
    if (input.OutpostArn)
      requests.push({ action: "ec2:CreateSnapshots", resource: str(input.OutpostArn), context: tags });
    if (tagSpecs(input).length > 0)
      requests.push({
        action: "ec2:CreateTags",
        resource: arn("ec2", `snapshot/${NEW_SNAPSHOT}`, true),
        context: { ...tags, "ec2:CreateAction": "CreateSnapshots" },
      });
    return requests;
  },
  "ec2:DeleteSnapshot": ({ input, resourceTags }, arn) => [
    {
      action: "ec2:DeleteSnapshot",
      resource: arn("ec2", `snapshot/${str(input.SnapshotId)}`, true),
      context: resourceTagContext(resourceTags ?? {}),
    },
  ],
  "rds:CreateDBSnapshot": ({ input }, arn) => {
    const tags = requestTagContext((input.Tags as { Key?: string; Value?: string }[]) ?? []);
    const snapshot = arn("rds", `snapshot:${str(input.DBSnapshotIdentifier)}`);
    return [
      {
        action: "rds:CreateDBSnapshot",
        resource: arn("rds", `db:${str(input.DBInstanceIdentifier)}`),
        context: tags,
      },
      { action: "rds:CreateDBSnapshot", resource: snapshot, context: tags },
      { action: "rds:AddTagsToResource", resource: snapshot, context: tags },
    ];
  },
  "rds:CreateDBClusterSnapshot": ({ input }, arn) => {
    const tags = requestTagContext((input.Tags as { Key?: string; Value?: string }[]) ?? []);
    const snapshot = arn("rds", `cluster-snapshot:${str(input.DBClusterSnapshotIdentifier)}`);
    return [
      {
        action: "rds:CreateDBClusterSnapshot",
        resource: arn("rds", `cluster:${str(input.DBClusterIdentifier)}`),
        context: tags,
      },
      { action: "rds:CreateDBClusterSnapshot", resource: snapshot, context: tags },
      { action: "rds:AddTagsToResource", resource: snapshot, context: tags },
    ];
  },
  /*
   * A cross-Region EBS copy, sent in the destination: authorized on the source snapshot (in its
   * Region, with its tags) and on the new snapshot here (with the request's tags), plus the tags
   * written at creation as ec2:CreateTags with ec2:CreateAction = CopySnapshot.
   */
  "ec2:CopySnapshot": ({ input, region, resourceTags }, arn) => {
    const tags = requestTagContext(tagSpecs(input));
    const sourceRegion = str(input.SourceRegion ?? region);
    const newSnapshot = arn("ec2", `snapshot/${NEW_SNAPSHOT}`, true);
    return [
      {
        action: "ec2:CopySnapshot",
        resource: arn("ec2", `snapshot/${str(input.SourceSnapshotId)}`, true, sourceRegion),
        context: { ...tags, ...resourceTagContext(resourceTags ?? {}) },
      },
      { action: "ec2:CopySnapshot", resource: newSnapshot, context: tags },
      ...(tagSpecs(input).length > 0
        ? [
            {
              action: "ec2:CreateTags",
              resource: newSnapshot,
              context: { ...tags, "ec2:CreateAction": "CopySnapshot" },
            },
          ]
        : []),
    ];
  },
  // Tags on existing snapshots (the failed copy's alerted mark): the request's and the snapshot's tags.
  "ec2:CreateTags": ({ input, resourceTags }, arn) =>
    ((input.Resources as string[] | undefined) ?? []).map((id) => ({
      action: "ec2:CreateTags",
      resource: arn("ec2", `snapshot/${id}`, true),
      context: {
        ...requestTagContext((input.Tags as { Key?: string; Value?: string }[]) ?? []),
        ...resourceTagContext(resourceTags ?? {}),
      },
    })),
  "rds:CopyDBSnapshot": dbCopy("snapshot"),
  "rds:CopyDBClusterSnapshot": dbCopy("cluster-snapshot"),
  "rds:AddTagsToResource": ({ input }) => [
    {
      action: "rds:AddTagsToResource",
      resource: str(input.ResourceName),
      context: requestTagContext((input.Tags as { Key?: string; Value?: string }[]) ?? []),
    },
  ],
  "rds:DeleteDBSnapshot": ({ input, resourceTags }, arn) => [
    {
      action: "rds:DeleteDBSnapshot",
      resource: arn("rds", `snapshot:${str(input.DBSnapshotIdentifier)}`),
      context: resourceTagContext(resourceTags ?? {}),
    },
  ],
  // Route 53 is global: the zone's ARN has no Region or account. The condition keys describe the
  // whole batch (each is multivalued: every name, type and action in it).
  "route53:ChangeResourceRecordSets": ({ input }) => {
    const changes =
      (
        input.ChangeBatch as {
          Changes?: { Action?: string; ResourceRecordSet?: { Name?: string; Type?: string } }[];
        }
      )?.Changes ?? [];
    const unique = (values: (string | undefined)[]) => [...new Set(values.map(String))];
    return [
      {
        action: "route53:ChangeResourceRecordSets",
        resource: `arn:aws:route53:::hostedzone/${str(input.HostedZoneId).replace(/^\/?hostedzone\//, "")}`,
        context: {
          "route53:ChangeResourceRecordSetsNormalizedRecordNames": unique(
            changes.map((c) => route53Normalized(str(c.ResourceRecordSet?.Name))),
          ),
          "route53:ChangeResourceRecordSetsRecordTypes": unique(
            changes.map((c) => c.ResourceRecordSet?.Type),
          ),
          "route53:ChangeResourceRecordSetsActions": unique(changes.map((c) => c.Action)),
        },
      },
    ];
  },
  "rds:DeleteDBClusterSnapshot": ({ input, resourceTags }, arn) => [
    {
      action: "rds:DeleteDBClusterSnapshot",
      resource: arn("rds", `cluster-snapshot:${str(input.DBClusterSnapshotIdentifier)}`),
      context: resourceTagContext(resourceTags ?? {}),
    },
  ],
};

/** Services whose calls the resource-level check covers (their grants are ARN patterns in core). */
export const RESOURCE_CHECKED_SERVICES = ["ec2", "rds", "route53"];

/**
 * The requests AWS authorizes for one sent command, or undefined when there is no derivation
 * (Describe*, which only supports `*`, or a command of another service).
 */
export function authorizationRequests(
  sent: SentCommand,
  account: string,
  partition = "aws",
): AuthRequest[] | undefined {
  const derive = DERIVATIONS[`${sent.service}:${sent.command}`];
  if (!derive) return undefined;
  // EC2 snapshot ARNs have no account (arn:aws:ec2:region::snapshot/snap-...).
  return derive(
    sent,
    (service, resource, noAccount, region = sent.region) =>
      `arn:${partition}:${service}:${region}:${noAccount ? "" : account}:${resource}`,
  );
}

/** True for commands that must have a derivation: EC2/RDS/Route 53 calls other than reads. */
export function needsDerivation(call: RecordedCall): boolean {
  return RESOURCE_CHECKED_SERVICES.includes(call.service) && !/^(Describe|List|Get)/.test(call.command);
}
