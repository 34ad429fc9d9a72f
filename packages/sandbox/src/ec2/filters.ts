import { AwsError } from "../errors.ts";
import { type QueryTree, str, strings, structs } from "../query.ts";

/** One EC2 `Filter.N`: values OR together; filters AND together. */
export interface Filter {
  name: string;
  values: string[];
  patterns: RegExp[] | undefined;
  /** The values without wildcards, for O(1) matching (a lookup of 200 ids over 10,000 resources). */
  exact?: ReadonlySet<string>;
}

/** EC2 filters accept `*` (any run) and `?` (one char) wildcards; `\` escapes them. */
function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === "\\" && i + 1 < glob.length) {
      re += (glob[++i] as string).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    } else if (c === "*") re += ".*";
    else if (c === "?") re += ".";
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`, "s");
}

export function parseFilters(form: QueryTree): Filter[] {
  return structs(form, "Filter").map((f) => {
    const values = strings(f, "Value");
    const wild = values.some((v) => v.includes("*") || v.includes("?"));
    return {
      name: str(f, "Name") ?? "",
      values,
      patterns: wild ? values.map(globToRegExp) : undefined,
      ...(wild ? {} : { exact: new Set(values) }),
    };
  });
}

function valueMatches(filter: Filter, actual: string): boolean {
  if (filter.patterns) return filter.patterns.some((p) => p.test(actual));
  return filter.exact ? filter.exact.has(actual) : filter.values.includes(actual);
}

/**
 * Resolve a filter name to the resource's values for it; undefined = the filter is not supported for
 * this resource, which AWS answers with InvalidParameterValue.
 */
export type FilterFields = (name: string) => string[] | undefined;

export function matches(filters: Filter[], tags: ReadonlyMap<string, string>, fields: FilterFields): boolean {
  for (const f of filters) {
    let actual: string[] | undefined;
    if (f.name.startsWith("tag:")) {
      const v = tags.get(f.name.slice(4));
      actual = v === undefined ? [] : [v];
    } else if (f.name === "tag-key") actual = [...tags.keys()];
    else if (f.name === "tag-value") actual = [...tags.values()];
    else actual = fields(f.name);
    if (actual === undefined) {
      throw new AwsError("InvalidParameterValue", `The filter '${f.name}' is invalid`);
    }
    if (!actual.some((a) => valueMatches(f, a))) return false;
  }
  return true;
}
