/**
 * Wire conformance, RDS (awsQuery): documented example requests sent raw; the response's structure is
 * compared with the example in the Amazon RDS API Reference (sandbox ⊇ example, apart from optional
 * members the sandbox does not model, listed per case) and with the SDK's model.
 */
import * as RDS from "@aws-sdk/client-rds";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../src/index.ts";
import { missing, outsideModel, query, schemaOf, under, xmlShape } from "./wire-shape.ts";

const NS = "http://rds.amazonaws.com/doc/2014-10-31/";
let sb: Sandbox;

beforeAll(async () => {
  sb = await startSandbox();
  for (const region of ["us-east-1", "us-west-2"]) {
    sb.seed({
      dbInstances: [
        { region, id: "mysqldb-02", engine: "mysql" },
        { region, id: "mysqldb", engine: "mysql" },
        { region, id: "sample", engine: "mysql" },
        { region, id: "my-mysqlexampledb", engine: "mysql" },
        {
          region,
          id: "sample-sql",
          engine: "mysql",
          tags: { owner: "development-team", environment: "test" },
        },
        { region, id: "sample-cluster-1", engine: "aurora-mysql", clusterId: "sample-cluster" },
      ],
      dbClusters: [{ region, id: "sample-cluster", engine: "aurora-mysql", members: ["sample-cluster-1"] }],
      dbSnapshots: [
        {
          region,
          id: "rds:my-mysqlexampledb-2021-04-20-10-09",
          dbInstanceId: "my-mysqlexampledb",
          createdAt: "2021-04-20T10:09:15.446Z",
          status: "available",
          type: "automated",
        },
        {
          region,
          id: "rds:mysqldb-2021-04-27-08-16",
          dbInstanceId: "mysqldb",
          createdAt: "2021-04-27T08:16:05.356Z",
          status: "available",
          type: "automated",
        },
        {
          region,
          id: "mysqldb-snap-02",
          dbInstanceId: "mysqldb",
          createdAt: "2021-04-27T08:16:05.356Z",
          status: "available",
        },
      ],
      dbClusterSnapshots: [
        {
          region,
          id: "sample-cluster-snap-old",
          clusterId: "sample-cluster",
          createdAt: "2023-01-01T00:00:00Z",
          status: "available",
        },
      ],
    });
  }
});

afterAll(async () => {
  await sb.close();
});

async function call(action: string, params: Record<string, string>, region = "us-east-1") {
  const res = await query(sb.endpoint, "rds", { Action: action, Version: "2014-10-31", ...params }, region);
  expect(res.status, res.body).toBe(200);
  const shape = xmlShape(res.body);
  expect(shape.root).toBe(`${action}Response`);
  expect(shape.xmlns).toBe(NS);
  expect(shape.paths).toContain(`${action}Response/ResponseMetadata/RequestId`);
  return shape.paths;
}

/** awsQuery: `<XResponse><XResult>..</XResult><ResponseMetadata/>`; the model describes XResult's content. */
function checkModel(action: string, actual: string[], output: unknown): void {
  const body = under(actual, `${action}Response`).filter((p) => !p.startsWith("ResponseMetadata"));
  if (output === undefined) {
    expect(body).toEqual([]);
    return;
  }
  const result = under(body, `${action}Result`);
  expect(outsideModel(result, output, "query")).toEqual([]);
}

function conforms(
  action: string,
  actual: string[],
  documented: string,
  output: unknown,
  omitted: string[] = [],
) {
  const doc = xmlShape(documented);
  expect(doc.root).toBe(`${action}Response`);
  expect(doc.xmlns).toBe(NS);
  expect(missing(doc.paths, actual)).toEqual(omitted);
  checkModel(action, actual, output);
}

/** DBClusterSnapshot members in AWS's examples that the sandbox does not model (optional in the API). */
const UNMODELLED_DB_CLUSTER_SNAPSHOT = ["ClusterCreateTime", "LicenseModel", "MasterUsername", "VpcId"];

/** DBSnapshot members in AWS's examples that the sandbox does not model (optional in the API). */
const UNMODELLED_DB_SNAPSHOT = [
  "EngineVersion",
  "InstanceCreateTime",
  "LicenseModel",
  "MasterUsername",
  "OptionGroupName",
];

