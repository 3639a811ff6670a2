// The executor's `token-endpoint` module, replaced by a wrapper (README, "Replacing the executor's
// modules"). The executor's InvalidTokenEndpointError extends its WorkflowExecutorError and carries a
// userMessage for the UI, which no class of the package can be: the package's non-throwing guard says
// why a URL is refused, and the wrapper throws the executor's own class with the package's message.
import { tokenEndpointProblem } from './package'

/** The executor's base error: a message for logs, a userMessage for the UI. */
export class WorkflowExecutorError extends Error {
  constructor(
    message: string,
    readonly userMessage: string,
  ) {
    super(message)
    this.name = 'WorkflowExecutorError'
  }
}

export class InvalidTokenEndpointError extends WorkflowExecutorError {
  constructor(readonly reason: string) {
    super(`Invalid OAuth token endpoint: ${reason}`, 'This MCP server gave a token endpoint the executor will not call.')
    this.name = 'InvalidTokenEndpointError'
  }
}

/** The guard as the executor imported it (a default export), throwing the executor's class. */
export default function assertSafeTokenEndpoint(url: string | URL): void {
  const reason = tokenEndpointProblem(url)
  if (reason !== null) throw new InvalidTokenEndpointError(reason)
}
