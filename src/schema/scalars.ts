import { GraphQLError, Kind } from 'graphql';
import { builder } from '../builder.js';
import { IncomingUpload } from '../uploads.js';

/** ISO-8601 with a time zone, as produced by Date#toISOString, or a bare date. */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;

function parseDateTime(value: unknown): Date {
  if (typeof value !== 'string' || !ISO_8601.test(value)) {
    throw new GraphQLError(
      `DateTime must be an ISO-8601 string such as "2025-04-17T15:58:29.814Z"; got ${JSON.stringify(value)?.slice(0, 60)}.`,
    );
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new GraphQLError(`DateTime ${JSON.stringify(value)} is not a real date.`);
  return date;
}

builder.scalarType('DateTime', {
  description:
    'An instant as an ISO-8601 string (MAVI sends epoch-millisecond strings; the gateway converts them).',
  serialize: (value) => (value as Date).toISOString(),
  parseValue: parseDateTime,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be written as a string.');
    return parseDateTime(ast.value);
  },
});

builder.scalarType('File', {
  description:
    'A file sent as a GraphQL multipart request (https://github.com/jaydenseric/graphql-multipart-request-spec).',
  serialize: () => {
    throw new GraphQLError('File is an input-only scalar.');
  },
  parseValue: (value) => {
    if (value instanceof IncomingUpload || value instanceof File) return value;
    throw new GraphQLError(
      'File must be sent as a part of a multipart request (GraphQL multipart request spec).',
    );
  },
  parseLiteral: () => {
    throw new GraphQLError('File cannot be written inline; send it as a multipart request variable.');
  },
});
