#!/usr/bin/env python3
"""Signs a nodecoin regtest transaction with a third-party library:
python-bitcoinlib (Debian's python3-bitcoinlib), configured with nodecoin's
regtest parameters.

Usage: python3 thirdparty_sign.py WIF TXID VOUT VALUE DEST FEE

Spends output TXID:VOUT (VALUE base units, paid to the P2PKH address of the
compressed key WIF) to the address DEST, paying FEE, and prints the signed
transaction's hex. The signature is checked with the library's own script
interpreter before printing.
"""

import sys

import bitcoin
from bitcoin.core import COutPoint, CMutableTransaction, CMutableTxIn, CMutableTxOut, Hash160, b2x, lx
from bitcoin.core.script import CScript, OP_CHECKSIG, OP_DUP, OP_EQUALVERIFY, OP_HASH160, SIGHASH_ALL, SignatureHash
from bitcoin.core.scripteval import SCRIPT_VERIFY_P2SH, VerifyScript
from bitcoin.wallet import CBitcoinAddress, CBitcoinSecret


def select_nodecoin_regtest():
    """Bitcoin's regtest parameters with nodecoin's network constants."""
    bitcoin.SelectParams('regtest')
    p = bitcoin.params
    p.MESSAGE_START = b'\xf7\x4e\x43\x03'
    p.DEFAULT_PORT = 29633
    p.RPC_PORT = 29632
    p.BASE58_PREFIXES = {'PUBKEY_ADDR': 0x70, 'SCRIPT_ADDR': 0xc4, 'SECRET_KEY': 0xf0}


def main():
    if len(sys.argv) != 7:
        print(__doc__, file=sys.stderr)
        return 2
    wif, txid, vout, value, dest, fee = sys.argv[1:]
    select_nodecoin_regtest()
    key = CBitcoinSecret(wif)
    spent_script = CScript([OP_DUP, OP_HASH160, Hash160(key.pub), OP_EQUALVERIFY, OP_CHECKSIG])
    txin = CMutableTxIn(COutPoint(lx(txid), int(vout)))
    txout = CMutableTxOut(int(value) - int(fee), CBitcoinAddress(dest).to_scriptPubKey())
    tx = CMutableTransaction([txin], [txout])
    sighash = SignatureHash(spent_script, tx, 0, SIGHASH_ALL)
    txin.scriptSig = CScript([key.sign(sighash) + bytes([SIGHASH_ALL]), key.pub])
    VerifyScript(txin.scriptSig, spent_script, tx, 0, (SCRIPT_VERIFY_P2SH,))
    print(b2x(tx.serialize()))
    return 0


if __name__ == '__main__':
    sys.exit(main())