describe("RDS API Reference examples", () => {
  // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBSnapshots.html (Example 1; one of
  // its DBSnapshot members kept)
  it("DescribeDBSnapshots", async () => {
    const documented = `<DescribeDBSnapshotsResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
  <DescribeDBSnapshotsResult>
    <DBSnapshots>
      <DBSnapshot>
        <Port>3306</Port>
        <OptionGroupName>default:mysql-5-6</OptionGroupName>
        <Engine>mysql</Engine>
        <Status>available</Status>
        <SnapshotType>automated</SnapshotType>
        <LicenseModel>general-public-license</LicenseModel>
        <EngineVersion>5.6.44</EngineVersion>
        <DBInstanceIdentifier>my-mysqlexampledb</DBInstanceIdentifier>
        <DBSnapshotIdentifier>rds:my-mysqlexampledb-2021-04-20-10-09</DBSnapshotIdentifier>
        <SnapshotCreateTime>2021-04-20T10:09:15.446Z</SnapshotCreateTime>
        <OriginalSnapshotCreateTime>2021-04-20T10:09:15.446Z</OriginalSnapshotCreateTime>
        <AvailabilityZone>us-west-2b</AvailabilityZone>
        <InstanceCreateTime>2021-01-29T22:58:24.231Z</InstanceCreateTime>
        <PercentProgress>100</PercentProgress>
        <AllocatedStorage>5</AllocatedStorage>
        <MasterUsername>awsmyuser</MasterUsername>
      </DBSnapshot>
    </DBSnapshots>
  </DescribeDBSnapshotsResult>
  <ResponseMetadata>
    <RequestId>b7769930-b98c-11d3-f272-7cd6cce12cc5</RequestId>
  </ResponseMetadata>
</DescribeDBSnapshotsResponse>`;
    const got = await call(
      "DescribeDBSnapshots",
      { IncludePublic: "false", IncludeShared: "true", MaxRecords: "100" },
      "us-west-2",
    );
    conforms(
      "DescribeDBSnapshots",
      got,
      documented,
      schemaOf(RDS, "DBSnapshotMessage"),
      UNMODELLED_DB_SNAPSHOT.map(
        (m) => `DescribeDBSnapshotsResponse/DescribeDBSnapshotsResult/DBSnapshots/DBSnapshot/${m}`,
      ),
    );
  });

  // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeAccountAttributes.html (Example 1,
  // as published: its <Max> elements lack their closing ">" but the last, and its list element is
  // <AccountQuotaList>, the list's shape name, where the page's own Response Elements
  // ("AccountQuotas.AccountQuota.N") and the SDK's model (member AccountQuotas) name it AccountQuotas —
  // the SDK reads only that. Both are corrected before comparing; the sandbox reports only the quotas it
  // models, the example's others have the same elements.)
  it("DescribeAccountAttributes", async () => {
    const published = `<DescribeAccountAttributesResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
  <DescribeAccountAttributesResult>
    <AccountQuotaList>
      <AccountQuota>
        <AccountQuotaName>DBInstances</AccountQuotaName>
        <Used>22</Used>
        <Max>40</Max
      </AccountQuota>
      <AccountQuota>
        <AccountQuotaName>ReservedDBInstances</AccountQuotaName>
        <Used>6</Used>
        <Max>40</Max
      </AccountQuota>
      <AccountQuota>
        <AccountQuotaName>AllocatedStorage</AccountQuotaName>
        <Used>27459</Used>
        <Max>100000</Max
      </AccountQuota>
      <AccountQuota>
        <AccountQuotaName>DBSecurityGroupsPerVPC</AccountQuotaName>
        <Used>11</Used>
        <Max>25</Max
      </AccountQuota>
      <AccountQuota>
        <AccountQuotaName>AuthorizationsPerDBSecurityGroup</AccountQuotaName>
        <Used>10</Used>
        <Max>20</Max
      </AccountQuota>
      <AccountQuota>
        <AccountQuotaName>DBParameterGroups</AccountQuotaName>
        <Used>40</Used>
        <Max>50</Max
      </AccountQuota>
      <AccountQuota>
        <AccountQuotaName>ManualSnapshots</AccountQuotaName>
        <Used>32</Used>
        <Max>50</Max
      </AccountQuota>
      <AccountQuota>
        <AccountQuotaName>EventSubscriptions</AccountQuotaName>
        <Used>3</Used>
        <Max>20</Max
      </AccountQuota>
      <AccountQuota>
        <AccountQuotaName>DBSubnetGroups</AccountQuotaName>
        <Used>19</Used>
        <Max>20</Max
      </AccountQuota>
      <AccountQuota>
        <AccountQuotaName>OptionGroups</AccountQuotaName>
        <Used>14</Used>
        <Max>20</Max
      </AccountQuota>
      <AccountQuota>
        <AccountQuotaName>SubnetsPerDBSubnetGroup</AccountQuotaName>
        <Used>6</Used>
        <Max>20</Max
      </AccountQuota>
      <AccountQuota>
        <AccountQuotaName>ReadReplicasPerMaster</AccountQuotaName>
        <Used>2</Used>
        <Max>5</Max
      </AccountQuota>
      <AccountQuota>
        <Used>1</Used>
        <AccountQuotaName>DBClusterRoles</AccountQuotaName>
        <Max>5</Max>
      </AccountQuota>
    </AccountQuotaList>
  </DescribeAccountAttributesResult>
  <ResponseMetadata>
    <RequestId>0ce48079-68e4-11de-8c8e-eb648410240d</RequestId>
  </ResponseMetadata>
</DescribeAccountAttributesResponse>`;
    const documented = published
      .replaceAll("</Max\n", "</Max>\n")
      .replaceAll("AccountQuotaList", "AccountQuotas");
    const got = await call("DescribeAccountAttributes", {}, "us-west-2");
    conforms("DescribeAccountAttributes", got, documented, schemaOf(RDS, "AccountAttributesMessage"));
  });

  // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBSnapshot.html (Example 1)
  it("CreateDBSnapshot", async () => {
    const documented = `<CreateDBSnapshotResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
  <CreateDBSnapshotResult>
    <DBSnapshot>
      <Port>3306</Port>
      <OptionGroupName>default:mysql-5-6</OptionGroupName>
      <Engine>mysql</Engine>
      <Status>creating</Status>
      <SnapshotType>manual</SnapshotType>
      <LicenseModel>general-public-license</LicenseModel>
      <EngineVersion>5.6.13</EngineVersion>
      <DBInstanceIdentifier>mysqldb-02</DBInstanceIdentifier>
      <DBSnapshotIdentifier>mysqldb-snap-1</DBSnapshotIdentifier>
      <AvailabilityZone>us-east-1a</AvailabilityZone>
      <InstanceCreateTime>2014-04-21T22:24:26.573Z</InstanceCreateTime>
      <PercentProgress>0</PercentProgress>
      <AllocatedStorage>100</AllocatedStorage>
      <MasterUsername>myawsuser</MasterUsername>
    </DBSnapshot>
  </CreateDBSnapshotResult>
  <ResponseMetadata>
    <RequestId>bd80a4d2-example</RequestId>
  </ResponseMetadata>
</CreateDBSnapshotResponse>`;
    const got = await call("CreateDBSnapshot", {
      DBInstanceIdentifier: "mysqldb-02",
      DBSnapshotIdentifier: "mySQLdb-snap-1",
    });
    conforms(
      "CreateDBSnapshot",
      got,
      documented,
      schemaOf(RDS, "CreateDBSnapshotResult"),
      UNMODELLED_DB_SNAPSHOT.map((m) => `CreateDBSnapshotResponse/CreateDBSnapshotResult/DBSnapshot/${m}`),
    );
  });

  // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBSnapshot.html (Example 1; the
  // members after AllocatedStorage were not retrievable and are left out)
  it("DeleteDBSnapshot", async () => {
    const documented = `<DeleteDBSnapshotResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
  <DeleteDBSnapshotResult>
    <DBSnapshot>
      <Port>3306</Port>
      <OptionGroupName>default:mysql-5-6</OptionGroupName>
      <Status>deleted</Status>
      <Engine>mysql</Engine>
      <SnapshotType>manual</SnapshotType>
      <LicenseModel>general-public-license</LicenseModel>
      <DBInstanceIdentifier>mysqldb</DBInstanceIdentifier>
      <EngineVersion>5.6.44</EngineVersion>
      <DBSnapshotIdentifier>mysqldb-snap-02</DBSnapshotIdentifier>
      <SnapshotCreateTime>2021-04-27T08:16:05.356Z</SnapshotCreateTime>
      <OriginalSnapshotCreateTime>2021-04-27T08:16:05.356Z</OriginalSnapshotCreateTime>
      <AvailabilityZone>us-east-1a</AvailabilityZone>
      <InstanceCreateTime>2021-04-21T22:24:26.573Z</InstanceCreateTime>
      <PercentProgress>100</PercentProgress>
      <AllocatedStorage>5</AllocatedStorage>
    </DBSnapshot>
  </DeleteDBSnapshotResult>
  <ResponseMetadata>
    <RequestId>example</RequestId>
  </ResponseMetadata>
</DeleteDBSnapshotResponse>`;
    const got = await call("DeleteDBSnapshot", { DBSnapshotIdentifier: "mysqldb-snap-02" });
    conforms(
      "DeleteDBSnapshot",
      got,
      documented,
      schemaOf(RDS, "DeleteDBSnapshotResult"),
      ["EngineVersion", "InstanceCreateTime", "LicenseModel", "OptionGroupName"].map(
        (m) => `DeleteDBSnapshotResponse/DeleteDBSnapshotResult/DBSnapshot/${m}`,
      ),
    );
  });

  // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBClusterSnapshot.html (Example 1)
  it("CreateDBClusterSnapshot", async () => {
    const documented = `<CreateDBClusterSnapshotResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
  <CreateDBClusterSnapshotResult>
    <DBClusterSnapshot>
      <Port>0</Port>
      <Engine>aurora</Engine>
      <Status>creating</Status>
      <SnapshotType>manual</SnapshotType>
      <LicenseModel>aurora</LicenseModel>
      <DBClusterSnapshotIdentifier>sample-cluster-snapshot</DBClusterSnapshotIdentifier>
      <SnapshotCreateTime>2015-03-18T20:53:22.523Z</SnapshotCreateTime>
      <DBClusterIdentifier>sample-cluster</DBClusterIdentifier>
      <VpcId>vpc-3faffe54</VpcId>
      <ClusterCreateTime>2015-03-06T22:11:13.826Z</ClusterCreateTime>
      <PercentProgress>0</PercentProgress>
      <AllocatedStorage>1</AllocatedStorage>
      <MasterUsername>awsuser</MasterUsername>
    </DBClusterSnapshot>
  </CreateDBClusterSnapshotResult>
  <ResponseMetadata>
    <RequestId>d070d0d2-cea0-11e4-8c88-8351226c8c92</RequestId>
  </ResponseMetadata>
</CreateDBClusterSnapshotResponse>`;
    const got = await call("CreateDBClusterSnapshot", {
      DBClusterIdentifier: "sample-cluster",
      DBClusterSnapshotIdentifier: "sample-cluster-snapshot",
    });
    conforms(
      "CreateDBClusterSnapshot",
      got,
      documented,
      schemaOf(RDS, "CreateDBClusterSnapshotResult"),
      UNMODELLED_DB_CLUSTER_SNAPSHOT.map(
        (m) => `CreateDBClusterSnapshotResponse/CreateDBClusterSnapshotResult/DBClusterSnapshot/${m}`,
      ),
    );
  });

  // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ListTagsForResource.html (Example 1; the
  // example's ARN names account 12345678910, the sandbox's account is 123456789012)
  it("ListTagsForResource", async () => {
    const documented = `<ListTagsForResourceResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
  <ListTagsForResourceResult>
    <TagList>
      <Tag>
        <Value>development-team</Value>
        <Key>owner</Key>
      </Tag>
      <Tag>
        <Value>test</Value>
        <Key>environment</Key>
      </Tag>
    </TagList>
  </ListTagsForResourceResult>
  <ResponseMetadata>
    <RequestId>71217a3c-e24b-11e5-a5e9-cad172f9e6c1</RequestId>
  </ResponseMetadata>
</ListTagsForResourceResponse>`;
    const got = await call(
      "ListTagsForResource",
      { ResourceName: "arn:aws:rds:us-west-2:123456789012:db:sample-sql" },
      "us-west-2",
    );
    conforms("ListTagsForResource", got, documented, schemaOf(RDS, "TagListMessage"));
  });

  // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_AddTagsToResource.html (Example 1; the
  // operation's output is empty, so the answer is the envelope and its request id)
  it("AddTagsToResource", async () => {
    const documented = `<AddTagsToResourceResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
  <ResponseMetadata>
    <RequestId>fd9cd844-79d8-11e6-956c-915ad715fa2f</RequestId>
  </ResponseMetadata>
</AddTagsToResourceResponse>`;
    const got = await call(
      "AddTagsToResource",
      {
        ResourceName: "arn:aws:rds:us-west-2:123456789012:db:sample",
        "Tags.member.1.Key": "InstanceType",
        "Tags.member.1.Value": "Development",
        "Tags.member.2.Key": "Owner",
        "Tags.member.2.Value": "Admin123",
      },
      "us-west-2",
    );
    conforms("AddTagsToResource", got, documented, undefined);
  });

  // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBClusters.html (Example 1,
  // "Describing an Aurora DB cluster"; the example lists two clusters, one with members and one without)
  it("DescribeDBClusters", async () => {
    const documented = `<DescribeDBClustersResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
  <DescribeDBClustersResult>
    <DBClusters>
      <DBCluster>
        <AssociatedRoles>
          <DBClusterRole>
            <RoleArn>arn:aws:iam::123456789012:role/sample-role</RoleArn>
            <Status>ACTIVE</Status>
          </DBClusterRole>
        </AssociatedRoles>
        <Engine>aurora-mysql</Engine>
        <Status>available</Status>
        <BackupRetentionPeriod>1</BackupRetentionPeriod>
        <DBSubnetGroup>my-subgroup</DBSubnetGroup>
        <EngineVersion>8.0.mysql_aurora.3.01.0</EngineVersion>
        <Endpoint>sample-cluster2.cluster-cbfvmgb0y5fy.us-east-1.rds.amazonaws.com</Endpoint>
        <DBClusterIdentifier>sample-cluster2</DBClusterIdentifier>
        <PreferredBackupWindow>04:45-05:15</PreferredBackupWindow>
        <PreferredMaintenanceWindow>sat:05:56-sat:06:26</PreferredMaintenanceWindow>
        <DBClusterMembers/>
        <AllocatedStorage>15</AllocatedStorage>
        <MasterUsername>awsuser</MasterUsername>
      </DBCluster>
      <DBCluster>
        <AssociatedRoles />
        <Engine>aurora-mysql</Engine>
        <Status>available</Status>
        <BackupRetentionPeriod>0</BackupRetentionPeriod>
        <DBSubnetGroup>my-subgroup</DBSubnetGroup>
        <EngineVersion>8.0.mysql_aurora.3.01.0</EngineVersion>
        <Endpoint>sample-cluster3.cluster-cefgqfx9y5fy.us-east-1.rds.amazonaws.com</Endpoint>
        <DBClusterIdentifier>sample-cluster3</DBClusterIdentifier>
        <PreferredBackupWindow>07:06-07:36</PreferredBackupWindow>
        <PreferredMaintenanceWindow>tue:10:18-tue:10:48</PreferredMaintenanceWindow>
        <DBClusterMembers>
          <DBClusterMember>
            <IsClusterWriter>true</IsClusterWriter>
            <DBInstanceIdentifier>sample-cluster3-master</DBInstanceIdentifier>
          </DBClusterMember>
          <DBClusterMember>
            <IsClusterWriter>false</IsClusterWriter>
            <DBInstanceIdentifier>sample-cluster3-read1</DBInstanceIdentifier>
          </DBClusterMember>
        </DBClusterMembers>
        <AllocatedStorage>15</AllocatedStorage>
        <MasterUsername>awsuser</MasterUsername>
      </DBCluster>
    </DBClusters>
  </DescribeDBClustersResult>
  <ResponseMetadata>
    <RequestId>d682b02c-1383-11b4-a6bb-172dfac7f170</RequestId>
  </ResponseMetadata>
</DescribeDBClustersResponse>`;
    const got = await call("DescribeDBClusters", { MaxRecords: "100" });
    conforms(
      "DescribeDBClusters",
      got,
      documented,
      schemaOf(RDS, "DBClusterMessage"),
      [
        // Optional members the sandbox does not model: IAM role associations, storage, backup and
        // maintenance settings, the endpoint, subnet group, engine version and master user.
        "AllocatedStorage",
        "AssociatedRoles",
        "AssociatedRoles/DBClusterRole",
        "AssociatedRoles/DBClusterRole/RoleArn",
        "AssociatedRoles/DBClusterRole/Status",
        "BackupRetentionPeriod",
        "DBSubnetGroup",
        "Endpoint",
        "EngineVersion",
        "MasterUsername",
        "PreferredBackupWindow",
        "PreferredMaintenanceWindow",
      ].map((m) => `DescribeDBClustersResponse/DescribeDBClustersResult/DBClusters/DBCluster/${m}`),
    );
  });

  // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBClusterSnapshots.html (Example 1;
  // one of its three DBClusterSnapshot members kept, the other two have the same elements)
  it("DescribeDBClusterSnapshots", async () => {
    const documented = `<DescribeDBClusterSnapshotsResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
  <DescribeDBClusterSnapshotsResult>
    <DBClusterSnapshots>
      <DBClusterSnapshot>
        <Port>0</Port>
        <Status>available</Status>
        <Engine>aurora-mysql</Engine>
        <SnapshotType>manual</SnapshotType>
        <LicenseModel>aurora</LicenseModel>
        <DBClusterSnapshotIdentifier>sample-cluster-snapshot1</DBClusterSnapshotIdentifier>
        <SnapshotCreateTime>2022-10-12T17:42:48.271Z</SnapshotCreateTime>
        <DBClusterIdentifier>sample-cluster</DBClusterIdentifier>
        <VpcId>vpc-3fabee54</VpcId>
        <ClusterCreateTime>2023-02-06T22:11:13.826Z</ClusterCreateTime>
        <PercentProgress>100</PercentProgress>
        <AllocatedStorage>1</AllocatedStorage>
        <MasterUsername>awsuser</MasterUsername>
      </DBClusterSnapshot>
     </DBClusterSnapshots>
  </DescribeDBClusterSnapshotsResult>
  <ResponseMetadata>
    <RequestId>3ff63be1-ceef-11e4-840b-459216ffcb55</RequestId>
  </ResponseMetadata>
</DescribeDBClusterSnapshotsResponse>`;
    const got = await call("DescribeDBClusterSnapshots", {
      IncludePublic: "false",
      IncludeShared: "true",
      MaxRecords: "40",
    });
    conforms(
      "DescribeDBClusterSnapshots",
      got,
      documented,
      schemaOf(RDS, "DBClusterSnapshotMessage"),
      UNMODELLED_DB_CLUSTER_SNAPSHOT.map(
        (m) =>
          `DescribeDBClusterSnapshotsResponse/DescribeDBClusterSnapshotsResult/DBClusterSnapshots/DBClusterSnapshot/${m}`,
      ),
    );
  });

  // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBClusterSnapshot.html (Example 1; the
  // example deletes sample-cluster-snapshot, which the CreateDBClusterSnapshot case above has just created
  // and which is still "creating" here, so a seeded available snapshot of the same cluster is deleted)
  it("DeleteDBClusterSnapshot", async () => {
    const documented = `<DeleteDBClusterSnapshotResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
  <DeleteDBClusterSnapshotResult>
    <DBClusterSnapshot>
      <Port>0</Port>
      <Status>available</Status>
      <Engine>aurora</Engine>
      <SnapshotType>manual</SnapshotType>
      <LicenseModel>aurora</LicenseModel>
      <DBClusterSnapshotIdentifier>sample-cluster-snapshot</DBClusterSnapshotIdentifier>
      <SnapshotCreateTime>2015-03-18T20:53:22.523Z</SnapshotCreateTime>
      <DBClusterIdentifier>sample-cluster</DBClusterIdentifier>
      <VpcId>vpc-3fabee54</VpcId>
      <ClusterCreateTime>2015-03-06T22:11:13.826Z</ClusterCreateTime>
      <PercentProgress>100</PercentProgress>
      <AllocatedStorage>1</AllocatedStorage>
      <MasterUsername>awsuser</MasterUsername>
    </DBClusterSnapshot>
  </DeleteDBClusterSnapshotResult>
  <ResponseMetadata>
    <RequestId>994ab08d-cdb9-2ce4-abf9-7528e6348483</RequestId>
  </ResponseMetadata>
</DeleteDBClusterSnapshotResponse>`;
    const got = await call("DeleteDBClusterSnapshot", {
      DBClusterSnapshotIdentifier: "sample-cluster-snap-old",
    });
    conforms(
      "DeleteDBClusterSnapshot",
      got,
      documented,
      schemaOf(RDS, "DeleteDBClusterSnapshotResult"),
      UNMODELLED_DB_CLUSTER_SNAPSHOT.map(
        (m) => `DeleteDBClusterSnapshotResponse/DeleteDBClusterSnapshotResult/DBClusterSnapshot/${m}`,
      ),
    );
  });

  // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CopyDBSnapshot.html (Example 1: a copy of an
  // automated snapshot, named by ARN, in the same Region)
  it("CopyDBSnapshot", async () => {
    const documented = `<CopyDBSnapshotResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
  <CopyDBSnapshotResult>
    <DBSnapshot>
      <Port>3306</Port>
      <OptionGroupName>default:mysql-5-6</OptionGroupName>
      <Engine>mysql</Engine>
      <Status>available</Status>
      <SnapshotType>manual</SnapshotType>
      <LicenseModel>general-public-license</LicenseModel>
      <EngineVersion>5.6.44</EngineVersion>
      <DBInstanceIdentifier>mysqldb</DBInstanceIdentifier>
      <DBSnapshotIdentifier>mysqldb-copy</DBSnapshotIdentifier>
      <SnapshotCreateTime>2021-05-11T06:02:03.422Z</SnapshotCreateTime>
      <OriginalSnapshotCreateTime>2021-04-27T08:16:05.356Z</OriginalSnapshotCreateTime>
      <AvailabilityZone>us-east-1a</AvailabilityZone>
      <InstanceCreateTime>2021-04-21T22:24:26.573Z</InstanceCreateTime>
      <PercentProgress>100</PercentProgress>
      <AllocatedStorage>100</AllocatedStorage>
      <MasterUsername>admin</MasterUsername>
    </DBSnapshot>
  </CopyDBSnapshotResult>
  <ResponseMetadata>
    <RequestId>2928d60e-beb6-11d3-8e5c-3ccda5460c46</RequestId>
  </ResponseMetadata>
</CopyDBSnapshotResponse>`;
    const got = await call("CopyDBSnapshot", {
      SourceDBSnapshotIdentifier: "arn:aws:rds:us-east-1:123456789012:snapshot:rds:mysqldb-2021-04-27-08-16",
      TargetDBSnapshotIdentifier: "mysqldb-copy",
    });
    conforms(
      "CopyDBSnapshot",
      got,
      documented,
      schemaOf(RDS, "CopyDBSnapshotResult"),
      UNMODELLED_DB_SNAPSHOT.map((m) => `CopyDBSnapshotResponse/CopyDBSnapshotResult/DBSnapshot/${m}`),
    );
  });

  // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBInstances.html — the page has no
  // Examples section (the stored copies of the page end with Errors and See Also), so the answer is checked
  // against the SDK's model, with the list member names AWS uses (DBInstance, TagList/Tag).
  it("DescribeDBInstances (no documented example: SDK model)", async () => {
    const got = await call("DescribeDBInstances", { DBInstanceIdentifier: "sample-sql" });
    expect(got).toContain(
      "DescribeDBInstancesResponse/DescribeDBInstancesResult/DBInstances/DBInstance/DBInstanceIdentifier",
    );
    expect(got).toContain(
      "DescribeDBInstancesResponse/DescribeDBInstancesResult/DBInstances/DBInstance/TagList/Tag/Key",
    );
    checkModel("DescribeDBInstances", got, schemaOf(RDS, "DBInstanceMessage"));
  });

  // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/CommonErrors.html and the awsQuery error
  // envelope (ErrorResponse/Error/{Type,Code,Message}, RequestId), as the SDK's awsQuery parser reads it.
  it("error shape", async () => {
    const res = await query(sb.endpoint, "rds", {
      Action: "DeleteDBSnapshot",
      Version: "2014-10-31",
      DBSnapshotIdentifier: "no-such-snapshot",
    });
    expect(res.status).toBe(404);
    const got = xmlShape(res.body);
    expect(got.root).toBe("ErrorResponse");
    expect(got.xmlns).toBe(NS);
    expect(got.paths).toEqual([
      "ErrorResponse",
      "ErrorResponse/Error",
      "ErrorResponse/Error/Code",
      "ErrorResponse/Error/Message",
      "ErrorResponse/Error/Type",
      "ErrorResponse/RequestId",
    ]);
    expect(res.body).toContain("<Code>DBSnapshotNotFound</Code>");
  });
});
