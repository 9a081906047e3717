package methods

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/mempool"
	"github.com/nodecoin/nodecoin/mempool/feeest"
	"github.com/nodecoin/nodecoin/rpc"
	"github.com/nodecoin/nodecoin/rpc/corejson"
)

// Defaults and limits of the mempool methods (Core's).
const (
	// DefaultMaxFeeRate is sendrawtransaction's and testmempoolaccept's
	// default maxfeerate, in base units per kvB: 0.10 coin/kvB (Core's
	// DEFAULT_MAX_RAW_TX_FEE_RATE).
	DefaultMaxFeeRate = 10_000_000
	// MaxTestAcceptTxs is the most transactions testmempoolaccept takes
	// (Core's MAX_PACKAGE_COUNT).
	MaxTestAcceptTxs = 25
)

// Core's messages for sendrawtransaction's failures (TransactionErrorString).
const (
	msgAlreadyInChain = "Transaction already in block chain"
	msgMaxFeeExceeded = "Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)"
	msgMaxBurn        = "Unspendable output exceeds maximum configured by user (maxburnamount)"
	msgInsufficient   = "Insufficient data or no feerate found"
)

// errNotInMempool is Core's answer for a txid the pool lacks.
var errNotInMempool = rpc.NewError(rpc.CodeInvalidAddressOrKey, "Transaction not in mempool")

// Mempool returns the methods that need the node's mempool: sendrawtransaction
// and testmempoolaccept ("rawtransactions"), getrawmempool, getmempoolentry,
// getmempoolancestors, getmempooldescendants and getmempoolinfo
// ("blockchain"), and prioritisetransaction ("mining"). It returns nothing
// when opts.Pool is nil.
func Mempool(c Chain, opts Options) []rpc.Method {
	if opts.Pool == nil {
		return nil
	}
	m := &mempoolMethods{c: c, pool: opts.Pool}
	return []rpc.Method{m.sendRawTransaction(), m.testMempoolAccept(), m.getRawMempool(), m.getMempoolEntry(),
		m.getMempoolAncestors(), m.getMempoolDescendants(), m.getMempoolInfo(), m.prioritiseTransaction()}
}

// FeeEstimation returns estimatesmartfee ("util"), or nothing when
// opts.Fees is nil. With opts.Pool set, estimates are raised to the pool's
// minimum fee rates, as Core does.
func FeeEstimation(opts Options) []rpc.Method {
	if opts.Fees == nil {
		return nil
	}
	return []rpc.Method{estimateSmartFee(opts.Fees, opts.Pool)}
}

type mempoolMethods struct {
	c    Chain
	pool Pool
}

// maxFeeRateArg is the maxfeerate argument of sendrawtransaction and
// testmempoolaccept.
var maxFeeRateArg = rpc.Arg{Name: "maxfeerate", Type: rpc.TypeAny, Optional: true, Default: "0.10", HelpType: "numeric or string",
	Description: "Reject transactions whose fee rate is higher than the specified value, expressed in NDC/kvB. " +
		"Set to 0 to accept any fee rate."}

// feeRateParam reads a fee rate in coins per kvB (an amount, as Core's
// AmountFromValue) and returns it in base units per kvB; absent or null
// gives def.
func feeRateParam(p rpc.Params, i int, def int64) (int64, error) {
	if p.IsNull(i) {
		return def, nil
	}
	return amountFromValue(p.Raw(i))
}

// feeAt returns the fee a rate in base units per kvB asks of size bytes, as
// Core's CFeeRate::GetFee: rounded up, at least one base unit for a
// positive rate.
func feeAt(perKvB, size int64) int64 {
	if perKvB <= 0 || size <= 0 {
		return 0
	}
	return (perKvB*size + 999) / 1000
}

// rateOf returns fee per kvB for size bytes, as Core's CFeeRate(fee, size).
func rateOf(fee, size int64) int64 {
	if size <= 0 {
		return 0
	}
	return fee * 1000 / size
}

// decodeTx decodes a raw transaction in hex, reporting only whether it
// could.
func decodeTx(s string) (*wire.Tx, bool) {
	raw, err := hex.DecodeString(s)
	if err != nil {
		return nil, false
	}
	tx, err := wire.DecodeTx(raw)
	if err != nil {
		return nil, false
	}
	return tx, true
}

// hasValidOps reports whether a script parses and uses only defined
// opcodes (Core's CScript::HasValidOps).
func hasValidOps(s []byte) bool {
	ops, err := script.ParseScript(s)
	if err != nil {
		return false
	}
	for _, op := range ops {
		if op.Opcode > script.OP_NOP10 {
			return false
		}
	}
	return true
}

