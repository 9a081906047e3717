package methods

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/address"
	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/rpc"
	"github.com/nodecoin/nodecoin/rpc/corejson"
)

// Sequence numbers createrawtransaction uses (Core's CTxIn constants).
const (
	sequenceFinal       = 0xffffffff // SEQUENCE_FINAL
	maxSequenceNonFinal = 0xfffffffe // MAX_SEQUENCE_NONFINAL: enables the locktime
	maxBIP125Sequence   = 0xfffffffd // MAX_BIP125_RBF_SEQUENCE: signals replaceability
	// createTxVersion is the version of created transactions (Core's
	// CURRENT_VERSION).
	createTxVersion = 2
)

// RawTransactions returns the methods of the "rawtransactions" category:
// getrawtransaction, decoderawtransaction, decodescript and
// createrawtransaction.
func RawTransactions(c Chain, opts Options) []rpc.Method {
	r := &rawTx{c: c, opts: opts}
	return []rpc.Method{r.getRawTransaction(), r.decodeRawTransaction(), r.decodeScript(), r.createRawTransaction()}
}

type rawTx struct {
	c    Chain
	opts Options
}

// rawTxResult is getrawtransaction's verbose result: Core puts
// in_active_chain first, and only when a block hash was given.
type rawTxResult struct {
	InActiveChain *bool `json:"in_active_chain,omitempty"`
	corejson.Tx
}

const txResultFields = `  "txid" : "hex",                    (string) The transaction id (same as provided)
  "hash" : "hex",                    (string) The transaction hash (same as txid: nodecoin has no witnesses)
  "size" : n,                        (numeric) The serialized transaction size
  "vsize" : n,                       (numeric) The virtual transaction size (same as size)
  "weight" : n,                      (numeric) The transaction's weight (four times the size)
  "version" : n,                     (numeric) The version
  "locktime" : xxx,                  (numeric) The lock time
  "vin" : [                          (json array)
    {                                (json object)
      "coinbase" : "hex",            (string, optional) The coinbase value (only if coinbase transaction)
      "txid" : "hex",                (string, optional) The transaction id (if not coinbase transaction)
      "vout" : n,                    (numeric, optional) The output number (if not coinbase transaction)
      "scriptSig" : {                (json object, optional) The script (if not coinbase transaction)
        "asm" : "str",               (string) Disassembly of the signature script
        "hex" : "hex"                (string) The raw signature script bytes, hex-encoded
      },
      "sequence" : n                 (numeric) The script sequence number
    },
    ...
  ],
  "vout" : [                         (json array)
    {                                (json object)
      "value" : n,                   (numeric) The value in NDC
      "n" : n,                       (numeric) index
      "scriptPubKey" : {             (json object)
        "asm" : "str",               (string) Disassembly of the public key script
        "desc" : "str",              (string) Inferred descriptor for the output
        "hex" : "hex",               (string) The raw public key script bytes, hex-encoded
        "address" : "str",           (string, optional) The address (only if a well-defined address exists)
        "type" : "str"               (string) The type (one of: nonstandard, pubkey, pubkeyhash, scripthash, multisig, nulldata)
      }
    },
    ...
  ]
`

