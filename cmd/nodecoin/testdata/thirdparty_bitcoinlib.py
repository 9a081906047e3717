#!/usr/bin/env python3
"""Checks nodecoin's JSON-RPC with a third-party client: python-bitcoinlib
(Debian's python3-bitcoinlib), configured with nodecoin's regtest
parameters.

Usage: python3 thirdparty_bitcoinlib.py URL USER PASSWORD

URL is the daemon's RPC address (http://127.0.0.1:PORT). The chain must
have at least one block after genesis. Prints one line per check and
exits 0 when every check passes, 1 otherwise.
"""

import sys
import urllib.parse

import bitcoin
import bitcoin.core
import bitcoin.rpc
from bitcoin.core import CBlock, CBlockHeader, CTransaction, b2lx, lx, x
from bitcoin.wallet import CBitcoinAddress


def select_nodecoin_regtest():
    """Bitcoin's regtest parameters with nodecoin's network constants
    (DESIGN.md section 2): magic, ports and address prefixes."""
    bitcoin.SelectParams('regtest')
    p = bitcoin.params
    p.MESSAGE_START = b'\xf7\x4e\x43\x03'
    p.DEFAULT_PORT = 29633
    p.RPC_PORT = 29632
    p.BASE58_PREFIXES = {'PUBKEY_ADDR': 0x70, 'SCRIPT_ADDR': 0xc4, 'SECRET_KEY': 0xf0}


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print('ok', what)


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    url, user, password = sys.argv[1:]
    select_nodecoin_regtest()
    u = urllib.parse.urlparse(url)
    service_url = '%s://%s:%s@%s%s' % (u.scheme, urllib.parse.quote(user, safe=''),
                                       urllib.parse.quote(password, safe=''), u.netloc, u.path)
    raw = bitcoin.rpc.RawProxy(service_url=service_url)
    proxy = bitcoin.rpc.Proxy(service_url=service_url)

    count = raw.getblockcount()
    check(isinstance(count, int) and count >= 1, 'getblockcount %r' % count)
    check(proxy.getblockcount() == count, 'Proxy.getblockcount')

    for height in sorted({0, 1, count // 2, count}):
        h = raw.getblockhash(height)
        block = CBlock.deserialize(x(raw.getblock(h, 0)))
        check(b2lx(block.GetHash()) == h, 'height %d: CBlock.GetHash() == getblockhash' % height)
        check(block.calc_merkle_root() == block.hashMerkleRoot,
              'height %d: calc_merkle_root() == header merkle root' % height)
        info = raw.getblock(h, 1)
        check(info['merkleroot'] == b2lx(block.hashMerkleRoot) and info['height'] == height
              and info['tx'] == [b2lx(tx.GetTxid()) for tx in block.vtx],
              'height %d: getblock verbosity 1 agrees with the raw block' % height)
        header = CBlockHeader.deserialize(x(raw.getblockheader(h, False)))
        check(header.GetHash() == block.GetHash(), 'height %d: getblockheader false' % height)
        # Proxy's own decoding (getblock HASH false under the hood).
        check(proxy.getblock(lx(h)).GetHash() == block.GetHash(), 'height %d: Proxy.getblock' % height)
        check(proxy.getblockhash(height) == block.GetHash(), 'height %d: Proxy.getblockhash' % height)
        if height > 0:
            bitcoin.core.CheckBlock(block, fCheckPoW=True, fCheckMerkleRoot=True)
            print('ok height %d: bitcoin.core.CheckBlock' % height)
            cb = block.vtx[0]
            txid = b2lx(cb.GetTxid())
            tx = CTransaction.deserialize(x(raw.getrawtransaction(txid, 0)))
            check(tx.GetTxid() == cb.GetTxid(), 'height %d: getrawtransaction of the coinbase' % height)
            verbose = raw.getrawtransaction(txid, True)
            check(verbose['blockhash'] == h and verbose['confirmations'] == count - height + 1,
                  'height %d: getrawtransaction verbose blockhash and confirmations' % height)
            out = verbose['vout'][0]['scriptPubKey']
            if 'address' in out:
                addr = str(CBitcoinAddress.from_scriptPubKey(cb.vout[0].scriptPubKey))
                check(addr == out['address'], 'height %d: address %s with nodecoin prefixes' % (height, addr))

    try:
        raw.getblockhash(count + 1)
        check(False, 'getblockhash beyond the tip fails')
    except bitcoin.rpc.JSONRPCError as e:
        check(e.error['code'] == -8 and e.error['message'] == 'Block height out of range',
              'getblockhash beyond the tip: %r' % e.error)
    try:
        raw.getblock('00' * 32)
        check(False, 'getblock of an unknown hash fails')
    except bitcoin.rpc.JSONRPCError as e:
        check(e.error['code'] == -5, 'getblock of an unknown hash: %r' % e.error)
    print('all checks passed')
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except AssertionError as e:
        print('FAILED:', e, file=sys.stderr)
        sys.exit(1)
