export * from "./event.ts";
export * from "./from-capacity.ts";
export * from "./from-outcomes.ts";
export * from "./publish.ts";
