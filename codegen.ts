import type { CodegenConfig } from '@graphql-codegen/cli';
import { addTypenameSelectionDocumentTransform } from '@graphql-codegen/client-preset';

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
    // What a frontend generates for trusted documents (README, "Persisted documents"): the
    // client preset's typed documents, each carrying its hash, and persisted-documents.json,
    // the manifest the gateway loads with TRUSTED_DOCUMENTS. __typename is added to every
    // selection, as Apollo Client's cache would add it, so the documents sent by hash are the
    // ones the cache expects.
    'operations/__generated__/client/': {
      preset: 'client',
      documentTransforms: [addTypenameSelectionDocumentTransform],
      presetConfig: {
        persistedDocuments: { hashAlgorithm: 'sha256' },
        fragmentMasking: false,
      },
      config: {
        enumsAsTypes: true,
        useTypeImports: true,
        onlyOperationTypes: true,
        // ESM imports with their .js extension, as this package's module resolution needs.
        emitLegacyCommonJSImports: false,
        scalars: { DateTime: 'string', File: 'File' },
        strictScalars: true,
      },
    },
    // What a frontend's normalized cache needs to know of the schema, next to the typed
    // documents. Apollo Client: possibleTypes, without which an `... on Error` fragment matches
    // nothing and an error member reaches the app as a bare __typename. urql Graphcache: the
    // schema (interfaces, unions, nullability) and keys for the types that have no id.
    'operations/__generated__/possible-types.ts': {
      plugins: ['fragment-matcher'],
      config: { apolloClientVersion: 3, module: 'es2015', useExplicitTyping: true },
    },
    'operations/__generated__/graphcache.ts': {
      plugins: ['urql-introspection', './scripts/codegen-graphcache-keys.mjs'],
      config: { module: 'es2015', useTypeImports: true, includeScalars: true },
    },
  },
};

export default config;
