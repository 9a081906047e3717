package script

import (
	"github.com/btcsuite/btcd/btcec/v2"
)

// IsValidSignatureEncoding reports whether sig (DER signature followed by
// a hash-type byte) is encoded exactly as BIP66 requires:
//
//	0x30 len 0x02 lenR R 0x02 lenS S hashtype
//
// with minimal, positive R and S and consistent lengths.
func IsValidSignatureEncoding(sig []byte) bool {
	n := len(sig)
	// 6 bytes of headers, 1 byte each of R and S at least, and the hash
	// type; at most 33-byte R and S.
	if n < 9 || n > 73 {
		return false
	}
	if sig[0] != 0x30 || int(sig[1]) != n-3 {
		return false
	}
	lenR := int(sig[3])
	if 5+lenR >= n {
		return false
	}
	lenS := int(sig[5+lenR])
	if lenR+lenS+7 != n {
		return false
	}
	// R: an integer, not empty, not negative, no needless leading zero.
	if sig[2] != 0x02 || lenR == 0 || sig[4]&0x80 != 0 {
		return false
	}
	if lenR > 1 && sig[4] == 0 && sig[5]&0x80 == 0 {
		return false
	}
	// S: the same rules.
	if sig[lenR+4] != 0x02 || lenS == 0 || sig[lenR+6]&0x80 != 0 {
		return false
	}
	if lenS > 1 && sig[lenR+6] == 0 && sig[lenR+7]&0x80 == 0 {
		return false
	}
	return true
}

// hasLowS reports whether a signature that passed IsValidSignatureEncoding
// has S ≤ N/2. As in Bitcoin Core, R or S that do not fit below the group
// order make the signature parse as zero, which counts as low.
func hasLowS(sig []byte) bool {
	lenR := int(sig[3])
	lenS := int(sig[5+lenR])
	var r, s btcec.ModNScalar
	rb := trimZeros(sig[4 : 4+lenR])
	sb := trimZeros(sig[6+lenR : 6+lenR+lenS])
	if len(rb) > 32 || len(sb) > 32 || r.SetByteSlice(rb) || s.SetByteSlice(sb) {
		return true
	}
	return !s.IsOverHalfOrder()
}

// IsLowDERSignature reports whether sig (with its hash-type byte) is strict
// DER with S ≤ N/2.
func IsLowDERSignature(sig []byte) bool {
	return IsValidSignatureEncoding(sig) && hasLowS(sig)
}

// isDefinedHashType reports whether the hash-type byte ending sig is one of
// ALL, NONE or SINGLE, optionally with ANYONECANPAY.
func isDefinedHashType(sig []byte) bool {
	if len(sig) == 0 {
		return false
	}
	t := SigHashType(sig[len(sig)-1]) &^ SigHashAnyOneCanPay
	return t >= SigHashAll && t <= SigHashSingle
}

// checkSignatureEncoding applies the DERSIG, LOW_S and STRICTENC rules to a
// signature with its hash-type byte. Empty signatures always pass.
func checkSignatureEncoding(sig []byte, flags Flags) error {
	if len(sig) == 0 {
		return nil
	}
	if flags&(VerifyDERSig|VerifyLowS|VerifyStrictEnc) != 0 && !IsValidSignatureEncoding(sig) {
		return scriptError(ErrSigDER, "signature is not strict DER")
	}
	if flags&VerifyLowS != 0 && !hasLowS(sig) {
		return scriptError(ErrSigHighS, "signature S is above half the order")
	}
	if flags&VerifyStrictEnc != 0 && !isDefinedHashType(sig) {
		return scriptError(ErrSigHashType, "undefined signature hash type 0x%02x", sig[len(sig)-1])
	}
	return nil
}

// IsCompressedOrUncompressedPubKey reports whether pk has the shape of a
// compressed (0x02/0x03, 33 bytes) or uncompressed (0x04, 65 bytes) key.
func IsCompressedOrUncompressedPubKey(pk []byte) bool {
	switch {
	case len(pk) == 33:
		return pk[0] == 0x02 || pk[0] == 0x03
	case len(pk) == 65:
		return pk[0] == 0x04
	}
	return false
}

// checkPubKeyEncoding applies the STRICTENC rule to a public key.
func checkPubKeyEncoding(pk []byte, flags Flags) error {
	if flags&VerifyStrictEnc != 0 && !IsCompressedOrUncompressedPubKey(pk) {
		return scriptError(ErrPubKeyType, "public key of %d bytes is neither compressed nor uncompressed", len(pk))
	}
	return nil
}

// pubKeyLenOK reports whether pk's length matches its prefix byte the way
// Bitcoin Core's CPubKey::IsValid checks it (hybrid keys 0x06/0x07 allowed).
func pubKeyLenOK(pk []byte) bool {
	if len(pk) == 0 {
		return false
	}
	switch pk[0] {
	case 0x02, 0x03:
		return len(pk) == 33
	case 0x04, 0x06, 0x07:
		return len(pk) == 65
	}
	return false
}

// parseLaxDER decodes a DER-like ECDSA signature (without hash type) the
// permissive way Bitcoin Core did before BIP66 (libsecp256k1's lax parser):
// lengths may use long form, the sequence length is not checked, trailing
// bytes are ignored and integers may carry leading zeros. It reports false
// for input it cannot parse. R or S that do not fit below the group order
// yield the zero signature, which never verifies.
func parseLaxDER(sig []byte, r, s *btcec.ModNScalar) bool {
	n := len(sig)
	pos := 0
	// Sequence tag and length (the length's value is ignored).
	if pos == n || sig[pos] != 0x30 {
		return false
	}
	pos++
	if pos == n {
		return false
	}
	lb := int(sig[pos])
	pos++
	if lb&0x80 != 0 {
		lb -= 0x80
		if lb > n-pos {
			return false
		}
		pos += lb
	}
	rpos, rlen, ok := laxInteger(sig, &pos)
	if !ok {
		return false
	}
	spos, slen, ok := laxInteger(sig, &pos)
	if !ok {
		return false
	}
	rb := trimZeros(sig[rpos : rpos+rlen])
	sb := trimZeros(sig[spos : spos+slen])
	overflow := len(rb) > 32 || len(sb) > 32
	if !overflow {
		overflow = r.SetByteSlice(rb)
		overflow = s.SetByteSlice(sb) || overflow
	}
	if overflow {
		r.Zero()
		s.Zero()
	}
	return true
}

// laxInteger reads an INTEGER header at *pos and returns the position and
// length of its contents, advancing *pos past them.
func laxInteger(sig []byte, pos *int) (start, length int, ok bool) {
	n := len(sig)
	p := *pos
	if p == n || sig[p] != 0x02 {
		return 0, 0, false
	}
	p++
	if p == n {
		return 0, 0, false
	}
	lb := int(sig[p])
	p++
	if lb&0x80 != 0 {
		lb -= 0x80
		if lb > n-p {
			return 0, 0, false
		}
		for lb > 0 && sig[p] == 0 {
			p++
			lb--
		}
		if lb >= 8 {
			return 0, 0, false
		}
		length = 0
		for ; lb > 0; lb-- {
			length = length<<8 | int(sig[p])
			p++
		}
	} else {
		length = lb
	}
	if length > n-p {
		return 0, 0, false
	}
	*pos = p + length
	return p, length, true
}

// trimZeros strips leading zero bytes.
func trimZeros(b []byte) []byte {
	for len(b) > 0 && b[0] == 0 {
		b = b[1:]
	}
	return b
}
