// Runs sign-addon's signAddon() with the options given as one JSON argument and prints its result
// as one line of JSON on stdout: {success, id, downloadedFiles, errorCode, errorDetails}, or
// {success: false, error, stack} when it throws. Exits 0 on success, 1 when the store said no
// (success: false), 2 when the client threw or crashed.
//
//   node sign_addon.js '{"xpiPath": "...", "version": "1.0", "apiKey": "...", "apiSecret": "...",
//                        "apiUrlPrefix": "http://127.0.0.1:PORT/api/v4", "downloadDir": "..."}'

// sign-addon logs with console.log and draws progress on process.stdout itself: send all of that
// to stderr, keeping stdout for the result.
const writeResult = process.stdout.write.bind(process.stdout);
process.stdout.write = process.stderr.write.bind(process.stderr);

let finished = false;
function finish(result, code) {
  if (finished) return;
  finished = true;
  writeResult(`${JSON.stringify(result)}\n`, () => process.exit(code));
}

function crashed(error) {
  finish({ success: false, error: String(error && error.message || error), stack: error && error.stack }, 2);
}

// sign-addon throws from a stream event handler when a download answers non-2xx.
process.on('uncaughtException', crashed);
process.on('unhandledRejection', crashed);

(async () => {
  const { signAddon } = await import('sign-addon');
  const options = JSON.parse(process.argv[2]);
  const result = await signAddon({ disableProgressBar: true, ...options });
  finish(result, result.success ? 0 : 1);
})().catch(crashed);
