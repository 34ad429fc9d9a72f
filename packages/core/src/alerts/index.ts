export * from "./alarm.ts";
export * from "./alert.ts";
export * from "./publish.ts";
