import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import type { Context } from './context.js';
import { UPSTREAM_ERROR_CLASSES } from './mavi/errors.js';
import type { IncomingUpload } from './uploads.js';

/**
 * The schema builder and the root types. Domain types live in schema/, one file per domain.
 *
 * Every field that declares `errors` returns a result union of its success type and these
 * default error types: any MAVI endpoint can answer any of MAVI's codes, so every operation
 * can produce every one of them.
 */
export const builder = new SchemaBuilder<{
  Context: Context;
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    File: { Input: IncomingUpload | File; Output: never };
  };
}>({
  // Errors first: it turns each field's type into a result union before Complexity reads the
  // type, so a list's multiplier applies once, at the union's `data`, not twice.
  // Complexity only records weights here; useCostLimit enforces them before execution.
  plugins: [ErrorsPlugin, ComplexityPlugin, RelayPlugin],
  // Fields are non-null unless they say otherwise, as in the contract.
  defaultFieldNullability: false,
  errors: { defaultTypes: [...UPSTREAM_ERROR_CLASSES] },
  relay: {
    cursorType: 'String',
    clientMutationId: 'omit',
    // schema/node.ts defines node and nodes itself: through the video loader, and null (not an
    // error) for a malformed ID.
    nodeTypeOptions: { description: 'Relay global object identification.' },
    nodeQueryOptions: false,
    nodesQueryOptions: false,
  },
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
