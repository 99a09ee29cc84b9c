import { describe, expect, it } from 'vitest';
import { checkTemplate } from './cfn-spec';

const queue = (Properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  Resources: { Queue: { Type: 'AWS::SQS::Queue', Properties, ...extra } },
});

describe('the template check against the CloudFormation specification', () => {
  it('accepts properties of the right types, and intrinsic functions wherever a value goes', () => {
    expect(
      checkTemplate(queue({ QueueName: 'q', MessageRetentionPeriod: 1_209_600, SqsManagedSseEnabled: true })),
    ).toEqual([]);
    expect(
      checkTemplate(
        queue({ QueueName: { 'Fn::Sub': '${AWS::StackName}-q' }, MessageRetentionPeriod: { Ref: 'Retention' } }),
      ),
    ).toEqual([]);
  });

  it.each([
    [{ QueueNmae: 'q' }, 'Queue (AWS::SQS::Queue).QueueNmae: no such property on AWS::SQS::Queue'],
    [
      { MessageRetentionPeriod: 'two weeks' },
      'Queue (AWS::SQS::Queue).MessageRetentionPeriod: should be an Integer, got "two weeks"',
    ],
    [{ SqsManagedSseEnabled: 'yes' }, 'Queue (AWS::SQS::Queue).SqsManagedSseEnabled: should be a Boolean, got "yes"'],
    [{ QueueName: ['a'] }, 'Queue (AWS::SQS::Queue).QueueName: should be a String, got ["a"]'],
    [{ Tags: { Key: 'a', Value: 'b' } }, 'Queue (AWS::SQS::Queue).Tags: should be a list'],
    [{ Tags: [{ Key: 'a' }] }, 'Queue (AWS::SQS::Queue).Tags[0]: required property Value is missing'],
  ])('reports %j as: %s', (properties, problem) => {
    expect(checkTemplate(queue(properties))).toEqual([problem]);
  });

  it('reports an unknown resource type, a missing required property and an unknown resource attribute', () => {
    expect(checkTemplate({ Resources: { Bus: { Type: 'AWS::Events::EventBuss', Properties: {} } } })).toEqual([
      'Bus: no resource type AWS::Events::EventBuss in the specification',
    ]);
    expect(checkTemplate({ Resources: { Bus: { Type: 'AWS::Events::EventBus', Properties: {} } } })).toEqual([
      'Bus (AWS::Events::EventBus): required property Name is missing',
    ]);
    expect(checkTemplate(queue({}, { DeletePolicy: 'Retain' }))).toEqual([
      'Queue: DeletePolicy is not a resource attribute',
    ]);
  });

  it('checks nested property types and maps all the way down', () => {
    const rule = (target: Record<string, unknown>) => ({
      Resources: { Rule: { Type: 'AWS::Events::Rule', Properties: { Targets: [{ Id: 'a', Arn: 'arn', ...target }] } } },
    });
    expect(checkTemplate(rule({ RetryPolicy: { MaximumRetryAttempts: 2 } }))).toEqual([]);
    expect(checkTemplate(rule({ RetryPolicy: { MaximumRetryAttempts: 'twice' } }))).toEqual([
      'Rule (AWS::Events::Rule).Targets[0].RetryPolicy.MaximumRetryAttempts: should be an Integer, got "twice"',
    ]);
    const fn = (Variables: unknown) => ({
      Resources: {
        Fn: { Type: 'AWS::Lambda::Function', Properties: { Code: {}, Role: 'r', Environment: { Variables } } },
      },
    });
    expect(checkTemplate(fn({ A: 'x', B: { Ref: 'EventBus' } }))).toEqual([]);
    expect(checkTemplate(fn({ A: { nested: 'x' } }))).toEqual([
      'Fn (AWS::Lambda::Function).Environment.Variables.A: should be a String, got {"nested":"x"}',
    ]);
  });
});
