// Moves every row of ai_mcp_oauth_credentials to the current encryption key.
//
//   FOREST_EXECUTOR_ENCRYPTION_KEY=<new> FOREST_EXECUTOR_ENCRYPTION_KEY_VERSION=2 \
//   FOREST_EXECUTOR_ENCRYPTION_KEY_V1=<old> node dist/rotate-keys.js [--batch-size 500] [--max-batches N]
//
// Safe to stop at any point (Ctrl-C, --max-batches, an AbortSignal) and to run again: each batch is written in
// one transaction, rows already moved are no longer selected, so a second run picks up where the first stopped.
import { Op, type Sequelize } from 'sequelize'

import { createSequelize } from './db'
import { CredentialEncryption, type EncryptedValue, type ReencryptItem } from './package'
import { credentialModel, type CredentialInstance } from './store'

/** The part of CredentialEncryption the rotation uses (tests wrap it). */
export type RotationEncryption = Pick<
  CredentialEncryption,
  'hasKey' | 'currentVersion' | 'needsReencrypt' | 'reencryptMany'
>

export interface RotationProgress {
  /** Rows handled so far: rotated, failed or skipped. */
  done: number
  /** Rows that needed rotation when the run started. */
  total: number
  rotated: number
  failed: number
  /** Rows changed by someone else (a new deposit) between read and write, so left as they now are. */
  skipped: number
  /** Rows handled per second since the start. */
  rate: number
  batches: number
}

export interface RotationFailure {
  id: number
  userId: number
  mcpServerId: string
  encKeyVersion: number
  /** Which value could not be opened; the row keeps its old version and bytes. */
  field: 'refreshToken' | 'clientSecret'
  reason: string
}

export interface RotationResult extends RotationProgress {
  failures: RotationFailure[]
  /** True when it stopped early (signal or maxBatches); run it again to finish. */
  interrupted: boolean
  currentVersion: number
}

export interface RotateKeysOptions {
  sequelize: Sequelize
  encryption: RotationEncryption
  /** Rows per batch (and per transaction); default 500. */
  batchSize?: number
  /** Stop after this many batches (to test resuming, or to spread the work over several runs). */
  maxBatches?: number
  /** Checked between batches: a batch in flight is always finished (or rolled back) first. */
  signal?: AbortSignal
  onProgress?: (progress: RotationProgress) => void
}

export const DEFAULT_BATCH_SIZE = 500

export async function rotateKeys(options: RotateKeysOptions): Promise<RotationResult> {
  const { sequelize, encryption, signal, onProgress } = options
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError('batchSize must be a positive integer')
  if (!encryption.hasKey()) {
    // Fail before reading anything: without a current key nothing can be sealed.
    throw Object.assign(new Error('FOREST_EXECUTOR_ENCRYPTION_KEY is not set'), {
      code: 'executor_encryption_key_missing',
    })
  }
  const model = credentialModel(sequelize)
  const currentVersion = encryption.currentVersion
  const stale = { encKeyVersion: { [Op.ne]: currentVersion } }

  const started = Date.now()
  const total = await model.count({ where: stale })
  const progress: RotationProgress = { done: 0, total, rotated: 0, failed: 0, skipped: 0, rate: 0, batches: 0 }
  const failures: RotationFailure[] = []
  let interrupted = false
  // Keyset pagination on id: stable under concurrent inserts and deletes, no OFFSET that skips or repeats rows,
  // and a failed row (which keeps its old version) is passed over instead of being selected forever.
  let afterId = 0

  for (;;) {
    if (signal?.aborted || (options.maxBatches !== undefined && progress.batches >= options.maxBatches)) {
      interrupted = true
      break
    }
    const rows = await model.findAll({
      where: { ...stale, id: { [Op.gt]: afterId } },
      order: [['id', 'ASC']],
      limit: batchSize,
    })
    if (rows.length === 0) break
    afterId = rows[rows.length - 1].id

    // Same test as the SQL filter, asked of the keyring: the package decides what is stale.
    const batch = rows.filter((row) => encryption.needsReencrypt(row.encKeyVersion))
    const outcome = await reencryptRows(batch, encryption)
    failures.push(...outcome.failures)

    let written = 0
    await sequelize.transaction(async (transaction) => {
      for (const { row, refreshToken, clientSecret } of outcome.sealed) {
        const [count] = await model.update(
          {
            refreshTokenEnc: refreshToken.ciphertext,
            clientSecretEnc: clientSecret?.ciphertext ?? null,
            encKeyVersion: refreshToken.encKeyVersion,
          },
          {
            // Only if the row still holds what was read: a deposit that replaced it meanwhile wrote a newer
            // token, and re-sealing the old one over it would lose that deposit.
            where: { id: row.id, encKeyVersion: row.encKeyVersion, refreshTokenEnc: row.refreshTokenEnc },
            transaction,
          },
        )
        written += count
      }
    })

    progress.batches += 1
    progress.rotated += written
    progress.skipped += outcome.sealed.length - written
    progress.failed += outcome.failures.length
    progress.done += rows.length
    progress.rate = progress.done / Math.max((Date.now() - started) / 1000, 0.001)
    onProgress?.({ ...progress })
  }
  return { ...progress, failures, interrupted, currentVersion }
}

