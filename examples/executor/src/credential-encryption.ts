// The executor's `credential-encryption` module, replaced as README's "Replacing the executor's modules"
// says: a re-export. Its importers keep `import CredentialEncryption from './credential-encryption'`. The
// error classes are the package's own: `encrypt` throws them, so the 503 mapping's `instanceof` must see
// these classes, not copies the executor keeps.
export { CredentialEncryption as default, CredentialDecryptionError, ExecutorEncryptionKeyMissingError } from './package'
