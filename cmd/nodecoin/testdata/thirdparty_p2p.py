#!/usr/bin/env python3
"""An independent, standard-library-only Bitcoin P2P client that syncs the
chain of a nodecoin node: version/verack, getheaders, getdata of every
block, getblocks. It shares no code with nodecoin; the Go test
TestP2PThirdPartyClientSyncs runs it.

usage: thirdparty_p2p.py HOST PORT MAGIC_HEX GENESIS_HASH_DISPLAY_HEX
prints a JSON object: headers, blocks, tip (display hex), getblocks_inv
"""
import hashlib
import json
import socket
import struct
import sys
import time


def sha256d(b):
    return hashlib.sha256(hashlib.sha256(b).digest()).digest()


def varint(n):
    if n < 0xfd:
        return bytes([n])
    if n <= 0xffff:
        return b"\xfd" + struct.pack("<H", n)
    if n <= 0xffffffff:
        return b"\xfe" + struct.pack("<I", n)
    return b"\xff" + struct.pack("<Q", n)


def read_varint(b, off):
    first = b[off]
    if first < 0xfd:
        return first, off + 1
    if first == 0xfd:
        return struct.unpack_from("<H", b, off + 1)[0], off + 3
    if first == 0xfe:
        return struct.unpack_from("<I", b, off + 1)[0], off + 5
    return struct.unpack_from("<Q", b, off + 1)[0], off + 9


class Conn:
    def __init__(self, host, port, magic):
        self.s = socket.create_connection((host, port), timeout=30)
        self.magic = magic
        self.buf = b""

    def send(self, cmd, payload=b""):
        hdr = self.magic + cmd.encode().ljust(12, b"\0") + struct.pack("<I", len(payload)) + sha256d(payload)[:4]
        self.s.sendall(hdr + payload)

    def _need(self, n):
        while len(self.buf) < n:
            chunk = self.s.recv(1 << 16)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk

    def recv(self):
        self._need(24)
        magic, cmd, length, checksum = self.buf[:4], self.buf[4:16], struct.unpack("<I", self.buf[16:20])[0], self.buf[20:24]
        if magic != self.magic:
            raise ValueError("bad magic %s" % magic.hex())
        self._need(24 + length)
        payload = self.buf[24:24 + length]
        self.buf = self.buf[24 + length:]
        if sha256d(payload)[:4] != checksum:
            raise ValueError("bad checksum")
        cmd = cmd.rstrip(b"\0").decode()
        if cmd == "ping":
            self.send("pong", payload)
        return cmd, payload

    def wait(self, want):
        while True:
            cmd, payload = self.recv()
            if cmd == want:
                return payload


def netaddr(ip4=b"\0\0\0\0", port=0):
    return struct.pack("<Q", 1) + b"\0" * 10 + b"\xff\xff" + ip4 + struct.pack(">H", port)


def main():
    host, port, magic_hex, genesis_hex = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    c = Conn(host, port, bytes.fromhex(magic_hex))
    ua = b"/thirdparty-py:0.1/"
    version = (struct.pack("<iQq", 70016, 1, int(time.time())) + netaddr() + netaddr() +
               struct.pack("<Q", 0x1234567890) + varint(len(ua)) + ua + struct.pack("<i", 0) + b"\x01")
    c.send("version", version)
    theirs = c.wait("version")
    their_version = struct.unpack_from("<i", theirs, 0)[0]
    their_services = struct.unpack_from("<Q", theirs, 4)[0]
    c.send("verack")
    c.wait("verack")

    genesis = bytes.fromhex(genesis_hex)[::-1]
    locator = struct.pack("<I", 70016) + varint(1) + genesis + b"\0" * 32
    c.send("getheaders", locator)
    payload = c.wait("headers")
    count, off = read_varint(payload, 0)
    hashes, prev = [], genesis
    for _ in range(count):
        header = payload[off:off + 80]
        if payload[off + 80] != 0:
            raise ValueError("headers entry with a non-zero transaction count")
        off += 81
        if header[4:36] != prev:
            raise ValueError("headers do not chain")
        prev = sha256d(header)
        hashes.append(prev)
    if off != len(payload):
        raise ValueError("trailing bytes in headers")

    inv = varint(len(hashes)) + b"".join(struct.pack("<I", 2) + h for h in hashes)
    c.send("getdata", inv)
    got = 0
    for h in hashes:
        block = c.wait("block")
        if sha256d(block[:80]) != h:
            raise ValueError("block %d out of order or wrong" % got)
        got += 1

    c.send("getblocks", locator)
    payload = c.wait("inv")
    inv_count, _ = read_varint(payload, 0)
    print(json.dumps({"headers": count, "blocks": got, "tip": hashes[-1][::-1].hex() if hashes else genesis_hex,
                      "getblocks_inv": inv_count, "version": their_version, "services": their_services}))


if __name__ == "__main__":
    main()
