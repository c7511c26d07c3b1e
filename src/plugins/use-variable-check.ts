/**
 * A check of an operation's variables, written here rather than left to graphql-js because of
 * what graphql-js does with a wide value (measured on this gateway, graphql 16.15):
 *
 * - every variable error quotes the whole offending value (`got invalid value { v0: 0, v1: 1,
 *   … }`), and an unknown field makes one error per field, so an object of n unknown fields
 *   costs n × n: 4,000 fields of a VideoFilter took 5.7-6.8 s of CPU and answered 2.5 MB
 *   (Pothos's complexityFromQuery, which the cost limit runs, asks for every error;
 *   graphql-tools' executor stops at 50, still 50 copies of the value);
 * - a built-in scalar or an enum given an object quotes it too (`ID cannot represent value:
 *   {…}`): 65-75 ms for 10,000 fields, half a second for the 70,000 a 1 MiB body holds.
 *
 * The walk below follows graphql-js's coercion rules and words, but stops at the tenth error
 * and describes a value by its kind and size instead of printing it, so an invalid request
 * costs time linear in its size and answers a bounded list of errors. A valid one passes
 * unchanged; execution then coerces it as usual (cheaply: nothing to report).
 */
import {
  type ExecutionArgs,
  type ExecutionResult,
  GraphQLError,
  type GraphQLInputType,
  getOperationAST,
  isEnumType,
  isInputObjectType,
  isInputType,
  isListType,
  isNonNullType,
  isSpecifiedScalarType,
  typeFromAST,
  type VariableDefinitionNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Most variable errors one operation reports; the first ones say what is wrong. */
export const MAX_VARIABLE_ERRORS = 10;
/** Longest part of an inner message (a scalar's own words, which may quote the value) kept. */
const MAX_DETAIL_LENGTH = 200;
/** What graphql-tools' executor marks variable errors with: the request is at fault (HTTP 400). */
const BAD_INPUT = { code: 'BAD_USER_INPUT', http: { status: 400 } } as const;

/** Thrown from the walk once enough errors are known. */
class Enough extends Error {}

/** A value as a bounded phrase: its kind and size, never more than a few characters of it. */
export function preview(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `a list of ${value.length} items`;
  if (typeof value === 'object') return `an object with ${Object.keys(value).length} fields`;
  if (typeof value === 'string') {
    return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  }
  return String(value).slice(0, 40);
}

function bounded(message: string): string {
  return message.length > MAX_DETAIL_LENGTH ? `${message.slice(0, MAX_DETAIL_LENGTH)}…` : message;
}

type Path = readonly (string | number)[];

/** One variable's value against its type, reporting into the operation's list of errors. */
class Walk {
  constructor(
    private readonly name: string,
    private readonly node: VariableDefinitionNode,
    private readonly maxErrors: number,
    private readonly errors: GraphQLError[],
  ) {}

  /** The last value described: an object with many unknown fields is described once, not per field. */
  #described: { value: unknown; text: string } | null = null;

  #preview(value: unknown): string {
    const last = this.#described;
    if (last && last.value === value) return last.text;
    const text = preview(value);
    this.#described = { value, text };
    return text;
  }

  report(message: string, path: Path, value: unknown, originalError?: unknown): void {
    let at = '';
    if (path.length > 0) {
      at = ` at "${this.name}`;
      for (const key of path) at += typeof key === 'number' ? `[${key}]` : `.${key}`;
      at += '"';
    }
    this.errors.push(
      new GraphQLError(
        `Variable "$${this.name}" got invalid value ${this.#preview(value)}${at}; ${message}`,
        {
          nodes: this.node,
          extensions: BAD_INPUT,
          ...(originalError instanceof Error ? { originalError } : {}),
        },
      ),
    );
    if (this.errors.length >= this.maxErrors) throw new Enough();
  }

  value(value: unknown, type: GraphQLInputType, path: Path): void {
    if (isNonNullType(type)) {
      if (value == null) {
        this.report(`Expected non-nullable type "${type}" not to be null.`, path, value);
        return;
      }
      this.value(value, type.ofType, path);
      return;
    }
    if (value == null) return;
    if (isListType(type)) {
      // A single value stands for a list of one, as in graphql-js.
      if (!Array.isArray(value)) {
        this.value(value, type.ofType, path);
        return;
      }
      for (let i = 0; i < value.length; i++) this.value(value[i], type.ofType, [...path, i]);
      return;
    }
    if (isInputObjectType(type)) {
      if (typeof value !== 'object' || Array.isArray(value)) {
        this.report(`Expected type "${type.name}" to be an object.`, path, value);
        return;
      }
      const fields = type.getFields();
      const given = value as Record<string, unknown>;
      for (const field of Object.values(fields)) {
        const fieldValue = given[field.name];
        if (!Object.hasOwn(given, field.name)) {
          if (field.defaultValue === undefined && isNonNullType(field.type)) {
            this.report(
              `Field "${field.name}" of required type "${field.type}" was not provided.`,
              path,
              value,
            );
          }
          continue;
        }
        this.value(fieldValue, field.type, [...path, field.name]);
      }
      for (const key in given) {
        if (!Object.hasOwn(fields, key)) {
          this.report(`Field "${bounded(key)}" is not defined by type "${type.name}".`, path, value);
        }
      }
      return;
    }
    // A leaf. Built-in scalars and enums take no objects, and would quote a whole one.
    if (typeof value === 'object' && (isEnumType(type) || isSpecifiedScalarType(type))) {
      this.report(`Expected type "${type.name}"; got ${preview(value)}.`, path, value);
      return;
    }
    if (isEnumType(type) && typeof value !== 'string') {
      this.report(`Enum "${type.name}" cannot represent non-string value: ${preview(value)}.`, path, value);
      return;
    }
    let parsed: unknown;
    try {
      parsed = type.parseValue(value);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.report(
        bounded(error instanceof GraphQLError ? message : `Expected type "${type.name}". ${message}`),
        path,
        value,
        error,
      );
      return;
    }
    if (parsed === undefined) this.report(`Expected type "${type.name}".`, path, value);
  }
}

