/**
 * Unexpected errors to a Sentry-compatible endpoint when SENTRY_DSN is set,
 * through Sentry's Node SDK in its light mode (`@sentry/node-core/light`: no
 * OpenTelemetry, nothing of the process instrumented). A report names the
 * request — traceId, Remix route, user and organization ids, method and path
 * with mailed links' tokens redacted — and carries nothing else of it: no
 * body, headers, cookies or query string. The log has every error anyway;
 * without SENTRY_DSN nothing is sent.
 *
 * Reported: errors of loaders, actions and rendering (entry.server.tsx
 * handleError), unexpected API errors (api/envelope.server.ts), errors that
 * reach the HTTP layer's error handler, and the process's unhandled
 * rejections and uncaught exceptions (watchProcess, from scripts/start.ts).
 */
import {
  defaultStackParser,
  functionToStringIntegration,
  LightNodeClient,
  linkedErrorsIntegration,
  makeNodeTransport,
  Scope,
  type ErrorEvent,
} from '@sentry/node-core/light'
import type { Logger } from 'pino'
import type { Config } from '~/lib/config.server'
import { redactPath, redactText } from '~/lib/paths'
import type { RequestIdentity } from '~/lib/request-context'

/** What a report says about where the error happened. */
export interface ReportScope extends RequestIdentity {
  traceId?: string
  method?: string
  path?: string
}

export interface ErrorReports {
  report(error: unknown, where?: ReportScope): void
  /** Sends what is queued; false when the timeout passed first. */
  flush(timeoutMs?: number): Promise<boolean>
  close(): Promise<void>
}

/** Only what the report is allowed to carry: the SDK adds nothing of a request by itself, and messages are redacted. */
function scrub(event: ErrorEvent): ErrorEvent {
  if (event.request) event.request = { method: event.request.method, url: event.request.url }
  delete event.breadcrumbs
  if (event.user) event.user = { id: event.user.id }
  for (const exception of event.exception?.values ?? []) if (exception.value) exception.value = redactText(exception.value)
  if (event.message) event.message = redactText(event.message)
  return event
}

/** The reporter of this process, or null without SENTRY_DSN. */
export function createErrorReports(config: Config): ErrorReports | null {
  if (!config.SENTRY_DSN) return null
  const client = new LightNodeClient({
    dsn: config.SENTRY_DSN,
    environment: config.SENTRY_ENVIRONMENT ?? config.NODE_ENV,
    release: config.SENTRY_RELEASE,
    transport: makeNodeTransport,
    stackParser: defaultStackParser,
    // No default integrations: none of them may add request data, breadcrumbs or local variables.
    integrations: [linkedErrorsIntegration(), functionToStringIntegration()],
    sendDefaultPii: false,
    sendClientReports: false,
    maxBreadcrumbs: 0,
    beforeSend: scrub,
  })
  client.init()
  return {
    report(error, where = {}) {
      const scope = new Scope()
      scope.setTags({
        ...(where.traceId ? { traceId: where.traceId } : {}),
        ...(where.routeId ? { routeId: where.routeId } : {}),
        ...(where.organizationId ? { organizationId: where.organizationId } : {}),
      })
      if (where.userId) scope.setUser({ id: where.userId })
      const { method, path } = where
      if (method && path) scope.addEventProcessor((event) => ({ ...event, request: { method, url: redactPath(path) } }))
      client.captureException(error, undefined, scope)
    },
    flush: async (timeoutMs = 2000) => client.flush(timeoutMs),
    close: async () => {
      await client.close(2000)
    },
  }
}

/**
 * The process's last resorts: an unhandled rejection is logged and reported
 * and the process goes on (the promise's caller is gone, the server is not);
 * an uncaught exception is logged, reported and ends the process, as Node
 * would, once the report is sent.
 */
export function watchProcess(logger: Logger, errors: ErrorReports | null, target: Pick<NodeJS.Process, 'on' | 'exit'> = process) {
  target.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'unhandled rejection')
    errors?.report(reason)
  })
  target.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception')
    errors?.report(error)
    void (errors?.flush() ?? Promise.resolve(true)).finally(() => target.exit(1))
  })
}
