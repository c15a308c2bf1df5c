// Two tiers: `unit` (specs beside the code, in-process) and `e2e` (the official client against
// real processes). `npm test` runs both; `npm run test:unit` / `test:e2e` run one.
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.base.json');

const shared = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' }),
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.base.json', diagnostics: false }] },
};

module.exports = {
  testTimeout: 60_000,
  // The official rocketmq-client-nodejs leaves a timer behind after shutdown() (its telemetry
  // session re-opens the stream 1 s after the server ends it), which would keep jest alive.
  forceExit: true,
  projects: [
    { ...shared, displayName: 'unit', rootDir: __dirname, testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/*/src/**/*.spec.ts', '<rootDir>/tools/**/*.spec.ts'] },
    { ...shared, displayName: 'e2e', rootDir: __dirname, testMatch: ['<rootDir>/apps/quiver-e2e/src/**/*.e2e.ts'] },
  ],
};
