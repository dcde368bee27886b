import { expect } from 'vitest'
import { PASSWORD, uniqueEmail } from './app'
import { typedApi, type TypedApi } from './typed-api'

export interface ApiResponse {
  status: number
  headers: Headers
  /** The parsed JSON body; null for an empty body. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read whatever the API answered
  body: any
  text: string
}

/**
 * A JSON API client: bearer token, JSON bodies, no cookies, no Origin (as a
 * script would call). Untyped on purpose, for the tests that send what no
 * client should (malformed bodies, unknown paths); `typed` is the same caller
 * through openapi-fetch and the generated types, for everything else.
 */
export class ApiClient {
  constructor(
    readonly origin: string,
    readonly token?: string,
  ) {}

  as(token: string | undefined) {
    return new ApiClient(this.origin, token)
  }

  /** The same caller through the typed client (openapi-fetch over the generated types). */
  get typed(): TypedApi {
    return typedApi(this.origin, this.token)
  }

  async request(method: string, path: string, body?: unknown, init: RequestInit = {}): Promise<ApiResponse> {
    const headers = new Headers(init.headers)
    if (this.token && !headers.has('authorization')) headers.set('authorization', `Bearer ${this.token}`)
    if (body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json')
    const response = await fetch(new URL(path, this.origin), {
      method,
      redirect: 'manual',
      ...init,
      headers,
      body: body === undefined ? init.body : typeof body === 'string' ? body : JSON.stringify(body),
    })
    const text = await response.text()
    let parsed: unknown = null
    if (text) {
      try {
        parsed = JSON.parse(text)
      } catch {
        parsed = undefined
      }
    }
    return { status: response.status, headers: response.headers, body: parsed, text }
  }

  get = (path: string, init?: RequestInit) => this.request('GET', path, undefined, init)
  post = (path: string, body?: unknown, init?: RequestInit) => this.request('POST', path, body ?? {}, init)
  put = (path: string, body?: unknown, init?: RequestInit) => this.request('PUT', path, body ?? {}, init)
  patch = (path: string, body?: unknown, init?: RequestInit) => this.request('PATCH', path, body ?? {}, init)
  delete = (path: string, init?: RequestInit) => this.request('DELETE', path, undefined, init)
}

export interface ApiUser {
  client: ApiClient
  token: string
  user: { id: string; email: string; name: string }
}

/** A new account through POST /api/auth/signup (with the typed client), with its bearer token. */
export async function apiSignup(origin: string, name = 'Api User'): Promise<ApiUser> {
  const body = { name, email: uniqueEmail(name.split(' ')[0]!.toLowerCase()), password: PASSWORD }
  const { data, error, response } = await typedApi(origin).POST('/api/auth/signup', { body })
  if (!data) throw new Error(`sign-up failed: ${response.status} ${JSON.stringify(error)}`)
  const { token, user } = data.data
  return { client: new ApiClient(origin, token), token, user }
}

/** An organization created through the API (with the typed client); returns its id. */
export async function apiCreateOrg(client: ApiClient, name: string): Promise<string> {
  const { data, error, response } = await client.typed.POST('/api/organizations', { body: { name } })
  if (!data) throw new Error(`create organization failed: ${response.status} ${JSON.stringify(error)}`)
  return data.data.id
}

/** The error envelope, with the status and code expected; returns the error for further checks. */
export function expectError(response: ApiResponse, status: number, code?: string) {
  expect(response.status, response.text).toBe(status)
  expect(response.headers.get('content-type')).toMatch(/^application\/json/)
  expect(response.body).toEqual({
    error: { code: code ?? expect.any(String), message: expect.any(String), details: expect.any(Object), traceId: expect.any(String) },
  })
  expect(response.body.error.traceId).toBe(response.headers.get('x-request-id'))
  return response.body.error as { code: string; message: string; details: Record<string, string[]>; traceId: string }
}

export function expectData(response: ApiResponse, status = 200) {
  expect(response.status, response.text).toBe(status)
  expect(response.headers.get('cache-control')).toBe('no-store')
  expect(response.body).toHaveProperty('data')
  expect(Object.keys(response.body).every((key) => ['data', 'meta', 'links'].includes(key))).toBe(true)
  return response.body.data
}
