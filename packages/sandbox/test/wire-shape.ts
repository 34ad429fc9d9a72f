/**
 * Wire-conformance helpers: send a documented request raw over HTTP, and reduce a response document to its
 * "shape" — the sorted set of element paths (`DescribeSnapshotsResponse/snapshotSet/item/snapshotId`),
 * ignoring values — so the sandbox's answer can be compared with AWS's documented example and with the
 * SDK's service model.
 */
import { XMLParser } from "fast-xml-parser";

export const AUTH = (region: string, service: string) =>
  `AWS4-HMAC-SHA256 Credential=AKID/20240101/${region}/${service}/aws4_request, SignedHeaders=host, Signature=0`;

export interface RawAnswer {
  status: number;
  headers: Headers;
  body: string;
}

/** A Query-protocol call (ec2Query / awsQuery): form body, region and service from the credential scope. */
export async function query(
  endpoint: string,
  service: "ec2" | "rds" | "sns" | "sts",
  params: Record<string, string>,
  region = "us-east-1",
): Promise<RawAnswer> {
  const res = await fetch(`${endpoint}/`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded; charset=utf-8",
      authorization: AUTH(region, service),
    },
    body: new URLSearchParams(params).toString(),
  });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

/**
 * An awsJson call: 1.0 for SQS `AmazonSQS.*` and CloudWatch `GraniteServiceVersion20100801.*`, 1.1 for
 * EventBridge `AWSEvents.*` and KMS `TrentService.*`.
 */
export async function json(
  endpoint: string,
  service: "sqs" | "monitoring" | "events" | "kms",
  target: string,
  input: unknown,
  region = "us-east-1",
): Promise<RawAnswer> {
  const version = service === "events" || service === "kms" ? "1.1" : "1.0";
  const res = await fetch(`${endpoint}/`, {
    method: "POST",
    headers: {
      "content-type": `application/x-amz-json-${version}`,
      "x-amz-target": target,
      authorization: AUTH(region, service),
    },
    body: JSON.stringify(input),
  });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

/** A REST call (Route 53 REST-XML, Outposts and Lambda REST-JSON). */
export async function rest(
  endpoint: string,
  service: "route53" | "outposts" | "lambda",
  method: string,
  path: string,
  body?: string,
  region = "us-east-1",
  headers: Record<string, string> = {},
): Promise<RawAnswer> {
  const res = await fetch(`${endpoint}${path}`, {
    method,
    headers: {
      authorization: AUTH(region, service),
      ...(body ? { "content-type": service === "route53" ? "application/xml" : "application/json" } : {}),
      ...headers,
    },
    body,
  });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

// ---------------------------------------------------------------------------------------------------------
// Shapes

type Ordered = Record<string, unknown>;
const xml = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: "@" });

export interface XmlShape {
  root: string;
  xmlns: string | undefined;
  paths: string[];
}

/** Every element path of an XML document (leaves and containers), sorted and without duplicates. */
export function xmlShape(doc: string): XmlShape {
  const nodes = xml.parse(doc.trim()) as Ordered[];
  const paths = new Set<string>();
  let root = "";
  let xmlns: string | undefined;
  const walk = (list: Ordered[], prefix: string) => {
    for (const n of list) {
      const name = Object.keys(n).find((k) => k !== ":@" && k !== "#text" && !k.startsWith("?"));
      if (!name) continue;
      const path = prefix ? `${prefix}/${name}` : name;
      if (!prefix) {
        root = name;
        xmlns = (n[":@"] as Record<string, string> | undefined)?.["@xmlns"];
      }
      paths.add(path);
      walk((n[name] as Ordered[]) ?? [], path);
    }
  };
  walk(nodes, "");
  return { root, xmlns, paths: [...paths].sort() };
}

/** Every key path of a JSON document; array members are `[]`. */
export function jsonShape(value: unknown): string[] {
  const paths = new Set<string>();
  const walk = (v: unknown, prefix: string) => {
    if (Array.isArray(v)) {
      const p = `${prefix}/[]`;
      for (const item of v) {
        paths.add(p);
        walk(item, p);
      }
      return;
    }
    if (v !== null && typeof v === "object") {
      for (const [k, child] of Object.entries(v)) {
        const path = prefix ? `${prefix}/${k}` : k;
        paths.add(path);
        walk(child, path);
      }
    }
  };
  walk(value, "");
  return [...paths].sort();
}

/** A schema exported by an SDK client module (`DescribeSnapshotsResult$`); not in the clients' typings. */
export function schemaOf(mod: object, name: string): unknown {
  const s = (mod as Record<string, unknown>)[`${name}$`];
  if (s === undefined) throw new Error(`no schema ${name}$ in the SDK module`);
  return s;
}

