/**
 * The signed checkpoints audit:prune leaves where it cut a chain: ed25519
 * (node:crypto) over the chain, the last pruned position and its hash.
 * The key is the operator's (AUDIT_CHECKPOINT_KEY); outside production, a
 * key generated once into a file beside the embedded database.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Config } from '~/lib/config.server'

export interface CheckpointKey {
  privateKey?: KeyObject
  publicKey: KeyObject
  /** The first 16 hex digits of the public key's sha256: which key signed a checkpoint. */
  id: string
}

export interface Checkpoint {
  chain: string
  position: number
  hash: Buffer
  createdAt: Date
}

const devKeyFile = (config: Config) => path.join(path.dirname(path.resolve(config.EMBEDDED_PG_DIR)), 'audit-checkpoint-key.pem')

function fromPrivate(privateKey: KeyObject): CheckpointKey {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('AUDIT_CHECKPOINT_KEY must be an ed25519 private key')
  const publicKey = createPublicKey(privateKey)
  const id = createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16)
  return { privateKey, publicKey, id }
}

/**
 * The operator's key; without AUDIT_CHECKPOINT_KEY outside production, the
 * development key file (made when `create` is set and it does not exist yet).
 * Undefined when there is none.
 */
export async function checkpointKey(config: Config, { create }: { create: boolean }): Promise<CheckpointKey | undefined> {
  const configured = config.AUDIT_CHECKPOINT_KEY
  if (configured) {
    const pem = configured.includes('-----BEGIN')
    return fromPrivate(createPrivateKey(pem ? configured : { key: Buffer.from(configured, 'base64'), format: 'der', type: 'pkcs8' }))
  }
  if (config.NODE_ENV === 'production') return undefined
  const file = devKeyFile(config)
  const existing = await readFile(file, 'utf8').catch(() => undefined)
  if (existing) return fromPrivate(createPrivateKey(existing))
  if (!create) return undefined
  const { privateKey } = generateKeyPairSync('ed25519')
  await mkdir(path.dirname(file), { recursive: true })
  await writeFile(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' })
  return fromPrivate(privateKey)
}

/** What is signed: the checkpoint's fields, in a fixed order. */
function message(checkpoint: Checkpoint): Buffer {
  const { chain, position, hash, createdAt } = checkpoint
  return Buffer.from(JSON.stringify(['nextsaas-audit-checkpoint-v1', chain, position, hash.toString('hex'), createdAt.toISOString()]))
}

export function signCheckpoint(key: CheckpointKey, checkpoint: Checkpoint): Buffer {
  if (!key.privateKey) throw new Error('signing a checkpoint needs the private key')
  return sign(null, message(checkpoint), key.privateKey)
}

export function checkpointSignatureHolds(key: CheckpointKey, checkpoint: Checkpoint, signature: Buffer): boolean {
  return verify(null, message(checkpoint), key.publicKey, signature)
}
