/**
 * The Query protocols (ec2Query, awsQuery) send `application/x-www-form-urlencoded` bodies whose keys
 * are dotted paths: `Filter.1.Value.2` (EC2) or `Filters.Filter.1.Values.Value.2` (awsQuery). We turn
 * them into a tree once and let each service walk the path its protocol uses.
 */
export interface QueryTree {
  [key: string]: QueryTree | string;
}

export function parseQuery(body: string): QueryTree {
  const root: QueryTree = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const parts = key.split(".");
    let cur: QueryTree = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const part = parts[i] as string;
      let next = cur[part];
      if (typeof next !== "object") {
        next = {};
        cur[part] = next;
      }
      cur = next;
    }
    cur[parts[parts.length - 1] as string] = value;
  }
  return root;
}

export function child(
  tree: QueryTree | string | undefined,
  ...path: string[]
): QueryTree | string | undefined {
  let cur: QueryTree | string | undefined = tree;
  for (const p of path) {
    if (cur === undefined || typeof cur === "string") return undefined;
    cur = cur[p];
  }
  return cur;
}

export function str(tree: QueryTree | string | undefined, ...path: string[]): string | undefined {
  const v = child(tree, ...path);
  return typeof v === "string" ? v : undefined;
}

export function num(tree: QueryTree | string | undefined, ...path: string[]): number | undefined {
  const v = str(tree, ...path);
  return v === undefined ? undefined : Number(v);
}

export function bool(tree: QueryTree | string | undefined, ...path: string[]): boolean | undefined {
  const v = str(tree, ...path);
  return v === undefined ? undefined : v === "true";
}

/** Members of a numbered list (`X.1`, `X.2`...), in index order. */
export function items(tree: QueryTree | string | undefined, ...path: string[]): (QueryTree | string)[] {
  const n = child(tree, ...path);
  if (n === undefined || typeof n === "string") return [];
  return Object.keys(n)
    .filter((k) => /^\d+$/.test(k))
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => n[k] as QueryTree | string);
}

export function strings(tree: QueryTree | string | undefined, ...path: string[]): string[] {
  return items(tree, ...path).filter((v): v is string => typeof v === "string");
}

export function structs(tree: QueryTree | string | undefined, ...path: string[]): QueryTree[] {
  return items(tree, ...path).filter((v): v is QueryTree => typeof v === "object");
}