func (r *rawTx) getRawTransaction() rpc.Method {
	return rpc.Method{
		Name:     "getrawtransaction",
		Category: "rawtransactions",
		Args: []rpc.Arg{
			{Name: "txid", Type: rpc.TypeString, Description: "The transaction id"},
			{Name: "verbosity|verbose", Type: rpc.TypeAny, Optional: true, Default: "0", HelpType: "numeric",
				Description: "0 for hex-encoded data, 1 for a JSON object, and 2 for JSON object with fee and prevout (true and false are taken as 1 and 0)"},
			{Name: "blockhash", Type: rpc.TypeString, Optional: true, Description: "The block in which to look for the transaction"},
		},
		Description: "By default, this call only returns a transaction if it is in the mempool. If -txindex is enabled\n" +
			"and no blockhash argument is passed, it will return the transaction if it is in the mempool or any block.\n" +
			"If a blockhash argument is passed, it will return the transaction if\n" +
			"the specified block is available and the transaction is in that block.\n\n" +
			"Hint: Use gettransaction for wallet transactions.\n\n" +
			"If verbosity is 0 or omitted, returns the serialized transaction as a hex-encoded string.\n" +
			"If verbosity is 1, returns a JSON Object with information about the transaction.\n" +
			"If verbosity is 2, Core adds the fee and each input's prevout; nodecoin keeps no spent-output data for RPC and answers as for\n" +
			"verbosity 1 (Core's own answer when undo data is unavailable), and for a mempool transaction as verbosity 1, as Core does.\n" +
			"nodecoin keeps the transaction index by default.",
		Result: `Result (if verbosity is not set or set to 0):
"str"    (string) The serialized transaction as a hex-encoded string for 'txid'

Result (if verbosity is set to 1):
{                                    (json object)
  "in_active_chain" : true|false,    (boolean, optional) Whether specified block is in the active chain or not (only present with explicit "blockhash" argument)
` + txResultFields + `  "hex" : "hex",                     (string) The serialized, hex-encoded data for 'txid'
  "blockhash" : "hex",               (string, optional) the block hash
  "confirmations" : n,               (numeric, optional) The confirmations
  "time" : xxx,                      (numeric, optional) Same as "blocktime"
  "blocktime" : xxx                  (numeric, optional) The block time expressed in UNIX epoch time
}`,
		Examples: rpc.ExampleCLI("getrawtransaction", `"mytxid"`) + rpc.ExampleCLI("getrawtransaction", `"mytxid" 1`) +
			rpc.ExampleRPC("getrawtransaction", `"mytxid", 1`) + rpc.ExampleCLI("getrawtransaction", `"mytxid" 0 "myblockhash"`),
		Handler: r.getRawTransactionHandler,
	}
}

func (r *rawTx) getRawTransactionHandler(_ context.Context, p rpc.Params) (any, error) {
	txid, err := parseHash(p, 0, "parameter 1")
	if err != nil {
		return nil, err
	}
	verbosity, err := p.Verbosity(1, 0, true)
	if err != nil {
		return nil, err
	}
	params := r.c.Params()
	if txid == params.GenesisBlock.Header.MerkleRoot {
		return nil, rpc.NewError(rpc.CodeInvalidAddressOrKey,
			"The genesis block coinbase is not considered an ordinary transaction and cannot be retrieved")
	}
	var (
		tx        *wire.Tx
		blockHash wire.Hash
		inActive  *bool
	)
	if !p.IsNull(2) {
		blockHash, err = parseHash(p, 2, "parameter 3")
		if err != nil {
			return nil, err
		}
		info, err := r.c.BlockInfo(blockHash)
		if errors.Is(err, chain.ErrBlockNotFound) {
			return nil, rpc.NewError(rpc.CodeInvalidAddressOrKey, "Block hash not found")
		}
		if err != nil {
			return nil, fmt.Errorf("look up block %s: %w", blockHash, err)
		}
		if !info.HaveData {
			return nil, rpc.NewError(rpc.CodeMisc, "Block not available")
		}
		blk, err := r.c.Block(blockHash)
		if err != nil {
			return nil, fmt.Errorf("read block %s: %w", blockHash, err)
		}
		for i, h := range blk.TxHashes() {
			if h == txid {
				tx = blk.Transactions[i]
				break
			}
		}
		if tx == nil {
			return nil, rpc.NewError(rpc.CodeInvalidAddressOrKey,
				"No such transaction found in the provided block. Use gettransaction for wallet transactions.")
		}
		active := info.Confirmations >= 0
		inActive = &active
	} else if tx = r.poolTx(txid); tx != nil {
		// In the mempool (Core looks there first): no block fields.
		if verbosity <= 0 {
			return hex.EncodeToString(tx.Serialize()), nil
		}
		return rawTxResult{Tx: corejson.NewTx(tx, params.AddressPrefixes(), true, nil)}, nil
	} else {
		found, err := r.c.TxByID(txid)
		if errors.Is(err, chain.ErrTxNotFound) {
			if !r.opts.TxIndex {
				return nil, rpc.NewError(rpc.CodeInvalidAddressOrKey, "No such mempool transaction. Use -txindex or provide a block hash "+
					"to enable blockchain transaction queries. Use gettransaction for wallet transactions.")
			}
			return nil, rpc.NewError(rpc.CodeInvalidAddressOrKey,
				"No such mempool or blockchain transaction. Use gettransaction for wallet transactions.")
		}
		if err != nil {
			return nil, fmt.Errorf("look up transaction %s: %w", txid, err)
		}
		tx, blockHash = found.Tx, found.BlockHash
	}
	if verbosity <= 0 {
		return hex.EncodeToString(tx.Serialize()), nil
	}
	// The block's place now (it may have moved since the lookup).
	info, err := r.c.BlockInfo(blockHash)
	if err != nil {
		return nil, fmt.Errorf("look up block %s: %w", blockHash, err)
	}
	var out rawTxResult
	if info.Confirmations >= 0 {
		out.Tx = corejson.NewTx(tx, params.AddressPrefixes(), true, &corejson.Confirmation{BlockHash: blockHash,
			Confirmations: info.Confirmations, BlockTime: int64(info.Header.Timestamp)})
	} else {
		// Core: a block off the main chain gives confirmations 0 and no time.
		out.Tx = corejson.NewTx(tx, params.AddressPrefixes(), true, nil)
		out.BlockHash = blockHash.String()
		zero := int32(0)
		out.Confirmations = &zero
	}
	out.InActiveChain = inActive
	return out, nil
}

