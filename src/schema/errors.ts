import { GraphQLError } from 'graphql';
import { builder } from '../builder.js';
import {
  AccountDisabledError,
  DuplicateRequestError,
  GatewayError,
  InvalidParameterError,
  RateLimitedError,
  UnauthorizedError,
  UpstreamError,
  VideoNotFoundError,
} from '../mavi/errors.js';

export const ErrorInterface = builder.interfaceRef<GatewayError>('Error').implement({
  description: 'Every failure a client can receive as data.',
  // Each error class names itself after its GraphQL type; result unions resolve through the
  // errors plugin, but a field typed with the interface itself (DeleteVideosPayload.failure) needs this.
  resolveType: (error) => error.name,
  fields: (t) => ({
    message: t.exposeString('message'),
    code: t.exposeString('code', {
      description:
        'MAVI\'s four-digit response code ("0429"), or a gateway code for failures MAVI did not answer.',
    }),
    retryable: t.exposeBoolean('retryable', {
      description: 'True when the same request may succeed if sent again later.',
    }),
  }),
});

builder.objectType(InvalidParameterError, {
  name: 'InvalidParameterError',
  description: '0001: a parameter is incorrect (also raised by the gateway before calling MAVI).',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    field: t.exposeString('field', {
      nullable: true,
      description: 'The argument at fault, as a path such as `first` or `input.history[0].user`, when known.',
    }),
  }),
});

builder.objectType(UnauthorizedError, {
  name: 'UnauthorizedError',
  description: '0401: authorization missing, invalid or expired.',
  interfaces: [ErrorInterface],
});

builder.objectType(AccountDisabledError, {
  name: 'AccountDisabledError',
  description: '0403: the developer account has been disabled.',
  interfaces: [ErrorInterface],
});

builder.objectType(DuplicateRequestError, {
  name: 'DuplicateRequestError',
  description: '0409: a duplicate request is not allowed (for example deleting a video twice).',
  interfaces: [ErrorInterface],
});

builder.objectType(RateLimitedError, {
  name: 'RateLimitedError',
  description: '0429: too many requests for this credential, or MAVI is under high load.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    retryAfterSeconds: t.exposeInt('retryAfterSeconds', {
      nullable: true,
      description: 'Seconds to wait before retrying, when known.',
    }),
  }),
});

builder.objectType(UpstreamError, {
  name: 'UpstreamError',
  description:
    'MAVI could not be reached, timed out, or answered something that is not the documented envelope, or a code this gateway does not know.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    httpStatus: t.exposeInt('httpStatus', {
      nullable: true,
      description: 'The HTTP status MAVI answered, if any.',
    }),
    upstreamCode: t.exposeString('upstreamCode', {
      nullable: true,
      description: "MAVI's response code as received, if the body carried one.",
    }),
  }),
});

builder.objectType(VideoNotFoundError, {
  name: 'VideoNotFoundError',
  description: 'No video with this videoNo is visible to this credential.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ videoNo: t.exposeID('videoNo') }),
});

/**
 * The fields each error type adds to Error's, as GraphQL error extensions: what a client of
 * a field without a result union (Viewer.videos, node) reads instead of the member's fields.
 */
const EXTRA_FIELDS = ['retryAfterSeconds', 'field', 'httpStatus', 'upstreamCode', 'videoNo'] as const;

/**
 * A failure of a field that has no result union, as a GraphQL error: same message, and in
 * `extensions` the same code, retryable and type name (the member it would have been) as the
 * union members carry, plus the member's own fields when set. Yoga passes a GraphQLError
 * through its masking; anything that is not a GatewayError is rethrown as it is, and masked.
 */
export function rethrowAsGraphQLError(error: unknown): never {
  if (!(error instanceof GatewayError)) throw error;
  const extensions: Record<string, unknown> = {
    code: error.code,
    retryable: error.retryable,
    type: error.name,
  };
  for (const key of EXTRA_FIELDS) {
    const value = (error as unknown as Record<string, unknown>)[key];
    if (value !== undefined && value !== null) extensions[key] = value;
  }
  throw new GraphQLError(error.message, { extensions });
}
