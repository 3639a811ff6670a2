// Runs `run` with process.env.NODE_ENV set to `value` (deleted for undefined), restoring it afterwards.
export function withNodeEnv<T>(value: string | undefined, run: () => T): T {
  const saved = process.env.NODE_ENV
  if (value === undefined) delete process.env.NODE_ENV
  else process.env.NODE_ENV = value
  try {
    return run()
  } finally {
    process.env.NODE_ENV = saved
  }
}

/** `withNodeEnv` for async work: NODE_ENV stays set until the promise `run` returns settles. */
export async function withNodeEnvAsync<T>(value: string, run: () => Promise<T>): Promise<T> {
  const saved = process.env.NODE_ENV
  process.env.NODE_ENV = value
  try {
    return await run()
  } finally {
    process.env.NODE_ENV = saved
  }
}