// poolTx returns the mempool transaction with txid, or nil (also without
// a mempool).
func (r *rawTx) poolTx(txid wire.Hash) *wire.Tx {
	if r.opts.Pool == nil {
		return nil
	}
	return r.opts.Pool.Tx(txid)
}

func (r *rawTx) decodeRawTransaction() rpc.Method {
	return rpc.Method{
		Name:     "decoderawtransaction",
		Category: "rawtransactions",
		Args: []rpc.Arg{
			{Name: "hexstring", Type: rpc.TypeString, Description: "The transaction hex string"},
			{Name: "iswitness", Type: rpc.TypeBool, Optional: true, Default: "depends on heuristic tests",
				Description: "Whether the transaction hex is a serialized witness transaction (nodecoin has no witnesses: true always fails)."},
		},
		Description: "Return a JSON object representing the serialized, hex-encoded transaction.",
		Result: `{                                  (json object)
` + txResultFields + `}`,
		Examples: rpc.ExampleCLI("decoderawtransaction", `"hexstring"`) + rpc.ExampleRPC("decoderawtransaction", `"hexstring"`),
		Handler: func(_ context.Context, p rpc.Params) (any, error) {
			s, err := p.String(0)
			if err != nil {
				return nil, err
			}
			witness, err := p.OptionalBool(1, false)
			if err != nil {
				return nil, err
			}
			errDecode := rpc.NewError(rpc.CodeDeserialization, "TX decode failed")
			raw, err := hex.DecodeString(s)
			if err != nil || witness {
				return nil, errDecode
			}
			tx, err := wire.DecodeTx(raw)
			if err != nil {
				return nil, errDecode
			}
			return corejson.NewTx(tx, r.c.Params().AddressPrefixes(), false, nil), nil
		},
	}
}

func (r *rawTx) decodeScript() rpc.Method {
	return rpc.Method{
		Name:        "decodescript",
		Category:    "rawtransactions",
		Args:        []rpc.Arg{{Name: "hexstring", Type: rpc.TypeString, Description: "the hex-encoded script"}},
		Description: "Decode a hex-encoded script.",
		Result: `{                   (json object)
  "asm" : "str",    (string) Script public key
  "desc" : "str",   (string) Inferred descriptor for the script
  "type" : "str",   (string) The output type (e.g. nonstandard, pubkey, pubkeyhash, scripthash, multisig, nulldata)
  "address" : "str", (string, optional) The address (only if a well-defined address exists)
  "p2sh" : "str"    (string, optional) address of P2SH script wrapping this redeem script (not returned for types that should not be wrapped)
}`,
		Examples: rpc.ExampleCLI("decodescript", `"hexstring"`) + rpc.ExampleRPC("decodescript", `"hexstring"`),
		Handler: func(_ context.Context, p rpc.Params) (any, error) {
			s, err := p.String(0)
			if err != nil {
				return nil, err
			}
			var sc []byte
			if s != "" { // an empty script is valid
				if sc, err = parseHex(s, "argument"); err != nil {
					return nil, err
				}
			}
			return corejson.NewDecodedScript(sc, r.c.Params().AddressPrefixes()), nil
		},
	}
}

