import { data } from '@remix-run/node'
import { checkDatabase } from '~/models/health.server'

export async function loader() {
  const database = await checkDatabase()
  const healthy = database.status === 'ok'
  return data(
    { status: healthy ? 'healthy' : 'unhealthy', checks: { database }, timestamp: new Date().toISOString() },
    { status: healthy ? 200 : 503, headers: { 'Cache-Control': 'no-store' } },
  )
}
