import { getNamedType, isObjectType } from 'graphql';

/**
 * A GraphQL Code Generator plugin: the `keys` config urql Graphcache needs besides the schema.
 * Graphcache keys an object by its `id` (Video, through Node); every other object type (result
 * union members, connections, edges, errors) has no identity of its own and is stored inside its
 * parent, which Graphcache must be told with a key function that returns null, else it warns
 * "no key could be generated" for each of them. Generated from the schema, so a new type
 * without an id cannot be forgotten.
 */
export const plugin = (schema) => {
  const roots = new Set(
    [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]
      .filter(Boolean)
      .map((t) => t.name),
  );
  const embedded = Object.values(schema.getTypeMap())
    .filter((t) => isObjectType(t) && !t.name.startsWith('__') && !roots.has(t.name))
    .filter((t) => !t.getFields().id || getNamedType(t.getFields().id.type).name !== 'ID')
    .map((t) => t.name)
    .sort();
  return {
    prepend: ["import type { KeyingConfig } from '@urql/exchange-graphcache';"],
    content: [
      '',
      '/** Graphcache keys: types without an id are embedded in their parent (no key, no warning). */',
      'export const keys: KeyingConfig = {',
      ...embedded.map((name) => `  ${name}: () => null,`),
      '};',
      '',
    ].join('\n'),
  };
};