func (r *rawTx) createRawTransaction() rpc.Method {
	return rpc.Method{
		Name:     "createrawtransaction",
		Category: "rawtransactions",
		Args: []rpc.Arg{
			{Name: "inputs", Type: rpc.TypeArray, Description: `The inputs: [{"txid":"hex","vout":n,"sequence":n},...]; ` +
				"sequence defaults to 0xfffffffd with replaceable, 0xfffffffe with a locktime, else 0xffffffff"},
			{Name: "outputs", Type: rpc.TypeAny, HelpType: "json array",
				Description: `The outputs: [{"address":amount},{"data":"hex"},...], or one object {"address":amount,"data":"hex",...} ` +
					"(amounts in NDC; at most one \"data\" output, an OP_RETURN with the data)"},
			{Name: "locktime", Type: rpc.TypeNumber, Optional: true, Default: "0",
				Description: "Raw locktime. Non-0 value also locktime-activates inputs"},
			{Name: "replaceable", Type: rpc.TypeBool, Optional: true, Default: "false",
				Description: "Marks this transaction as BIP125-replaceable. Allows this transaction to be replaced by a transaction with higher fees."},
		},
		Description: "Create a transaction spending the given inputs and creating new outputs.\n" +
			"Outputs can be addresses or data.\n" +
			"Returns hex-encoded raw transaction.\n" +
			"Note that the transaction's inputs are not signed, and\n" +
			"it is not stored in the wallet or transmitted to the network.",
		Result: `"hex"    (string) hex string of the transaction`,
		Examples: rpc.ExampleCLI("createrawtransaction", `"[{\"txid\":\"myid\",\"vout\":0}]" "[{\"address\":0.01}]"`) +
			rpc.ExampleCLI("createrawtransaction", `"[{\"txid\":\"myid\",\"vout\":0}]" "[{\"data\":\"00010203\"}]"`) +
			rpc.ExampleRPC("createrawtransaction", `"[{\"txid\":\"myid\",\"vout\":0}]", "[{\"address\":0.01}]"`),
		Handler: func(_ context.Context, p rpc.Params) (any, error) {
			tx, err := constructTransaction(p, r.c.Params().AddressPrefixes())
			if err != nil {
				return nil, err
			}
			return hex.EncodeToString(tx.Serialize()), nil
		},
	}
}

// constructTransaction builds createrawtransaction's transaction as Core's
// ConstructTransaction, with its error messages ("Bitcoin" reads
// "nodecoin").
func constructTransaction(p rpc.Params, prefixes address.Prefixes) (*wire.Tx, error) {
	tx := &wire.Tx{Version: createTxVersion}
	locktime, err := p.OptionalInt(2, 0)
	if err != nil {
		return nil, err
	}
	if locktime < 0 || locktime > 0xffffffff {
		return nil, rpc.NewError(rpc.CodeInvalidParameter, "Invalid parameter, locktime out of range")
	}
	tx.LockTime = uint32(locktime)
	rbf, err := p.OptionalBool(3, false)
	if err != nil {
		return nil, err
	}
	var inputs []json.RawMessage
	if err := p.Decode(0, &inputs); err != nil {
		return nil, err
	}
	for _, in := range inputs {
		txin, err := parseInput(in, rbf, tx.LockTime)
		if err != nil {
			return nil, err
		}
		tx.TxIn = append(tx.TxIn, txin)
	}
	outputs, err := parseOutputs(p.Raw(1))
	if err != nil {
		return nil, err
	}
	seen := make(map[string]bool)
	for _, o := range outputs {
		if o.key == "data" {
			if seen["data"] {
				return nil, rpc.NewError(rpc.CodeInvalidParameter, "Invalid parameter, duplicate key: data")
			}
			seen["data"] = true
			var s string
			if rpc.JSONType(o.value) != "string" {
				return nil, typeError(o.value, "string")
			}
			json.Unmarshal(o.value, &s)
			data, err := parseHex(s, "Data")
			if err != nil {
				return nil, err
			}
			pk, err := script.NewBuilder().AddOp(script.OP_RETURN).AddData(data).Script()
			if err != nil {
				return nil, rpc.Errorf(rpc.CodeInvalidParameter, "Invalid parameter, data: %v", err)
			}
			tx.TxOut = append(tx.TxOut, &wire.TxOut{PkScript: pk})
			continue
		}
		addr, err := address.Decode(o.key, prefixes)
		if err != nil {
			return nil, rpc.NewError(rpc.CodeInvalidAddressOrKey, "Invalid nodecoin address: "+o.key)
		}
		if seen[o.key] {
			return nil, rpc.NewError(rpc.CodeInvalidParameter, "Invalid parameter, duplicated address: "+o.key)
		}
		seen[o.key] = true
		amount, err := amountFromValue(o.value)
		if err != nil {
			return nil, err
		}
		tx.TxOut = append(tx.TxOut, &wire.TxOut{Value: amount, PkScript: addr.ScriptPubKey()})
	}
	if rbf && len(tx.TxIn) > 0 {
		signals := false
		for _, in := range tx.TxIn {
			signals = signals || in.Sequence <= maxBIP125Sequence
		}
		if !signals {
			return nil, rpc.NewError(rpc.CodeInvalidParameter, "Invalid parameter combination: Sequence number(s) contradict replaceable option")
		}
	}
	return tx, nil
}

