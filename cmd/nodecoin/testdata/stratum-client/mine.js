// Mines one block on a nodecoin node's Stratum server with stratum-client,
// a third-party Stratum client from npm: the client subscribes, authorizes
// and receives the job; this script builds the coinbase, merkle root and
// header from the job as any Stratum miner does, grinds the nonce with
// Node's crypto until the hash meets the network target (regtest's is
// trivial), and submits through the client.
//
// usage: node mine.js HOST PORT WORKER
// Prints "accepted HASH" (display order) and exits 0 when the share is
// accepted; exits 1 on a refusal or after 30 s.
'use strict';
const crypto = require('crypto');
const stratum = require('stratum-client');

const [host, port, worker] = process.argv.slice(2);
if (!worker) {
  console.error('usage: node mine.js HOST PORT WORKER');
  process.exit(2);
}

const sha256d = (b) => crypto.createHash('sha256').update(crypto.createHash('sha256').update(b).digest()).digest();
// A number given as 8 hex digits, as the 4 little-endian bytes of a header field.
const le32 = (hex) => Buffer.from(hex, 'hex').reverse();
// Stratum's prevhash: the internal bytes with each 4-byte word reversed.
const prevHash = (hex) => {
  const out = Buffer.alloc(32);
  for (let i = 0; i < 8; i++) Buffer.from(hex.slice(8 * i, 8 * i + 8), 'hex').reverse().copy(out, 4 * i);
  return out;
};
const target = (nbitsHex) => {
  const bits = parseInt(nbitsHex, 16);
  const exp = BigInt(bits >>> 24);
  const mant = BigInt(bits & 0x007fffff);
  return exp <= 3n ? mant >> (8n * (3n - exp)) : mant << (8n * (exp - 3n));
};

let done = false;
const finish = (code, msg) => {
  if (done) return;
  done = true;
  console.log(msg);
  process.exit(code);
};
setTimeout(() => finish(1, 'timeout: no accepted share in 30 s'), 30000).unref();

let submitted = null;
const client = stratum({
  server: host,
  port: Number(port),
  worker,
  password: 'x',
  autoReconnectOnError: false,
  onError: (err) => finish(1, 'error: ' + err.message),
  onAuthorizeFail: () => finish(1, 'authorization refused'),
  onSubmitWorkSuccess: () => finish(0, 'accepted ' + Buffer.from(submitted).reverse().toString('hex')),
  onSubmitWorkFail: (err) => finish(1, 'share refused: ' + JSON.stringify(err)),
  onNewMiningWork: (work) => {
    if (submitted || !work.extraNonce1 || !work.coinb1) return;
    const en2 = '00'.repeat(work.extraNonce2Size);
    let root = sha256d(Buffer.from(work.coinb1 + work.extraNonce1 + en2 + work.coinb2, 'hex'));
    for (const h of work.merkle_branch) root = sha256d(Buffer.concat([root, Buffer.from(h, 'hex')]));
    const header = Buffer.concat([le32(work.version), prevHash(work.prevhash), root, le32(work.ntime),
      le32(work.nbits), Buffer.alloc(4)]);
    const limit = target(work.nbits);
    for (let nonce = 0; nonce < 0xffffffff; nonce++) {
      header.writeUInt32LE(nonce, 76);
      const hash = sha256d(header);
      if (BigInt('0x' + Buffer.from(hash).reverse().toString('hex')) <= limit) {
        submitted = hash;
        client.submit({ worker_name: worker, job_id: work.jobId, extranonce2: en2, ntime: work.ntime,
          nonce: nonce.toString(16).padStart(8, '0') });
        return;
      }
    }
  },
});
