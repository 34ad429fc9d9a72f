export * from "./alert.ts";
export * from "./publish.ts";