interface SealedRow {
  row: CredentialInstance
  refreshToken: EncryptedValue
  clientSecret: EncryptedValue | null
}

/**
 * Re-encrypts the batch in one `reencryptMany` call (off the JavaScript thread). A row moves only if all of its
 * values opened: both columns must carry the version in enc_key_version, so they move together or not at all.
 */
async function reencryptRows(
  rows: CredentialInstance[],
  encryption: RotationEncryption,
): Promise<{ sealed: SealedRow[]; failures: RotationFailure[] }> {
  const items: ReencryptItem[] = []
  const slots = rows.map((row) => {
    const refreshToken = items.push({ ciphertext: row.refreshTokenEnc, encKeyVersion: row.encKeyVersion }) - 1
    const clientSecret =
      row.clientSecretEnc === null
        ? null
        : items.push({ ciphertext: row.clientSecretEnc, encKeyVersion: row.encKeyVersion }) - 1
    return { row, refreshToken, clientSecret }
  })
  const results = items.length === 0 ? [] : await encryption.reencryptMany(items)

  const sealed: SealedRow[] = []
  const failures: RotationFailure[] = []
  for (const { row, refreshToken, clientSecret } of slots) {
    const token = results[refreshToken]
    const secret = clientSecret === null ? null : results[clientSecret]
    const failed = token instanceof Error ? 'refreshToken' : secret instanceof Error ? 'clientSecret' : null
    if (failed !== null) {
      const error = (failed === 'refreshToken' ? token : secret) as Error
      failures.push({
        id: row.id,
        userId: row.userId,
        mcpServerId: row.mcpServerId,
        encKeyVersion: row.encKeyVersion,
        field: failed,
        reason: error.message,
      })
      continue
    }
    sealed.push({ row, refreshToken: token as EncryptedValue, clientSecret: secret as EncryptedValue | null })
  }
  return { sealed, failures }
}

export function formatProgress(p: RotationProgress): string {
  const percent = p.total === 0 ? 100 : (100 * p.done) / p.total
  return `rotate-keys: ${p.done} / ${p.total} rows (${percent.toFixed(1)}%), ${Math.round(p.rate)} rows/s` +
    (p.failed || p.skipped ? ` [${p.failed} failed, ${p.skipped} changed meanwhile]` : '')
}

function parseArgs(argv: string[]): { batchSize?: number; maxBatches?: number } {
  const out: { batchSize?: number; maxBatches?: number } = {}
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, inline] = argv[i].split('=', 2)
    const value = inline ?? argv[++i]
    const n = Number(value)
    if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${flag} needs a positive integer, got ${value}`)
    if (flag === '--batch-size') out.batchSize = n
    else if (flag === '--max-batches') out.maxBatches = n
    else throw new Error(`unknown option ${flag} (options: --batch-size N, --max-batches N)`)
  }
  return out
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2))
  const encryption = CredentialEncryption.fromEnv()
  const sequelize = createSequelize()
  // Ctrl-C finishes (or rolls back) the batch in flight, then stops; the next run resumes.
  const controller = new AbortController()
  process.once('SIGINT', () => controller.abort())
  process.once('SIGTERM', () => controller.abort())
  try {
    console.log(`rotate-keys: moving rows to key version ${encryption.currentVersion}`)
    const result = await rotateKeys({
      sequelize,
      encryption,
      ...args,
      signal: controller.signal,
      onProgress: (p) => console.log(formatProgress(p)),
    })
    for (const f of result.failures) {
      console.error(
        `rotate-keys: row ${f.id} (user ${f.userId}, server ${JSON.stringify(f.mcpServerId)}, version ` +
          `${f.encKeyVersion}): ${f.field} could not be opened (${f.reason}); left unchanged`,
      )
    }
    console.log(
      `rotate-keys: ${result.interrupted ? 'stopped early' : 'done'}: ${result.rotated} rotated, ` +
        `${result.failed} failed, ${result.skipped} changed meanwhile, of ${result.total}` +
        (result.interrupted ? ' (run again to finish)' : ''),
    )
    if (result.failed > 0) return 1
    return result.interrupted ? 2 : 0
  } finally {
    await sequelize.close()
  }
}

if (require.main === module) {
  main().then(
    (code) => {
      process.exitCode = code
    },
    (err: unknown) => {
      console.error(`rotate-keys: ${err instanceof Error ? err.message : String(err)}`)
      process.exitCode = 1
    },
  )
}
