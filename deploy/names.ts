/** CloudFormation logical ids and osls function keys, from a service's folder name. */

export const pascal = (name: string) =>
  name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');

/** Our function keys are camelCase, so osls's logical ids stay readable (it spells '-' as 'Dash'). */
export const functionKeyOf = (name: string) => name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** The logical id osls gives a function's AWS::Lambda::Function. */
export const functionLogicalIdOf = (name: string) => `${pascal(name)}LambdaFunction`;

export const consumerLogicalIds = (name: string) => ({
  function: functionLogicalIdOf(name),
  role: `${pascal(name)}Role`,
  rule: `${pascal(name)}Rule`,
  permission: `${pascal(name)}RulePermission`,
  deadLetterQueue: `${pascal(name)}DeadLetterQueue`,
  deadLetterQueuePolicy: `${pascal(name)}DeadLetterQueuePolicy`,
  deadLetterAlarm: `${pascal(name)}DeadLetterAlarm`,
});

export const ownTableLogicalId = (service: string, table: string) => `${pascal(service)}${pascal(table)}Table`;
