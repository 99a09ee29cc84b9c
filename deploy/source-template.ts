import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load as parseYaml } from 'js-yaml';
import { discoverServices } from './discover';
import { functionKeyOf, functionLogicalIdOf, pascal } from './names';
import { parseParams, type DeployParams } from './params';
import { generate } from './template';

/**
 * The template `serverless package` would write, made in-process in milliseconds, with each function's code
 * pointing at its sources: what the local stack's source mode reads, so that both modes are wired by one reader
 * from one template shape. deploy/template.ts makes the resources; this adds the few osls makes from
 * `functions:` (the function, its EventInvokeConfig, the HTTP API route), in the shapes osls gives them.
 * test/deploy/source-template.test.ts holds it to the packaged template, so the two cannot drift apart.
 */

/** Where a function's code is in source mode: the service folder, in place of osls's S3 bucket and key. */
export const SOURCE_CODE_PROPERTY = 'charterflow:SourceDirectory';

export interface SourceTemplate {
  template: { Resources: Record<string, Cfn>; Outputs: Record<string, Cfn> };
  params: DeployParams;
}

type Cfn = Record<string, unknown>;

/** A function as deploy/template.ts gives it to osls (`functions:` in serverless.yml). */
interface OslsFunction {
  handler: string;
  name: string;
  description?: string;
  role: string;
  environment: Record<string, unknown>;
  runtime?: string;
  memorySize?: number;
  timeout?: number;
  reservedConcurrency?: number;
  maximumRetryAttempts?: number;
  maximumEventAge?: number;
  events?: { httpApi?: { method: string; path: string } }[];
}

interface ServerlessConfig {
  provider: { runtime: string; memorySize?: number; timeout?: number };
  params: Record<string, Record<string, unknown>>;
}

const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/** serverless.yml's own provider defaults and the stage's parameters, read as osls reads them. */
export function serverlessConfig(root = projectRoot): ServerlessConfig {
  return parseYaml(readFileSync(join(root, 'serverless.yml'), 'utf8')) as ServerlessConfig;
}

/** The stage's deploy parameters: serverless.yml's defaults, then its stage block, then the given overrides. */
export function stageParams(stage: string, overrides: Record<string, unknown> = {}, root = projectRoot): DeployParams {
  const { params } = serverlessConfig(root);
  return parseParams({ ...params.default, ...params[stage], ...overrides });
}

export async function sourceTemplate(stage: string, params: DeployParams, root = projectRoot): Promise<SourceTemplate> {
  const { provider } = serverlessConfig(root);
  const generated = await generate(stage, params, root);
  const Resources: Record<string, Cfn> = { ...(generated.resources.Resources as Record<string, Cfn>) };
  const extensions = generated.resources.extensions as Record<string, { Properties?: Cfn }>;

  for (const service of await discoverServices(root)) {
    const fn = generated.functions[functionKeyOf(service.name)] as OslsFunction;
    const logicalId = functionLogicalIdOf(service.name);
    Resources[logicalId] = {
      Type: 'AWS::Lambda::Function',
      Properties: {
        Code: { [SOURCE_CODE_PROPERTY]: service.dir },
        Handler: fn.handler,
        Runtime: fn.runtime ?? provider.runtime,
        FunctionName: fn.name,
        MemorySize: fn.memorySize ?? provider.memorySize ?? 1024,
        Timeout: fn.timeout ?? provider.timeout ?? 6,
        Description: fn.description,
        Environment: { Variables: fn.environment },
        Role: { 'Fn::GetAtt': [fn.role, 'Arn'] },
        ...(fn.reservedConcurrency !== undefined ? { ReservedConcurrentExecutions: fn.reservedConcurrency } : {}),
        ...extensions[logicalId]?.Properties,
      },
    };
    if (fn.maximumRetryAttempts !== undefined || fn.maximumEventAge !== undefined) {
      Resources[`${pascal(service.name)}LambdaEvConf`] = {
        Type: 'AWS::Lambda::EventInvokeConfig',
        Properties: {
          FunctionName: { Ref: logicalId },
          Qualifier: '$LATEST',
          ...(fn.maximumEventAge !== undefined ? { MaximumEventAgeInSeconds: fn.maximumEventAge } : {}),
          ...(fn.maximumRetryAttempts !== undefined ? { MaximumRetryAttempts: fn.maximumRetryAttempts } : {}),
        },
      };
    }
    for (const { httpApi } of fn.events ?? []) {
      if (!httpApi) continue;
      Resources.HttpApi ??= {
        Type: 'AWS::ApiGatewayV2::Api',
        Properties: { Name: `${stage}-charterflow`, ProtocolType: 'HTTP' },
      };
      const integration = `HttpApiIntegration${pascal(service.name)}`;
      Resources[integration] = {
        Type: 'AWS::ApiGatewayV2::Integration',
        Properties: {
          ApiId: { Ref: 'HttpApi' },
          IntegrationType: 'AWS_PROXY',
          IntegrationUri: { 'Fn::GetAtt': [logicalId, 'Arn'] },
          PayloadFormatVersion: '2.0',
          TimeoutInMillis: 30_000,
        },
      };
      const method = httpApi.method.toUpperCase();
      Resources[`HttpApiRoute${pascal(method.toLowerCase())}${pascal(httpApi.path)}`] = {
        Type: 'AWS::ApiGatewayV2::Route',
        Properties: {
          ApiId: { Ref: 'HttpApi' },
          RouteKey: `${method} ${httpApi.path}`,
          Target: { 'Fn::Join': ['/', ['integrations', { Ref: integration }]] },
        },
      };
    }
  }
  return { template: { Resources, Outputs: generated.resources.Outputs as Record<string, Cfn> }, params };
}
