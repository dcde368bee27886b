/**
 * Every page path no other route claims: the root error page with a 404,
 * answered by a route rather than left to the router, which would log each
 * stray request (a browser's /favicon.ico, a scanner's guesses) as an error.
 */
export function loader() {
  throw new Response(null, { status: 404, statusText: 'Not Found' })
}

export function action() {
  throw new Response(null, { status: 404, statusText: 'Not Found' })
}

export default function NotFound() {
  return null
}