// parseInput reads one of createrawtransaction's inputs.
func parseInput(raw json.RawMessage, rbf bool, locktime uint32) (*wire.TxIn, error) {
	if rpc.JSONType(raw) != "object" {
		return nil, typeError(raw, "object")
	}
	obj, err := orderedObject(raw)
	if err != nil {
		return nil, err
	}
	txidRaw := find(obj, "txid")
	if rpc.JSONType(txidRaw) != "string" {
		return nil, typeError(txidRaw, "string")
	}
	var s string
	json.Unmarshal(txidRaw, &s)
	txid, err := hashFromString(s, "txid")
	if err != nil {
		return nil, err
	}
	voutRaw := find(obj, "vout")
	if rpc.JSONType(voutRaw) != "number" {
		return nil, rpc.NewError(rpc.CodeInvalidParameter, "Invalid parameter, missing vout key")
	}
	vout, err := jsonInt(voutRaw)
	if err != nil {
		return nil, err
	}
	if vout < 0 {
		return nil, rpc.NewError(rpc.CodeInvalidParameter, "Invalid parameter, vout cannot be negative")
	}
	if vout > 0x7fffffff {
		return nil, rpc.NewError(rpc.CodeMisc, "JSON integer out of range")
	}
	seq := uint32(sequenceFinal)
	switch {
	case rbf:
		seq = maxBIP125Sequence
	case locktime != 0:
		seq = maxSequenceNonFinal
	}
	if seqRaw := find(obj, "sequence"); rpc.JSONType(seqRaw) == "number" {
		v, err := jsonInt(seqRaw)
		if err != nil {
			return nil, err
		}
		if v < 0 || v > sequenceFinal {
			return nil, rpc.NewError(rpc.CodeInvalidParameter, "Invalid parameter, sequence number is out of range")
		}
		seq = uint32(v)
	}
	return &wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: txid, Index: uint32(vout)}, Sequence: seq}, nil
}

// parseOutputs reads createrawtransaction's outputs — an object, or an
// array of one-member objects — as key/value pairs in order.
func parseOutputs(raw json.RawMessage) ([]member, error) {
	switch rpc.JSONType(raw) {
	case "null":
		return nil, rpc.NewError(rpc.CodeInvalidParameter, "Invalid parameter, output argument must be non-null")
	case "object":
		return orderedObject(raw)
	case "array":
	default:
		return nil, typeError(raw, "array")
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(raw, &elems); err != nil {
		return nil, rpc.Errorf(rpc.CodeType, "outputs: %v", err)
	}
	var out []member
	for _, e := range elems {
		if rpc.JSONType(e) != "object" {
			return nil, rpc.NewError(rpc.CodeInvalidParameter, "Invalid parameter, key-value pair not an object as expected")
		}
		obj, err := orderedObject(e)
		if err != nil {
			return nil, err
		}
		if len(obj) != 1 {
			return nil, rpc.NewError(rpc.CodeInvalidParameter, "Invalid parameter, key-value pair must contain exactly one key")
		}
		out = append(out, obj[0])
	}
	return out, nil
}
