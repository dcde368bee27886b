/** The JSON API's paths (its envelope, its bearer tokens), as opposed to pages: one test for every layer. */
export const isApiPath = (pathname: string) => pathname === '/api' || pathname.startsWith('/api/')
