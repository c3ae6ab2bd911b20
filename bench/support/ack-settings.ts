/** What the ack benchmark's processes agree on. */
export const ACK_BENCH = {
  signingSecret: 'ack-bench-signing-secret',
  botToken: 'xoxb-ack-bench',
  channel: 'C0123456789',
  user: 'U01OPERATOR',
} as const;
