/**
 * Wire conformance, EC2 (ec2Query): each documented example request is sent raw to the sandbox and the
 * response's element structure is compared with the example response in the Amazon EC2 API Reference
 * (sandbox ⊇ documented example), and with the SDK's model (no element outside it).
 * Values (ids, times, request ids) are ignored; only root, namespace, element names and nesting count.
 */
import * as EC2 from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../src/index.ts";
import { missing, outsideModel, query, schemaOf, under, xmlShape } from "./wire-shape.ts";

const NS = "http://ec2.amazonaws.com/doc/2016-11-15/";
let sb: Sandbox;

beforeAll(async () => {
  sb = await startSandbox();
  // The resources the documented examples name, by the examples' own ids.
  sb.seed({
    volumes: [
      {
        region: "us-east-1",
        id: "vol-1234567890abcdef0",
        sizeGiB: 80,
        type: "standard",
        availabilityZone: "us-east-1a",
        attachments: [{ instanceId: "i-1234567890abcdef0", device: "/dev/sdh" }],
      },
      {
        region: "us-east-1",
        id: "vol-01234567890abcdef",
        sizeGiB: 8,
        type: "gp3",
        availabilityZone: "us-east-1a",
      },
    ],
    instances: [
      {
        region: "us-east-1",
        id: "i-1234567890abcdef0",
        availabilityZone: "us-east-1a",
        rootDeviceName: "/dev/sdh",
        volumeIds: ["vol-1234567890abcdef0"],
        tags: { Name: "web" },
      },
    ],
    snapshots: [
      {
        region: "us-east-1",
        id: "snap-0abcdef1234567890",
        volumeId: "vol-01234567890abcdef",
        startTime: "2023-12-31T00:00:00Z",
        state: "completed",
        description: "My root volume snapshot",
        tags: { purpose: "production_backup" },
      },
      {
        region: "us-east-1",
        id: "snap-1234567890abcdef0",
        volumeId: "vol-1234567890abcdef0",
        startTime: "2023-12-31T00:00:00Z",
        state: "completed",
      },
      {
        region: "us-west-1",
        id: "snap-1234567890abcdef0",
        volumeId: "vol-1234567890abcdef0",
        startTime: "2023-12-31T00:00:00Z",
        state: "completed",
      },
    ],
    images: [
      { region: "us-east-1", id: "ami-1a2b3c4d", name: "my-server", snapshotIds: ["snap-0abcdef1234567890"] },
    ],
  });
});

afterAll(async () => {
  await sb.close();
});

/** Send `params` (ec2Query), check HTTP 200, root and namespace, and return the shape below the root. */
async function call(action: string, params: Record<string, string> = {}, region = "us-east-1") {
  const res = await query(sb.endpoint, "ec2", { Action: action, Version: "2016-11-15", ...params }, region);
  expect(res.status, res.body).toBe(200);
  const shape = xmlShape(res.body);
  expect(shape.root).toBe(`${action}Response`);
  expect(shape.xmlns).toBe(NS);
  return shape;
}

/**
 * The sandbox's answer has every element path of the documented example, except `omitted` (optional
 * members the sandbox does not model, listed explicitly so any other difference fails), and nothing the
 * SDK's model does not know (`requestId` is the protocol's, not the output shape's).
 */
function conforms(
  action: string,
  actual: string[],
  documented: string,
  output: unknown,
  omitted: string[] = [],
): void {
  const doc = xmlShape(documented);
  expect(doc.root).toBe(`${action}Response`);
  expect(doc.xmlns).toBe(NS);
  expect(missing(doc.paths, actual)).toEqual(omitted);
  checkModel(action, actual, output);
}

function checkModel(action: string, actual: string[], output: unknown): void {
  expect(actual).toContain(`${action}Response/requestId`);
  if (output === undefined) return;
  const body = under(actual, `${action}Response`).filter((p) => p !== "requestId");
  expect(outsideModel(body, output, "ec2")).toEqual([]);
}

