import { createComplexityRule } from '@pothos/plugin-complexity';
import { type ExecutionArgs, type ExecutionResult, validate } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { limitError } from './use-query-limits.js';

/**
 * What an operation would cost, from the weights the schema gives its fields
 * (src/schema/cost.ts), or null when it cannot be measured here (variables that do not
 * coerce, an unknown operation name): execution then reports that problem itself.
 */
export function operationCost(args: ExecutionArgs): number | null {
  let cost: number | null = null;
  const rule = createComplexityRule({
    context: args.contextValue as object,
    variableValues: (args.variableValues ?? {}) as Record<string, unknown>,
    operationName: args.operationName ?? null,
    // Measure only; the limit is checked below, with our own error.
    validate: () => {},
    onResult: (result) => {
      cost = Math.max(cost ?? 0, result.complexity);
    },
  });
  validate(args.schema, args.document, [rule]);
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