// inChain reports whether an output of tx is unspent in the chain: the
// transaction is already confirmed (Core's BroadcastTransaction check).
func inChain(c Chain, tx *wire.Tx, txid wire.Hash) (bool, error) {
	for i := range tx.TxOut {
		coin, err := c.Coin(wire.OutPoint{Hash: txid, Index: uint32(i)})
		if err != nil {
			return false, fmt.Errorf("look up coin %s:%d: %w", txid, i, err)
		}
		if coin != nil {
			return true, nil
		}
	}
	return false, nil
}

// broadcastError maps a refusal of the pool to Core's answer of
// sendrawtransaction: -25 for missing inputs and a fee above maxfeerate,
// -27 for a confirmed transaction, -26 with "reason, detail" for the rest.
func broadcastError(txid wire.Hash, err error) error {
	re, ok := mempool.IsReject(err)
	if !ok {
		return fmt.Errorf("accept transaction %s: %w", txid, err)
	}
	switch {
	case re.Orphan:
		return rpc.NewError(rpc.CodeVerify, re.Error())
	case re.AlreadyKnown:
		return rpc.NewError(rpc.CodeVerifyAlreadyInChain, msgAlreadyInChain)
	case re.Reason == mempool.ReasonMaxFeeExceeded:
		return rpc.NewError(rpc.CodeVerify, msgMaxFeeExceeded)
	}
	return rpc.NewError(rpc.CodeVerifyRejected, re.Error())
}

// isAlreadyInMempool reports a refusal because the pool holds the
// transaction already, which sendrawtransaction answers with the txid.
func isAlreadyInMempool(err error) bool {
	re, ok := mempool.IsReject(err)
	return ok && re.Reason == mempool.ReasonAlreadyInMempool
}

func (m *mempoolMethods) sendRawTransaction() rpc.Method {
	return rpc.Method{
		Name:     "sendrawtransaction",
		Category: "rawtransactions",
		Args: []rpc.Arg{
			{Name: "hexstring", Type: rpc.TypeString, Description: "The hex string of the raw transaction"},
			maxFeeRateArg,
			{Name: "maxburnamount", Type: rpc.TypeAny, Optional: true, Default: "0.00", HelpType: "numeric or string",
				Description: "Reject transactions with provably unspendable outputs (e.g. 'datacarrier' outputs that use the OP_RETURN opcode) " +
					"greater than the specified value, expressed in NDC. " +
					"If burning funds through unspendable outputs is desired, increase this value. " +
					"This check is based on heuristics and does not guarantee spendability of outputs."},
		},
		Description: "Submit a raw transaction (serialized, hex-encoded) to local node and network.\n\n" +
			"The transaction will be sent unconditionally to all peers, so using sendrawtransaction\n" +
			"for manual rebroadcast may degrade privacy by leaking the transaction's origin, as\n" +
			"nodes will normally not rebroadcast non-wallet transactions already in their mempool.\n\n" +
			"A specific exception, RPC_TRANSACTION_ALREADY_IN_CHAIN, may throw if the transaction cannot be added to the mempool.\n" +
			"Errors: -22 the hex does not decode, -25 missing or spent inputs or a fee above maxfeerate,\n" +
			"-26 rejected by policy or consensus (the message is the reject reason), -27 already in the chain.\n" +
			"A transaction already in the mempool is answered with its txid.\n\n" +
			"Related RPCs: createrawtransaction",
		Result: `"hex"    (string) The transaction hash in hex`,
		Examples: "\nCreate a transaction\n" +
			rpc.ExampleCLI("createrawtransaction", `"[{\"txid\" : \"mytxid\",\"vout\":0}]" "{\"myaddress\":0.01}"`) +
			"\nSend the transaction (signed hex)\n" + rpc.ExampleCLI("sendrawtransaction", `"signedhex"`) +
			"\nAs a JSON-RPC call\n" + rpc.ExampleRPC("sendrawtransaction", `"signedhex"`),
		Handler: m.sendRawTransactionHandler,
	}
}

