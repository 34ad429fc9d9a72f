import { randomUUID } from "node:crypto";
import { AwsError } from "./errors.ts";
import {
  type Env,
  type HttpAnswer,
  json11Answer,
  json11Error,
  type RequestContext,
  type ServiceHandler,
} from "./http.ts";
import type { Estate, KmsKeyState } from "./types.ts";

/**
 * KMS over awsJson1_1 (X-Amz-Target TrentService.*): DescribeKey over keys seeded in the estate, plus the
 * AWS managed keys AWS creates on first use of a predefined `alias/aws/<service>` alias. Symmetric
 * encryption keys only (KeySpec SYMMETRIC_DEFAULT); no cryptography.
 */

interface Key {
  id: string;
  arn: string;
  region: string;
  enabled: boolean;
  keyState: KmsKeyState;
  description: string;
  keyManager: "AWS" | "CUSTOMER";
  multiRegion: boolean;
  createdMs: number;
  deletionMs?: number;
}

type Input = Record<string, unknown>;

const notFound = (message: string) => new AwsError("NotFoundException", message);

export class KmsService implements ServiceHandler {
  readonly service = "kms" as const;
  /** region -> key id -> key */
  private readonly keys = new Map<string, Map<string, Key>>();
  /** region -> "alias/name" -> key id */
  private readonly aliases = new Map<string, Map<string, string>>();

  constructor(private readonly env: Env) {}

  operation(ctx: RequestContext): string {
    const target = ctx.headers["x-amz-target"];
    return typeof target === "string" ? target.slice("TrentService.".length) : "Unknown";
  }

  renderError(err: AwsError): HttpAnswer {
    return json11Error(err);
  }

  handle(operation: string, ctx: RequestContext): HttpAnswer {
    let input: Input;
    try {
      input = (ctx.body ? JSON.parse(ctx.body) : {}) as Input;
    } catch {
      throw new AwsError("SerializationException", "Start of structure or map found where not expected.");
    }
    switch (operation) {
      case "DescribeKey":
        return json11Answer({ KeyMetadata: this.metadata(this.find(ctx.region, input.KeyId)) });
      default:
        throw new AwsError("UnknownOperationException", `Operation ${operation} is not supported.`);
    }
  }

  seed(estate: Estate): void {
    for (const k of estate.kmsKeys ?? []) {
      const keyState = k.keyState ?? (k.enabled === false ? "Disabled" : "Enabled");
      const key: Key = {
        id: k.id,
        arn: k.arn ?? this.keyArn(k.region, k.id),
        region: k.region,
        enabled: k.enabled ?? keyState === "Enabled",
        keyState,
        description: k.description ?? "",
        keyManager: "CUSTOMER",
        multiRegion: k.multiRegion ?? k.id.startsWith("mrk-"),
        createdMs: this.env.clock.nowMs(),
        // KMS schedules deletion 7..30 days out (30 by default).
        deletionMs:
          keyState === "PendingDeletion"
            ? k.deletionDate
              ? new Date(k.deletionDate).getTime()
              : this.env.clock.nowMs() + 30 * 86_400_000
            : undefined,
      };
      this.regionKeys(k.region).set(key.id, key);
      for (const a of k.aliases ?? []) {
        this.regionAliases(k.region).set(a.startsWith("alias/") ? a : `alias/${a}`, key.id);
      }
    }
  }

  /**
   * For models that encrypt with a key (EBS CopySnapshot, RDS copies): whether KeyId names a usable key
   * (found, Enabled) in the region; undefined when the estate seeded no key for the region.
   */
  usable(region: string, keyId: string): boolean | undefined {
    const seeded = [...this.regionKeys(region).values()].some((k) => k.keyManager === "CUSTOMER");
    if (!seeded) return undefined;
    try {
      const k = this.find(region, keyId);
      return k.enabled && k.keyState === "Enabled";
    } catch (err) {
      if (err instanceof AwsError) return false;
      throw err;
    }
  }

