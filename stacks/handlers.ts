/**
 * Every function's handler path, trigger, role and environment, by key: derived from the job
 * declarations (packages/functions/src/jobs.ts), the only place handler paths appear.
 * test/infra/handlers.test.ts checks that every path exists, exports `handler` and `parseEvent`, and
 * that `parseEvent` accepts the event its trigger sends.
 */
import { AllFunctionSpecs, type FunctionName, type Trigger } from "@outpost-ops/functions/src/jobs.ts";

export const Handlers = AllFunctionSpecs;
export type HandlerName = FunctionName;
export type { Trigger };
