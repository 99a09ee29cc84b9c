import type { z } from 'zod';

export interface ContractIssue {
  path: string;
  message: string;
}

/** A value broke the contract. The message names every offending field, so a DLQ entry says what to fix. */
export class ContractViolation extends Error {
  override readonly name = 'ContractViolation';
  constructor(
    readonly subject: string,
    readonly issues: ContractIssue[],
  ) {
    super(`${subject} is invalid: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`);
  }
}

export function issuesOf(error: z.ZodError): ContractIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

/** Parse `value` with `schema`, or throw a ContractViolation naming `subject` and each bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, subject: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ContractViolation(subject, issuesOf(result.error));
  return result.data;
}
