import { readFileSync } from 'node:fs';
import { generate } from '@graphql-codegen/cli';
import {
  type GraphQLNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  isUnionType,
  Kind,
  parse,
  print,
  printSchema,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import codegenConfig from '../codegen.js';
import { schema, sortedSchema } from '../src/schema/index.js';

const root = new URL('../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

describe('schema.graphql', () => {
  it('is the sorted print of the Pothos schema (run `npm run schema:print` when this fails)', () => {
    expect(read('schema.graphql')).toBe(`${printSchema(sortedSchema)}\n`);
  });
});

describe('the public contract (test/fixtures/contract.graphql, binding names)', () => {
  // The contract names its result unions only in comments, so it is read as an AST, not built.
  const contract = parse(read('test/fixtures/contract.graphql'));
  const ours = schema;
  const definitions = contract.definitions.filter(
    (d): d is Extract<typeof d, { name: { value: string } }> => 'name' in d && d.name !== undefined,
  );

  it.each(definitions.map((d) => [d.name.value, d] as const))(
    'has %s as the contract defines it',
    (name, def) => {
      const mine = ours.getType(name) as GraphQLNamedType | undefined;
      expect(mine, `type ${name}`).toBeDefined();
      const kinds: Record<string, (t: unknown) => boolean> = {
        [Kind.OBJECT_TYPE_DEFINITION]: isObjectType,
        [Kind.INTERFACE_TYPE_DEFINITION]: isInterfaceType,
        [Kind.INPUT_OBJECT_TYPE_DEFINITION]: isInputObjectType,
        [Kind.ENUM_TYPE_DEFINITION]: isEnumType,
        [Kind.SCALAR_TYPE_DEFINITION]: isScalarType,
        [Kind.UNION_TYPE_DEFINITION]: isUnionType,
      };
      expect(kinds[def.kind]?.(mine), `${name} is a ${def.kind}`).toBe(true);
      if ('fields' in def && def.fields) {
        const myFields = (
          mine as { getFields(): Record<string, { type: unknown; args?: { name: string; type: unknown }[] }> }
        ).getFields();
        for (const field of def.fields) {
          const my = myFields[field.name.value];
          const label = `${name}.${field.name.value}`;
          expect(my, label).toBeDefined();
          expect(String(my?.type), label).toBe(print(field.type));
          for (const arg of ('arguments' in field ? field.arguments : undefined) ?? []) {
            const myArg = my?.args?.find((a) => a.name === arg.name.value);
            expect(String(myArg?.type), `${label}(${arg.name.value})`).toBe(print(arg.type));
          }
        }
      }
      if ('interfaces' in def && def.interfaces && isObjectType(mine)) {
        const myInterfaces = mine.getInterfaces().map((i) => i.name);
        for (const i of def.interfaces) expect(myInterfaces).toContain(i.name.value);
      }
      if (def.kind === Kind.ENUM_TYPE_DEFINITION && isEnumType(mine)) {
        expect(
          mine
            .getValues()
            .map((v) => v.name)
            .sort(),
        ).toEqual((def.values ?? []).map((v) => v.name.value).sort());
      }
    },
  );

  it('gives every result union the five common error types', () => {
    const unions = Object.values(ours.getTypeMap()).filter(isUnionType);
    expect(unions.length).toBeGreaterThan(10);
    for (const union of unions) {
      const members = union.getTypes().map((t) => t.name);
      for (const error of [
        'UnauthorizedError',
        'AccountDisabledError',
        'RateLimitedError',
        'UpstreamError',
        'InvalidParameterError',
      ]) {
        expect(members, union.name).toContain(error);
      }
    }
    expect(ours.getType('QueryVideoResult')).toSatisfy(
      (u: GraphQLNamedType) => isUnionType(u) && u.getTypes().some((t) => t.name === 'VideoNotFoundError'),
    );
  });
});

describe('codegen', () => {
  it('has generated operations/__generated__/graphql.ts from the current schema (run `npm run codegen`)', async () => {
    const outputs = await generate(
      { ...codegenConfig, cwd: new URL('.', root).pathname, silent: true },
      false,
    );
    for (const output of outputs) {
      expect(read(output.filename.replace(new URL('.', root).pathname, '')), output.filename).toBe(
        output.content,
      );
    }
  }, 30_000);
});
