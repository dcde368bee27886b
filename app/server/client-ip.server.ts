/**
 * The one place that decides a request's client address: per-IP limits,
 * sign-in and invitation lockouts, IP blocks, audit rows, security events and
 * the request log all read what this returns (as the request context's `ip`).
 * Express's `req.ip` is never read elsewhere: on Fly.io it would name the
 * app's own edge address (the last X-Forwarded-For entry).
 */
import { isIP } from 'node:net'
import type { Request } from 'express'
import type { TrustProxy } from '~/lib/config.server'

/** Express's `trust proxy` setting, which also decides whether X-Forwarded-Proto (HTTPS) is believed. */
export function expressTrustProxy(trust: TrustProxy): boolean | number | string[] {
  // Fly's proxy is the one hop in front of the machine; it sets X-Forwarded-Proto.
  return trust === 'fly' ? 1 : trust
}

/**
 * `(req) => client address`. With `fly`, the Fly-Client-IP header Fly's proxy
 * sets on every request it forwards (it replaces what a client sent);
 * a request without one (a health check from Fly's own checker, a request
 * over the private network) is the connection's own address. Otherwise
 * Express's reading of X-Forwarded-For under `trust proxy`, which believes
 * only the configured hops.
 */
export function clientIpResolver(trust: TrustProxy): (req: Request) => string {
  const socketAddress = (req: Request) => req.socket.remoteAddress ?? ''
  if (trust === 'fly') {
    return (req) => {
      const header = req.headers['fly-client-ip']
      return typeof header === 'string' && isIP(header.trim()) ? header.trim() : socketAddress(req)
    }
  }
  return (req) => req.ip ?? socketAddress(req)
}
