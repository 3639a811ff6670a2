// Structural equality for parse results: the same keys in the same order, the same values (Object.is),
// whatever realm built the objects (zod's in the Jest sandbox, the addon's in Node's main context).

export function sameData(a: unknown, b: unknown, where = 'data'): string | null {
  if (Object.is(a, b)) return null
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return `${where}: ${describe(a)} !== ${describe(b)}`
  }
  if (Array.isArray(a) !== Array.isArray(b)) return `${where}: array vs non-array`
  const keysA = Reflect.ownKeys(a)
  const keysB = Reflect.ownKeys(b)
  if (keysA.length !== keysB.length || keysA.some((k, i) => k !== keysB[i])) {
    return `${where}: keys ${String(keysA.map(String))} !== ${String(keysB.map(String))}`
  }
  for (const key of keysA) {
    const diff = sameData((a as Record<PropertyKey, unknown>)[key], (b as Record<PropertyKey, unknown>)[key], `${where}.${String(key)}`)
    if (diff) return diff
  }
  return null
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? value.slice(0, 60) + '…' : value)
  if (typeof value === 'bigint') return `${value}n`
  return String(value)
}