describe("EC2 API Reference examples", () => {
  // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVolumes.html (Examples: "This example
  // describes all volumes associated with your account.")
  it("DescribeVolumes", async () => {
    const documented = `<DescribeVolumesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
   <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
   <volumeSet>
      <item>
         <volumeId>vol-1234567890abcdef0</volumeId>
         <size>80</size>
         <snapshotId/>
         <availabilityZone>us-east-1a</availabilityZone>
         <status>in-use</status>
         <createTime>YYYY-MM-DDTHH:MM:SS.SSSZ</createTime>
         <attachmentSet>
            <item>
               <volumeId>vol-1234567890abcdef0</volumeId>
               <instanceId>i-1234567890abcdef0</instanceId>
               <device>/dev/sdh</device>
               <status>attached</status>
               <attachTime>YYYY-MM-DDTHH:MM:SS.SSSZ</attachTime>
               <deleteOnTermination>false</deleteOnTermination>
            </item>
         </attachmentSet>
         <volumeType>standard</volumeType>
         <encrypted>true</encrypted>
         <multiAttachEnabled>false</multiAttachEnabled>
      </item>
   </volumeSet>
</DescribeVolumesResponse>`;
    const got = await call("DescribeVolumes");
    conforms("DescribeVolumes", got.paths, documented, schemaOf(EC2, "DescribeVolumesResult"));
  });

  // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSnapshots.html (Example: "This example
  // describes a snapshot with an ID of snap-1234567890abcdef0"; the response shows snap-0abcdef1234567890)
  it("DescribeSnapshots", async () => {
    const documented = `<DescribeSnapshotsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>12345678-1234-1234-1234-3755ba4b9fa6</requestId>
  <snapshotSet>
    <item>
      <snapshotId>snap-0abcdef1234567890</snapshotId>
      <volumeId>vol-01234567890abcdef</volumeId>
      <status>completed</status>
      <startTime>2025-02-03T23:53:18.195Z</startTime>
      <progress>100%</progress>
      <ownerId>123456789012</ownerId>
      <volumeSize>8</volumeSize>
      <description>My root volume snapshot</description>
      <tagSet>
        <item>
          <key>purpose</key>
          <value>production_backup</value>
        </item>
      </tagSet>
      <encrypted>true</encrypted>
      <kmsKeyId>arn:aws:kms:us-east-1:123456789012:key/12345678-abcd-9876-ab12-cd56f438c90b</kmsKeyId>
      <storageTier>standard</storageTier>
      <transferType>standard</transferType>
      <completionTime>2025-02-03T23:56:27.864Z</completionTime>
      <fullSnapshotSizeInBytes>1770520576</fullSnapshotSizeInBytes>
    </item>
  </snapshotSet>
</DescribeSnapshotsResponse>`;
    const got = await call("DescribeSnapshots", { SnapshotId: "snap-0abcdef1234567890" });
    conforms("DescribeSnapshots", got.paths, documented, schemaOf(EC2, "DescribeSnapshotsResult"), [
      // Optional members the sandbox does not model: the snapshot's full size in bytes, and the copy
      // transfer type. The documented snapshot is encrypted; the seeded one is not, and AWS omits kmsKeyId then.
      "DescribeSnapshotsResponse/snapshotSet/item/fullSnapshotSizeInBytes",
      "DescribeSnapshotsResponse/snapshotSet/item/kmsKeyId",
      "DescribeSnapshotsResponse/snapshotSet/item/transferType",
    ]);
  });

  // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSnapshot.html (Example: "This example
  // creates a snapshot of the volume with the ID vol-1234567890abcdef0.")
  it("CreateSnapshot", async () => {
    const documented = `<CreateSnapshotResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
  <snapshotId>snap-1234567890abcdef0</snapshotId>
  <volumeId>vol-1234567890abcdef0</volumeId>
  <status>pending</status>
  <startTime>YYYY-MM-DDTHH:MM:SS.000Z</startTime>
  <progress>60%</progress>
  <ownerId>111122223333</ownerId>
  <volumeSize>30</volumeSize>
  <description>Daily Backup</description>
</CreateSnapshotResponse>`;
    const got = await call("CreateSnapshot", {
      VolumeId: "vol-1234567890abcdef0",
      Description: "Daily Backup",
    });
    conforms("CreateSnapshot", got.paths, documented, schemaOf(EC2, "Snapshot"));
  });

  // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSnapshots.html — the page has no
  // example request or response; compared with the SDK's model (CreateSnapshotsResult → snapshotSet of
  // SnapshotInfo items) instead.
  it("CreateSnapshots (no documented example: SDK model)", async () => {
    sb.clock.advance(60_000); // past the per-volume creation rate limit of the previous case
    const got = await call("CreateSnapshots", {
      "InstanceSpecification.InstanceId": "i-1234567890abcdef0",
      Description: "Daily Backup",
      "TagSpecification.1.ResourceType": "snapshot",
      "TagSpecification.1.Tag.1.Key": "stack",
      "TagSpecification.1.Tag.1.Value": "Production",
    });
    for (const p of [
      "snapshotId",
      "volumeId",
      "state",
      "startTime",
      "tagSet/item/key",
      "tagSet/item/value",
    ]) {
      expect(got.paths).toContain(`CreateSnapshotsResponse/snapshotSet/item/${p}`);
    }
    checkModel("CreateSnapshots", got.paths, schemaOf(EC2, "CreateSnapshotsResult"));
  });

  // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CopySnapshot.html (Example: "Create copy of an
  // unencrypted snapshot in the same Region as the original". The page's closing tag is misprinted
  // `</CopySnapshotResponse<`; corrected here.)
  it("CopySnapshot", async () => {
    const documented = `<CopySnapshotResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>60bc441d-fa2c-494d-b155-5d6a3EXAMPLE</requestId>
  <snapshotId>snap-1234567890abcdef1</snapshotId>
</CopySnapshotResponse>`;
    const got = await call("CopySnapshot", {
      SourceRegion: "us-west-1",
      SourceSnapshotId: "snap-1234567890abcdef0",
      Description: "My_snapshot",
    });
    conforms("CopySnapshot", got.paths, documented, schemaOf(EC2, "CopySnapshotResult"));
  });

  // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateTags.html (Example: "This example request
  // adds (or overwrites) two tags for an AMI and an instance.")
  it("CreateTags", async () => {
    const documented = `<CreateTagsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</requestId>
  <return>true</return>
</CreateTagsResponse>`;
    const got = await call("CreateTags", {
      "ResourceId.1": "ami-1a2b3c4d",
      "ResourceId.2": "i-1234567890abcdef0",
      "Tag.1.Key": "webserver",
      "Tag.1.Value": "",
      "Tag.2.Key": "stack",
      "Tag.2.Value": "Production",
    });
    conforms("CreateTags", got.paths, documented, undefined);
  });

  // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteTags.html (Example: "This example deletes
  // all the user-defined tags for the AMI with the ID ami-1a2b3c4d.")
  it("DeleteTags", async () => {
    const documented = `<DeleteTagsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
   <requestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</requestId>
   <return>true</return>
</DeleteTagsResponse>`;
    const got = await call("DeleteTags", { "ResourceId.1": "ami-1a2b3c4d" });
    conforms("DeleteTags", got.paths, documented, undefined);
  });

  // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteSnapshot.html (Example: "This example
  // request deletes the snapshot with the ID snap-1234567890abcdef0." The page's request spells the
  // parameter `SnapshotId.1`; the operation's parameter is `SnapshotId`, which the SDK sends.)
  it("DeleteSnapshot", async () => {
    const documented = `<DeleteSnapshotResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
  <return>true</return>
</DeleteSnapshotResponse>`;
    const got = await call("DeleteSnapshot", { SnapshotId: "snap-1234567890abcdef0" });
    conforms("DeleteSnapshot", got.paths, documented, undefined);
  });

  // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstances.html (Example 2: "Describe an
  // instance" — "This example describes the specified instance.")
  it("DescribeInstances", async () => {
    const documented = `<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>8f7724cf-496f-496e-8fe3-example</requestId>
    <reservationSet>
        <item>
            <reservationId>r-1234567890abcdef0</reservationId>
            <ownerId>123456789012</ownerId>
            <groupSet/>
            <instancesSet>
                <item>
                    <instanceId>i-1234567890abcdef0</instanceId>
                    <imageId>ami-bff32ccc</imageId>
                    <instanceState>
                        <code>16</code>
                        <name>running</name>
                    </instanceState>
                    <privateDnsName>ip-192-168-1-88.eu-west-1.compute.internal</privateDnsName>
                    <dnsName>ec2-54-194-252-215.eu-west-1.compute.amazonaws.com</dnsName>
                    <reason/>
                    <keyName>my_keypair</keyName>
                    <amiLaunchIndex>0</amiLaunchIndex>
                    <productCodes/>
                    <instanceType>t2.micro</instanceType>
                    <launchTime>2018-05-08T16:46:19.000Z</launchTime>
                    <placement>
                        <availabilityZone>eu-west-1c</availabilityZone>
                        <groupName/>
                        <tenancy>default</tenancy>
                    </placement>
                    <monitoring>
                        <state>disabled</state>
                    </monitoring>
                    <subnetId>subnet-56f5f633</subnetId>
                    <vpcId>vpc-11112222</vpcId>
                    <privateIpAddress>192.168.1.88</privateIpAddress>
                    <ipAddress>54.194.252.215</ipAddress>
                    <sourceDestCheck>true</sourceDestCheck>
                    <groupSet>
                        <item>
                            <groupId>sg-e4076980</groupId>
                            <groupName>SecurityGroup1</groupName>
                        </item>
                    </groupSet>
                    <architecture>x86_64</architecture>
                    <rootDeviceType>ebs</rootDeviceType>
                    <rootDeviceName>/dev/xvda</rootDeviceName>
                    <blockDeviceMapping>
                        <item>
                            <deviceName>/dev/xvda</deviceName>
                            <ebs>
                                <volumeId>vol-1234567890abcdef0</volumeId>
                                <status>attached</status>
                                <attachTime>2015-12-22T10:44:09.000Z</attachTime>
                                <deleteOnTermination>true</deleteOnTermination>
                            </ebs>
                        </item>
                    </blockDeviceMapping>
                    <virtualizationType>hvm</virtualizationType>
                    <clientToken>xMcwG14507example</clientToken>
                    <tagSet>
                        <item>
                            <key>Name</key>
                            <value>Server_1</value>
                        </item>
                    </tagSet>
                    <hypervisor>xen</hypervisor>
                    <networkInterfaceSet>
                        <item>
                            <networkInterfaceId>eni-551ba033</networkInterfaceId>
                            <subnetId>subnet-56f5f633</subnetId>
                            <vpcId>vpc-11112222</vpcId>
                            <description>Primary network interface</description>
                            <ownerId>123456789012</ownerId>
                            <status>in-use</status>
                            <macAddress>02:dd:2c:5e:01:69</macAddress>
                            <privateIpAddress>192.168.1.88</privateIpAddress>
                            <privateDnsName>ip-192-168-1-88.eu-west-1.compute.internal</privateDnsName>
                            <sourceDestCheck>true</sourceDestCheck>
                            <groupSet>
                                <item>
                                    <groupId>sg-e4076980</groupId>
                                    <groupName>SecurityGroup1</groupName>
                                </item>
                            </groupSet>
                            <attachment>
                                <attachmentId>eni-attach-39697adc</attachmentId>
                                <deviceIndex>0</deviceIndex>
                                <status>attached</status>
                                <attachTime>2018-05-08T16:46:19.000Z</attachTime>
                                <deleteOnTermination>true</deleteOnTermination>
                            </attachment>
                            <association>
                                <publicIp>54.194.252.215</publicIp>
                                <publicDnsName>ec2-54-194-252-215.eu-west-1.compute.amazonaws.com</publicDnsName>
                                <ipOwnerId>amazon</ipOwnerId>
                            </association>
                            <privateIpAddressesSet>
                                <item>
                                    <privateIpAddress>192.168.1.88</privateIpAddress>
                                    <privateDnsName>ip-192-168-1-88.eu-west-1.compute.internal</privateDnsName>
                                    <primary>true</primary>
                                    <association>
                                    <publicIp>54.194.252.215</publicIp>
                                    <publicDnsName>ec2-54-194-252-215.eu-west-1.compute.amazonaws.com</publicDnsName>
                                    <ipOwnerId>amazon</ipOwnerId>
                                    </association>
                                </item>
                            </privateIpAddressesSet>
                            <ipv6AddressesSet>
                               <item>
                                   <ipv6Address>2001:db8:1234:1a2b::123</ipv6Address>
                               </item>
                           </ipv6AddressesSet>
                        </item>
                    </networkInterfaceSet>
                    <iamInstanceProfile>
                        <arn>arn:aws:iam::123456789012:instance-profile/AdminRole</arn>
                        <id>ABCAJEDNCAA64SSD123AB</id>
                    </iamInstanceProfile>
                    <ebsOptimized>false</ebsOptimized>
                    <cpuOptions>
                        <coreCount>1</coreCount>
                        <threadsPerCore>1</threadsPerCore>
                    </cpuOptions>
                </item>
            </instancesSet>
        </item>
    </reservationSet>
</DescribeInstancesResponse>`;
    const got = await call("DescribeInstances", { "InstanceId.1": "i-1234567890abcdef0" });
    const item = "DescribeInstancesResponse/reservationSet/item/instancesSet/item";
    conforms("DescribeInstances", got.paths, documented, schemaOf(EC2, "DescribeInstancesResult"), [
      // Optional members the sandbox does not model: the launch's client token, the instance profile, the
      // key pair, and the instance's networking (no VPC, subnet, security groups, addresses or network
      // interfaces — the whole networkInterfaceSet subtree of the example).
      ...[
        "clientToken",
        "groupSet",
        "groupSet/item",
        "groupSet/item/groupId",
        "groupSet/item/groupName",
        "iamInstanceProfile",
        "iamInstanceProfile/arn",
        "iamInstanceProfile/id",
        "ipAddress",
        "keyName",
      ].map((p) => `${item}/${p}`),
      ...xmlShape(documented).paths.filter((p) => p.startsWith(`${item}/networkInterfaceSet`)),
      ...["privateIpAddress", "sourceDestCheck", "subnetId", "vpcId"].map((p) => `${item}/${p}`),
    ]);
  });

  // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeImages.html — the page's current example
  // response was not retrievable from the stored reference copies (only third-party copies of old API
  // versions were); compared with the SDK's model (DescribeImagesResult).
  it("DescribeImages (SDK model)", async () => {
    const got = await call("DescribeImages", { "ImageId.1": "ami-1a2b3c4d" });
    for (const p of [
      "imagesSet/item/imageId",
      "imagesSet/item/imageState",
      "imagesSet/item/blockDeviceMapping/item/deviceName",
      "imagesSet/item/blockDeviceMapping/item/ebs/snapshotId",
    ]) {
      expect(got.paths).toContain(`DescribeImagesResponse/${p}`);
    }
    checkModel("DescribeImages", got.paths, schemaOf(EC2, "DescribeImagesResult"));
  });

  // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html ("Error response": the
  // EC2 error envelope). Also what the SDK's ec2Query error parser reads (Errors.Error.Code / Message).
  it("error shape", async () => {
    const documented = `<Response>
  <Errors>
    <Error>
      <Code>InvalidSnapshot.NotFound</Code>
      <Message>The snapshot 'snap-0000000000000dead' does not exist.</Message>
    </Error>
  </Errors>
  <RequestID>ea966190-f9aa-478e-9ede-example</RequestID>
</Response>`;
    const res = await query(sb.endpoint, "ec2", {
      Action: "DeleteSnapshot",
      Version: "2016-11-15",
      SnapshotId: "snap-0000000000000dead",
    });
    expect(res.status).toBe(400);
    const got = xmlShape(res.body);
    const doc = xmlShape(documented);
    expect(got.root).toBe("Response");
    expect(got.paths).toEqual(doc.paths);
    expect(res.body).toContain("<Code>InvalidSnapshot.NotFound</Code>");
  });
});
