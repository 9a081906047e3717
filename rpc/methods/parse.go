package methods

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/rpc"
	"github.com/nodecoin/nodecoin/rpc/corejson"
)

// errBlockNotFound is Core's answer for an unknown block hash.
var errBlockNotFound = rpc.NewError(rpc.CodeInvalidAddressOrKey, "Block not found")

// errBlockNotAvailable is Core's answer for a block whose header is known
// but whose data is not stored.
var errBlockNotAvailable = rpc.NewError(rpc.CodeMisc, "Block not available (not fully downloaded)")

// parseHash reads parameter i as a hash in display order, as Core's
// ParseHashV: "<name> must be of length 64 (not N, for 'x')" or "<name>
// must be hexadecimal string (not 'x')", both -8.
func parseHash(p rpc.Params, i int, name string) (wire.Hash, error) {
	s, err := p.String(i)
	if err != nil {
		return wire.Hash{}, err
	}
	return hashFromString(s, name)
}

// hashFromString is parseHash for a string already read.
func hashFromString(s, name string) (wire.Hash, error) {
	if len(s) != 2*wire.HashSize {
		return wire.Hash{}, rpc.Errorf(rpc.CodeInvalidParameter, "%s must be of length %d (not %d, for '%s')",
			name, 2*wire.HashSize, len(s), s)
	}
	h, err := wire.NewHashFromStr(s)
	if err != nil {
		return wire.Hash{}, rpc.Errorf(rpc.CodeInvalidParameter, "%s must be hexadecimal string (not '%s')", name, s)
	}
	return h, nil
}

// parseHex decodes s as Core's ParseHexV: a non-empty, even-length string
// of hex digits, else -8 "<name> must be hexadecimal string (not 'x')".
func parseHex(s, name string) ([]byte, error) {
	b, err := hex.DecodeString(s)
	if err != nil || s == "" {
		return nil, rpc.Errorf(rpc.CodeInvalidParameter, "%s must be hexadecimal string (not '%s')", name, s)
	}
	return b, nil
}

// blockInfo looks a block up, answering Core's -5 "Block not found" for an
// unknown hash.
func blockInfo(c Chain, h wire.Hash) (chain.BlockInfo, error) {
	info, err := c.BlockInfo(h)
	if errors.Is(err, chain.ErrBlockNotFound) {
		return info, errBlockNotFound
	}
	if err != nil {
		return info, fmt.Errorf("look up block %s: %w", h, err)
	}
	return info, nil
}

// blockContext is the JSON context of a block from its index entry.
func blockContext(info chain.BlockInfo, numTx int) corejson.BlockContext {
	return corejson.BlockContext{Height: info.Height, Confirmations: info.Confirmations, MedianTime: info.MedianTime,
		ChainWork: info.ChainWork, Difficulty: chain.Difficulty(info.Header.Bits), Previous: info.Previous,
		Next: info.Next, NumTx: numTx}
}

// typeError is UniValue's type mismatch, code -3.
func typeError(raw json.RawMessage, want string) *rpc.Error {
	return rpc.Errorf(rpc.CodeType, "JSON value of type %s is not of expected type %s", rpc.JSONType(raw), want)
}

// member is one key and value of a JSON object.
type member struct {
	key   string
	value json.RawMessage
}

// orderedObject decodes a JSON object keeping its members' order and
// duplicate keys, as Core's UniValue does (createrawtransaction's outputs
// are in the order given, and a repeated address is an error).
func orderedObject(raw json.RawMessage) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("decode object: %w", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, typeError(raw, "object")
	}
	var out []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("decode object: %w", err)
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("decode object: %w", err)
		}
		out = append(out, member{key, v})
	}
	return out, nil
}

// find returns the value of the first member named key, or nil.
func find(obj []member, key string) json.RawMessage {
	for _, m := range obj {
		if m.key == key {
			return m.value
		}
	}
	return nil
}

// jsonInt reads a JSON number holding an integer, as UniValue's getInt:
// "JSON integer out of range" (-1) when it is not one or does not fit.
func jsonInt(raw json.RawMessage) (int64, error) {
	v, err := strconv.ParseInt(string(bytes.TrimSpace(raw)), 10, 64)
	if err != nil {
		return 0, rpc.NewError(rpc.CodeMisc, "JSON integer out of range")
	}
	return v, nil
}

// amountFromValue reads an amount in coins as Core's AmountFromValue: a
// JSON number or a string holding one, -3 "Amount is not a number or
// string", "Invalid amount" or "Amount out of range".
func amountFromValue(raw json.RawMessage) (int64, error) {
	var text string
	switch rpc.JSONType(raw) {
	case "number":
		text = string(bytes.TrimSpace(raw))
	case "string":
		if err := json.Unmarshal(raw, &text); err != nil {
			return 0, rpc.NewError(rpc.CodeType, "Invalid amount")
		}
	default:
		return 0, rpc.NewError(rpc.CodeType, "Amount is not a number or string")
	}
	v, err := corejson.ParseAmount(text)
	if err == nil {
		return v, nil
	}
	if f, ferr := strconv.ParseFloat(strings.TrimSpace(text), 64); ferr == nil &&
		(f < 0 || f > float64(consensus.MaxMoney)/float64(consensus.Coin)) {
		return 0, rpc.NewError(rpc.CodeType, "Amount out of range")
	}
	return 0, rpc.NewError(rpc.CodeType, "Invalid amount")
}