func (m *mempoolMethods) sendRawTransactionHandler(_ context.Context, p rpc.Params) (any, error) {
	s, err := p.String(0)
	if err != nil {
		return nil, err
	}
	maxBurn, err := feeRateParam(p, 2, 0)
	if err != nil {
		return nil, err
	}
	tx, ok := decodeTx(s)
	if !ok {
		return nil, rpc.NewError(rpc.CodeDeserialization, "TX decode failed. Make sure the tx has at least one input.")
	}
	for _, out := range tx.TxOut {
		if (script.IsUnspendable(out.PkScript) || !hasValidOps(out.PkScript)) && out.Value > maxBurn {
			return nil, rpc.NewError(rpc.CodeVerify, msgMaxBurn)
		}
	}
	maxRate, err := feeRateParam(p, 1, DefaultMaxFeeRate)
	if err != nil {
		return nil, err
	}
	maxFee := feeAt(maxRate, int64(tx.SerializeSize()))
	txid := tx.TxHash()

	// Core's BroadcastTransaction: confirmed, already pooled, then a
	// test acceptance to check the fee, then the real one.
	confirmed, err := inChain(m.c, tx, txid)
	if err != nil {
		return nil, err
	}
	if confirmed {
		return nil, rpc.NewError(rpc.CodeVerifyAlreadyInChain, msgAlreadyInChain)
	}
	if m.pool.Tx(txid) != nil {
		return txid.String(), nil
	}
	if maxFee > 0 {
		res, err := m.pool.Accept(tx, mempool.AcceptOptions{TestOnly: true, Local: true})
		if isAlreadyInMempool(err) {
			return txid.String(), nil
		}
		if err != nil {
			return nil, broadcastError(txid, err)
		}
		if res.Fee > maxFee {
			return nil, rpc.NewError(rpc.CodeVerify, msgMaxFeeExceeded)
		}
	}
	if _, err := m.pool.Accept(tx, mempool.AcceptOptions{Local: true}); err != nil && !isAlreadyInMempool(err) {
		return nil, broadcastError(txid, err)
	}
	return txid.String(), nil
}

// testAcceptFees is the "fees" object of testmempoolaccept.
type testAcceptFees struct {
	Base              corejson.Amount `json:"base"`
	EffectiveFeeRate  corejson.Amount `json:"effective-feerate"`
	EffectiveIncludes []string        `json:"effective-includes"`
}

// testAcceptResult is one element of testmempoolaccept's result; Allowed
// is nil for a transaction left unchecked after an earlier one exceeded
// maxfeerate.
type testAcceptResult struct {
	TxID         string          `json:"txid"`
	WTxID        string          `json:"wtxid"`
	Allowed      *bool           `json:"allowed,omitempty"`
	VSize        int64           `json:"vsize,omitempty"`
	Fees         *testAcceptFees `json:"fees,omitempty"`
	RejectReason string          `json:"reject-reason,omitempty"`
}

func (m *mempoolMethods) testMempoolAccept() rpc.Method {
	return rpc.Method{
		Name:     "testmempoolaccept",
		Category: "rawtransactions",
		Args: []rpc.Arg{
			{Name: "rawtxs", Type: rpc.TypeArray, Description: "An array of hex strings of raw transactions."},
			{Name: maxFeeRateArg.Name, Type: maxFeeRateArg.Type, Optional: true, Default: maxFeeRateArg.Default, HelpType: maxFeeRateArg.HelpType,
				Description: "Reject transactions whose fee rate is higher than the specified value, expressed in NDC/kvB"},
		},
		Description: "Returns result of mempool acceptance tests indicating if raw transaction(s) (serialized, hex-encoded) would be accepted by mempool.\n\n" +
			"nodecoin tests the transactions one by one, in order, each against the chain and the mempool as they are: unlike Core,\n" +
			"it applies no package policy, so a transaction spending an earlier one of the same call is reported \"missing-inputs\"\n" +
			"(the earlier one is not added), as Core answered before package validation.\n\n" +
			"If one transaction exceeds maxfeerate, the ones after it are not validated (the 'allowed' key will be blank).\n\n" +
			fmt.Sprintf("The maximum number of transactions allowed is %d.\n\n", MaxTestAcceptTxs) +
			"This checks if transactions violate the consensus or policy rules.\n\n" +
			"See sendrawtransaction call.",
		Result: `[                               (json array) The result of the mempool acceptance test for each raw transaction in the input array.
                                Returns results for each transaction in the same order they were passed in.
                                Transactions that cannot be fully validated due to failures in other transactions will not contain an 'allowed' result.
  {                             (json object)
    "txid" : "hex",             (string) The transaction hash in hex
    "wtxid" : "hex",            (string) The transaction witness hash in hex (the txid: nodecoin has no witnesses)
    "allowed" : true|false,     (boolean, optional) Whether this tx would be accepted to the mempool and pass client-specified maxfeerate. If not present, the tx was not fully validated due to a failure in another tx in the list.
    "vsize" : n,                (numeric, optional) Virtual transaction size (the serialized size) (only present when 'allowed' is true)
    "fees" : {                  (json object, optional) Transaction fees (only present if 'allowed' is true)
      "base" : n,               (numeric) transaction fee in NDC
      "effective-feerate" : n,  (numeric) the effective feerate in NDC per KvB (the base fee rate: nodecoin does not count prioritisetransaction deltas here)
      "effective-includes" : [  (json array) transactions whose fees and vsizes are included in effective-feerate.
        "hex",                  (string) transaction wtxid in hex
        ...
      ]
    },
    "reject-reason" : "str"     (string, optional) Rejection string (only present when 'allowed' is false)
  },
  ...
]`,
		Examples: "\nTest acceptance of the transaction (signed hex)\n" + rpc.ExampleCLI("testmempoolaccept", `'["signedhex"]'`) +
			"\nAs a JSON-RPC call\n" + rpc.ExampleRPC("testmempoolaccept", `["signedhex"]`),
		Handler: m.testMempoolAcceptHandler,
	}
}

