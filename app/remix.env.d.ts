/// <reference types="vite/client" />

import '@remix-run/node'

// Loader and action data typed as single fetch sends it (turbo-stream keeps Dates, Maps, …).
declare module '@remix-run/node' {
  interface Future {
    v3_singleFetch: true
  }
}
