import { safeParse, type $ZodType, type output } from 'zod/v4/core';

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

/** zod's issues (classic or mini: one core) as ours. */
export function issuesOf(error: {
  issues: readonly { path: readonly PropertyKey[]; message: string }[];
}): ContractIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

/**
 * Parse `value` with `schema`, or throw a ContractViolation naming `subject` and each bad field. Takes zod's
 * classic schemas and the zod/mini ones of shared/contract-validators.generated.ts (what the Lambdas load).
 */
export function parseOrThrow<S extends $ZodType>(schema: S, value: unknown, subject: string): output<S> {
  const result = safeParse(schema, value);
  if (!result.success) throw new ContractViolation(subject, issuesOf(result.error));
  return result.data;
}
