import { PothosValidationError } from '@pothos/core';
import { complexityFromQuery } from '@pothos/plugin-complexity';
import {
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type OperationDefinitionNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { limitError } from './use-query-limits.js';

/**
 * What an operation would cost, from the weights the schema gives its fields
 * (src/schema/cost.ts), or null when it cannot be measured here (variables that do not
 * coerce, an unknown operation name): execution then reports that problem itself. Without an
 * operation name, the costliest operation of the document.
 *
 * Computed straight from the selected operation and the fragments (Pothos's
 * complexityFromQuery) rather than as a validation rule run by validate(): the document has
 * already been validated, and a second full validation pass with its TypeInfo walk over every
 * node cost more than the rest of a small query's execution.
 */
export function operationCost(args: ExecutionArgs): number | null {
  const operations: OperationDefinitionNode[] = [];
  const fragments: FragmentDefinitionNode[] = [];
  for (const definition of args.document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.push(definition);
    else if (
      definition.kind === Kind.OPERATION_DEFINITION &&
      (args.operationName == null || definition.name?.value === args.operationName)
    ) {
      operations.push(definition);
    }
  }
  let cost: number | null = null;
  for (const operation of operations) {
    const document: DocumentNode = { kind: Kind.DOCUMENT, definitions: [operation, ...fragments] };
    try {
      const result = complexityFromQuery(document, {
        schema: args.schema,
        variables: (args.variableValues ?? {}) as Record<string, unknown>,
        ctx: args.contextValue as object,
      });
      cost = Math.max(cost ?? 0, result.complexity);
    } catch (error) {
      // Variables that do not coerce, or a shape Pothos cannot measure: not this plugin's to report.
      if (!(error instanceof GraphQLError) && !(error instanceof PothosValidationError)) throw error;
    }
  }
  return cost;
}

/** Most variable sets remembered per document; beyond, the document's memory starts over. */
const COSTS_PER_DOCUMENT = 64;
/** Variables longer than this as JSON are measured every time rather than remembered. */
const MAX_KEY_LENGTH = 1024;
/** Costs by document (yoga's parse cache hands the same object for the same text), then by operation name and variables. */
const costs = new WeakMap<DocumentNode, Map<string, number | null>>();

/**
 * operationCost, remembered: the weights (src/schema/cost.ts) read only the arguments, so a
 * document with the same operation name and variables always costs the same. The measure
 * walks the whole selection (~25 µs for ListVideos); the lookup is a JSON.stringify of the
 * variables.
 */
function cachedCost(args: ExecutionArgs): number | null {
  let key: string | undefined;
  try {
    key = `${args.operationName ?? ''}\u0000${JSON.stringify(args.variableValues ?? {})}`;
  } catch {
    // Variables JSON cannot hold (an upload's stream): measured every time.
  }
  if (key === undefined || key.length > MAX_KEY_LENGTH) return operationCost(args);
  let known = costs.get(args.document);
  const hit = known?.get(key);
  if (hit !== undefined) return hit;
  const cost = operationCost(args);
  if (known === undefined) {
    known = new Map();
    costs.set(args.document, known);
  } else if (known.size >= COSTS_PER_DOCUMENT) known.clear();
  known.set(key, cost);
  return cost;
}

/**
 * Refuses an operation whose cost exceeds `maxCost`, after validation and before the first
 * resolver runs, so a refused operation makes no upstream call.
 *
 * Measured at execution rather than as a validation rule because the cost depends on the
 * variables (`videos(first: $first)`), and yoga caches validation results by document alone.
 * Each operation of a batched request is measured on its own.
 */
export function useCostLimit(maxCost: number): Plugin {
  const check = (args: ExecutionArgs, refuse: (result: ExecutionResult) => void) => {
    const cost = cachedCost(args);
    if (cost !== null && cost > maxCost) {
      refuse({
        errors: [
          limitError(
            `Query cost ${cost} exceeds the maximum of ${maxCost}.`,
            'QUERY_TOO_COSTLY',
            cost,
            maxCost,
          ),
        ],
      });
    }
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