func (m *mempoolMethods) testMempoolAcceptHandler(_ context.Context, p rpc.Params) (any, error) {
	var items []json.RawMessage
	if err := p.Decode(0, &items); err != nil {
		return nil, err
	}
	if len(items) < 1 || len(items) > MaxTestAcceptTxs {
		return nil, rpc.Errorf(rpc.CodeInvalidParameter, "Array must contain between 1 and %d transactions.", MaxTestAcceptTxs)
	}
	maxRate, err := feeRateParam(p, 1, DefaultMaxFeeRate)
	if err != nil {
		return nil, err
	}
	txs := make([]*wire.Tx, len(items))
	for i, it := range items {
		if rpc.JSONType(it) != "string" {
			return nil, typeError(it, "string")
		}
		var s string
		if err := json.Unmarshal(it, &s); err != nil {
			return nil, fmt.Errorf("decode rawtxs[%d]: %w", i, err)
		}
		tx, ok := decodeTx(s)
		if !ok {
			return nil, rpc.NewError(rpc.CodeDeserialization, "TX decode failed: "+s+" Make sure the tx has at least one input.")
		}
		txs[i] = tx
	}
	out := make([]testAcceptResult, len(txs))
	exitEarly := false
	for i, tx := range txs {
		id := tx.TxHash().String()
		out[i] = testAcceptResult{TxID: id, WTxID: id}
		if exitEarly {
			continue
		}
		allowed := false
		out[i].Allowed = &allowed
		res, err := m.pool.Accept(tx, mempool.AcceptOptions{TestOnly: true})
		if err != nil {
			re, ok := mempool.IsReject(err)
			if !ok {
				return nil, fmt.Errorf("test acceptance of %s: %w", id, err)
			}
			out[i].RejectReason = re.Reason
			if re.Orphan {
				out[i].RejectReason = "missing-inputs"
			}
			continue
		}
		if maxFee := feeAt(maxRate, res.Size); maxFee > 0 && res.Fee > maxFee {
			out[i].RejectReason = mempool.ReasonMaxFeeExceeded
			exitEarly = true
			continue
		}
		allowed = true
		out[i].VSize = res.Size
		out[i].Fees = &testAcceptFees{Base: corejson.Amount(res.Fee), EffectiveFeeRate: corejson.Amount(rateOf(res.Fee, res.Size)),
			EffectiveIncludes: []string{id}}
	}
	return out, nil
}

// mempoolFees is the "fees" object of a mempool entry.
type mempoolFees struct {
	Base       corejson.Amount `json:"base"`
	Modified   corejson.Amount `json:"modified"`
	Ancestor   corejson.Amount `json:"ancestor"`
	Descendant corejson.Amount `json:"descendant"`
}

// mempoolEntry is getmempoolentry's result, and the value of each member
// of the verbose answers of getrawmempool, getmempoolancestors and
// getmempooldescendants.
type mempoolEntry struct {
	VSize             int64       `json:"vsize"`
	Weight            int64       `json:"weight"`
	Time              int64       `json:"time"`
	Height            int32       `json:"height"`
	DescendantCount   int64       `json:"descendantcount"`
	DescendantSize    int64       `json:"descendantsize"`
	AncestorCount     int64       `json:"ancestorcount"`
	AncestorSize      int64       `json:"ancestorsize"`
	WTxID             string      `json:"wtxid"`
	Fees              mempoolFees `json:"fees"`
	Depends           []string    `json:"depends"`
	SpentBy           []string    `json:"spentby"`
	BIP125Replaceable bool        `json:"bip125-replaceable"`
	Unbroadcast       bool        `json:"unbroadcast"`
}

