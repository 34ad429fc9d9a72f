import { EC2Client } from "@aws-sdk/client-ec2";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { describe, expect, it } from "vitest";
import { clientConfig, createClients, MAX_ATTEMPTS, RETRY_MODE } from "../../src/aws/clients.ts";

const CREDENTIALS = { accessKeyId: "x", secretAccessKey: "x" };

describe("Function: createClients", () => {
  it("creates one client per class, account and Region, and reuses it", () => {
    const clients = createClients({ credentials: CREDENTIALS });
    const a = clients.get(EC2Client, "us-west-2");
    expect(clients.get(EC2Client, { region: "us-west-2" })).toBe(a);
    expect(clients.get(EC2Client, "us-east-1")).not.toBe(a);
    expect(clients.get(SNSClient, "us-west-2")).not.toBe(a);
  });

  it("refuses another account without credentials for it, and uses them when given", async () => {
    expect(() => createClients().get(EC2Client, { region: "us-west-2", account: "210987654321" })).toThrow(
      /needs credentials for it/,
    );
    const asked: string[] = [];
    const clients = createClients({
      credentials: CREDENTIALS,
      credentialsFor: (account) => {
        asked.push(account);
        return { accessKeyId: `spoke-${account}`, secretAccessKey: "s" };
      },
    });
    const spoke = clients.get(EC2Client, { region: "us-west-2", account: "210987654321" });
    expect(spoke).not.toBe(clients.get(EC2Client, "us-west-2"));
    expect(asked).toEqual(["210987654321"]);
    expect((await spoke.config.credentials()).accessKeyId).toBe("spoke-210987654321");
  });

  it("tells onCommand every command sent, with its service and where it went", async () => {
    // A real (unmocked) client: the recording middleware runs before the request, which fails here.
    const calls: unknown[] = [];
    const clients = createClients({
      credentials: CREDENTIALS,
      endpoint: "http://127.0.0.1:9",
      maxAttempts: 1,
      onCommand: (call) => calls.push(call),
    });
    const sent = clients
      .get(SNSClient, "us-west-2")
      .send(new PublishCommand({ TopicArn: "arn:aws:sns:x", Message: "m" }));
    await expect(sent).rejects.toThrow();
    expect(calls).toEqual([{ service: "sns", command: "Publish", where: { region: "us-west-2" } }]);
  });
});

describe("Function: clientConfig", () => {
  it("is the one retry policy: the measured mode, 8 attempts, a request timeout that throws", () => {
    expect(clientConfig("us-west-2", {})).toMatchObject({
      region: "us-west-2",
      retryMode: RETRY_MODE,
      maxAttempts: MAX_ATTEMPTS,
      requestHandler: { requestTimeout: 20_000, throwOnRequestTimeout: true },
    });
    expect(RETRY_MODE).toBe("standard");
  });
});
