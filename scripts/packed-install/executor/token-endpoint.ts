// The executor's token-endpoint module, replaced by a wrapper that keeps the executor's own error class
// (it extends WorkflowExecutorError and carries a userMessage for the UI): the package's non-throwing guard
// says why, the executor throws what its error mapping expects.
import { tokenEndpointProblem } from 'mcp-oauth-credentials'

export class WorkflowExecutorError extends Error {
  constructor(message: string, public readonly userMessage: string) {
    super(message)
  }
}

export class InvalidTokenEndpointError extends WorkflowExecutorError {
  constructor(reason: string) {
    super(`Invalid OAuth token endpoint: ${reason}`, 'The MCP server returned a token endpoint that cannot be used.')
    this.name = 'InvalidTokenEndpointError'
  }
}

export default function assertSafeTokenEndpoint(url: string | URL): void {
  const reason = tokenEndpointProblem(url)
  if (reason !== null) throw new InvalidTokenEndpointError(reason)
}
