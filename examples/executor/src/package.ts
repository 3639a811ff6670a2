// The one place the executor imports mcp-oauth-credentials from. The example lives inside the package's
// repository, so it uses the working copy (../../../lib, the package's public entry) rather than a
// published version; an executor outside this repository would write `export * from 'mcp-oauth-credentials'`.
export * from '../../../lib'
