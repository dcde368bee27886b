/**
 * Whether this run is CI: CI set to anything but '', '0' or 'false'. Checks
 * that may skip on a developer's machine when something outside the repo is
 * missing (the shared corpus, Redis) must fail there instead.
 */
export const IN_CI = !['', '0', 'false'].includes((process.env.CI ?? '').trim().toLowerCase())
