// RFC 9457 problem details from the API, carried as an Error so queries and boundaries can show them.

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  field?: string;
  /** Every failed field of a 422 (dotted path from the body root, e.g. `steps.0.delay_minutes`). */
  errors?: { field: string; message: string }[];
}

export class ProblemError extends Error {
  readonly problem: Problem;
  readonly status: number;

  constructor(problem: Problem, status: number) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.name = "ProblemError";
    this.problem = problem;
    this.status = status;
  }
}

/** The problem in an openapi-fetch error body (JSON object, text, or nothing). */
export function toProblemError(error: unknown, response: Response): ProblemError {
  if (typeof error === "object" && error !== null) {
    return new ProblemError(error as Problem, response.status);
  }
  const text = typeof error === "string" && error ? error : response.statusText;
  return new ProblemError({ title: text || `HTTP ${response.status}`, status: response.status }, response.status);
}

/** What to tell a person about any error: the API's `detail` when there is one. */
export function describeError(error: unknown): { title: string; detail: string } {
  if (error instanceof ProblemError) {
    return {
      title: error.problem.title ?? `Request failed (${error.status})`,
      detail: error.problem.detail ?? error.message,
    };
  }
  if (error instanceof Error) return { title: "Something went wrong", detail: error.message };
  return { title: "Something went wrong", detail: String(error) };
}

/** The API's message for one form field (dotted path, e.g. `layers.0.participants`), for a Fluent
 * `Field`'s `validationMessage`; prefix match so `steps.0` also catches `steps.0.targets.1`. */
export function fieldMessage(error: unknown, field: string): string | undefined {
  if (!(error instanceof ProblemError)) return undefined;
  const all = error.problem.errors ?? (error.problem.field ? [{ field: error.problem.field, message: error.problem.detail ?? "" }] : []);
  const hit = all.find((e) => e.field === field || e.field.startsWith(field + "."));
  return hit?.message;
}
