// Lint exists to enforce the module boundaries (apps -> features -> domain -> contract -> util)
// and to keep gRPC and LevelDB inside the libs that own them.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', 'libs/protocol/src/gen/**', '**/*.mjs', '**/*.js'] },
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    plugins: { '@nx': nx, '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@nx/enforce-module-boundaries': moduleBoundaries([]),
    },
  },
  // Specs may run against the name server's real logic over its in-memory metadata store
  // (LocalNameServer + MemoryMetadataStore) instead of a mock: the proxy's admin API specs do.
  // Production code of a feature still never imports another feature.
  {
    files: ['**/*.spec.ts'],
    rules: {
      '@nx/enforce-module-boundaries': moduleBoundaries(['@quiver/name-server']),
    },
  },
];

/** moduleBoundaries is the boundary rule; `allow` lists imports exempt from it. */
function moduleBoundaries(allow) {
  return [
    'error',
    {
      enforceBuildableLibDependency: false,
      allow,
      depConstraints: [
        { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:feature', 'type:domain', 'type:contract', 'type:util'] },
        { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:testing', 'type:contract', 'type:util'] },
        { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:domain', 'type:contract', 'type:util'] },
        { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain', 'type:contract', 'type:util'] },
        { sourceTag: 'type:contract', onlyDependOnLibsWithTags: ['type:util'] },
        { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
        { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:feature', 'type:domain', 'type:contract', 'type:util'] },
        // Tools (the benchmark) drive whole deployments through the testing lib and the wire contract.
        { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:testing', 'type:contract', 'type:util'] },
        { sourceTag: 'scope:storage', bannedExternalImports: ['@grpc/*'] },
        { sourceTag: 'type:feature', bannedExternalImports: ['classic-level', 'level'] },
        { sourceTag: 'type:app', bannedExternalImports: ['classic-level', 'level'] },
        { sourceTag: 'scope:network', bannedExternalImports: ['classic-level', 'level'] },
      ],
    },
  ];
}
