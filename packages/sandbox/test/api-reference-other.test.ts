/**
 * Wire conformance for SQS (awsJson1_0), SNS (awsQuery), Route 53 (REST-XML), CloudWatch (awsJson1_0) and
 * Outposts (REST-JSON). SQS, SNS and Route 53 calls are sent raw in the documented request form and their
 * answers compared with the example responses of the API Reference pages (sandbox ⊇ example, apart from
 * members listed per case) and with the SDK's model. No example responses were found for the CloudWatch
 * (JSON) and Outposts operations; those are checked against the SDK's model only (every key known to the
 * model, the members the pages' "Response Elements" list present).
 */
import * as CloudWatch from "@aws-sdk/client-cloudwatch";
import * as Outposts from "@aws-sdk/client-outposts";
import * as Route53 from "@aws-sdk/client-route-53";
import * as SNS from "@aws-sdk/client-sns";
import * as SQS from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../src/index.ts";
import {
  json,
  jsonShape,
  missing,
  outsideModel,
  query,
  rest,
  schemaOf,
  under,
  xmlShape,
} from "./wire-shape.ts";

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
      { id: "Z1PA6795UKMFR9", name: "example.com." },
    ],
    healthChecks: [
      { id: "abcdef11-2222-3333-4444-555555fedcba", fqdn: "example.com", resourcePath: "/health" },
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

describe("SQS (awsJson1_0) — API Reference examples", () => {
  let queueUrl = "";
  const sqs = async (op: string, input: unknown) => {
    const res = await json(sb.endpoint, "sqs", `AmazonSQS.${op}`, input);
    expect(res.status, res.body).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/x-amz-json-1.0");
    return res.body === "" ? {} : (JSON.parse(res.body) as unknown);
  };
  /**
   * The answer has every key path of the documented JSON example (the body after the HTTP headers), except
   * `omitted`, and nothing the SDK's model does not know.
   */
  const conforms = (body: unknown, output: string, documented: string, omitted: string[] = []) => {
    const paths = jsonShape(body);
    expect(missing(jsonShape(JSON.parse(documented)), paths)).toEqual(omitted);
    expect(outsideModel(paths, schemaOf(SQS, output), "json")).toEqual([]);
  };

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html (Example "Using
  // AWS JSON protocol (Default)")
  it("CreateQueue", async () => {
    const body = await sqs("CreateQueue", {
      QueueName: "MyQueue",
      Attributes: { VisibilityTimeout: "40" },
      tags: { QueueType: "Production" },
    });
    conforms(
      body,
      "CreateQueueResult",
      `{
    "QueueUrl":"https://sqs.us-east-1.amazonaws.com/177715257436/MyQueue"
}`,
    );
    queueUrl = (body as { QueueUrl: string }).QueueUrl;
  });

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueUrl.html (Example 1,
  // JSON protocol)
  it("GetQueueUrl", async () => {
    conforms(
      await sqs("GetQueueUrl", { QueueName: "MyQueue" }),
      "GetQueueUrlResult",
      `{
    "QueueUrl": "https://sqs.us-east-1.amazonaws.com/177715257436/MyQueue"
}`,
    );
  });

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueAttributes.html (first
  // JSON example, all attributes). The page's request header reads `AmazonSQS.GetQueueAtrributes`, a typo:
  // the SDK sends `AmazonSQS.GetQueueAttributes`, as here.
  it("GetQueueAttributes", async () => {
    const body = await sqs("GetQueueAttributes", { QueueUrl: queueUrl, AttributeNames: ["All"] });
    conforms(
      body,
      "GetQueueAttributesResult",
      `{
    "Attributes": {
       "QueueArn": "arn:aws:sqs:us-east-1:555555555555:MyQueue",
        "ApproximateNumberOfMessages": "0",
        "ApproximateNumberOfMessagesNotVisible": "0",
        "ApproximateNumberOfMessagesDelayed": "0",
        "CreatedTimestamp": "1676665337",
        "LastModifiedTimestamp": "1677096375",
        "VisibilityTimeout": "60",
        "MaximumMessageSize": "12345",
        "MessageRetentionPeriod": "345600",
        "DelaySeconds": "0",
        "Policy": "{\\"Version\\":\\"2012-10-17\\",\\"Id\\":\\"Policy1677095510157\\",\\"Statement\\":[{\\"Sid\\":\\"Stmt1677095506939\\",\\"Effect\\":\\"Allow\\",\\"Principal\\":\\"*\\",\\"Action\\":\\"sqs:ReceiveMessage\\",\\"Resource\\":\\"arn:aws:sqs:us-east-1:555555555555:MyQueue6\\"}]}",
        "RedriveAllowPolicy": "{\\"redrivePermission\\":\\"allowAll\\"}",
        "ReceiveMessageWaitTimeSeconds": "2",
        "SqsManagedSseEnabled": "true"
    }
}`,
      // The documented queue has an access policy and a redrive-allow policy; AWS reports these only when
      // they are set, and this queue has neither.
      ["Attributes/Policy", "Attributes/RedriveAllowPolicy"],
    );
    expect((body as { Attributes: Record<string, string> }).Attributes.VisibilityTimeout).toBe("40");
  });

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html (Example 1,
  // JSON protocol)
  it("SendMessage", async () => {
    const body = await sqs("SendMessage", {
      QueueUrl: queueUrl,
      MessageBody: "This is a test message",
      MessageAttributes: {
        my_attribute_name_1: { DataType: "String", StringValue: "my_attribute_value_1" },
        my_attribute_name_2: { DataType: "String", StringValue: "my_attribute_value_2" },
      },
    });
    conforms(
      body,
      "SendMessageResult",
      `{
    "MD5OfMessageAttributes": "c48838208d2b4e14e3ca0093a8443f09",
    "MD5OfMessageBody": "fafb00f5732ab283681e124bf8747ed1",
    "MessageId": "219f8380-5770-4cc2-8c3e-5c715e145f5e"
}`,
    );
    // The MD5 digests are values AWS defines, not just names: same body and attributes, same digests.
    expect(body).toMatchObject({
      MD5OfMessageAttributes: "c48838208d2b4e14e3ca0093a8443f09",
      MD5OfMessageBody: "fafb00f5732ab283681e124bf8747ed1",
    });
  });

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html (Example 1,
  // JSON protocol)
  it("SendMessageBatch", async () => {
    const body = await sqs("SendMessageBatch", {
      QueueUrl: queueUrl,
      Entries: [
        { Id: "test_msg_001", MessageBody: "test message body 1" },
        {
          Id: "test_msg_002",
          MessageBody: "test message body 2",
          DelaySeconds: 60,
          MessageAttributes: {
            my_attribute_name_1: { DataType: "String", StringValue: "my_attribute_value_1" },
          },
        },
      ],
    });
    conforms(
      body,
      "SendMessageBatchResult",
      `{
   "Failed": [],
    "Successful": [
        {
            "Id": "test_msg_001",
            "MD5OfMessageBody": "0e024d309850c78cba5eabbeff7cae71",
            "MessageId": "f4eb349f-cd33-4bc4-bdc2-e557c900d41d"
        },
        {
            "Id": "test_msg_002",
            "MD5OfMessageAttributes": "8ef4d60dbc8efda9f260e1dfd09d29f3",
            "MD5OfMessageBody": "27118326006d3829667a400ad23d5d98",
            "MessageId": "1dcfcd50-5a67-45ae-ae4c-1c152b5effb9"
        }
    ]
}`,
    );
    expect((body as { Successful: { MD5OfMessageBody: string }[] }).Successful[0]?.MD5OfMessageBody).toBe(
      "0e024d309850c78cba5eabbeff7cae71",
    );
  });

  let receipt = "";
  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html (Example 1,
  // JSON protocol). The page asks with `AttributeNames: ["All"]`, which the SDK's model marks deprecated; SDK
  // v3 sends `MessageSystemAttributeNames`, as here. Message attributes are asked for too, so the answer also
  // carries MessageAttributes / MD5OfMessageAttributes (in the model, absent from the example's message).
  it("ReceiveMessage", async () => {
    const body = await sqs("ReceiveMessage", {
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 5,
      VisibilityTimeout: 15,
      MessageSystemAttributeNames: ["All"],
      MessageAttributeNames: ["All"],
    });
    conforms(
      body,
      "ReceiveMessageResult",
      `{
    "Messages": [
        {
            "Attributes": {
                "SenderId": "AIDASSYFHUBOBT7F4XT75",
                "ApproximateFirstReceiveTimestamp": "1677112433437",
                "ApproximateReceiveCount": "1",
                "SentTimestamp": "1677112427387"
            },
            "Body": "This is a test message",
            "MD5OfBody": "fafb00f5732ab283681e124bf8747ed1",
            "MessageId": "219f8380-5770-4cc2-8c3e-5c715e145f5e",
            "ReceiptHandle": "AQEBaZ+j5qUoOAoxlmrCQPkBm9njMWXqemmIG6shMHCO6fV20JrQYg/AiZ8JELwLwOu5U61W+aIX5Qzu7GGofxJuvzymr4Ph53RiR0mudj4InLSgpSspYeTRDteBye5tV/txbZDdNZxsi+qqZA9xPnmMscKQqF6pGhnGIKrnkYGl45Nl6GPIZv62LrIRb6mSqOn1fn0yqrvmWuuY3w2UzQbaYunJWGxpzZze21EOBtywknU3Je/g7G9is+c6K9hGniddzhLkK1tHzZKjejOU4jokaiB4nmi0dF3JqLzDsQuPF0Gi8qffhEvw56nl8QCbluSJScFhJYvoagGnDbwOnd9z50L239qtFIgETdpKyirlWwl/NGjWJ45dqWpiW3d2Ws7q"
        }
    ]
}`,
    );
    const paths = jsonShape(body);
    expect(paths).toContain("Messages/[]/MessageAttributes/my_attribute_name_1/StringValue");
    expect(paths).toContain("Messages/[]/MD5OfMessageAttributes");
    receipt = (body as { Messages: { ReceiptHandle: string }[] }).Messages[0]?.ReceiptHandle ?? "";
  });

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteMessage.html (Example 1,
  // JSON protocol: `HTTP/1.1 200 OK`, `Content-Length: 0`, no body)
  it("DeleteMessage", async () => {
    const res = await json(sb.endpoint, "sqs", "AmazonSQS.DeleteMessage", {
      QueueUrl: queueUrl,
      ReceiptHandle: receipt,
    });
    expect(res.status, res.body).toBe(200);
    // An empty body, or an empty JSON object: the SDK reads both as "no output".
    expect(jsonShape(res.body === "" ? {} : JSON.parse(res.body))).toEqual([]);
  });

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html — no example
  // document; the awsJson error form the SDK reads: `__type` and `message`, plus the legacy query code in
  // `x-amzn-query-error` ("Code;Sender").
  it("error shape (no documented example)", async () => {
    const res = await json(sb.endpoint, "sqs", "AmazonSQS.GetQueueUrl", { QueueName: "NoSuchQueue" });
    expect(res.status).toBe(400);
    const body = JSON.parse(res.body) as { __type: string };
    expect(jsonShape(body)).toEqual(["__type", "message"]);
    expect(body.__type).toBe("com.amazonaws.sqs#QueueDoesNotExist");
    expect(res.headers.get("x-amzn-query-error")).toBe("AWS.SimpleQueueService.NonExistentQueue;Sender");
  });
});

describe("SNS (awsQuery) — API Reference examples", () => {
  const NS = "http://sns.amazonaws.com/doc/2010-03-31/";
  const TOPIC = "arn:aws:sns:us-east-1:123456789012:My-Topic";
  const sns = async (action: string, params: Record<string, string>) => {
    const res = await query(sb.endpoint, "sns", { Action: action, Version: "2010-03-31", ...params });
    expect(res.status, res.body).toBe(200);
    const shape = xmlShape(res.body);
    expect(shape.root).toBe(`${action}Response`);
    expect(shape.xmlns).toBe(NS);
    expect(shape.paths).toContain(`${action}Response/ResponseMetadata/RequestId`);
    return shape.paths;
  };
  /**
   * Every element path of the documented example, and nothing outside the model below `XResult`. The pages'
   * examples write the namespace `https://sns.amazonaws.com/doc/2010-03-31/`; the SDK's awsQuery parser does
   * not read the namespace, and the sandbox keeps the `http://` form, so only the element paths are compared.
   */
  const conforms = (action: string, paths: string[], documented: string, output: unknown) => {
    const doc = xmlShape(documented);
    expect(doc.root).toBe(`${action}Response`);
    expect(missing(doc.paths, paths)).toEqual([]);
    const body = under(paths, `${action}Response`).filter((p) => !p.startsWith("ResponseMetadata"));
    expect(outsideModel(under(body, `${action}Result`), output, "query")).toEqual([]);
  };

  // https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html (Example 1)
  it("CreateTopic", async () => {
    const paths = await sns("CreateTopic", { Name: "My-Topic" });
    conforms(
      "CreateTopic",
      paths,
      `<CreateTopicResponse xmlns="https://sns.amazonaws.com/doc/2010-03-31/">
    <CreateTopicResult>
        <TopicArn>arn:aws:sns:us-east-2:123456789012:My-Topic</TopicArn>
    </CreateTopicResult>
    <ResponseMetadata>
        <RequestId>a8dec8b3-33a4-11df-8963-01868b7c937a</RequestId>
    </ResponseMetadata>
</CreateTopicResponse>`,
      schemaOf(SNS, "CreateTopicResponse"),
    );
  });

  // https://docs.aws.amazon.com/sns/latest/api/API_Publish.html (Example 2: Subject and Message to a topic;
  // the example's topic is in us-east-2 of account 698519295917, the sandbox's in us-east-1 of 123456789012)
  it("Publish", async () => {
    const paths = await sns("Publish", {
      TopicArn: TOPIC,
      Subject: "My first message",
      Message: "Hello world!",
    });
    conforms(
      "Publish",
      paths,
      `<PublishResponse xmlns="https://sns.amazonaws.com/doc/2010-03-31/">
    <PublishResult>
        <MessageId>94f20ce6-13c5-43a0-9a9e-ca52d816e90b</MessageId>
    </PublishResult>
    <ResponseMetadata>
        <RequestId>f187a3c1-376f-11df-8963-01868b7c937a</RequestId>
    </ResponseMetadata>
</PublishResponse>`,
      schemaOf(SNS, "PublishResponse"),
    );
  });

  // Message attributes are not in the page's examples; the SDK sends them as `MessageAttributes.entry.N`.
  it("Publish with message attributes (SDK model)", async () => {
    const paths = await sns("Publish", {
      TopicArn: TOPIC,
      Message: "Hello world!",
      "MessageAttributes.entry.1.Name": "Region",
      "MessageAttributes.entry.1.Value.DataType": "String",
      "MessageAttributes.entry.1.Value.StringValue": "us-east-1",
    });
    expect(paths).toContain("PublishResponse/PublishResult/MessageId");
  });

  // awsQuery error envelope (https://docs.aws.amazon.com/sns/latest/api/CommonErrors.html lists the codes,
  // with no example document); the form the SDK's awsQuery error parser reads.
  it("error shape (no documented example)", async () => {
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

describe("Route 53 (REST-XML) — API Reference examples", () => {
  const NS = "https://route53.amazonaws.com/doc/2013-04-01/";
  const r53 = async (method: string, path: string, name: string, body?: string) => {
    const res = await rest(sb.endpoint, "route53", method, `/2013-04-01${path}`, body);
    expect(res.status, res.body).toBe(200);
    const shape = xmlShape(res.body);
    expect(shape.root).toBe(name);
    expect(shape.xmlns).toBe(NS);
    const paths = under(shape.paths, name);
    expect(outsideModel(paths, schemaOf(Route53, name), "restXml")).toEqual([]);
    return { paths: shape.paths, body: res.body };
  };
  /** The documented example's document (after the HTTP status line): root, namespace and every path. */
  const conforms = (paths: string[], documented: string, omitted: string[] = []) => {
    const doc = xmlShape(documented);
    expect(doc.xmlns).toBe(NS);
    expect(missing(doc.paths, paths)).toEqual(omitted);
  };

  // https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetHostedZone.html (Example Response "Public
  // Hosted Zone, Default Delegation Set Assigned by Route 53", for GET /2013-04-01/hostedzone/Z1PA6795UKMFR9)
  it("GetHostedZone", async () => {
    const { paths } = await r53("GET", "/hostedzone/Z1PA6795UKMFR9", "GetHostedZoneResponse");
    conforms(
      paths,
      `<?xml version="1.0" encoding="UTF-8"?>
<GetHostedZoneResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/">
   <HostedZone>
      <Id>/hostedzone/Z1PA6795UKMFR9</Id>
      <Name>example.com.</Name>
      <CallerReference>2017-03-01T11:22:14Z</CallerReference>
      <Config>
         <Comment>This is my first hosted zone.</Comment>
         <PrivateZone>false</PrivateZone>
      </Config>
      <ResourceRecordSetCount>17</ResourceRecordSetCount>
   </HostedZone>
   <DelegationSet>
      <NameServers>
         <NameServer>ns-2048.awsdns-64.com</NameServer>
         <NameServer>ns-2049.awsdns-65.net</NameServer>
         <NameServer>ns-2050.awsdns-66.org</NameServer>
         <NameServer>ns-2051.awsdns-67.co.uk</NameServer>
      </NameServers>
   </DelegationSet>
</GetHostedZoneResponse>`,
      // The documented zone was created with a comment; the seeded one has none, and Route 53 omits
      // Config/Comment then.
      ["GetHostedZoneResponse/HostedZone/Config/Comment"],
    );
  });

  let changeId = "";
  // https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html — the page's
  // examples are request syntaxes only (no example response); the request follows its "Basic Syntax", and
  // the answer is compared with the page's Response Syntax (ChangeInfo: Comment, Id, Status, SubmittedAt).
  it("ChangeResourceRecordSets (Response Syntax)", async () => {
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
    const syntax = xmlShape(`<ChangeResourceRecordSetsResponse>
   <ChangeInfo>
      <Comment>string</Comment>
      <Id>string</Id>
      <Status>string</Status>
      <SubmittedAt>timestamp</SubmittedAt>
   </ChangeInfo>
</ChangeResourceRecordSetsResponse>`);
    expect(missing(syntax.paths, paths)).toEqual([]);
    changeId = /<Id>\/change\/([^<]+)<\/Id>/.exec(body)?.[1] ?? "";
    expect(changeId).not.toBe("");
  });

  // https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetChange.html (Example Response)
  it("GetChange", async () => {
    const { paths } = await r53("GET", `/change/${changeId}`, "GetChangeResponse");
    conforms(
      paths,
      `<?xml version="1.0" encoding="UTF-8"?>
<GetChangeResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/">
   <ChangeInfo>
      <Id>C2682N5HXP0BZ4</Id>
      <Status>INSYNC</Status>
      <SubmittedAt>2017-03-10T01:36:41.958Z</SubmittedAt>
   </ChangeInfo>
</GetChangeResponse>`,
    );
  });

  // https://docs.aws.amazon.com/Route53/latest/APIReference/API_ListResourceRecordSets.html (Example Request
  // GET /2013-04-01/hostedzone/Z1PA6795UKMFR9/rrset?maxitems=1, and its Example Response)
  it("ListResourceRecordSets", async () => {
    const { paths, body } = await r53(
      "GET",
      "/hostedzone/Z1PA6795UKMFR9/rrset?maxitems=1",
      "ListResourceRecordSetsResponse",
    );
    conforms(
      paths,
      `<?xml version="1.0" encoding="UTF-8"?>
<ListResourceRecordSetsResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/">
   <ResourceRecordSets>
      <ResourceRecordSet>
         <Name>example.com.</Name>
         <Type>SOA</Type>
         <TTL>900</TTL>
         <ResourceRecords>
            <ResourceRecord>
               <Value>ns-2048.awsdns-64.net. hostmaster.awsdns.com. 1 7200 900 1209600 86400</Value>
            </ResourceRecord>
         </ResourceRecords>
      </ResourceRecordSet>
   </ResourceRecordSets>
   <IsTruncated>true</IsTruncated>
   <MaxItems>1</MaxItems>
   <NextRecordName>example.com.</NextRecordName>
   <NextRecordType>NS</NextRecordType>
</ListResourceRecordSetsResponse>`,
    );
    // Only the structure is compared. The example's first record is the apex SOA with NS next; the page says
    // records of one name are sorted "by the record type", and the sandbox sorts them by type name (NS before
    // SOA, as Route 53 lists an apex), so its first page of one holds the NS record instead.
    expect(body).toContain("<IsTruncated>true</IsTruncated>");
  });

  // https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetHealthCheckStatus.html — no example
  // response; compared with the page's Response Syntax.
  it("GetHealthCheckStatus (Response Syntax)", async () => {
    const { paths } = await r53(
      "GET",
      "/healthcheck/abcdef11-2222-3333-4444-555555fedcba/status",
      "GetHealthCheckStatusResponse",
    );
    const syntax = xmlShape(`<GetHealthCheckStatusResponse>
   <HealthCheckObservations>
      <HealthCheckObservation>
         <IPAddress>string</IPAddress>
         <Region>string</Region>
         <StatusReport>
            <CheckedTime>timestamp</CheckedTime>
            <Status>string</Status>
         </StatusReport>
      </HealthCheckObservation>
   </HealthCheckObservations>
</GetHealthCheckStatusResponse>`);
    expect(missing(syntax.paths, paths)).toEqual([]);
  });

  // https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetHealthCheck.html — Response Syntax; the
  // members of an HTTPS check on a domain name (no IPAddress, alarm, child checks, Regions or SearchString).
  it("GetHealthCheck (Response Syntax)", async () => {
    const { paths } = await r53(
      "GET",
      "/healthcheck/abcdef11-2222-3333-4444-555555fedcba",
      "GetHealthCheckResponse",
    );
    const P = "GetHealthCheckResponse/HealthCheck";
    const C = `${P}/HealthCheckConfig`;
    expect(paths).toEqual(
      [
        "GetHealthCheckResponse",
        P,
        `${P}/CallerReference`,
        C,
        ...["Disabled", "EnableSNI", "FailureThreshold", "FullyQualifiedDomainName", "Inverted"].map(
          (m) => `${C}/${m}`,
        ),
        ...["MeasureLatency", "Port", "RequestInterval", "ResourcePath", "Type"].map((m) => `${C}/${m}`),
        `${P}/HealthCheckVersion`,
        `${P}/Id`,
      ].sort(),
    );
  });

  it("ListHealthChecks and ListHostedZones (SDK model)", async () => {
    await r53("GET", "/healthcheck?maxitems=1", "ListHealthChecksResponse");
    const { paths } = await r53("GET", "/hostedzone?maxitems=1", "ListHostedZonesResponse");
    expect(paths).toContain("ListHostedZonesResponse/NextMarker");
  });

  // https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetHostedZone.html (Errors: NoSuchHostedZone,
  // no example document); the REST-XML error form the SDK reads.
  it("error shape (no documented example)", async () => {
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
