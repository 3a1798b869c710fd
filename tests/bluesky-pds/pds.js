// Runs Bluesky's own server software (a PLC directory and a PDS from @atproto/dev-env) on this machine for
// Publisher's tests, so the Bluesky client is proven against the implementation real accounts post to.
//
// Protocol, one JSON object per line:
//   stdout, first line: {"pds":"http://localhost:<port>","plc":"…","accounts":[{handle,did,password,appPassword}, …]}
//     (the account that posts, then one to mention).
//   stdin: commands, each answered by one line on stdout ({"ok":true,…} or {"ok":false,"error":"…"}):
//     {"command":"createAccount","handle":"name.test"}  another account (a test of its own, with its own rate limits)
//     {"command":"advanceClock","seconds":7260}         the server's clock moves forward (access tokens last 2 hours)
// It stops, deleting its data, when stdin closes (the test host ended or died), on SIGTERM or SIGINT.
'use strict';

// The server reads the time only through Date, so moving it forward here lets its tokens expire as they would
// after hours, without waiting. Only forward: record revisions and token times never go back.
const RealDate = Date;
let clockOffsetMs = 0;
class ShiftedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + clockOffsetMs);
    else super(...args);
  }
  static now() {
    return RealDate.now() + clockOffsetMs;
  }
}
globalThis.Date = ShiftedDate;

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const crypto = require('node:crypto');
const { TestNetworkNoAppView } = require('@atproto/dev-env');
const { AtpAgent } = require('@atproto/api');

// Everything the servers write (databases, blobs, their temporary files) goes in one folder, deleted at the end.
const dataFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'publisher-pds-'));
process.env.TMPDIR = dataFolder;
let network;
let stopping = false;

function say(object) {
  process.stdout.write(JSON.stringify(object) + '\n');
}

async function stop(code) {
  if (stopping) return;
  stopping = true;
  try {
    if (network) await network.close();
  } catch (e) {
    process.stderr.write(`Closing the network failed: ${e && e.stack ? e.stack : e}\n`);
  }
  fs.rmSync(dataFolder, { recursive: true, force: true });
  process.exit(code);
}

async function createAccount(handle) {
  if (typeof handle !== 'string' || !/^[a-z0-9-]{1,18}\.test$/.test(handle))
    throw new Error(`A handle here is up to 18 letters, digits or hyphens, then ".test": ${JSON.stringify(handle)}`);
  const password = crypto.randomBytes(18).toString('base64url');
  const agent = new AtpAgent({ service: network.pds.url });
  const created = await agent.createAccount({ handle, password, email: `${handle}@example.com` });
  // Publisher signs in with an app password, as Bluesky asks third-party tools to.
  const app = await agent.com.atproto.server.createAppPassword({ name: 'Publisher tests' });
  return { handle, did: created.data.did, password, appPassword: app.data.password };
}

async function command(line) {
  const request = JSON.parse(line);
  switch (request.command) {
    case 'createAccount':
      return { ok: true, account: await createAccount(request.handle) };
    case 'advanceClock':
      if (!Number.isFinite(request.seconds) || request.seconds <= 0)
        throw new Error('advanceClock needs a positive number of seconds: the clock only moves forward.');
      clockOffsetMs += request.seconds * 1000;
      return { ok: true, clockOffsetSeconds: clockOffsetMs / 1000 };
    default:
      throw new Error(`Unknown command ${JSON.stringify(request.command)}: createAccount or advanceClock.`);
  }
}

async function main() {
  network = await TestNetworkNoAppView.create({
    pds: {
      // Off by default in a development PDS; on here, so a test can meet the real rate-limit answer.
      rateLimitsEnabled: true,
    },
  });
  const accounts = [await createAccount('publisher.test'), await createAccount('alice.test')];
  say({ pds: network.pds.url, plc: network.plc.url, accounts });

  // Commands one at a time, in order; the end of stdin means the test host has gone.
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    try {
      say(await command(line));
    } catch (e) {
      say({ ok: false, error: e && e.message ? e.message : String(e) });
    }
  }
  await stop(0);
}

process.on('SIGTERM', () => stop(0));
process.on('SIGINT', () => stop(0));
process.on('SIGHUP', () => stop(0));
main().catch((e) => {
  process.stderr.write(`The Bluesky test server could not start: ${e && e.stack ? e.stack : e}\n`);
  stop(1);
});
