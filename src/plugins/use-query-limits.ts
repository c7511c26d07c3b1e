import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import type { GraphQLError, ValidationContext } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';

export interface QueryShapeLimits {
  /** Deepest nesting of fields, fragments flattened (they add no depth of data). */
  depth: number;
  /** Most aliases in one operation (`__typename` aliases are free). */
  aliases: number;
  /** Most directives in one operation. */
  directives: number;
  /** Most lexical tokens in one document: bounds the parser's and validator's work. */
  tokens: number;
}

/**
 * The GraphQL error every refused request gets: HTTP 400 whatever the Accept header (the
 * query is not wrong, it is too big for this gateway), a code to branch on, and the numbers.
 * `spec: false` keeps yoga from answering 200 to application/json clients as it does for
 * ordinary validation errors.
 */
export function limitError(
  message: string,
  code: string,
  actual: number | null,
  maximum: number,
): GraphQLError {
  return createGraphQLError(message, {
    extensions: {
      code,
      limit: { maximum, ...(actual === null ? {} : { actual }) },
      http: { status: 400, spec: false },
    },
  });
}

/** GraphQL Armor reports "..., found 14." in its own wording; the number is all we keep. */
function found(error: GraphQLError): number | null {
  const match = /found (\d+)/.exec(error.message);
  return match ? Number(match[1]) : null;
}

/** Armor's rules throw by default; these report our own error on the validation context instead. */
function reporting(describe: (actual: number | null) => GraphQLError) {
  return {
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) => {
        context?.reportError(describe(found(error)));
      },
    ],
  };
}

function exceeds(what: string, actual: number | null, maximum: number): string {
  return actual === null
    ? `${what} exceeds the maximum of ${maximum}.`
    : `${what} ${actual} exceeds the maximum of ${maximum}.`;
}

/**
 * Refuses documents whose shape alone makes them expensive, before anything runs: too deep,
 * too many aliases or directives (GraphQL Armor's validation rules), too many tokens (Armor's
 * counting parser, which stops reading at the first token past the limit). A refused query
 * never reaches a resolver, so it never reaches MAVI. What a query would cost upstream is
 * useCostLimit's job.
 */
export function useQueryLimits(limits: QueryShapeLimits): Plugin {
  const armor = [
    maxDepthPlugin({
      n: limits.depth,
      flattenFragments: true,
      ...reporting((actual) =>
        limitError(exceeds('Query depth', actual, limits.depth), 'QUERY_TOO_DEEP', actual, limits.depth),
      ),
    }),
    maxAliasesPlugin({
      n: limits.aliases,
      ...reporting((actual) =>
        limitError(
          exceeds('Alias count', actual, limits.aliases),
          'TOO_MANY_ALIASES',
          actual,
          limits.aliases,
        ),
      ),
    }),
    maxDirectivesPlugin({
      n: limits.directives,
      ...reporting((actual) =>
        limitError(
          exceeds('Directive count', actual, limits.directives),
          'TOO_MANY_DIRECTIVES',
          actual,
          limits.directives,
        ),
      ),
    }),
    maxTokensPlugin({
      n: limits.tokens,
      // Parsing has no validation context to report on: throwing aborts the parse, and yoga
      // answers the thrown GraphQLError. The parser stops at the first token too many, so
      // only the maximum is known.
      onReject: [
        () => {
          throw limitError(
            `Token count exceeds the maximum of ${limits.tokens}.`,
            'TOO_MANY_TOKENS',
            null,
            limits.tokens,
          );
        },
      ],
    }),
  ] as Plugin[];
  return {
    onPluginInit({ addPlugin }) {
      for (const plugin of armor) addPlugin(plugin);
      // Last, so it wraps the counting parser Armor installed.
      addPlugin(parseDepthGuard);
    },
  };
}

/**
 * graphql-js parses recursively: a document nesting a few thousand levels (`[[[[...]]]]`,
 * `{a:{a:...}}`, `{ a { a ...} }`) overflows the stack within the token limit, and the
 * RangeError would be answered as an unexpected error (HTTP 500). It is the client's document
 * that is too deep, so it is refused like the depth limit refuses one.
 */
const parseDepthGuard: Plugin = {
  onParse({ parseFn, setParseFn }) {
    setParseFn((source, options) => {
      try {
        return parseFn(source, options);
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
        throw createGraphQLError('The document is nested too deeply to be parsed.', {
          extensions: { code: 'QUERY_TOO_DEEP', http: { status: 400, spec: false } },
        });
      }
    });
  },
};
