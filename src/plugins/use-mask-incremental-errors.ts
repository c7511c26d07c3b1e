import type { GraphQLError } from 'graphql';
import { handleStreamOrSingleExecutionResult, maskError, type Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import { yogaLogger } from '../logger.js';

type Incremental = { errors?: readonly GraphQLError[] } & Record<string, unknown>;

/**
 * Masks the errors of @defer and @stream payloads as yoga masks a result's top-level errors:
 * an unexpected one becomes "Unexpected error." (logged, scrubbed, as yoga logs those), a
 * GraphQLError stays. Yoga's (envelop's) masking reads only `result.errors`, so an unexpected
 * error thrown inside a deferred fragment went out with its own message, whatever it quoted.
 */
export function useMaskIncrementalErrors(opts: { logger: Logger }): Plugin {
  const log = yogaLogger(opts.logger);
  const mask = (error: GraphQLError): GraphQLError => {
    const masked = maskError(error, 'Unexpected error.', false) as GraphQLError;
    if (masked !== error) log.error(error.originalError ?? error);
    return masked;
  };
  return {
    onExecute() {
      return {
        onExecuteDone(payload) {
          return handleStreamOrSingleExecutionResult(payload, ({ result, setResult }) => {
            const incremental = (result as { incremental?: readonly Incremental[] }).incremental;
            if (!incremental?.some((part) => part.errors?.length)) return;
            setResult({
              ...result,
              incremental: incremental.map((part) =>
                part.errors?.length ? { ...part, errors: part.errors.map(mask) } : part,
              ),
            } as typeof result);
          });
        },
      };
    },
  };
}