// hashStrings returns hashes in display order as strings, never nil.
func hashStrings(hs []wire.Hash) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.String()
	}
	return out
}

// newMempoolEntry describes a pool entry as Core's entryToJSON.
func newMempoolEntry(e *mempool.EntryInfo) mempoolEntry {
	return mempoolEntry{
		VSize: e.Size, Weight: e.Weight, Time: e.Time.Unix(), Height: e.Height,
		DescendantCount: e.DescendantCount, DescendantSize: e.DescendantSize,
		AncestorCount: e.AncestorCount, AncestorSize: e.AncestorSize, WTxID: e.TxID.String(),
		Fees: mempoolFees{Base: corejson.Amount(e.Fee), Modified: corejson.Amount(e.ModifiedFee),
			Ancestor: corejson.Amount(e.AncestorFees), Descendant: corejson.Amount(e.DescendantFees)},
		Depends: hashStrings(e.Depends), SpentBy: hashStrings(e.SpentBy),
		BIP125Replaceable: e.BIP125Replaceable, Unbroadcast: e.Unbroadcast,
	}
}

// mempoolEntryFields is the help text of a mempool entry's members,
// indented for a nested object.
const mempoolEntryFields = `    "vsize" : n,                 (numeric) virtual transaction size (the serialized size: nodecoin has no witnesses)
    "weight" : n,                (numeric) transaction weight (four times the size)
    "time" : xxx,                (numeric) local time transaction entered pool in seconds since 1 Jan 1970 GMT
    "height" : n,                (numeric) block height when transaction entered pool
    "descendantcount" : n,       (numeric) number of in-mempool descendant transactions (including this one)
    "descendantsize" : n,        (numeric) virtual transaction size of in-mempool descendants (including this one)
    "ancestorcount" : n,         (numeric) number of in-mempool ancestor transactions (including this one)
    "ancestorsize" : n,          (numeric) virtual transaction size of in-mempool ancestors (including this one)
    "wtxid" : "hex",             (string) hash of serialized transaction, including witness data (the txid)
    "fees" : {                   (json object)
      "base" : n,                (numeric) transaction fee, denominated in NDC
      "modified" : n,            (numeric) transaction fee with fee deltas used for mining priority, denominated in NDC
      "ancestor" : n,            (numeric) transaction fees of in-mempool ancestors (including this one) with fee deltas used for mining priority, denominated in NDC
      "descendant" : n           (numeric) transaction fees of in-mempool descendants (including this one) with fee deltas used for mining priority, denominated in NDC
    },
    "depends" : [                (json array) unconfirmed transactions used as inputs for this transaction
      "hex",                     (string) parent transaction id
      ...
    ],
    "spentby" : [                (json array) unconfirmed transactions spending outputs from this transaction
      "hex",                     (string) child transaction id
      ...
    ],
    "bip125-replaceable" : true|false,  (boolean) Whether this transaction signals BIP125 replaceability or has an unconfirmed ancestor signaling BIP125 replaceability.
    "unbroadcast" : true|false   (boolean) Whether this transaction is currently unbroadcast (initial broadcast not yet acknowledged by any peers)
`

// verboseEntries returns the entries of txids as an object keyed by txid;
// transactions that left the pool meanwhile are left out.
func (m *mempoolMethods) verboseEntries(txids []wire.Hash) map[string]mempoolEntry {
	out := make(map[string]mempoolEntry, len(txids))
	for _, id := range txids {
		if e := m.pool.Get(id); e != nil {
			out[id.String()] = newMempoolEntry(e)
		}
	}
	return out
}

// rawMempoolWithSequence is getrawmempool's answer with mempool_sequence.
type rawMempoolWithSequence struct {
	TxIDs    []string `json:"txids"`
	Sequence uint64   `json:"mempool_sequence"`
}

