/** The local Slack stand-in: workspace state, the Web API server, a driver that plays Slack, and the sandbox page. */
export { BLOCK_KIT, blockKitViolations, viewViolations } from './block-kit-rules.js';
export { newTriggerId, triggerUser } from './triggers.js';
export { viewJson } from './web-api.js';
export { ackText, buttonsOf, SlackDriver, type ClickableMessage, type ClickInput, type CommandInput, type DeliverOptions, type Delivery, type SlackDriverOptions } from './driver.js';
export { PanelError, panelAction, type PanelAction, type PanelNotice, type PanelState, type SandboxPanel } from './panel.js';
export { responseUrl, responseContext, type ResponseContext } from './response-urls.js';
export { startSlackStandIn, type ApiCall, type ResponseUrlPost, type SlackStandIn, type SlackStandInOptions } from './server.js';
export { signedHeaders, slackSignature } from './signing.js';
export { createWebUi, type WebUi, type WebUiOptions } from './web-ui.js';
export {
  SlackApiError,
  SlackWorkspace,
  type Ephemeral,
  type MessageVersion,
  type SlackChannel,
  type SlackMessage,
  type SlackUser,
  type SlackUserGroup,
  type SlackView,
  type WorkspaceChange,
} from './workspace.js';
