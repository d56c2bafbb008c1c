// The AWS SDK prints an 8-line notice on Node < 22 about SDK versions of 2027 on the first S3 call of
// every command; the pinned SDK supports Node 20. Set the variable to false to see it again.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// Commands that write runs handle SIGINT/SIGTERM themselves (withCommand: cancel, keep nothing, 130).
// Any other (tsdb ls/dump, forecast printing) stops at once, with the same documented 130 rather
// than the shell's 143 for SIGTERM. Installed before the CLI's modules load (half a second), so a
// signal during start-up ends with 130 too.
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  const stop = () => {
    if (process.listenerCount(sig) === 1) process.exit(130);
  };
  process.on(sig, stop);
}

const { main } = await import('./main.js');
process.exitCode = await main(process.argv.slice(2));