func (m *mempoolMethods) getRawMempool() rpc.Method {
	return rpc.Method{
		Name:     "getrawmempool",
		Category: "blockchain",
		Args: []rpc.Arg{
			{Name: "verbose", Type: rpc.TypeBool, Optional: true, Default: "false",
				Description: "True for a json object, false for array of transaction ids"},
			{Name: "mempool_sequence", Type: rpc.TypeBool, Optional: true, Default: "false",
				Description: "If verbose=false, returns a json object with transaction list and mempool sequence number attached. " +
					"(Answered -8 when the node's mempool keeps no sequence number.)"},
		},
		Description: "Returns all transaction ids in memory pool as a json array of string transaction ids.\n\n" +
			"Hint: use getmempoolentry to fetch a specific transaction from the mempool.",
		Result: `Result (for verbose = false):
[           (json array)
  "hex",    (string) The transaction id
  ...
]

Result (for verbose = true):
{                                (json object)
  "transactionid" : {            (json object)
` + mempoolEntryFields + `  },
  ...
}

Result (for verbose = false and mempool_sequence = true):
{                            (json object)
  "txids" : [                (json array)
    "hex",                   (string) The transaction id
    ...
  ],
  "mempool_sequence" : n     (numeric) The mempool sequence value.
}`,
		Examples: rpc.ExampleCLI("getrawmempool", "true") + rpc.ExampleRPC("getrawmempool", "true"),
		Handler: func(_ context.Context, p rpc.Params) (any, error) {
			verbose, err := p.OptionalBool(0, false)
			if err != nil {
				return nil, err
			}
			withSeq, err := p.OptionalBool(1, false)
			if err != nil {
				return nil, err
			}
			if verbose {
				if withSeq {
					return nil, rpc.NewError(rpc.CodeInvalidParameter, "Verbose results cannot contain mempool sequence values.")
				}
				out := make(map[string]mempoolEntry)
				for _, e := range m.pool.Entries() {
					out[e.TxID.String()] = newMempoolEntry(e)
				}
				return out, nil
			}
			if !withSeq {
				return hashStrings(m.pool.TxIDs()), nil
			}
			// The sequence first: a change in between shows as a newer
			// sequence on the next call, never as a stale one.
			s := m.pool.Sequence()
			return rawMempoolWithSequence{TxIDs: hashStrings(m.pool.TxIDs()), Sequence: s}, nil
		},
	}
}

func (m *mempoolMethods) getMempoolEntry() rpc.Method {
	return rpc.Method{
		Name:        "getmempoolentry",
		Category:    "blockchain",
		Args:        []rpc.Arg{{Name: "txid", Type: rpc.TypeString, Description: "The transaction id (must be in mempool)"}},
		Description: "Returns mempool data for given transaction",
		Result: `{                                (json object)
` + strings.ReplaceAll(mempoolEntryFields, "\n    ", "\n  ")[2:] + `}`,
		Examples: rpc.ExampleCLI("getmempoolentry", `"mytxid"`) + rpc.ExampleRPC("getmempoolentry", `"mytxid"`),
		Handler: func(_ context.Context, p rpc.Params) (any, error) {
			txid, err := parseHash(p, 0, "parameter 1")
			if err != nil {
				return nil, err
			}
			e := m.pool.Get(txid)
			if e == nil {
				return nil, errNotInMempool
			}
			return newMempoolEntry(e), nil
		},
	}
}

// relatives builds getmempoolancestors or getmempooldescendants.
func (m *mempoolMethods) relatives(name, which string, list func(wire.Hash) ([]wire.Hash, bool)) rpc.Method {
	return rpc.Method{
		Name:     name,
		Category: "blockchain",
		Args: []rpc.Arg{
			{Name: "txid", Type: rpc.TypeString, Description: "The transaction id (must be in mempool)"},
			{Name: "verbose", Type: rpc.TypeBool, Optional: true, Default: "false",
				Description: "True for a json object, false for array of transaction ids"},
		},
		Description: "If txid is in the mempool, returns all in-mempool " + which + "s.",
		Result: `Result (for verbose = false):
[           (json array)
  "hex",    (string) The transaction id of an in-mempool ` + which + ` transaction
  ...
]

Result (for verbose = true):
{                                (json object)
  "transactionid" : {            (json object)
` + mempoolEntryFields + `  },
  ...
}`,
		Examples: rpc.ExampleCLI(name, `"mytxid"`) + rpc.ExampleRPC(name, `"mytxid"`),
		Handler: func(_ context.Context, p rpc.Params) (any, error) {
			verbose, err := p.OptionalBool(1, false)
			if err != nil {
				return nil, err
			}
			txid, err := parseHash(p, 0, "parameter 1")
			if err != nil {
				return nil, err
			}
			ids, ok := list(txid)
			if !ok {
				return nil, errNotInMempool
			}
			if !verbose {
				return hashStrings(ids), nil
			}
			return m.verboseEntries(ids), nil
		},
	}
}

func (m *mempoolMethods) getMempoolAncestors() rpc.Method {
	return m.relatives("getmempoolancestors", "ancestor", m.pool.Ancestors)
}

