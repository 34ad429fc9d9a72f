/**
 * DescribeAccountAttributes (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeAccountAttributes.html):
 * the account's RDS quotas in the signing Region, each with its name, current usage and maximum
 * (AccountQuota: `AccountQuotaName`, `Used`, `Max`). It takes no parameters and is not paginated.
 *
 * The sandbox reports the quotas it models: `ManualSnapshots` and `ManualClusterSnapshots` ("the
 * count of the manual DB [cluster] snapshots in the account", the quotas CreateDB(Cluster)Snapshot and
 * the copies are refused against), with the maximum seeded through `Estate.quotas` or AWS's default of
 * 100; and `DBInstances` / `DBClusters` (the seeded instances, Aurora members included, and clusters),
 * with the maximum of 40 the RDS User Guide's describe-account-attributes example shows — reported
 * only, as the sandbox creates neither. AWS lists many more quotas (storage, parameter groups...);
 * callers find theirs by name, never by position.
 */
import type { RequestContext } from "../http.ts";
import { leaf, list } from "../xml.ts";
import type { RdsRegion } from "./model.ts";
import { rdsResponse } from "./render.ts";

/** The DB instance and DB cluster maximum in the RDS User Guide's describe-account-attributes example. */
const DB_INSTANCES_MAX = 40;
const DB_CLUSTERS_MAX = 40;

interface AccountQuota {
  name: string;
  used: number;
  max: number;
}

export function accountQuotas(region: RdsRegion): AccountQuota[] {
  return [
    { name: "DBInstances", used: region.instances.size, max: DB_INSTANCES_MAX },
    { name: "DBClusters", used: region.clusters.size, max: DB_CLUSTERS_MAX },
    { name: "ManualSnapshots", used: region.manualCount("instance"), max: region.manualQuota("instance") },
    {
      name: "ManualClusterSnapshots",
      used: region.manualCount("cluster"),
      max: region.manualQuota("cluster"),
    },
  ];
}

/** `AccountQuotas` with `AccountQuota` members, as the API's response elements and the SDK's model name them. */
export function describeAccountAttributes(region: RdsRegion, ctx: RequestContext): string {
  return rdsResponse(
    "DescribeAccountAttributes",
    ctx.requestId,
    list(
      "AccountQuotas",
      "AccountQuota",
      accountQuotas(region),
      (q) => leaf("AccountQuotaName", q.name) + leaf("Used", q.used) + leaf("Max", q.max),
    ),
  );
}
