import { randomBytes, randomUUID } from "node:crypto";

/** EC2 ids: prefix + 17 lowercase hex digits (vol-0123456789abcdef0). */
export function ec2Id(prefix: "vol" | "snap" | "i" | "ami" | "r"): string {
  return `${prefix}-${randomBytes(9).toString("hex").slice(0, 17)}`;
}

const UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** Route 53 ids: a letter prefix (Z for zones, C for changes) + upper-case alphanumerics. */
export function route53Id(prefix: "Z" | "C", length = 13): string {
  const bytes = randomBytes(length);
  let id = prefix;
  for (const b of bytes) id += UPPER_ALNUM[b % UPPER_ALNUM.length];
  return id;
}

export function requestId(): string {
  return randomUUID();
}

/** Outposts: op-<17 hex>. */
export function outpostId(): string {
  return `op-${randomBytes(9).toString("hex").slice(0, 17)}`;
}

/** Deterministic PRNG so fault rates are repeatable across runs. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
