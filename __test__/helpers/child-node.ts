// How a test starts a child Node process: `process.execPath`, unless MCP_OAUTH_TEST_CHILD_NODE names another
// command (a JSON array: the program, then its leading arguments). scripts/check-linux-targets.sh sets it
// where the Node under test runs through qemu-user, whose binaries the kernel cannot start by themselves.

/** The program and arguments that run Node with `args`. */
export function childNode(args: string[]): [string, string[]] {
  const prefix = process.env.MCP_OAUTH_TEST_CHILD_NODE
  if (!prefix) return [process.execPath, args]
  const [program, ...leading] = JSON.parse(prefix) as string[]
  return [program, [...leading, ...args]]
}
