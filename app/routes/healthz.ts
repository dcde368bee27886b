import { checkDatabase } from '~/models/health.server'

// A resource route answers with a Response of its own: React Router 7 no longer serialises plain data for outside callers.
export async function loader() {
  const database = await checkDatabase()
  const healthy = database.status === 'ok'
  return Response.json(
    { status: healthy ? 'healthy' : 'unhealthy', checks: { database }, timestamp: new Date().toISOString() },
    { status: healthy ? 200 : 503, headers: { 'Cache-Control': 'no-store' } },
  )
}
