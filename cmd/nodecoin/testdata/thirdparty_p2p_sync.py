#!/usr/bin/env python3
"""Sync a nodecoin node's chain over P2P with python-bitcoinlib, a
third-party implementation of the Bitcoin protocol, set up with nodecoin's
network magic.

usage: thirdparty_p2p_sync.py HOST PORT MAGIC_HEX GENESIS_HASH MODE

MODE is "headers" (getheaders, then getdata of the blocks: headers-first, as
Bitcoin Core syncs) or "getblocks" (getblocks/inv/getdata, as older
implementations sync, relying on the node's inv of its tip when the last
block of an inv is asked for). Every header is checked to link to the one
before and to meet its own target; every block to have the header asked
for and a merkle root that matches its transactions. The last line printed
is "synced HEIGHT TIP_HASH" (the hash in display order).

python-bitcoinlib's msg_headers omits the transaction count that follows
each header in a headers message (always 0); the entry is read here with
the library's own CBlockHeader and compact-size reader.
"""
import socket
import struct
import sys
from io import BytesIO

import bitcoin
import bitcoin.core
import bitcoin.messages as messages
from bitcoin.core import CBlockHeader, b2lx, lx
from bitcoin.core.serialize import VarIntSerializer
from bitcoin.net import CInv

PROTOCOL = 70016
MSG_BLOCK = 2


class Params(bitcoin.core.CoreMainParams):
    """nodecoin's network as python-bitcoinlib sees it: only the magic
    differs for what this script does."""

    def __init__(self, magic):
        super().__init__()
        self.MESSAGE_START = magic


class HeadersMsg(messages.MsgSerializable):
    """A headers message: a vector of (80-byte header, compact size 0)."""

    command = b"headers"

    def __init__(self, protover=PROTOCOL):
        super().__init__(protover)
        self.headers = []

    @classmethod
    def msg_deser(cls, f, protover=PROTOCOL):
        c = cls()
        for _ in range(VarIntSerializer.stream_deserialize(f)):
            c.headers.append(CBlockHeader.stream_deserialize(f))
            if VarIntSerializer.stream_deserialize(f) != 0:
                raise ValueError("headers entry with a non-zero transaction count")
        return c


messages.messagemap[b"headers"] = HeadersMsg


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def target(bits):
    exponent, mantissa = bits >> 24, bits & 0x007FFFFF
    if exponent <= 3:
        return mantissa >> (8 * (3 - exponent))
    return mantissa << (8 * (exponent - 3))


class Peer:
    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=30)
        self.f = self.sock.makefile("rb")

    def send(self, msg):
        self.sock.sendall(msg.to_bytes())

    def recv(self, *commands):
        """Return the next message whose command is one of commands,
        answering pings and skipping everything else."""
        while True:
            msg = messages.MsgSerializable.stream_deserialize(self.f, protover=PROTOCOL)
            if msg is None:
                continue  # a message the library does not know (sendheaders, feefilter, ...)
            if msg.command == b"ping":
                pong = messages.msg_pong()
                pong.nonce = msg.nonce
                self.send(pong)
            if msg.command in commands:
                return msg

    def handshake(self):
        v = messages.msg_version(PROTOCOL)
        v.nStartingHeight = 0
        v.fRelay = False
        self.send(v)
        theirs = self.recv(b"version")
        if theirs.nVersion < 70001:
            fail("node announces protocol %d" % theirs.nVersion)
        if not theirs.strSubVer.startswith(b"/nodecoin:"):
            fail("user agent %r" % theirs.strSubVer)
        if theirs.nServices != 1:
            fail("services %#x, want NODE_NETWORK (1) only" % theirs.nServices)
        self.send(messages.msg_verack(PROTOCOL))
        self.recv(b"verack")
        return theirs

    def blocks(self, hashes):
        """Ask for the blocks with the given hashes and check each."""
        for i in range(0, len(hashes), 128):
            batch = hashes[i:i + 128]
            gd = messages.msg_getdata(PROTOCOL)
            for h in batch:
                inv = CInv()
                inv.type, inv.hash = MSG_BLOCK, h
                gd.inv.append(inv)
            self.send(gd)
            for h in batch:
                msg = self.recv(b"block", b"notfound")
                if msg.command == b"notfound":
                    fail("node answered notfound for block %s" % b2lx(h))
                blk = msg.block
                if blk.GetHash() != h:
                    fail("asked for block %s, got %s" % (b2lx(h), b2lx(blk.GetHash())))
                if blk.calc_merkle_root() != blk.hashMerkleRoot:
                    fail("block %s: merkle root does not match its transactions" % b2lx(h))
                if not blk.vtx or not blk.vtx[0].is_coinbase():
                    fail("block %s does not start with a coinbase" % b2lx(h))


def check_header(prev_hash, h):
    if h.hashPrevBlock != prev_hash:
        fail("header %s does not link to %s" % (b2lx(h.GetHash()), b2lx(prev_hash)))
    if int.from_bytes(h.GetHash(), "little") > target(h.nBits):
        fail("header %s does not meet its target" % b2lx(h.GetHash()))


def sync_headers(peer, genesis):
    chain = [genesis]
    while True:
        gh = messages.msg_getheaders(PROTOCOL)
        gh.locator.vHave = [chain[-1]]
        gh.hashstop = b"\x00" * 32
        peer.send(gh)
        got = peer.recv(b"headers").headers
        for h in got:
            check_header(chain[-1], h)
            chain.append(h.GetHash())
        if len(got) < 2000:
            break
    peer.blocks(chain[1:])
    return len(chain) - 1, chain[-1]


def sync_getblocks(peer, genesis):
    chain = [genesis]
    while True:
        gb = messages.msg_getblocks(PROTOCOL)
        gb.locator.vHave = [chain[-1]]
        peer.send(gb)
        inv = peer.recv(b"inv").inv
        hashes = [i.hash for i in inv if i.type == MSG_BLOCK and i.hash not in chain[-1:]]
        if not hashes:
            break
        # Blocks come in the order asked; each must extend the last.
        gd = messages.msg_getdata(PROTOCOL)
        gd.inv = [i for i in inv if i.type == MSG_BLOCK]
        peer.send(gd)
        for h in hashes:
            blk = peer.recv(b"block").block
            check_header(chain[-1], blk.get_header())
            if blk.calc_merkle_root() != blk.hashMerkleRoot:
                fail("block %s: merkle root does not match its transactions" % b2lx(h))
            chain.append(blk.GetHash())
        if len(hashes) < 500:
            break
        # Asking for the last block of a full inv makes the node send an
        # inv of its tip; the next getblocks continues from there.
        tip = peer.recv(b"inv").inv
        if not tip or tip[-1].type != MSG_BLOCK:
            fail("no inv of the tip after the last block of a full inv")
    return len(chain) - 1, chain[-1]


def main():
    if len(sys.argv) != 6:
        print(__doc__)
        sys.exit(2)
    host, port, magic, genesis, mode = sys.argv[1:]
    bitcoin.params = Params(bytes.fromhex(magic))
    peer = Peer(host, int(port))
    peer.handshake()
    genesis = lx(genesis)
    if mode == "headers":
        height, tip = sync_headers(peer, genesis)
    elif mode == "getblocks":
        height, tip = sync_getblocks(peer, genesis)
    else:
        fail("unknown mode " + mode)
    print("synced %d %s" % (height, b2lx(tip)))


if __name__ == "__main__":
    main()
