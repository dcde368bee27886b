import { hash, verify } from '@node-rs/argon2'
import { ZxcvbnFactory } from '@zxcvbn-ts/core'
import * as zxcvbnCommon from '@zxcvbn-ts/language-common'
import * as zxcvbnEn from '@zxcvbn-ts/language-en'
import { replacePasswordHash } from '~/models/account.server'

/** OWASP's argon2id recommendation: 19 MiB, 2 iterations, 1 lane (argon2id is the library default). */
const ARGON2ID = { memoryCost: 19456, timeCost: 2, parallelism: 1 }

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2ID)
}

/** Whether a stored hash was made with weaker settings than today's (`$argon2id$v=19$m=…,t=…,p=…$…`). */
export function needsRehash(storedHash: string): boolean {
  const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(storedHash)
  if (!match) return true
  const [memory, time, lanes] = match.slice(1).map(Number)
  return memory! < ARGON2ID.memoryCost || time! < ARGON2ID.timeCost || lanes! < ARGON2ID.parallelism
}

// Verifying against a real hash when the account does not exist keeps the
// response time the same either way: no account-existence oracle by timing.
let decoy: Promise<string> | undefined

/**
 * Checks a password. A correct one whose hash predates the current settings
 * is re-hashed on the spot, so raising them upgrades accounts as people sign in.
 */
export async function verifyPassword(storedHash: string | undefined, password: string): Promise<boolean> {
  decoy ??= hashPassword('decoy password that never matches')
  const target = storedHash ?? (await decoy)
  const ok = (await verify(target, password).catch(() => false)) && storedHash !== undefined
  if (ok && needsRehash(storedHash)) await replacePasswordHash(storedHash, await hashPassword(password))
  return ok
}

const MIN_SCORE = 3 // zxcvbn's "safely unguessable: moderate protection from offline slow-hash scenario"

let strength: ZxcvbnFactory | undefined
function estimator() {
  strength ??= new ZxcvbnFactory({
    dictionary: { ...zxcvbnCommon.dictionary, ...zxcvbnEn.dictionary },
    graphs: zxcvbnCommon.adjacencyGraphs,
    translations: zxcvbnEn.translations,
  })
  return strength
}

/**
 * Why a new password is too easy to guess, or null when it is fine. Common
 * and leaked-list passwords, keyboard walks, repeats, dates and the user's own
 * name or address all score low. Length limits are the schema's job.
 */
export function passwordWeakness(password: string, userInputs: string[] = []): string | null {
  const result = estimator().check(password, userInputs.flatMap((input) => input.toLowerCase().split(/[\s@.]+/)).filter(Boolean))
  if (result.score >= MIN_SCORE) return null
  const hint = result.feedback.warning ?? result.feedback.suggestions[0]
  return `This password is too easy to guess.${hint ? ` ${hint}` : ''} Try a few unrelated words.`
}
