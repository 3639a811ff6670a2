'use strict'

// Each test file opens its own database (a fresh SQLite file, or its own PostgreSQL database when
// EXECUTOR_TEST_DB=postgres), so files run in parallel workers safely.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__test__'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/__test__/tsconfig.json' }],
  },
  testTimeout: 120000,
}
