// The executor's credential-encryption module, replaced by a re-export (README, "Replacing the executor's
// modules"): its importers keep `import CredentialEncryption from './credential-encryption'`. The error
// classes must be the package's own, so that `instanceof` in the error mapping sees what `encrypt` throws.
export { CredentialEncryption as default, ExecutorEncryptionKeyMissingError, CredentialDecryptionError } from 'mcp-oauth-credentials'
