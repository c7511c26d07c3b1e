import { type GraphQLError, NoSchemaIntrospectionCustomRule, type ValidationRule } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';

/** graphql-js's rule, its errors given the gateway's code and an HTTP 400 whatever the Accept header. */
const noIntrospection: ValidationRule = (context) =>
  NoSchemaIntrospectionCustomRule(
    Object.create(context, {
      reportError: {
        value: (error: GraphQLError) =>
          context.reportError(
            createGraphQLError(error.message, {
              nodes: error.nodes,
              extensions: { code: 'INTROSPECTION_DISABLED', http: { status: 400, spec: false } },
            }),
          ),
      },
    }),
  );

/**
 * Turns introspection off (INTROSPECTION=false, the default in production): the schema is
 * public in schema.graphql for those who should have it, and a production endpoint need not
 * hand it to whoever asks. graphql-js's NoSchemaIntrospectionCustomRule refuses any field of an
 * introspection type (`__schema`, `__type`, wherever they hide), before execution; `__typename`
 * stays available.
 */
export function useDisableIntrospection(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(noIntrospection);
    },
  };
}
