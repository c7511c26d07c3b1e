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
    const cost = operationCost(args);
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