/** Paths of `expected` that `actual` lacks. */
export const missing = (expected: readonly string[], actual: readonly string[]): string[] => {
  const have = new Set(actual);
  return expected.filter((p) => !have.has(p));
};

// ---------------------------------------------------------------------------------------------------------
// The SDK's service model (smithy schemas exported by @aws-sdk/client-* as `XxxResult$` / `XxxOutput$`)

/**
 * Schema tuples as the SDK ships them: structure `[3, ns, name, traits, memberNames, memberSchemas]`,
 * list `[1, ns, name, traits, member]`, map `[2, ns, name, traits, key, value]`; a member is a number
 * (simple type, `64|x` list of simple, `128|x` map of simple), a thunk, or `[schema, traits]`.
 */
type Schema = unknown;
type Traits = Record<string, unknown>;

function resolve(s: Schema): { schema: Schema; traits: Traits } {
  let traits: Traits = {};
  let cur = s;
  for (let i = 0; i < 10; i++) {
    if (typeof cur === "function") {
      cur = (cur as () => Schema)();
      continue;
    }
    if (Array.isArray(cur) && cur.length === 2) {
      // `[schema, traits]`; traits are an object, or a number when there are none the walk needs.
      if (typeof cur[1] === "object" && cur[1] !== null) traits = { ...(cur[1] as Traits), ...traits };
      cur = cur[0];
      continue;
    }
    break;
  }
  return { schema: cur, traits };
}

const kind = (s: Schema): "struct" | "list" | "map" | "simple" => {
  if (typeof s === "number") return s & 64 ? "list" : s & 128 ? "map" : "simple";
  if (Array.isArray(s)) {
    if (s[0] === 3 || s[0] === -3) return "struct";
    if (s[0] === 1) return "list";
    if (s[0] === 2) return "map";
  }
  return "simple";
};

export type Protocol = "ec2" | "query" | "restXml" | "json";

/** The children an element of schema `s` may have on the wire, by element (or key) name. */
function children(s: Schema, protocol: Protocol): Map<string, { schema: Schema; traits: Traits }> {
  const out = new Map<string, { schema: Schema; traits: Traits }>();
  const k = kind(s);
  if (k === "struct") {
    const arr = s as unknown[];
    const names = arr[4] as string[];
    const schemas = arr[5] as Schema[];
    names.forEach((name, i) => {
      const r = resolve(schemas[i]);
      if (r.traits.httpHeader || r.traits.httpQuery || r.traits.httpLabel || r.traits.httpResponseCode)
        return;
      const wire =
        protocol === "json"
          ? ((r.traits.jsonName as string) ?? name)
          : ((r.traits.xmlName as string) ?? name);
      if (protocol !== "json" && r.traits.xmlFlattened && kind(r.schema) === "list") {
        // A flattened list repeats its members directly under the parent, named after the member.
        const member = listMember(r.schema);
        out.set(wire, { schema: member.schema, traits: member.traits });
        return;
      }
      out.set(wire, r);
    });
  } else if (k === "list") {
    const member = listMember(s);
    out.set(
      protocol === "json"
        ? "[]"
        : ((member.traits.xmlName as string) ?? (protocol === "ec2" ? "item" : "member")),
      member,
    );
  } else if (k === "map") {
    if (protocol === "json") out.set("*", { schema: mapValue(s), traits: {} });
    else {
      out.set("entry", { schema: [3, "", "entry", 0, ["key", "value"], [0, mapValue(s)]], traits: {} });
    }
  }
  return out;
}

function listMember(s: Schema): { schema: Schema; traits: Traits } {
  if (typeof s === "number") return { schema: s & ~64, traits: {} };
  return resolve((s as unknown[])[4]);
}

function mapValue(s: Schema): Schema {
  if (typeof s === "number") return s & ~128;
  return resolve((s as unknown[])[5]).schema;
}

/**
 * Paths (relative to the output structure) that the model does not allow. Map keys in JSON are free
 * (`*`), so any key is accepted below a map.
 */
export function outsideModel(paths: readonly string[], output: Schema, protocol: Protocol): string[] {
  const bad: string[] = [];
  for (const path of paths) {
    let cur: Schema = resolve(output).schema;
    for (const seg of path.split("/")) {
      const kids = children(cur, protocol);
      const next = kids.get(seg) ?? kids.get("*");
      if (!next) {
        bad.push(path);
        break;
      }
      cur = next.schema;
    }
  }
  return bad;
}

/** Strip an envelope prefix (e.g. `DescribeSnapshotsResponse/`) from paths, dropping the envelope itself. */
export const under = (paths: readonly string[], prefix: string): string[] =>
  paths.filter((p) => p.startsWith(`${prefix}/`)).map((p) => p.slice(prefix.length + 1));
