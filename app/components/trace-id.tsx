import { useRouteLoaderData } from '@remix-run/react'
import { createContext, useContext } from 'react'

/**
 * The traceId shown on error pages. The root loader provides it; when no
 * loader ran (an unknown URL), the server passes it through this context and
 * the document's <meta name="trace-id"> carries it to the browser.
 */
export const TraceIdContext = createContext<string | undefined>(undefined)

export function useTraceId(): string | undefined {
  const root = useRouteLoaderData<{ traceId: string }>('root')
  const fromServer = useContext(TraceIdContext)
  if (root?.traceId) return root.traceId
  if (fromServer) return fromServer
  if (typeof document === 'undefined') return undefined
  return document.querySelector('meta[name="trace-id"]')?.getAttribute('content') ?? undefined
}
