/**
 * Planners stream pages for as long as an estate needs; a Lambda must still stop on its own terms,
 * with an error that says what happened, rather than be killed at its timeout mid-page. The caller
 * passes how much time is left (Lambda's context in handlers); core never reads a clock itself.
 */
import { IncompleteRunError } from "./errors.ts";

export interface Deadline {
  /** Milliseconds left before the work must stop (already net of any safety margin). */
  remainingMs(): number;
}

export class DeadlineError extends IncompleteRunError {
  constructor(
    readonly what: string,
    readonly pagesRead: number,
  ) {
    super(
      `Stopped ${what} before the Lambda timeout after ${pagesRead} page(s); nothing after that point was planned. EventBridge retries the run (duplicates are de-duplicated). If this repeats, raise the function's timeout or split the policy so each selects fewer resources.`,
    );
    this.name = "DeadlineError";
  }
}

/**
 * Passes pages through while time remains; throws DeadlineError once it has run out.
 * @example for await (const page of withinDeadline(streamVolumes(ec2, sel), deadline, "listing volumes")) ...
 */
export async function* withinDeadline<T>(
  pages: AsyncIterable<T>,
  deadline: Deadline | undefined,
  what: string,
): AsyncGenerator<T> {
  let read = 0;
  for await (const page of pages) {
    if (deadline && deadline.remainingMs() <= 0) throw new DeadlineError(what, read);
    read += 1;
    yield page;
  }
}
