// Runs amo-upload's signAddon() with the options given as one JSON argument and prints one line of
// JSON on stdout: {success: true, path} (the downloaded signed file), or {success: false, error,
// status, url, data} when it fails. Exits 0 on success, 1 when the store said no (an HTTP error,
// or the client gave up: invalid upload, not signed in time), 2 when the client crashed.
//
//   node amo_upload.js '{"apiKey": "...", "apiSecret": "...", "apiPrefix": "http://127.0.0.1:PORT",
//                        "addonId": "...", "addonVersion": "1.1", "channel": "unlisted",
//                        "distFile": "...", "output": "..."}'
//
// amo-upload logs through `debug` (DEBUG=amo-upload) on stderr.

let finished = false;
function finish(result, code) {
  if (finished) return;
  finished = true;
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(code));
}

function failed(error) {
  if (error && error.res) {
    // AMOClient.request() throws {res, data} (not an Error) for a non-2xx answer.
    finish({ success: false, error: `HTTP ${error.res.status}`, status: error.res.status,
             url: error.res.url, data: error.data }, 1);
  } else if (error && ['FatalError', 'ProcessingError'].includes(error.constructor.name)) {
    finish({ success: false, error: error.message, kind: error.constructor.name }, 1);
  } else {
    finish({ success: false, error: String(error && error.message || error), stack: error && error.stack }, 2);
  }
}

process.on('uncaughtException', failed);
process.on('unhandledRejection', failed);

(async () => {
  const { signAddon } = await import('amo-upload');
  const path = await signAddon(JSON.parse(process.argv[2]));
  finish({ success: true, path }, 0);
})().catch(failed);