func (m *mempoolMethods) getMempoolDescendants() rpc.Method {
	return m.relatives("getmempooldescendants", "descendant", m.pool.Descendants)
}

// mempoolInfo is getmempoolinfo's result.
type mempoolInfo struct {
	Loaded              bool            `json:"loaded"`
	Size                int             `json:"size"`
	Bytes               int64           `json:"bytes"`
	Usage               int64           `json:"usage"`
	TotalFee            corejson.Amount `json:"total_fee"`
	MaxMempool          int64           `json:"maxmempool"`
	MempoolMinFee       corejson.Amount `json:"mempoolminfee"`
	MinRelayTxFee       corejson.Amount `json:"minrelaytxfee"`
	IncrementalRelayFee corejson.Amount `json:"incrementalrelayfee"`
	UnbroadcastCount    int             `json:"unbroadcastcount"`
	FullRBF             bool            `json:"fullrbf"`
}

func (m *mempoolMethods) getMempoolInfo() rpc.Method {
	return rpc.Method{
		Name:        "getmempoolinfo",
		Category:    "blockchain",
		Description: "Returns details on the active state of the TX memory pool.",
		Result: `{                               (json object)
  "loaded" : true|false,        (boolean) True if the initial load attempt of the persisted mempool finished
  "size" : n,                   (numeric) Current tx count
  "bytes" : n,                  (numeric) Sum of all virtual transaction sizes (serialized sizes: nodecoin has no witnesses)
  "usage" : n,                  (numeric) Total memory usage for the mempool
  "total_fee" : n,              (numeric) Total fees for the mempool in NDC, ignoring modified fees through prioritisetransaction
  "maxmempool" : n,             (numeric) Maximum memory usage for the mempool
  "mempoolminfee" : n,          (numeric) Minimum fee rate in NDC/kvB for tx to be accepted. Is the maximum of minrelaytxfee and minimum mempool fee
  "minrelaytxfee" : n,          (numeric) Current minimum relay fee for transactions
  "incrementalrelayfee" : n,    (numeric) minimum fee rate increment for mempool limiting or replacement in NDC/kvB
  "unbroadcastcount" : n,       (numeric) Current number of transactions that haven't passed initial broadcast yet
  "fullrbf" : true|false        (boolean) True if the mempool accepts RBF without replaceability signaling inspection
}`,
		Examples: rpc.ExampleCLI("getmempoolinfo", "") + rpc.ExampleRPC("getmempoolinfo", ""),
		Handler: func(context.Context, rpc.Params) (any, error) {
			in := m.pool.Info()
			return mempoolInfo{Loaded: in.Loaded, Size: in.Size, Bytes: in.Bytes, Usage: in.Usage,
				TotalFee: corejson.Amount(in.TotalFee), MaxMempool: in.MaxMempool,
				MempoolMinFee: corejson.Amount(in.MempoolMinFee), MinRelayTxFee: corejson.Amount(in.MinRelayTxFee),
				IncrementalRelayFee: corejson.Amount(in.IncrementalRelayFee), UnbroadcastCount: in.UnbroadcastCount,
				FullRBF: in.FullRBF}, nil
		},
	}
}

func (m *mempoolMethods) prioritiseTransaction() rpc.Method {
	return rpc.Method{
		Name:     "prioritisetransaction",
		Category: "mining",
		Args: []rpc.Arg{
			{Name: "txid", Type: rpc.TypeString, Description: "The transaction id."},
			{Name: "dummy", Type: rpc.TypeNumber, Optional: true, Default: "null",
				Description: "API-Compatibility for previous API. Must be zero or null. " +
					"DEPRECATED. For forward compatibility use named arguments and omit this parameter."},
			{Name: "fee_delta", Type: rpc.TypeNumber, Description: "The fee value (in base units) to add (or subtract, if negative). " +
				"Note, that this value is not a fee rate. It is a value to modify absolute fee of the TX. " +
				"The fee is not actually paid, only the algorithm for selecting transactions into a block " +
				"considers the transaction as it would have paid a higher (or lower) fee."},
		},
		Description: "Accepts the transaction into mined blocks at a higher (or lower) priority",
		Result:      "true|false    (boolean) Returns true",
		Examples:    rpc.ExampleCLI("prioritisetransaction", `"txid" 0.0 10000`) + rpc.ExampleRPC("prioritisetransaction", `"txid", 0.0, 10000`),
		Handler: func(_ context.Context, p rpc.Params) (any, error) {
			txid, err := parseHash(p, 0, "txid")
			if err != nil {
				return nil, err
			}
			delta, err := p.Int(2)
			if err != nil {
				return nil, err
			}
			if !p.IsNull(1) {
				d, err := p.Float(1)
				if err != nil {
					return nil, err
				}
				if d != 0 {
					return nil, rpc.NewError(rpc.CodeInvalidParameter,
						"Priority is no longer supported, dummy argument to prioritisetransaction must be 0.")
				}
			}
			m.pool.Prioritise(txid, delta)
			return true, nil
		},
	}
}

