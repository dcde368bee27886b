import { hash, verify } from '@node-rs/argon2'

/** OWASP's argon2id recommendation: 19 MiB, 2 iterations, 1 lane (argon2id is the library default). */
const ARGON2ID = { memoryCost: 19456, timeCost: 2, parallelism: 1 }

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2ID)
}

// Verifying against a real hash when the account does not exist keeps the
// response time the same either way: no account-existence oracle by timing.
let decoy: Promise<string> | undefined

export async function verifyPassword(storedHash: string | undefined, password: string): Promise<boolean> {
  decoy ??= hashPassword('decoy password that never matches')
  const target = storedHash ?? (await decoy)
  const ok = await verify(target, password).catch(() => false)
  return ok && storedHash !== undefined
}
