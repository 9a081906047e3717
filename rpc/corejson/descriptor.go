package corejson

import (
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/nodecoin/nodecoin/chain/address"
	"github.com/nodecoin/nodecoin/chain/script"
)

// descriptorInputCharset and descriptorChecksumCharset are BIP 380's.
const (
	descriptorInputCharset    = "0123456789()[],'/*abcdefgh@:$%{}IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~ijklmnopqrstuvwxyzABCDEFGH`#\"\\ "
	descriptorChecksumCharset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
)

func descriptorPolymod(c uint64, val int) uint64 {
	c0 := c >> 35
	c = (c&0x7ffffffff)<<5 ^ uint64(val)
	for i, g := range [5]uint64{0xf5dee51989, 0xa9fdca3312, 0x1bab10e32d, 0x3706b1677a, 0x644d626ffd} {
		if c0>>i&1 == 1 {
			c ^= g
		}
	}
	return c
}

// DescriptorChecksum returns the 8-character BIP 380 checksum of an output
// descriptor, or "" if it holds a character descriptors cannot contain.
func DescriptorChecksum(desc string) string {
	c := uint64(1)
	cls, clsCount := 0, 0
	for _, ch := range desc {
		pos := strings.IndexRune(descriptorInputCharset, ch)
		if pos < 0 {
			return ""
		}
		c = descriptorPolymod(c, pos&31)
		cls = cls*3 + pos>>5
		if clsCount++; clsCount == 3 {
			c = descriptorPolymod(c, cls)
			cls, clsCount = 0, 0
		}
	}
	if clsCount > 0 {
		c = descriptorPolymod(c, cls)
	}
	for range 8 {
		c = descriptorPolymod(c, 0)
	}
	c ^= 1
	out := make([]byte, 8)
	for j := range out {
		out[j] = descriptorChecksumCharset[c>>(5*(7-j))&31]
	}
	return string(out)
}

// InferDescriptor returns the output descriptor Core infers for a script
// it holds no keys for, with its checksum: pk() and multi() for key
// scripts, addr() for scripts with an address, raw() for the rest.
func InferDescriptor(pkScript []byte, p address.Prefixes) string {
	info := script.ExtractScriptInfo(pkScript)
	var d string
	switch info.Class {
	case script.PubKeyTy:
		d = "pk(" + hex.EncodeToString(info.PubKeys[0]) + ")"
	case script.MultiSigTy:
		keys := make([]string, len(info.PubKeys))
		for i, k := range info.PubKeys {
			keys[i] = hex.EncodeToString(k)
		}
		d = fmt.Sprintf("multi(%d,%s)", info.RequiredSigs, strings.Join(keys, ","))
	default:
		if a, ok := address.FromScript(pkScript, p); ok {
			d = "addr(" + a.String() + ")"
		} else {
			d = "raw(" + hex.EncodeToString(pkScript) + ")"
		}
	}
	return d + "#" + DescriptorChecksum(d)
}
