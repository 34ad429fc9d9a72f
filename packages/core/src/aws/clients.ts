/**
 * Every client the jobs use, for the CLI, the drill and tests. Lambdas build theirs with
 * `regionalClients` and only the classes they call (see regional-clients.ts).
 */
import { EC2Client } from "@aws-sdk/client-ec2";
import { RDSClient } from "@aws-sdk/client-rds";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { type AwsClients, type ClientOptions, regionalClients } from "./regional-clients.ts";

export type { AwsClients, ClientOptions } from "./regional-clients.ts";

/**
 * @example const clients = createClients(); await clients.ec2("us-west-2").send(cmd)
 */
export function createClients(options: ClientOptions = {}): AwsClients {
  return regionalClients({ ec2: EC2Client, rds: RDSClient, sqs: SQSClient, sns: SNSClient }, options);
}