  private regionKeys(region: string): Map<string, Key> {
    let m = this.keys.get(region);
    if (!m) {
      m = new Map();
      this.keys.set(region, m);
    }
    return m;
  }

  private regionAliases(region: string): Map<string, string> {
    let m = this.aliases.get(region);
    if (!m) {
      m = new Map();
      this.aliases.set(region, m);
    }
    return m;
  }

  private keyArn(region: string, id: string): string {
    return `arn:aws:kms:${region}:${this.env.accountId}:key/${id}`;
  }

  /** KeyId: a key id, a key ARN, an alias name ("alias/x") or an alias ARN, in the signing region. */
  private find(region: string, keyId: unknown): Key {
    if (typeof keyId !== "string" || keyId === "") {
      throw new AwsError(
        "ValidationException",
        "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null",
      );
    }
    const prefix = `arn:aws:kms:${region}:${this.env.accountId}:`;
    const isArn = keyId.startsWith("arn:");
    // A key seeded with an ARN of its own is found by that ARN.
    if (isArn) for (const k of this.regionKeys(region).values()) if (k.arn === keyId) return k;
    // An ARN of another region or account names nothing here.
    const local = !isArn ? keyId : keyId.startsWith(prefix) ? keyId.slice(prefix.length) : undefined;
    if (local?.startsWith("alias/") || (local === undefined && keyId.includes(":alias/"))) {
      if (local?.startsWith("alias/aws/")) return this.awsManaged(region, local);
      const id = local === undefined ? undefined : this.regionAliases(region).get(local);
      const key = id === undefined ? undefined : this.regionKeys(region).get(id);
      if (!key) throw notFound(`Alias ${isArn ? keyId : `${prefix}${local}`} is not found.`);
      return key;
    }
    const id = !isArn ? local : local?.startsWith("key/") ? local.slice(4) : undefined;
    const key = id === undefined ? undefined : this.regionKeys(region).get(id);
    if (!key) throw notFound(`Key '${isArn ? keyId : this.keyArn(region, keyId)}' does not exist`);
    return key;
  }

  /**
   * "If you specify a predefined AWS alias (an AWS alias with no key ID), KMS associates the alias with an
   * AWS managed key and returns its KeyId and Arn" (DescribeKey, KeyId): created on first use, then kept.
   */
  private awsManaged(region: string, alias: string): Key {
    const aliases = this.regionAliases(region);
    const existing = aliases.get(alias);
    if (existing !== undefined) {
      const key = this.regionKeys(region).get(existing);
      if (key) return key;
    }
    const id = randomUUID();
    const key: Key = {
      id,
      arn: this.keyArn(region, id),
      region,
      enabled: true,
      keyState: "Enabled",
      description: `Default key that protects my ${alias.slice("alias/aws/".length)} resources when no other key is defined`,
      keyManager: "AWS",
      multiRegion: false,
      createdMs: this.env.clock.nowMs(),
    };
    this.regionKeys(region).set(id, key);
    aliases.set(alias, id);
    return key;
  }

  private metadata(k: Key): Record<string, unknown> {
    return {
      AWSAccountId: this.env.accountId,
      KeyId: k.id,
      Arn: k.arn,
      // awsJson timestamps travel as epoch seconds.
      CreationDate: k.createdMs / 1000,
      Enabled: k.enabled,
      Description: k.description,
      KeyUsage: "ENCRYPT_DECRYPT",
      KeyState: k.keyState,
      ...(k.deletionMs !== undefined ? { DeletionDate: k.deletionMs / 1000 } : {}),
      Origin: "AWS_KMS",
      KeyManager: k.keyManager,
      CustomerMasterKeySpec: "SYMMETRIC_DEFAULT",
      KeySpec: "SYMMETRIC_DEFAULT",
      EncryptionAlgorithms: ["SYMMETRIC_DEFAULT"],
      MultiRegion: k.multiRegion,
    };
  }
}