// smartFee is estimatesmartfee's result.
type smartFee struct {
	FeeRate *corejson.Amount `json:"feerate,omitempty"`
	Errors  []string         `json:"errors,omitempty"`
	Blocks  int              `json:"blocks"`
}

// estimateModes are estimatesmartfee's modes, and whether each is
// conservative (Core 28's: "unset" is the default, economical).
var estimateModes = map[string]bool{"unset": false, "economical": false, "conservative": true}

func estimateSmartFee(fees FeeEstimator, pool Pool) rpc.Method {
	return rpc.Method{
		Name:     "estimatesmartfee",
		Category: "util",
		Args: []rpc.Arg{
			{Name: "conf_target", Type: rpc.TypeNumber, Description: fmt.Sprintf("Confirmation target in blocks (1 - %d)", feeest.MaxTarget)},
			{Name: "estimate_mode", Type: rpc.TypeString, Optional: true, Default: `"economical"`,
				Description: "The fee estimate mode. " +
					"Whether to return a more conservative estimate which also satisfies a longer history. " +
					"A conservative estimate potentially returns a higher feerate and is more likely to be sufficient for the desired target, " +
					"but is not as responsive to short term drops in the prevailing fee market. " +
					`Must be one of (case insensitive): "unset", "economical", "conservative" ` +
					"(nodecoin's conservative mode asks a higher success rate, 95% instead of 85%, over the same history.)"},
		},
		Description: "Estimates the approximate fee per kilobyte needed for a transaction to begin\n" +
			"confirmation within conf_target blocks if possible and return the number of blocks\n" +
			"for which the estimate is valid. Uses virtual transaction size (the serialized size: nodecoin has no witnesses).\n" +
			"The estimate is raised to the mempool's minimum fee rates (mempoolminfee, minrelaytxfee).",
		Result: `{                   (json object)
  "feerate" : n,    (numeric, optional) estimate fee rate in NDC/kvB (only present if no errors were encountered)
  "errors" : [      (json array, optional) Errors encountered during processing (if there are any)
    "str",          (string) error
    ...
  ],
  "blocks" : n      (numeric) block number where estimate was found
                    The request target is answered for itself when possible (nodecoin does not clamp 1 to 2),
                    else for the next larger target the estimator can answer.
                    An error is returned if not enough transactions and blocks
                    have been observed to make an estimate for any number of blocks.
}`,
		Examples: rpc.ExampleCLI("estimatesmartfee", "6") + rpc.ExampleRPC("estimatesmartfee", "6"),
		Handler: func(_ context.Context, p rpc.Params) (any, error) {
			target, err := p.Int32(0)
			if err != nil {
				return nil, err
			}
			if target < 1 || target > feeest.MaxTarget {
				return nil, rpc.Errorf(rpc.CodeInvalidParameter, "Invalid conf_target, must be between %d and %d", 1, feeest.MaxTarget)
			}
			conservative := false
			if !p.IsNull(1) {
				mode, err := p.String(1)
				if err != nil {
					return nil, err
				}
				c, ok := estimateModes[strings.ToLower(mode)]
				if !ok {
					return nil, rpc.NewError(rpc.CodeInvalidParameter,
						`Invalid estimate_mode parameter, must be one of: "unset", "economical", "conservative"`)
				}
				conservative = c
			}
			rate, blocks, err := fees.EstimateSmartFee(int(target), conservative)
			if errors.Is(err, feeest.ErrInsufficientData) || (err == nil && rate <= 0) {
				return smartFee{Errors: []string{msgInsufficient}, Blocks: blocks}, nil
			}
			if err != nil {
				return nil, fmt.Errorf("estimate fee for %d blocks: %w", target, err)
			}
			if pool != nil {
				in := pool.Info()
				rate = max(rate, in.MempoolMinFee, in.MinRelayTxFee)
			}
			a := corejson.Amount(rate)
			return smartFee{FeeRate: &a, Blocks: blocks}, nil
		},
	}
}
