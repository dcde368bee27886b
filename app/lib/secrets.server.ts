import { createHash } from 'node:crypto'

/**
 * What the database keeps of a secret the app hands out (a session token, an
 * API token, a mailed link's token): its SHA-256, so that a leaked table
 * yields nothing usable.
 */
export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex')
