import type { ValidationRule } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';

/** Refuses `__schema` and `__type` wherever they appear; `__typename` stays available. */
const noIntrospection: ValidationRule = (context) => ({
  Field(node) {
    const name = node.name.value;
    if (name === '__schema' || name === '__type') {
      context.reportError(
        createGraphQLError(`Introspection is disabled on this gateway: ${name} cannot be queried.`, {
          nodes: [node],
          extensions: { code: 'INTROSPECTION_DISABLED', http: { status: 400, spec: false } },
        }),
      );
    }
  },
});

/**
 * Turns introspection off (INTROSPECTION=false, the default in production): the schema is
 * public in schema.graphql for those who should have it, and a production endpoint need not
 * hand it to whoever asks. A validation rule, so the refusal happens before execution.
 */
export function useDisableIntrospection(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(noIntrospection);
    },
  };
}
