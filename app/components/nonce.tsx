import { createContext, useContext } from 'react'

/**
 * The response's CSP nonce, given by the server render to the scripts Remix
 * writes. The browser hides nonces from the DOM after load, so in the browser
 * this is '' and the scripts, already running, are not rendered again.
 */
export const NonceContext = createContext('')

export function useNonce(): string {
  return useContext(NonceContext)
}
