/**
 * Wire conformance for SQS (awsJson1_0), SNS (awsQuery), Route 53 (REST-XML), CloudWatch (awsJson1_0) and
 * Outposts (REST-JSON). The documented example responses of these pages could not be retrieved from the
 * stored reference copies within this change's budget, so each call is sent raw in the documented request
 * form and its answer checked against the SDK's service model (every element/key known to the model, the
 * members the API Reference's "Response Elements" list present, AWS's envelope and namespace).
 */
import * as CloudWatch from "@aws-sdk/client-cloudwatch";
import * as Outposts from "@aws-sdk/client-outposts";
import * as Route53 from "@aws-sdk/client-route-53";
import * as SNS from "@aws-sdk/client-sns";
import * as SQS from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../src/index.ts";
import { json, jsonShape, outsideModel, query, rest, schemaOf, under, xmlShape } from "./wire-shape.ts";

const OUTPOST_ARN = "arn:aws:outposts:us-east-1:123456789012:outpost/op-0123456789abcdef0";
let sb: Sandbox;

beforeAll(async () => {
  sb = await startSandbox();
  sb.seed({
    outposts: [
      {
        region: "us-east-1",
        id: "op-0123456789abcdef0",
        arn: OUTPOST_ARN,
        name: "my-outpost",
        availabilityZone: "us-east-1a",
      },
    ],
    hostedZones: [
      {
        id: "Z1D633PJN98FT9",
        name: "example.com.",
        records: [{ name: "www.example.com.", type: "A", ttl: 60, values: ["192.0.2.44"] }],
      },
    ],
    metrics: [
      {
        region: "us-east-1",
        namespace: "AWS/EC2",
        name: "CPUUtilization",
        dimensions: { InstanceId: "i-1234567890abcdef0" },
        points: [["2024-01-01T00:00:00Z", 10]],
      },
    ],
  });
});

afterAll(async () => {
  await sb.close();
});

describe("the shape helper", () => {
  it("flags paths outside the model", () => {
    const output = schemaOf(SQS, "SendMessageResult");
    expect(outsideModel(["MessageId", "MD5OfMessageBody", "Bogus"], output, "json")).toEqual(["Bogus"]);
  });
});

