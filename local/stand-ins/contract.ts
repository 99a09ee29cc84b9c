import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import addFormats from 'ajv-formats';
import OpenAPIBackend, { type Document } from 'openapi-backend';

/**
 * The contract a stand-in keeps: the OpenAPI document of the API as charterflow uses it
 * (schemas/openapi/<name>.yaml, the one the operator sets the real JADA or SCC beside). openapi-backend does the
 * matching and the JSON Schema checks (framework-agnostic, so it fits the stand-ins' plain node:http); this
 * module turns its findings into sentences that name the operation and the field.
 */

export type ContractName = 'jada-calendar' | 'scc';

export interface ContractRequest {
  method: string;
  /** Relative to the API's base path (SCC's /prod stage is not part of it). */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface Contract {
  name: ContractName;
  /** Where the document lives in the repository, for messages. */
  file: string;
  /** The document as JSON (what GET /openapi.json serves). */
  document: Document;
  /** Every operation: its id, method and path template (`/entries/{entryId}`). */
  operations: { operationId: string; method: string; path: string }[];
  /** The operation a request is for, by method and path; undefined when the document has none. */
  operationOf(method: string, path: string): string | undefined;
  /** What is wrong with a request for the contract: empty when it matches an operation in every part. */
  requestProblems(request: ContractRequest): string[];
  /** What is wrong with an answer to an operation: a status the operation does not list, or a body off its schema. */
  responseProblems(operationId: string, status: number, body: unknown): string[];
}

const documentUrl = (name: ContractName) => new URL(`../../schemas/openapi/${name}.yaml`, import.meta.url);

/** The document as written (YAML), parsed. */
export function contractDocument(name: ContractName): Document {
  return load(readFileSync(documentUrl(name), 'utf8')) as Document;
}

const loaded = new Map<ContractName, Promise<Contract>>();

/** The contract of one API, read and compiled once per process. */
export function loadContract(name: ContractName): Promise<Contract> {
  let contract = loaded.get(name);
  if (!contract) {
    contract = compile(name);
    loaded.set(name, contract);
  }
  return contract;
}

async function compile(name: ContractName): Promise<Contract> {
  const file = `schemas/openapi/${name}.yaml`;
  const document = contractDocument(name);
  const api = new OpenAPIBackend({
    definition: structuredClone(document),
    // Quick: no second check of the document at every start (the test of the documents checks them as 3.1),
    // validators compiled at first use. A stand-in starts in milliseconds instead of seconds.
    quick: true,
    strict: true,
    // Every problem at once, so a 400 names every field that is wrong.
    ajvOpts: { allErrors: true },
    // RFC 3339 date-times and the like, as the documents' `format`s say.
    customizeAjv: (ajv) => addFormats(ajv),
  });
  await api.init();
  const operations = api.getOperations().map((op) => ({
    operationId: op.operationId ?? `${op.method.toUpperCase()} ${op.path}`,
    method: op.method.toUpperCase(),
    path: op.path,
  }));

  function operationOf(method: string, path: string): string | undefined {
    return api.matchOperation({ method, path, headers: {} })?.operationId;
  }

  return {
    name,
    file,
    document,
    operations,
    operationOf,
    requestProblems(request) {
      const operationId = operationOf(request.method, request.path);
      if (!operationId) return [`${request.method} ${request.path} is not an operation of ${file}`];
      const result = api.validateRequest(
        {
          method: request.method,
          path: request.path,
          query: Object.fromEntries(request.query),
          headers: Object.fromEntries(
            Object.entries(request.headers).filter((entry): entry is [string, string | string[]] => !!entry[1]),
          ),
          body: request.body,
        },
        operationId,
      );
      return (result.errors ?? []).map((error) => sentence(error));
    },
    responseProblems(operationId, status, body) {
      const operation = api.getOperation(operationId);
      if (!operation) return [`${operationId} is not an operation of ${file}`];
      const listed = Object.keys(operation.responses ?? {});
      if (!listed.includes(String(status)) && !listed.includes(`${Math.floor(status / 100)}XX`)) {
        return [`status ${status} is not one it lists (${listed.join(', ')})`];
      }
      const result = api.validateResponse(body, operationId, status);
      return (result.errors ?? []).map((error) => sentence(error, `response ${status}`));
    },
  };
}

interface AjvError {
  instancePath: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** One ajv finding as a sentence: the field by its path (`requestBody.pricing.currency`) and what is wrong with it. */
function sentence(error: AjvError, root = ''): string {
  const path = [root, ...error.instancePath.split('/').filter(Boolean)].filter(Boolean);
  const { missingProperty, additionalProperty, allowedValues } = error.params ?? {};
  if (typeof missingProperty === 'string') return `${[...path, missingProperty].join('.')} is required`;
  if (typeof additionalProperty === 'string')
    return `${[...path, additionalProperty].join('.')} is not in the contract`;
  const where = path.join('.') || 'request';
  if (Array.isArray(allowedValues)) return `${where} must be one of ${allowedValues.join(', ')}`;
  return `${where} ${error.message ?? 'is invalid'}`;
}
