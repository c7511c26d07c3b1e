import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for the example operations in operations/, generated from the checked-in
 * schema.graphql the way a frontend would generate them. The tests use these documents, so a
 * schema change that breaks a client's operations breaks the build.
 */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['operations/*.graphql'],
  generates: {
    'operations/__generated__/graphql.ts': {
      plugins: ['typescript-operations', 'typed-document-node'],
      config: {
        enumsAsTypes: true,
        useTypeImports: true,
        avoidOptionals: { field: true, inputValue: false, object: false },
        scalars: { DateTime: 'string', File: 'File' },
        strictScalars: true,
      },
    },
  },
};

export default config;