describe("SQS (awsJson1_0) — SDK model", () => {
  let queueUrl = "";
  const sqs = async (op: string, input: unknown) => {
    const res = await json(sb.endpoint, "sqs", `AmazonSQS.${op}`, input);
    expect(res.status, res.body).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/x-amz-json-1.0");
    return JSON.parse(res.body) as unknown;
  };
  const conforms = (body: unknown, output: string, required: string[]) => {
    const paths = jsonShape(body);
    for (const p of required) expect(paths).toContain(p);
    expect(outsideModel(paths, schemaOf(SQS, output), "json")).toEqual([]);
  };

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html
  it("CreateQueue", async () => {
    const body = await sqs("CreateQueue", { QueueName: "MyQueue", Attributes: { VisibilityTimeout: "40" } });
    conforms(body, "CreateQueueResult", ["QueueUrl"]);
    queueUrl = (body as { QueueUrl: string }).QueueUrl;
  });

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueUrl.html
  it("GetQueueUrl", async () => {
    conforms(await sqs("GetQueueUrl", { QueueName: "MyQueue" }), "GetQueueUrlResult", ["QueueUrl"]);
  });

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueAttributes.html
  it("GetQueueAttributes", async () => {
    const body = await sqs("GetQueueAttributes", { QueueUrl: queueUrl, AttributeNames: ["All"] });
    conforms(body, "GetQueueAttributesResult", [
      "Attributes",
      "Attributes/VisibilityTimeout",
      "Attributes/QueueArn",
    ]);
  });

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
  it("SendMessage", async () => {
    const body = await sqs("SendMessage", {
      QueueUrl: queueUrl,
      MessageBody: "This is a test message",
      MessageAttributes: { my_attribute_name_1: { DataType: "String", StringValue: "my_attribute_value_1" } },
    });
    conforms(body, "SendMessageResult", ["MD5OfMessageAttributes", "MD5OfMessageBody", "MessageId"]);
  });

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
  it("SendMessageBatch", async () => {
    const body = await sqs("SendMessageBatch", {
      QueueUrl: queueUrl,
      Entries: [
        {
          Id: "FuelReport-0001-2015-09-16T140731Z",
          MessageBody: "Fuel report for account 0001 on 2015-09-16 at 02:07:31 PM.",
        },
        {
          Id: "FuelReport-0002-2015-09-16T140930Z",
          MessageBody: "Fuel report for account 0002 on 2015-09-16 at 02:09:30 PM.",
        },
      ],
    });
    conforms(body, "SendMessageBatchResult", [
      "Successful",
      "Successful/[]/Id",
      "Successful/[]/MessageId",
      "Successful/[]/MD5OfMessageBody",
    ]);
  });

  let receipt = "";
  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html
  it("ReceiveMessage", async () => {
    const body = await sqs("ReceiveMessage", {
      QueueUrl: queueUrl,
      MessageSystemAttributeNames: ["All"],
      MessageAttributeNames: ["All"],
      MaxNumberOfMessages: 5,
      VisibilityTimeout: 15,
      WaitTimeSeconds: 0,
    });
    conforms(body, "ReceiveMessageResult", [
      "Messages/[]/MessageId",
      "Messages/[]/ReceiptHandle",
      "Messages/[]/MD5OfBody",
      "Messages/[]/Body",
      "Messages/[]/Attributes/ApproximateReceiveCount",
      "Messages/[]/Attributes/SentTimestamp",
      "Messages/[]/MD5OfMessageAttributes",
      "Messages/[]/MessageAttributes/my_attribute_name_1/DataType",
      "Messages/[]/MessageAttributes/my_attribute_name_1/StringValue",
    ]);
    receipt = (body as { Messages: { ReceiptHandle: string }[] }).Messages[0]?.ReceiptHandle ?? "";
  });

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteMessage.html (no output)
  it("DeleteMessage", async () => {
    expect(jsonShape(await sqs("DeleteMessage", { QueueUrl: queueUrl, ReceiptHandle: receipt }))).toEqual([]);
  });

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html — awsJson errors:
  // `__type` and `message`, plus the legacy query code in `x-amzn-query-error` ("Code;Sender").
  it("error shape", async () => {
    const res = await json(sb.endpoint, "sqs", "AmazonSQS.GetQueueUrl", { QueueName: "NoSuchQueue" });
    expect(res.status).toBe(400);
    const body = JSON.parse(res.body) as { __type: string };
    expect(jsonShape(body)).toEqual(["__type", "message"]);
    expect(body.__type).toBe("com.amazonaws.sqs#QueueDoesNotExist");
    expect(res.headers.get("x-amzn-query-error")).toBe("AWS.SimpleQueueService.NonExistentQueue;Sender");
  });
});

describe("SNS (awsQuery) — SDK model", () => {
  const NS = "http://sns.amazonaws.com/doc/2010-03-31/";
  const sns = async (action: string, params: Record<string, string>) => {
    const res = await query(sb.endpoint, "sns", { Action: action, Version: "2010-03-31", ...params });
    expect(res.status, res.body).toBe(200);
    const shape = xmlShape(res.body);
    expect(shape.root).toBe(`${action}Response`);
    expect(shape.xmlns).toBe(NS);
    expect(shape.paths).toContain(`${action}Response/ResponseMetadata/RequestId`);
    return under(shape.paths, `${action}Response`).filter((p) => !p.startsWith("ResponseMetadata"));
  };

  // https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html
  it("CreateTopic", async () => {
    const paths = await sns("CreateTopic", { Name: "My-Topic" });
    expect(paths).toContain("CreateTopicResult/TopicArn");
    expect(
      outsideModel(under(paths, "CreateTopicResult"), schemaOf(SNS, "CreateTopicResponse"), "query"),
    ).toEqual([]);
  });

  // https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
  it("Publish", async () => {
    const paths = await sns("Publish", {
      TopicArn: "arn:aws:sns:us-east-1:123456789012:My-Topic",
      Subject: "My first message",
      Message: "Hello world!",
      "MessageAttributes.entry.1.Name": "Region",
      "MessageAttributes.entry.1.Value.DataType": "String",
      "MessageAttributes.entry.1.Value.StringValue": "us-east-1",
    });
    expect(paths).toContain("PublishResult/MessageId");
    expect(outsideModel(under(paths, "PublishResult"), schemaOf(SNS, "PublishResponse"), "query")).toEqual(
      [],
    );
  });

  // awsQuery error envelope (https://docs.aws.amazon.com/sns/latest/api/CommonErrors.html)
  it("error shape", async () => {
    const res = await query(sb.endpoint, "sns", {
      Action: "Publish",
      Version: "2010-03-31",
      TopicArn: "arn:aws:sns:us-east-1:123456789012:NoSuchTopic",
      Message: "x",
    });
    expect(res.status).toBe(404);
    const shape = xmlShape(res.body);
    expect(shape.root).toBe("ErrorResponse");
    expect(shape.paths).toEqual([
      "ErrorResponse",
      "ErrorResponse/Error",
      "ErrorResponse/Error/Code",
      "ErrorResponse/Error/Message",
      "ErrorResponse/Error/Type",
      "ErrorResponse/RequestId",
    ]);
  });
});

