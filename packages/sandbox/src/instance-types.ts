/**
 * vCPUs of an EC2 instance type from its size (the part after the dot), as the current Nitro families
 * (m5, c5, r5, ...) have them: large 2, xlarge 4, Nxlarge 4N; smaller sizes 1 or 2. Families with other
 * ratios are not modelled (the sandbox only needs a plausible number).
 */
export function vcpusOf(instanceType: string): number {
  const size = instanceType.split(".")[1] ?? "";
  if (size === "large") return 2;
  if (size === "xlarge") return 4;
  const m = /^(\d+)xlarge$/.exec(size);
  if (m) return 4 * Number(m[1]);
  return size === "nano" || size === "micro" || size === "small" ? 1 : 2;
}
