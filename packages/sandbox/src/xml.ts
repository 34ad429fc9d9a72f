import { XMLParser } from "fast-xml-parser";

/** Escape text for XML element content and attribute values. */
export function esc(value: string): string {
  return value.replace(/[&<>"']/g, (c) =>
    c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === '"' ? "&quot;" : "&apos;",
  );
}

export type XmlValue = string | number | boolean | Date | undefined | null;

/** `<name>value</name>`, or nothing when the value is absent (AWS omits unset members). */
export function leaf(name: string, value: XmlValue): string {
  if (value === undefined || value === null) return "";
  const text = value instanceof Date ? value.toISOString() : esc(String(value));
  return `<${name}>${text}</${name}>`;
}

/** An element whose content is already XML. */
export function node(name: string, inner: string): string {
  return `<${name}>${inner}</${name}>`;
}

/** A list: `<name><member>..</member>...</name>` (EC2 uses member "item", awsQuery uses the shape's name). */
export function list<T>(
  name: string,
  member: string,
  items: readonly T[],
  render: (item: T) => string,
): string {
  let inner = "";
  for (const item of items) inner += `<${member}>${render(item)}</${member}>`;
  return `<${name}>${inner}</${name}>`;
}

export function tagItems(
  tags: ReadonlyMap<string, string>,
  member: string,
  keyName = "Key",
  valueName = "Value",
) {
  let inner = "";
  for (const [k, v] of tags) inner += `<${member}>${leaf(keyName, k)}${leaf(valueName, v)}</${member}>`;
  return inner;
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  isArray: (name) => ["Change", "ResourceRecord", "Tag"].includes(name),
});

/** Parse a request body (Route 53 sends XML); values stay strings, listed members stay arrays. */
export function parseXml(body: string): Record<string, unknown> {
  return parser.parse(body) as Record<string, unknown>;
}

/** awsQuery (RDS, SNS) answers `<XResponse><XResult>..</XResult><ResponseMetadata>..` */
export function awsQueryResponse(
  action: string,
  xmlns: string,
  requestId: string,
  result: string | undefined,
): string {
  const body = result === undefined ? "" : `<${action}Result>${result}</${action}Result>`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${xmlns}">${body}<ResponseMetadata>${leaf("RequestId", requestId)}</ResponseMetadata></${action}Response>`;
}

/** awsQuery error envelope, shared by RDS and SNS. */
export function awsQueryError(
  xmlns: string,
  type: string,
  code: string,
  message: string,
  requestId: string,
): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${xmlns}"><Error>${leaf("Type", type)}${leaf("Code", code)}${leaf("Message", message)}</Error>${leaf("RequestId", requestId)}</ErrorResponse>`;
}