describe("Route 53 (REST-XML) — SDK model", () => {
  const NS = "https://route53.amazonaws.com/doc/2013-04-01/";
  const r53 = async (method: string, path: string, name: string, body?: string) => {
    const res = await rest(sb.endpoint, "route53", method, `/2013-04-01${path}`, body);
    expect(res.status, res.body).toBe(200);
    const shape = xmlShape(res.body);
    expect(shape.root).toBe(name);
    expect(shape.xmlns).toBe(NS);
    const paths = under(shape.paths, name);
    expect(outsideModel(paths, schemaOf(Route53, name), "restXml")).toEqual([]);
    return { paths, body: res.body };
  };

  // https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetHostedZone.html
  it("GetHostedZone", async () => {
    const { paths } = await r53("GET", "/hostedzone/Z1D633PJN98FT9", "GetHostedZoneResponse");
    for (const p of [
      "HostedZone/Id",
      "HostedZone/Name",
      "HostedZone/CallerReference",
      "HostedZone/ResourceRecordSetCount",
    ]) {
      expect(paths).toContain(p);
    }
  });

  let changeId = "";
  // https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html
  it("ChangeResourceRecordSets", async () => {
    const request = `<?xml version="1.0" encoding="UTF-8"?>
<ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/">
   <ChangeBatch>
      <Comment>This change batch creates a TXT record for example.com.</Comment>
      <Changes>
         <Change>
            <Action>CREATE</Action>
            <ResourceRecordSet>
               <Name>example.com.</Name>
               <Type>TXT</Type>
               <TTL>600</TTL>
               <ResourceRecords>
                  <ResourceRecord>
                     <Value>"This is my first record"</Value>
                  </ResourceRecord>
               </ResourceRecords>
            </ResourceRecordSet>
         </Change>
      </Changes>
   </ChangeBatch>
</ChangeResourceRecordSetsRequest>`;
    const { paths, body } = await r53(
      "POST",
      "/hostedzone/Z1D633PJN98FT9/rrset/",
      "ChangeResourceRecordSetsResponse",
      request,
    );
    for (const p of ["ChangeInfo/Id", "ChangeInfo/Status", "ChangeInfo/SubmittedAt"])
      expect(paths).toContain(p);
    changeId = /<Id>\/change\/([^<]+)<\/Id>/.exec(body)?.[1] ?? "";
    expect(changeId).not.toBe("");
  });

  // https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetChange.html
  it("GetChange", async () => {
    const { paths } = await r53("GET", `/change/${changeId}`, "GetChangeResponse");
    for (const p of ["ChangeInfo/Id", "ChangeInfo/Status", "ChangeInfo/SubmittedAt"])
      expect(paths).toContain(p);
  });

  // https://docs.aws.amazon.com/Route53/latest/APIReference/API_ListResourceRecordSets.html
  it("ListResourceRecordSets", async () => {
    const { paths } = await r53(
      "GET",
      "/hostedzone/Z1D633PJN98FT9/rrset?maxitems=1",
      "ListResourceRecordSetsResponse",
    );
    for (const p of [
      "ResourceRecordSets/ResourceRecordSet/Name",
      "ResourceRecordSets/ResourceRecordSet/Type",
      "ResourceRecordSets/ResourceRecordSet/TTL",
      "ResourceRecordSets/ResourceRecordSet/ResourceRecords/ResourceRecord/Value",
      "IsTruncated",
      "MaxItems",
      "NextRecordName",
      "NextRecordType",
    ]) {
      expect(paths).toContain(p);
    }
  });

  // https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetHostedZone.html (Errors: NoSuchHostedZone)
  it("error shape", async () => {
    const res = await rest(sb.endpoint, "route53", "GET", "/2013-04-01/hostedzone/ZNOSUCHZONE0000");
    expect(res.status).toBe(404);
    const shape = xmlShape(res.body);
    expect(shape.root).toBe("ErrorResponse");
    expect(shape.xmlns).toBe(NS);
    expect(shape.paths).toEqual([
      "ErrorResponse",
      "ErrorResponse/Error",
      "ErrorResponse/Error/Code",
      "ErrorResponse/Error/Message",
      "ErrorResponse/Error/Type",
      "ErrorResponse/RequestId",
    ]);
    expect(res.body).toContain("<Code>NoSuchHostedZone</Code>");
  });
});