/**
 * The errors of an operation's variables, at most `maxErrors` of them (plus one saying the rest
 * were not reported), each of bounded length. Empty when the variables are valid.
 */
export function variableErrors(
  schema: ExecutionArgs['schema'],
  definitions: readonly VariableDefinitionNode[],
  inputs: Record<string, unknown> | null | undefined,
  maxErrors = MAX_VARIABLE_ERRORS,
): GraphQLError[] {
  const errors: GraphQLError[] = [];
  const values = inputs ?? {};
  try {
    for (const definition of definitions) {
      const name = definition.variable.name.value;
      const type = typeFromAST(schema, definition.type);
      // Validation has refused unknown and non-input types already.
      if (!type || !isInputType(type)) continue;
      const walk = new Walk(name, definition, maxErrors, errors);
      if (!Object.hasOwn(values, name)) {
        if (!definition.defaultValue && isNonNullType(type)) {
          errors.push(
            new GraphQLError(`Variable "$${name}" of required type "${type}" was not provided.`, {
              nodes: definition,
              extensions: BAD_INPUT,
            }),
          );
          if (errors.length >= maxErrors) throw new Enough();
        }
        continue;
      }
      const value = values[name];
      if (value === null && isNonNullType(type)) {
        errors.push(
          new GraphQLError(`Variable "$${name}" of non-null type "${type}" must not be null.`, {
            nodes: definition,
            extensions: BAD_INPUT,
          }),
        );
        if (errors.length >= maxErrors) throw new Enough();
        continue;
      }
      walk.value(value, type, []);
    }
  } catch (error) {
    if (!(error instanceof Enough)) throw error;
    errors.push(
      new GraphQLError(
        `Too many errors in the variables: only the first ${maxErrors} are reported. Execution aborted.`,
        { extensions: BAD_INPUT },
      ),
    );
  }
  return errors;
}

/**
 * Checks the variables of each operation before anything else looks at them (the cost limit,
 * graphql-jit, graphql-js), so invalid variables cost time linear in their size and answer a
 * bounded list of errors.
 */
export function useVariableCheck(): Plugin {
  const check = (args: ExecutionArgs, refuse: (result: ExecutionResult) => void) => {
    const operation = getOperationAST(args.document, args.operationName);
    if (!operation?.variableDefinitions?.length) return;
    const errors = variableErrors(
      args.schema,
      operation.variableDefinitions,
      args.variableValues as Record<string, unknown> | null | undefined,
    );
    if (errors.length > 0) refuse({ errors });
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      check(args, setResultAndStopExecution);
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      check(args, setResultAndStopExecution);
    },
  };
}
