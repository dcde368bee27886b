/**
 * Live updates in the browser: an EventSource on the organization's event
 * stream (routes/orgs.$org.events.ts) that revalidates the page's loaders when
 * something it shows changed, and says briefly who changed what. Without
 * JavaScript there is no stream and the pages are simply as loaded.
 */
import { useLocation, useRevalidator } from '@remix-run/react'
import { useEffect, useRef, useState } from 'react'

/** One `change` event as the server sends it (server/live-updates.server.ts LiveEvent). */
export interface LiveChange {
  table: 'workspaces' | 'projects' | 'members' | 'roles' | 'invitations' | 'audit_logs' | 'security_events'
  op: 'insert' | 'update' | 'delete'
  id: string
  row?: Record<string, unknown>
  actor: { id: string; name: string } | null
}

const NOUNS: Partial<Record<LiveChange['table'], string>> = {
  workspaces: 'a workspace',
  projects: 'a project',
  members: 'a member',
  roles: 'a role',
  invitations: 'an invitation',
}
const VERBS = { insert: 'created', update: 'updated', delete: 'deleted' } as const

/** "Ana created Q4 Launch": for what the lists show, made by someone else; null otherwise. */
export function describeChange(change: LiveChange, userId: string): string | null {
  const noun = NOUNS[change.table]
  if (!noun || !change.actor || change.actor.id === userId) return null
  const named = change.row?.name ?? change.row?.email
  const verb = change.table === 'members' && change.op === 'insert' ? 'added' : VERBS[change.op]
  return `${change.actor.name || 'Someone'} ${verb} ${typeof named === 'string' && named ? named : noun}`
}

/** Does this change touch what the page at `pathname` shows? The audit and security pages also follow their own tables. */
function affects(change: LiveChange, pathname: string) {
  if (change.table === 'audit_logs') return pathname.endsWith('/audit')
  if (change.table === 'security_events') return pathname.includes('/security')
  return true
}

/** Changes arriving this close together cause one revalidation. */
const SETTLE_MS = 200
const NOTICE_MS = 5000

/** Follows the organization's changes while mounted; returns the latest notice to show. */
export function useLiveUpdates(organizationSlug: string, userId: string): string | null {
  const revalidator = useRevalidator()
  const { pathname } = useLocation()
  // The stream outlives renders: its handlers read the current revalidator and path from here.
  const latest = useRef({ revalidator, pathname })
  useEffect(() => {
    latest.current = { revalidator, pathname }
  })
  const [notice, setNotice] = useState<string | null>(null)

  useEffect(() => {
    if (typeof EventSource === 'undefined') return
    const source = new EventSource(`/orgs/${organizationSlug}/events`)
    let pending: ReturnType<typeof setTimeout> | undefined
    let hide: ReturnType<typeof setTimeout> | undefined
    const revalidate = () => {
      clearTimeout(pending)
      pending = setTimeout(() => latest.current.revalidator.revalidate(), SETTLE_MS)
    }
    source.addEventListener('change', (message) => {
      const change = JSON.parse((message as MessageEvent<string>).data) as LiveChange
      if (affects(change, latest.current.pathname)) revalidate()
      const text = describeChange(change, userId)
      if (text) {
        setNotice(text)
        clearTimeout(hide)
        hide = setTimeout(() => setNotice(null), NOTICE_MS)
      }
    })
    // Changes were missed: the data is reloaded, the stream starts afresh.
    source.addEventListener('reload', revalidate)
    // Access ended: nothing more will come; the next navigation finds out why.
    source.addEventListener('end', () => source.close())
    return () => {
      source.close()
      clearTimeout(pending)
      clearTimeout(hide)
    }
  }, [organizationSlug, userId])

  return notice
}

/** The discreet notice of the latest change by someone else. */
export function LiveNotice({ message }: { message: string | null }) {
  return (
    <div role="status" aria-live="polite" className="pointer-events-none fixed bottom-4 right-4 z-20">
      {message ? (
        <p className="rounded-md border border-slate-200 bg-white px-3 py-2 text-sm text-slate-700 shadow-md" data-testid="live-notice">
          {message}
        </p>
      ) : null}
    </div>
  )
}