describe("CloudWatch (awsJson1_0) — SDK model", () => {
  const cw = async (op: string, input: unknown) => {
    const res = await json(sb.endpoint, "monitoring", `GraniteServiceVersion20100801.${op}`, input);
    expect(res.status, res.body).toBe(200);
    return res.body === "" ? {} : (JSON.parse(res.body) as unknown);
  };

  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html (no output)
  it("PutMetricData", async () => {
    // Custom metrics only: AWS refuses namespaces that begin with "AWS/" here (and so does the sandbox).
    const body = await cw("PutMetricData", {
      Namespace: "MyApp",
      MetricData: [
        {
          MetricName: "CPUUtilization",
          Dimensions: [{ Name: "InstanceId", Value: "i-1234567890abcdef0" }],
          Timestamp: Date.parse("2024-01-01T00:05:00Z") / 1000,
          Value: 20,
          Unit: "Percent",
        },
      ],
    });
    expect(jsonShape(body)).toEqual([]);
  });

  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html
  it("GetMetricData", async () => {
    const body = await cw("GetMetricData", {
      MetricDataQueries: [
        {
          Id: "m1",
          MetricStat: {
            Metric: {
              Namespace: "AWS/EC2",
              MetricName: "CPUUtilization",
              Dimensions: [{ Name: "InstanceId", Value: "i-1234567890abcdef0" }],
            },
            Period: 300,
            Stat: "Average",
          },
        },
      ],
      StartTime: Date.parse("2023-12-31T23:00:00Z") / 1000,
      EndTime: Date.parse("2024-01-01T01:00:00Z") / 1000,
    });
    const paths = jsonShape(body);
    for (const p of [
      "MetricDataResults/[]/Id",
      "MetricDataResults/[]/Label",
      "MetricDataResults/[]/Timestamps",
      "MetricDataResults/[]/Values",
      "MetricDataResults/[]/StatusCode",
    ]) {
      expect(paths).toContain(p);
    }
    expect(outsideModel(paths, schemaOf(CloudWatch, "GetMetricDataOutput"), "json")).toEqual([]);
  });

  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html
  it("DescribeAlarms", async () => {
    await cw("PutMetricAlarm", {
      AlarmName: "cpu-high",
      Namespace: "AWS/EC2",
      MetricName: "CPUUtilization",
      Statistic: "Average",
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 90,
      ComparisonOperator: "GreaterThanThreshold",
    });
    const paths = jsonShape(await cw("DescribeAlarms", { AlarmNames: ["cpu-high"] }));
    for (const p of ["MetricAlarms/[]/AlarmName", "MetricAlarms/[]/StateValue", "MetricAlarms/[]/AlarmArn"]) {
      expect(paths).toContain(p);
    }
    expect(outsideModel(paths, schemaOf(CloudWatch, "DescribeAlarmsOutput"), "json")).toEqual([]);
  });
});

describe("Outposts (REST-JSON) — SDK model", () => {
  // https://docs.aws.amazon.com/outposts/latest/APIReference/API_ListOutposts.html
  it("ListOutposts", async () => {
    const res = await rest(sb.endpoint, "outposts", "GET", "/outposts");
    expect(res.status, res.body).toBe(200);
    const paths = jsonShape(JSON.parse(res.body));
    for (const p of ["Outposts/[]/OutpostId", "Outposts/[]/OutpostArn", "Outposts/[]/AvailabilityZone"]) {
      expect(paths).toContain(p);
    }
    expect(outsideModel(paths, schemaOf(Outposts, "ListOutpostsOutput"), "json")).toEqual([]);
  });

  // https://docs.aws.amazon.com/outposts/latest/APIReference/API_GetOutpostInstanceTypes.html
  it("GetOutpostInstanceTypes", async () => {
    const res = await rest(sb.endpoint, "outposts", "GET", "/outposts/op-0123456789abcdef0/instanceTypes");
    expect(res.status, res.body).toBe(200);
    const paths = jsonShape(JSON.parse(res.body));
    expect(paths).toContain("InstanceTypes/[]/InstanceType");
    expect(outsideModel(paths, schemaOf(Outposts, "GetOutpostInstanceTypesOutput"), "json")).toEqual([]);
  });
});
