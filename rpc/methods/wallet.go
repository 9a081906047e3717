package methods

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/nodecoin/nodecoin/chain/address"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/rpc"
	"github.com/nodecoin/nodecoin/rpc/corejson"
	"github.com/nodecoin/nodecoin/wallet"
)

// Wallet is what the wallet methods need of the node's wallet;
// *wallet.Wallet satisfies it. The node may wrap it, for instance to keep
// Rescan from running while it delivers block notifications.
type Wallet interface {
	NextReceive() (address.AddressPubKeyHash, error)
	NextChange() (address.AddressPubKeyHash, error)
	Balances() wallet.Balances
	ListUnspent(minConf, maxConf int32) []wallet.Unspent
	Transaction(txid wire.Hash) (*wallet.TxDetails, error)
	Transactions() []*wallet.TxDetails
	MiningRewards() []wallet.Reward
	IsEncrypted() bool
	IsLocked() bool
	UnlockedUntil() time.Time
	EncryptWallet(passphrase []byte) error
	Unlock(passphrase []byte, timeout time.Duration) error
	Lock() error
	DumpPrivKey(addr string) (string, error)
	ImportPrivKey(wif string) (string, error)
	Backup(path string) error
	Rescan(src wallet.BlockSource, from int32) (int32, error)
	HDSeedID() ([]byte, error)
	KeypoolSize() (receive, change int)
	CreateTransaction(recipients []wallet.Recipient, opts wallet.SendOptions) (*wire.Tx, int64, error)
	BumpFee(txid wire.Hash, newFeeRate int64) (*wire.Tx, int64, int64, error)
	SignRawTransaction(tx *wire.Tx, prevouts map[wire.OutPoint][]byte) (bool, []wallet.InputError, error)
	ProcessMempoolTx(tx *wire.Tx) error
	RemoveMempoolTx(txid wire.Hash) error
}

var _ Wallet = (*wallet.Wallet)(nil)

// Wallet-level constants of the answers.
const (
	// WalletName is the name getwalletinfo gives the node's one wallet.
	WalletName = "default"
	// WalletVersion is getwalletinfo's walletversion: Bitcoin Core's
	// FEATURE_LATEST of legacy wallets (169900, HD with a separate change
	// chain), which is what nodecoin's wallet behaves like.
	WalletVersion = 169900
	// WalletFormat is getwalletinfo's format.
	WalletFormat = "nodecoin"
	// MaxUnlockSeconds caps walletpassphrase's timeout, as Core does.
	MaxUnlockSeconds = 100_000_000
)

// Core's wallet error answers.
var (
	errUnlockNeeded = rpc.NewError(rpc.CodeWalletUnlockNeeded,
		"Error: Please enter the wallet passphrase with walletpassphrase first.")
	errWrongPassphrase = rpc.NewError(rpc.CodeWalletPassphraseIncorrect,
		"Error: The wallet passphrase entered was incorrect.")
	errKeypoolRanOut = rpc.NewError(rpc.CodeWalletKeypoolRanOut,
		"Error: Keypool ran out, please unlock the wallet with walletpassphrase to refill it")
	errNotWalletTx  = rpc.NewError(rpc.CodeInvalidAddressOrKey, "Invalid or non-wallet transaction id")
	errEmptyPass    = rpc.NewError(rpc.CodeInvalidParameter, "passphrase cannot be empty")
	errWalletClosed = rpc.NewError(rpc.CodeWallet, "Error: the wallet is closed (the node is shutting down)")
)

// walletError maps the wallet library's errors to Core's answers; others
// are returned wrapped with what was being done.
func walletError(err error, doing string) error {
	switch {
	case errors.Is(err, wallet.ErrLocked):
		return errUnlockNeeded
	case errors.Is(err, wallet.ErrWrongPassphrase):
		return errWrongPassphrase
	case errors.Is(err, wallet.ErrKeypoolRanOut):
		return errKeypoolRanOut
	case errors.Is(err, wallet.ErrEmptyPassphrase):
		return errEmptyPass
	case errors.Is(err, wallet.ErrClosed):
		return errWalletClosed
	}
	return fmt.Errorf("%s: %w", doing, err)
}

// Wallets returns the methods of the "wallet" category, bound to
// opts.Wallet: getnewaddress, getrawchangeaddress, getbalance, getbalances,
// listunspent, listtransactions, gettransaction, getwalletinfo,
// dumpprivkey, importprivkey, encryptwallet, walletpassphrase, walletlock,
// backupwallet and nodecoin's listminingrewards. It returns nothing when
// opts.Wallet is nil. importprivkey rescans c.
func Wallets(c Chain, opts Options) []rpc.Method {
	if opts.Wallet == nil {
		return nil
	}
	m := &walletMethods{c: c, w: opts.Wallet, pool: opts.Pool, opts: opts}
	return []rpc.Method{m.getNewAddress(), m.getRawChangeAddress(), m.getBalance(), m.getBalances(), m.listUnspent(),
		m.listTransactions(), m.getTransaction(), m.getWalletInfo(), m.dumpPrivKey(), m.importPrivKey(),
		m.encryptWallet(), m.walletPassphrase(), m.walletLock(), m.backupWallet(), m.listMiningRewards(),
		m.rescanBlockchain()}
}

type walletMethods struct {
	c    Chain
	w    Wallet
	pool Pool
	opts Options

	seedMu sync.Mutex
	seedID string // hdseedid, learnt while the wallet was unlocked
}

// hdSeedID returns the wallet's hdseedid in hex, remembered from the first
// time the wallet could compute it (it never changes), or "" when it never
// could because the wallet has been locked ever since the node started.
func (m *walletMethods) hdSeedID() string {
	m.seedMu.Lock()
	defer m.seedMu.Unlock()
	if m.seedID == "" {
		if id, err := m.w.HDSeedID(); err == nil {
			// Core shows the Hash160 as a uint160, in reversed byte order.
			rev := make([]byte, len(id))
			for i, b := range id {
				rev[len(id)-1-i] = b
			}
			m.seedID = hex.EncodeToString(rev)
		}
	}
	return m.seedID
}

var addressTypeArg = rpc.Arg{Name: "address_type", Type: rpc.TypeString, Optional: true, Default: "legacy",
	Description: `The address type to use. Options are "legacy" only: nodecoin has no segwit addresses.`}

// addressType checks the address_type argument at i.
func addressType(p rpc.Params, i int) error {
	t, err := p.OptionalString(i, "legacy")
	if err != nil {
		return err
	}
	if t != "legacy" {
		return rpc.Errorf(rpc.CodeInvalidAddressOrKey, "Unknown address type '%s'", t)
	}
	return nil
}

func (m *walletMethods) getNewAddress() rpc.Method {
	return rpc.Method{
		Name:     "getnewaddress",
		Category: "wallet",
		Args: []rpc.Arg{
			{Name: "label", Type: rpc.TypeString, Optional: true, Default: `""`,
				Description: "Accepted for compatibility and ignored: nodecoin's wallet keeps no labels."},
			addressTypeArg,
		},
		Description: "Returns a new nodecoin address for receiving payments: the next unused key of the wallet's\n" +
			"receiving chain (a P2PKH address of a compressed key). A locked wallet serves it from the key pool.\n" +
			"Errors: -5 an address type other than \"legacy\", -12 the key pool of a locked wallet ran out.",
		Result:   `"str"    (string) The new nodecoin address`,
		Examples: rpc.ExampleCLI("getnewaddress", "") + rpc.ExampleRPC("getnewaddress", ""),
		Handler: func(_ context.Context, p rpc.Params) (any, error) {
			if _, err := p.OptionalString(0, ""); err != nil {
				return nil, err
			}
			if err := addressType(p, 1); err != nil {
				return nil, err
			}
			a, err := m.w.NextReceive()
			if err != nil {
				return nil, walletError(err, "get new address")
			}
			return a.String(), nil
		},
	}
}

func (m *walletMethods) getRawChangeAddress() rpc.Method {
	return rpc.Method{
		Name:     "getrawchangeaddress",
		Category: "wallet",
		Args:     []rpc.Arg{addressTypeArg},
		Description: "Returns a new nodecoin address, for receiving change.\n" +
			"This is for use with raw transactions, NOT normal use.",
		Result:   `"str"    (string) The address`,
		Examples: rpc.ExampleCLI("getrawchangeaddress", "") + rpc.ExampleRPC("getrawchangeaddress", ""),
		Handler: func(_ context.Context, p rpc.Params) (any, error) {
			if err := addressType(p, 0); err != nil {
				return nil, err
			}
			a, err := m.w.NextChange()
			if err != nil {
				return nil, walletError(err, "get change address")
			}
			return a.String(), nil
		},
	}
}

// trustedBalance is Core's GetBalance(min_depth).m_mine_trusted: the
// trusted outputs (confirmed, or the wallet's own unconfirmed change) with
// at least minConf confirmations, immature coinbases excluded.
func (m *walletMethods) trustedBalance(minConf int32) int64 {
	var sum int64
	for _, u := range m.w.ListUnspent(minConf, math.MaxInt32) {
		if u.Safe {
			sum += u.Amount
		}
	}
	return sum
}

func (m *walletMethods) getBalance() rpc.Method {
	return rpc.Method{
		Name:     "getbalance",
		Category: "wallet",
		Args: []rpc.Arg{
			{Name: "dummy", Type: rpc.TypeString, Optional: true,
				Description: `Remains for backward compatibility. Must be excluded or set to "*".`},
			{Name: "minconf", Type: rpc.TypeNumber, Optional: true, Default: "0",
				Description: "Only include transactions confirmed at least this many times."},
			{Name: "include_watchonly", Type: rpc.TypeBool, Optional: true, Default: "false",
				Description: "Accepted for compatibility and ignored: nodecoin's wallet has no watch-only addresses."},
			{Name: "avoid_reuse", Type: rpc.TypeBool, Optional: true, Default: "true",
				Description: "Accepted for compatibility and ignored: nodecoin's wallet has no avoid_reuse flag."},
		},
		Description: "Returns the total available balance.\n" +
			"The available balance is what the wallet considers currently spendable: confirmed outputs and\n" +
			"the wallet's own unconfirmed change, immature coinbase outputs excluded.",
		Result: `amount    (numeric) The total amount in NDC received for this wallet.`,
		Examples: "\nThe total amount in the wallet with 0 or more confirmations\n" + rpc.ExampleCLI("getbalance", "") +
			"\nThe total amount in the wallet with at least 6 confirmations\n" + rpc.ExampleCLI("getbalance", `"*" 6`) +
			"\nAs a JSON-RPC call\n" + rpc.ExampleRPC("getbalance", `"*", 6`),
		Handler: func(_ context.Context, p rpc.Params) (any, error) {
			if !p.IsNull(0) {
				if s, err := p.String(0); err != nil || s != "*" {
					return nil, rpc.NewError(rpc.CodeInvalidParameter, `dummy first argument must be excluded or set to "*".`)
				}
			}
			minConf, err := p.OptionalInt(1, 0)
			if err != nil {
				return nil, err
			}
			if _, err := p.OptionalBool(2, false); err != nil {
				return nil, err
			}
			if _, err := p.OptionalBool(3, true); err != nil {
				return nil, err
			}
			return corejson.Amount(m.trustedBalance(clampConf(minConf))), nil
		},
	}
}

// clampConf fits a confirmation count argument into int32.
func clampConf(v int64) int32 {
	return int32(max(min(v, math.MaxInt32), math.MinInt32))
}

type balancesMine struct {
	Trusted          corejson.Amount `json:"trusted"`
	UntrustedPending corejson.Amount `json:"untrusted_pending"`
	Immature         corejson.Amount `json:"immature"`
}

type balancesResult struct {
	Mine balancesMine `json:"mine"`
}

func (m *walletMethods) getBalances() rpc.Method {
	return rpc.Method{
		Name:        "getbalances",
		Category:    "wallet",
		Description: "Returns an object with all balances in NDC.",
		Result: `{                               (json object)
  "mine" : {                    (json object) balances from outputs that the wallet can sign
    "trusted" : n,              (numeric) trusted balance (outputs created by the wallet or confirmed outputs)
    "untrusted_pending" : n,    (numeric) untrusted pending balance (outputs created by others that are in the mempool)
    "immature" : n              (numeric) balance from immature coinbase outputs
  }
}`,
		Examples: rpc.ExampleCLI("getbalances", "") + rpc.ExampleRPC("getbalances", ""),
		Handler: func(context.Context, rpc.Params) (any, error) {
			b := m.w.Balances()
			return balancesResult{Mine: balancesMine{Trusted: corejson.Amount(b.Trusted),
				UntrustedPending: corejson.Amount(b.UntrustedPending), Immature: corejson.Amount(b.Immature)}}, nil
		},
	}
}

type unspentResult struct {
	TxID          string          `json:"txid"`
	Vout          uint32          `json:"vout"`
	Address       string          `json:"address,omitempty"`
	ScriptPubKey  string          `json:"scriptPubKey"`
	Amount        corejson.Amount `json:"amount"`
	Confirmations int32           `json:"confirmations"`
	Spendable     bool            `json:"spendable"`
	Solvable      bool            `json:"solvable"`
	Desc          string          `json:"desc,omitempty"`
	ParentDescs   []string        `json:"parent_descs"`
	Safe          bool            `json:"safe"`
}

// unspentQuery is listunspent's query_options.
type unspentQuery struct {
	MinimumAmount    json.RawMessage `json:"minimumAmount"`
	MaximumAmount    json.RawMessage `json:"maximumAmount"`
	MaximumCount     *int64          `json:"maximumCount"`
	MinimumSumAmount json.RawMessage `json:"minimumSumAmount"`
}

// optionalAmount reads an optional amount member of query_options.
func optionalAmount(raw json.RawMessage, def int64) (int64, error) {
	if rpc.JSONType(raw) == "null" {
		return def, nil
	}
	return amountFromValue(raw)
}

func (m *walletMethods) listUnspent() rpc.Method {
	return rpc.Method{
		Name:     "listunspent",
		Category: "wallet",
		Args: []rpc.Arg{
			{Name: "minconf", Type: rpc.TypeNumber, Optional: true, Default: "1",
				Description: "The minimum confirmations to filter"},
			{Name: "maxconf", Type: rpc.TypeNumber, Optional: true, Default: "9999999",
				Description: "The maximum confirmations to filter"},
			{Name: "addresses", Type: rpc.TypeArray, Optional: true, Default: "[]",
				Description: "The nodecoin addresses to filter"},
			{Name: "include_unsafe", Type: rpc.TypeBool, Optional: true, Default: "true",
				Description: "Include outputs that are not safe to spend (unconfirmed transactions from outside keys)"},
			{Name: "query_options", Type: rpc.TypeObject, Optional: true,
				Description: "JSON with query options: minimumAmount (default 0), maximumAmount (default unlimited), " +
					"maximumCount (default unlimited), minimumSumAmount (default unlimited)"},
		},
		Description: "Returns array of unspent transaction outputs\n" +
			"with between minconf and maxconf (inclusive) confirmations.\n" +
			"Optionally filter to only include txouts paid to specified addresses.\n" +
			"Immature coinbase outputs are not listed. \"desc\" is the output's addr() descriptor: the\n" +
			"wallet does not show its keys' origins.",
		Result: `[                                (json array)
  {                              (json object)
    "txid" : "hex",              (string) the transaction id
    "vout" : n,                  (numeric) the vout value
    "address" : "str",           (string, optional) the nodecoin address
    "scriptPubKey" : "hex",      (string) the output script
    "amount" : n,                (numeric) the transaction output amount in NDC
    "confirmations" : n,         (numeric) The number of confirmations
    "spendable" : true|false,    (boolean) Whether we have the private keys to spend this output
    "solvable" : true|false,     (boolean) Whether we know how to spend this output, ignoring the lack of keys
    "desc" : "str",              (string, optional) A descriptor for spending this output
    "parent_descs" : [           (json array) List of parent descriptors for the output script (always empty)
    ],
    "safe" : true|false          (boolean) Whether this output is considered safe to spend.
  },
  ...
]`,
		Examples: rpc.ExampleCLI("listunspent", "") +
			rpc.ExampleCLI("listunspent", `6 9999999 "[\"nXZNQbdbDkzZ37mdKmQfjXVx39ZrNiSvgv\"]"`) +
			rpc.ExampleRPC("listunspent", `6, 9999999 "[\"nXZNQbdbDkzZ37mdKmQfjXVx39ZrNiSvgv\"]"`),
		Handler: m.listUnspentHandler,
	}
}

func (m *walletMethods) listUnspentHandler(_ context.Context, p rpc.Params) (any, error) {
	minConf, err := p.OptionalInt(0, 1)
	if err != nil {
		return nil, err
	}
	maxConf, err := p.OptionalInt(1, 9999999)
	if err != nil {
		return nil, err
	}
	prefixes := m.c.Params().AddressPrefixes()
	var only map[string]bool
	if !p.IsNull(2) {
		var addrs []json.RawMessage
		if err := p.Decode(2, &addrs); err != nil {
			return nil, err
		}
		only = make(map[string]bool)
		for _, raw := range addrs {
			if rpc.JSONType(raw) != "string" {
				return nil, typeError(raw, "string")
			}
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return nil, fmt.Errorf("decode address: %w", err)
			}
			a, err := address.Decode(s, prefixes)
			if err != nil {
				return nil, rpc.NewError(rpc.CodeInvalidAddressOrKey, "Invalid nodecoin address: "+s)
			}
			key := string(a.ScriptPubKey())
			if only[key] {
				return nil, rpc.NewError(rpc.CodeInvalidParameter, "Invalid parameter, duplicated address: "+s)
			}
			only[key] = true
		}
	}
	includeUnsafe, err := p.OptionalBool(3, true)
	if err != nil {
		return nil, err
	}
	minAmount, maxAmount, maxCount, minSum := int64(0), int64(math.MaxInt64), int64(0), int64(math.MaxInt64)
	if !p.IsNull(4) {
		var q unspentQuery
		if err := p.Decode(4, &q); err != nil {
			return nil, err
		}
		if minAmount, err = optionalAmount(q.MinimumAmount, 0); err != nil {
			return nil, err
		}
		if maxAmount, err = optionalAmount(q.MaximumAmount, math.MaxInt64); err != nil {
			return nil, err
		}
		if minSum, err = optionalAmount(q.MinimumSumAmount, math.MaxInt64); err != nil {
			return nil, err
		}
		if q.MaximumCount != nil {
			maxCount = *q.MaximumCount
		}
	}
	out := []unspentResult{}
	var sum int64
	for _, u := range m.w.ListUnspent(clampConf(minConf), clampConf(maxConf)) {
		if only != nil && !only[string(u.PkScript)] {
			continue
		}
		if !includeUnsafe && !u.Safe {
			continue
		}
		if u.Amount < minAmount || u.Amount > maxAmount {
			continue
		}
		out = append(out, unspentResult{TxID: u.OutPoint.Hash.String(), Vout: u.OutPoint.Index, Address: u.Address,
			ScriptPubKey: hex.EncodeToString(u.PkScript), Amount: corejson.Amount(u.Amount),
			Confirmations: u.Confirmations, Spendable: true, Solvable: true,
			Desc: corejson.InferDescriptor(u.PkScript, prefixes), ParentDescs: []string{}, Safe: u.Safe})
		sum += u.Amount
		if maxCount > 0 && int64(len(out)) >= maxCount {
			break
		}
		if minSum != math.MaxInt64 && sum >= minSum {
			break
		}
	}
	return out, nil
}

// walletTxInfo is the part of listtransactions' and gettransaction's
// answers that describes the transaction (Core's WalletTxToJSON).
type walletTxInfo struct {
	Confirmations   int32    `json:"confirmations"`
	Generated       bool     `json:"generated,omitempty"`
	Trusted         *bool    `json:"trusted,omitempty"`
	BlockHash       string   `json:"blockhash,omitempty"`
	BlockHeight     *int32   `json:"blockheight,omitempty"`
	BlockIndex      *int     `json:"blockindex,omitempty"`
	BlockTime       *int64   `json:"blocktime,omitempty"`
	TxID            string   `json:"txid"`
	WTxID           string   `json:"wtxid"`
	WalletConflicts []string `json:"walletconflicts"`
	Time            int64    `json:"time"`
	TimeReceived    int64    `json:"timereceived"`
	BIP125          string   `json:"bip125-replaceable"`
}

// txEntry is one line of listtransactions and one element of
// gettransaction's details.
type txEntry struct {
	Address   string           `json:"address,omitempty"`
	Category  string           `json:"category"`
	Amount    corejson.Amount  `json:"amount"`
	Vout      uint32           `json:"vout"`
	Fee       *corejson.Amount `json:"fee,omitempty"`
	Abandoned *bool            `json:"abandoned,omitempty"`
}

// listTxEntry is a listtransactions line: the entry and its transaction.
type listTxEntry struct {
	txEntry
	walletTxInfo
}

// signalsRBF reports whether tx opts in to replacement (BIP125).
func signalsRBF(tx *wire.Tx) bool {
	for _, in := range tx.TxIn {
		if in.Sequence < 0xfffffffe {
			return true
		}
	}
	return false
}

// rbfState is Core's bip125-replaceable: "no" once confirmed, "yes" when
// the transaction or an unconfirmed ancestor in the mempool signals,
// "unknown" when it is not in the mempool.
func (m *walletMethods) rbfState(d *wallet.TxDetails) string {
	if d.Confirmations > 0 {
		return "no"
	}
	if signalsRBF(d.Tx) {
		return "yes"
	}
	if !d.InMempool || m.pool == nil {
		return "unknown"
	}
	ancestors, ok := m.pool.Ancestors(d.TxID)
	if !ok {
		return "unknown"
	}
	for _, a := range ancestors {
		if tx := m.pool.Tx(a); tx != nil && signalsRBF(tx) {
			return "yes"
		}
	}
	return "no"
}

func (m *walletMethods) txInfo(d *wallet.TxDetails) walletTxInfo {
	id := d.TxID.String()
	info := walletTxInfo{Confirmations: d.Confirmations, Generated: d.Generated, TxID: id, WTxID: id,
		WalletConflicts: []string{}, Time: d.TimeReceived, TimeReceived: d.TimeReceived, BIP125: m.rbfState(d)}
	if d.Block != nil {
		b := *d.Block
		bt := int64(b.Time)
		info.BlockHash, info.BlockHeight, info.BlockIndex, info.BlockTime = b.Hash.String(), &b.Height, &b.Index, &bt
	} else {
		trusted := d.Trusted
		info.Trusted = &trusted
	}
	return info
}

func newTxEntry(e wallet.TxEntry) txEntry {
	out := txEntry{Address: e.Address, Category: e.Category, Amount: corejson.Amount(e.Amount), Vout: e.Vout}
	if e.Category == wallet.CategorySend {
		fee := corejson.Amount(e.Fee)
		abandoned := false
		out.Fee, out.Abandoned = &fee, &abandoned
	}
	return out
}

// walletTxFields is the help of the fields walletTxInfo adds.
const walletTxFields = `    "confirmations" : n,                    (numeric) The number of confirmations for the transaction. Negative confirmations means the
                                            transaction conflicted that many blocks ago.
    "generated" : true|false,               (boolean, optional) Only present if the transaction's only input is a coinbase one.
    "trusted" : true|false,                 (boolean, optional) Whether we consider the transaction to be trusted and safe to spend from.
                                            Only present when the transaction has 0 confirmations (or negative confirmations, if conflicted).
    "blockhash" : "hex",                    (string, optional) The block hash containing the transaction.
    "blockheight" : n,                      (numeric, optional) The block height containing the transaction.
    "blockindex" : n,                       (numeric, optional) The index of the transaction in the block that includes it.
    "blocktime" : xxx,                      (numeric, optional) The block time expressed in UNIX epoch time.
    "txid" : "hex",                         (string) The transaction id.
    "wtxid" : "hex",                        (string) The hash of serialized transaction (the txid: nodecoin has no witnesses).
    "walletconflicts" : [                   (json array) Conflicting transaction ids (always empty in nodecoin).
    ],
    "time" : xxx,                           (numeric) The transaction time expressed in UNIX epoch time (the time received).
    "timereceived" : xxx,                   (numeric) The time received expressed in UNIX epoch time.
    "bip125-replaceable" : "str"            (string) ("yes|no|unknown") Whether this transaction signals BIP125 replaceability or has an unconfirmed ancestor signaling BIP125 replaceability.`

func (m *walletMethods) listTransactions() rpc.Method {
	return rpc.Method{
		Name:     "listtransactions",
		Category: "wallet",
		Args: []rpc.Arg{
			{Name: "label|dummy", Type: rpc.TypeString, Optional: true,
				Description: `If set, should be "*" or "" (nodecoin keeps no labels: any other label lists nothing).`},
			{Name: "count", Type: rpc.TypeNumber, Optional: true, Default: "10", Description: "The number of transactions to return"},
			{Name: "skip", Type: rpc.TypeNumber, Optional: true, Default: "0", Description: "The number of transactions to skip"},
			{Name: "include_watchonly", Type: rpc.TypeBool, Optional: true, Default: "false",
				Description: "Accepted for compatibility and ignored: nodecoin's wallet has no watch-only addresses."},
		},
		Description: "If a label name is provided, this will return only incoming transactions paying to addresses with the specified label.\n\n" +
			"Returns up to 'count' most recent transactions skipping the first 'from' transactions.\n" +
			"Entries are in the order the wallet learnt of their transactions, oldest first.",
		Result: `[                                           (json array)
  {                                         (json object)
    "address" : "str",                      (string, optional) The nodecoin address of the transaction (not returned if the output does not have an address, e.g. OP_RETURN null data).
    "category" : "str",                     (string) The transaction category.
                                            "send"                  Transactions sent.
                                            "receive"               Non-coinbase transactions received.
                                            "generate"              Coinbase transactions received with more than 100 confirmations.
                                            "immature"              Coinbase transactions received with 100 or fewer confirmations.
                                            "orphan"                Orphaned coinbase transactions received.
    "amount" : n,                           (numeric) The amount in NDC. This is negative for the 'send' category, and is positive
                                            for all other categories
    "vout" : n,                             (numeric) the vout value
    "fee" : n,                              (numeric, optional) The amount of the fee in NDC. This is negative and only available for the
                                            'send' category of transactions.
` + walletTxFields + `,
    "abandoned" : true|false                (boolean, optional) 'true' if the transaction has been abandoned (inputs are respendable). Only for the 'send' category (always false).
  },
  ...
]`,
		Examples: "\nList the most recent 10 transactions in the systems\n" + rpc.ExampleCLI("listtransactions", "") +
			"\nList transactions 100 to 120\n" + rpc.ExampleCLI("listtransactions", `"*" 20 100`) +
			"\nAs a JSON-RPC call\n" + rpc.ExampleRPC("listtransactions", `"*", 20, 100`),
		Handler: func(_ context.Context, p rpc.Params) (any, error) {
			label, err := p.OptionalString(0, "*")
			if err != nil {
				return nil, err
			}
			count, err := p.OptionalInt(1, 10)
			if err != nil {
				return nil, err
			}
			skip, err := p.OptionalInt(2, 0)
			if err != nil {
				return nil, err
			}
			if _, err := p.OptionalBool(3, false); err != nil {
				return nil, err
			}
			if count < 0 {
				return nil, rpc.NewError(rpc.CodeInvalidParameter, "Negative count")
			}
			if skip < 0 {
				return nil, rpc.NewError(rpc.CodeInvalidParameter, "Negative from")
			}
			out := []listTxEntry{}
			if label != "*" && label != "" {
				return out, nil
			}
			// Core walks the transactions newest first, stops once it
			// has skip+count entries, cuts and reverses.
			txs := m.w.Transactions()
			for i := len(txs) - 1; i >= 0 && int64(len(out)) < skip+count; i-- {
				info := m.txInfo(txs[i])
				for _, e := range txs[i].Entries {
					out = append(out, listTxEntry{txEntry: newTxEntry(e), walletTxInfo: info})
				}
			}
			lo, hi := min(skip, int64(len(out))), min(skip+count, int64(len(out)))
			out = out[lo:hi]
			for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
				out[i], out[j] = out[j], out[i]
			}
			return out, nil
		},
	}
}

type getTransactionResult struct {
	Amount corejson.Amount  `json:"amount"`
	Fee    *corejson.Amount `json:"fee,omitempty"`
	walletTxInfo
	Details []txEntry    `json:"details"`
	Hex     string       `json:"hex"`
	Decoded *corejson.Tx `json:"decoded,omitempty"`
}

func (m *walletMethods) getTransaction() rpc.Method {
	return rpc.Method{
		Name:     "gettransaction",
		Category: "wallet",
		Args: []rpc.Arg{
			{Name: "txid", Type: rpc.TypeString, Description: "The transaction id"},
			{Name: "include_watchonly", Type: rpc.TypeBool, Optional: true, Default: "false",
				Description: "Accepted for compatibility and ignored: nodecoin's wallet has no watch-only addresses."},
			{Name: "verbose", Type: rpc.TypeBool, Optional: true, Default: "false",
				Description: "Whether to include a `decoded` field containing the decoded transaction (equivalent to RPC decoderawtransaction)"},
		},
		Description: "Get detailed information about in-wallet transaction <txid>\n" +
			"Errors: -5 \"Invalid or non-wallet transaction id\" for a transaction the wallet does not hold.",
		Result: `{                                           (json object)
  "amount" : n,                             (numeric) The amount in NDC
  "fee" : n,                                (numeric, optional) The amount of the fee in NDC. This is negative and only available for the
                                            'send' category of transactions.
` + walletTxFields + `,
  "details" : [                             (json array)
    {                                       (json object)
      "address" : "str",                    (string, optional) The nodecoin address involved in the transaction.
      "category" : "str",                   (string) The transaction category ("send", "receive", "generate", "immature", "orphan").
      "amount" : n,                         (numeric) The amount in NDC
      "vout" : n,                           (numeric) the vout value
      "fee" : n,                            (numeric, optional) The amount of the fee in NDC. This is negative and only available for the
                                            'send' category of transactions.
      "abandoned" : true|false              (boolean, optional) 'true' if the transaction has been abandoned (inputs are respendable). Only for the 'send' category (always false).
    },
    ...
  ],
  "hex" : "hex",                            (string) Raw data for transaction
  "decoded" : {                             (json object, optional) The decoded transaction (only present when ` + "`verbose`" + ` is passed)
    ...                                     Equivalent to the RPC decoderawtransaction method, or the RPC getrawtransaction method when ` + "`verbose`" + ` is passed.
  }
}`,
		Examples: rpc.ExampleCLI("gettransaction", `"1075db55d416d3ca199f55b6084e2115b9345e16c5cf302fc80e9d5fbf5d48d"`) +
			rpc.ExampleCLI("gettransaction", `"1075db55d416d3ca199f55b6084e2115b9345e16c5cf302fc80e9d5fbf5d48d" true`) +
			rpc.ExampleRPC("gettransaction", `"1075db55d416d3ca199f55b6084e2115b9345e16c5cf302fc80e9d5fbf5d48d"`),
		Handler: func(_ context.Context, p rpc.Params) (any, error) {
			txid, err := parseHash(p, 0, "txid")
			if err != nil {
				return nil, err
			}
			if _, err := p.OptionalBool(1, false); err != nil {
				return nil, err
			}
			verbose, err := p.OptionalBool(2, false)
			if err != nil {
				return nil, err
			}
			d, err := m.w.Transaction(txid)
			if errors.Is(err, wallet.ErrTxNotFound) {
				return nil, errNotWalletTx
			}
			if err != nil {
				return nil, walletError(err, "look up wallet transaction")
			}
			res := getTransactionResult{Amount: corejson.Amount(d.Amount), walletTxInfo: m.txInfo(d),
				Details: []txEntry{}, Hex: hex.EncodeToString(d.Tx.Serialize())}
			if d.HasFee {
				fee := corejson.Amount(d.Fee)
				res.Fee = &fee
			}
			for _, e := range d.Entries {
				res.Details = append(res.Details, newTxEntry(e))
			}
			if verbose {
				tx := corejson.NewTx(d.Tx, m.c.Params().AddressPrefixes(), false, nil)
				res.Decoded = &tx
			}
			return res, nil
		},
	}
}

type walletInfo struct {
	WalletName            string          `json:"walletname"`
	WalletVersion         int             `json:"walletversion"`
	Format                string          `json:"format"`
	Balance               corejson.Amount `json:"balance"`
	UnconfirmedBalance    corejson.Amount `json:"unconfirmed_balance"`
	ImmatureBalance       corejson.Amount `json:"immature_balance"`
	TxCount               int             `json:"txcount"`
	KeypoolSize           int             `json:"keypoolsize"`
	KeypoolSizeHDInternal int             `json:"keypoolsize_hd_internal"`
	UnlockedUntil         *int64          `json:"unlocked_until,omitempty"`
	PayTxFee              corejson.Amount `json:"paytxfee"`
	HDSeedID              string          `json:"hdseedid,omitempty"`
	PrivateKeysEnabled    bool            `json:"private_keys_enabled"`
	AvoidReuse            bool            `json:"avoid_reuse"`
	Scanning              bool            `json:"scanning"`
	Descriptors           bool            `json:"descriptors"`
	ExternalSigner        bool            `json:"external_signer"`
}

func (m *walletMethods) getWalletInfo() rpc.Method {
	return rpc.Method{
		Name:     "getwalletinfo",
		Category: "wallet",
		Description: "Returns an object containing various wallet state info.\n" +
			"nodecoin has one wallet, named \"default\", in its own file format (\"nodecoin\"). hdseedid is known once the\n" +
			"wallet has been unlocked since the node started (always for an unencrypted wallet).",
		Result: `{                                         (json object)
  "walletname" : "str",                   (string) the wallet name ("default")
  "walletversion" : n,                    (numeric) the wallet version (169900, Core's legacy HD wallet with a change chain)
  "format" : "str",                       (string) the database format ("nodecoin")
  "balance" : n,                          (numeric) DEPRECATED. Identical to getbalances().mine.trusted
  "unconfirmed_balance" : n,              (numeric) DEPRECATED. Identical to getbalances().mine.untrusted_pending
  "immature_balance" : n,                 (numeric) DEPRECATED. Identical to getbalances().mine.immature
  "txcount" : n,                          (numeric) the total number of transactions in the wallet
  "keypoolsize" : n,                      (numeric) how many new keys are pre-generated (only counts external keys)
  "keypoolsize_hd_internal" : n,          (numeric) how many new keys are pre-generated for internal use (used for change outputs)
  "unlocked_until" : xxx,                 (numeric, optional) the UNIX epoch time until which the wallet is unlocked for transfers, or 0 if the wallet is locked (only present for passphrase-encrypted wallets)
  "paytxfee" : n,                         (numeric) the transaction fee configuration, set in NDC/kvB (always 0)
  "hdseedid" : "hex",                     (string, optional) the Hash160 of the HD seed (only present when known)
  "private_keys_enabled" : true|false,    (boolean) false if privatekeys are disabled for this wallet (enforced watch-only wallet)
  "avoid_reuse" : true|false,             (boolean) whether this wallet tracks clean/dirty coins in terms of reuse
  "scanning" : true|false,                (boolean) false: nodecoin does not report rescans in progress
  "descriptors" : true|false,             (boolean) whether this wallet uses descriptors for output script management (false)
  "external_signer" : true|false          (boolean) whether this wallet is configured to use an external signer such as a hardware wallet
}`,
		Examples: rpc.ExampleCLI("getwalletinfo", "") + rpc.ExampleRPC("getwalletinfo", ""),
		Handler: func(context.Context, rpc.Params) (any, error) {
			b := m.w.Balances()
			recv, change := m.w.KeypoolSize()
			info := walletInfo{WalletName: WalletName, WalletVersion: WalletVersion, Format: WalletFormat,
				Balance: corejson.Amount(b.Trusted), UnconfirmedBalance: corejson.Amount(b.UntrustedPending),
				ImmatureBalance: corejson.Amount(b.Immature), TxCount: len(m.w.Transactions()),
				KeypoolSize: recv, KeypoolSizeHDInternal: change, HDSeedID: m.hdSeedID(), PrivateKeysEnabled: true}
			if m.w.IsEncrypted() {
				var until int64
				if t := m.w.UnlockedUntil(); !t.IsZero() {
					until = t.Unix()
				}
				info.UnlockedUntil = &until
			}
			return info, nil
		},
	}
}

func (m *walletMethods) dumpPrivKey() rpc.Method {
	return rpc.Method{
		Name:     "dumpprivkey",
		Category: "wallet",
		Args:     []rpc.Arg{{Name: "address", Type: rpc.TypeString, Description: "The nodecoin address for the private key"}},
		Description: "Reveals the private key corresponding to 'address'.\n" +
			"Then the importprivkey can be used with this output\n" +
			"Errors: -5 an invalid address, -4 an address of which the wallet has no key, -13 a locked wallet.",
		Result: `"str"    (string) The private key`,
		Examples: rpc.ExampleCLI("dumpprivkey", `"myaddress"`) + rpc.ExampleCLI("importprivkey", `"mykey"`) +
			rpc.ExampleRPC("dumpprivkey", `"myaddress"`),
		Handler: func(_ context.Context, p rpc.Params) (any, error) {
			s, err := p.String(0)
			if err != nil {
				return nil, err
			}
			if _, err := address.Decode(s, m.c.Params().AddressPrefixes()); err != nil {
				return nil, rpc.NewError(rpc.CodeInvalidAddressOrKey, "Invalid nodecoin address")
			}
			wif, err := m.w.DumpPrivKey(s)
			if errors.Is(err, wallet.ErrNotMine) {
				return nil, rpc.NewError(rpc.CodeWallet, "Private key for address "+s+" is not known")
			}
			if err != nil {
				return nil, walletError(err, "dump private key")
			}
			return wif, nil
		},
	}
}

func (m *walletMethods) importPrivKey() rpc.Method {
	return rpc.Method{
		Name:     "importprivkey",
		Category: "wallet",
		Args: []rpc.Arg{
			{Name: "privkey", Type: rpc.TypeString, Description: "The private key (see dumpprivkey)"},
			{Name: "label", Type: rpc.TypeString, Optional: true, Default: `""`,
				Description: "Accepted for compatibility and ignored: nodecoin's wallet keeps no labels."},
			{Name: "rescan", Type: rpc.TypeBool, Optional: true, Default: "true",
				Description: "Scan the chain for transactions, from the genesis block."},
		},
		Description: "Adds a private key (as returned by dumpprivkey) to your wallet. Requires a new wallet backup.\n" +
			"Hint: use importmulti to import more than one private key.\n\n" +
			"Note: This call can take over an hour to complete if rescan is true, during that time, other rpc calls\n" +
			"may report that the imported key exists but related transactions are still missing, leading to temporarily incorrect/bogus balances and unspent outputs until rescan completes.\n" +
			"Errors: -5 an invalid key, -13 a locked encrypted wallet.",
		Examples: "\nDump a private key\n" + rpc.ExampleCLI("dumpprivkey", `"myaddress"`) +
			"\nImport the private key with rescan\n" + rpc.ExampleCLI("importprivkey", `"mykey"`) +
			"\nImport using a label and without rescan\n" + rpc.ExampleCLI("importprivkey", `"mykey" "testing" false`) +
			"\nAs a JSON-RPC call\n" + rpc.ExampleRPC("importprivkey", `"mykey", "testing", false`),
		Handler: func(_ context.Context, p rpc.Params) (any, error) {
			wif, err := p.String(0)
			if err != nil {
				return nil, err
			}
			if _, err := p.OptionalString(1, ""); err != nil {
				return nil, err
			}
			rescan, err := p.OptionalBool(2, true)
			if err != nil {
				return nil, err
			}
			if _, err := address.DecodeWIF(wif, m.c.Params().AddressPrefixes()); err != nil {
				return nil, rpc.NewError(rpc.CodeInvalidAddressOrKey, "Invalid private key encoding")
			}
			if _, err := m.w.ImportPrivKey(wif); err != nil {
				return nil, walletError(err, "import private key")
			}
			if rescan {
				if _, err := m.w.Rescan(m.c, 0); err != nil {
					return nil, walletError(err, "rescan")
				}
			}
			return nil, nil
		},
	}
}

func (m *walletMethods) encryptWallet() rpc.Method {
	return rpc.Method{
		Name:     "encryptwallet",
		Category: "wallet",
		Args: []rpc.Arg{{Name: "passphrase", Type: rpc.TypeString,
			Description: "The pass phrase to encrypt the wallet with. It must be at least 1 character, but should be long."}},
		Description: "Encrypts the wallet with 'passphrase'. This is for first time encryption.\n" +
			"After this, any calls that interact with private keys such as sending or signing\n" +
			"will require the passphrase to be set prior the making these calls.\n" +
			"Use the walletpassphrase call for this, and then walletlock call.\n" +
			"Unlike Bitcoin Core, nodecoin keeps the HD seed (no new seed is generated), so addresses given out\n" +
			"before stay the wallet's; backups made before hold the seed unencrypted.\n" +
			"Errors: -8 an empty passphrase, -15 a wallet already encrypted.",
		Result: `"str"    (string) A string with further instructions`,
		Examples: "\nEncrypt your wallet\n" + rpc.ExampleCLI("encryptwallet", `"my pass phrase"`) +
			"\nNow set the passphrase to use the wallet, such as for signing or sending nodecoin\n" +
			rpc.ExampleCLI("walletpassphrase", `"my pass phrase"`) +
			"\nNow we can do something like sign\n" + rpc.ExampleCLI("signmessage", `"address" "test message"`) +
			"\nNow lock the wallet again by removing the passphrase\n" + rpc.ExampleCLI("walletlock", "") +
			"\nAs a JSON-RPC call\n" + rpc.ExampleRPC("encryptwallet", `"my pass phrase"`),
		Handler: func(_ context.Context, p rpc.Params) (any, error) {
			pass, err := p.String(0)
			if err != nil {
				return nil, err
			}
			if m.w.IsEncrypted() {
				return nil, rpc.NewError(rpc.CodeWalletWrongEncState,
					"Error: running with an encrypted wallet, but encryptwallet was called.")
			}
			if pass == "" {
				return nil, errEmptyPass
			}
			err = m.w.EncryptWallet([]byte(pass))
			if errors.Is(err, wallet.ErrAlreadyEncrypted) {
				return nil, rpc.NewError(rpc.CodeWalletWrongEncState,
					"Error: running with an encrypted wallet, but encryptwallet was called.")
			}
			if err != nil {
				return nil, walletError(err, "encrypt wallet")
			}
			return "wallet encrypted; the HD seed is unchanged. You need to make a new backup with the backupwallet RPC.", nil
		},
	}
}

func (m *walletMethods) walletPassphrase() rpc.Method {
	return rpc.Method{
		Name:     "walletpassphrase",
		Category: "wallet",
		Args: []rpc.Arg{
			{Name: "passphrase", Type: rpc.TypeString, Description: "The wallet passphrase"},
			{Name: "timeout", Type: rpc.TypeNumber,
				Description: "The time to keep the decryption key in seconds; capped at 100000000 (~3 years)."},
		},
		Description: "Stores the wallet decryption key in memory for 'timeout' seconds.\n" +
			"This is needed prior to performing transactions related to private keys such as sending nodecoin\n\n" +
			"Note:\n" +
			"Issuing the walletpassphrase command while the wallet is already unlocked will set a new unlock\n" +
			"time that overrides the old one.\n" +
			"Errors: -14 a wrong passphrase, -15 an unencrypted wallet, -8 a negative timeout or empty passphrase.",
		Examples: "\nUnlock the wallet for 60 seconds\n" + rpc.ExampleCLI("walletpassphrase", `"my pass phrase" 60`) +
			"\nLock the wallet again (before 60 seconds)\n" + rpc.ExampleCLI("walletlock", "") +
			"\nAs a JSON-RPC call\n" + rpc.ExampleRPC("walletpassphrase", `"my pass phrase", 60`),
		Handler: func(_ context.Context, p rpc.Params) (any, error) {
			pass, err := p.String(0)
			if err != nil {
				return nil, err
			}
			timeout, err := p.Int(1)
			if err != nil {
				return nil, err
			}
			if !m.w.IsEncrypted() {
				return nil, rpc.NewError(rpc.CodeWalletWrongEncState,
					"Error: running with an unencrypted wallet, but walletpassphrase was called.")
			}
			if timeout < 0 {
				return nil, rpc.NewError(rpc.CodeInvalidParameter, "Timeout cannot be negative.")
			}
			timeout = min(timeout, MaxUnlockSeconds)
			if pass == "" {
				return nil, errEmptyPass
			}
			d := time.Duration(timeout) * time.Second
			if d == 0 {
				d = time.Nanosecond // checks the passphrase and locks at once, as Core's zero timeout
			}
			if err := m.w.Unlock([]byte(pass), d); err != nil {
				return nil, walletError(err, "unlock wallet")
			}
			m.hdSeedID() // learn it while unlocked
			if timeout == 0 {
				if err := m.w.Lock(); err != nil {
					return nil, walletError(err, "lock wallet")
				}
			}
			return nil, nil
		},
	}
}

func (m *walletMethods) walletLock() rpc.Method {
	return rpc.Method{
		Name:     "walletlock",
		Category: "wallet",
		Description: "Removes the wallet encryption key from memory, locking the wallet.\n" +
			"After calling this method, you will need to call walletpassphrase again\n" +
			"before being able to call any methods which require the wallet to be unlocked.",
		Examples: "\nSet the passphrase for 2 minutes to perform a transaction\n" +
			rpc.ExampleCLI("walletpassphrase", `"my pass phrase" 120`) +
			"\nClear the passphrase since we are done before 2 minutes is up\n" + rpc.ExampleCLI("walletlock", "") +
			"\nAs a JSON-RPC call\n" + rpc.ExampleRPC("walletlock", ""),
		Handler: func(context.Context, rpc.Params) (any, error) {
			err := m.w.Lock()
			if errors.Is(err, wallet.ErrNotEncrypted) {
				return nil, rpc.NewError(rpc.CodeWalletWrongEncState,
					"Error: running with an unencrypted wallet, but walletlock was called.")
			}
			if err != nil {
				return nil, walletError(err, "lock wallet")
			}
			return nil, nil
		},
	}
}

func (m *walletMethods) backupWallet() rpc.Method {
	return rpc.Method{
		Name:     "backupwallet",
		Category: "wallet",
		Args: []rpc.Arg{{Name: "destination", Type: rpc.TypeString,
			Description: "The destination directory or file"}},
		Description: "Safely copies the current wallet file to the specified destination, which can either be a directory or a path with a filename.\n" +
			"A directory receives the copy as wallet.dat. The path is the node's: a relative one is taken from the node's working directory.",
		Examples: rpc.ExampleCLI("backupwallet", `"backup.dat"`) + rpc.ExampleRPC("backupwallet", `"backup.dat"`),
		Handler: func(_ context.Context, p rpc.Params) (any, error) {
			dest, err := p.String(0)
			if err != nil {
				return nil, err
			}
			if dest == "" {
				return nil, rpc.NewError(rpc.CodeWallet, "Error: Wallet backup failed!")
			}
			if fi, err := os.Stat(dest); err == nil && fi.IsDir() {
				dest = filepath.Join(dest, wallet.FileName)
			}
			if err := m.w.Backup(dest); err != nil {
				m.opts.logger().Warn("wallet backup failed", "destination", dest, "err", err)
				return nil, rpc.NewError(rpc.CodeWallet, "Error: Wallet backup failed!")
			}
			return nil, nil
		},
	}
}

// miningReward is one element of listminingrewards' answer.
type miningReward struct {
	Height       int32           `json:"height"`
	BlockHash    string          `json:"blockhash,omitempty"`
	TxID         string          `json:"txid"`
	Time         int64           `json:"time"`
	TimeUTC      string          `json:"time_utc"`
	Amount       corejson.Amount `json:"amount"`
	Status       string          `json:"status"`
	RunningTotal corejson.Amount `json:"running_total"`
}

func (m *walletMethods) listMiningRewards() rpc.Method {
	return rpc.Method{
		Name:     "listminingrewards",
		Category: "wallet",
		Description: "nodecoin-specific (Bitcoin Core has no such method).\n" +
			"Lists the wallet's mining income: one entry per coinbase transaction paying the wallet, by height,\n" +
			"with its maturity (\"immature\" below 100 confirmations, \"mature\" from 100, \"orphaned\" when its block\n" +
			"left the main chain) and the running total of the non-orphaned rewards up to it.\n" +
			"`nodecoin wallet export-income --csv FILE` writes the same records offline.",
		Result: `[                           (json array)
  {                         (json object)
    "height" : n,           (numeric) the block height (for an orphaned reward, the height its coinbase commits to)
    "blockhash" : "hex",    (string, optional) the block hash (absent for an orphaned reward)
    "txid" : "hex",         (string) the coinbase transaction id
    "time" : xxx,           (numeric) the block time in UNIX epoch time (for an orphaned reward, the time received)
    "time_utc" : "str",     (string) the same time in ISO 8601 / RFC 3339, UTC
    "amount" : n,           (numeric) the amount paid to the wallet in NDC
    "status" : "str",       (string) "immature", "mature" or "orphaned"
    "running_total" : n     (numeric) the sum of the non-orphaned rewards up to this one in NDC
  },
  ...
]`,
		Examples: rpc.ExampleCLI("listminingrewards", "") + rpc.ExampleRPC("listminingrewards", ""),
		Handler: func(context.Context, rpc.Params) (any, error) {
			out := []miningReward{}
			for _, r := range m.w.MiningRewards() {
				e := miningReward{Height: r.Height, TxID: r.TxID.String(), Time: r.Time.Unix(),
					TimeUTC: r.Time.UTC().Format(time.RFC3339), Amount: corejson.Amount(r.Amount), Status: r.Status,
					RunningTotal: corejson.Amount(r.RunningTotal)}
				if !r.BlockHash.IsZero() {
					e.BlockHash = r.BlockHash.String()
				}
				out = append(out, e)
			}
			return out, nil
		},
	}
}

// rescanResult is rescanblockchain's answer.
type rescanResult struct {
	StartHeight int32 `json:"start_height"`
	StopHeight  int32 `json:"stop_height"`
}

func (m *walletMethods) rescanBlockchain() rpc.Method {
	return rpc.Method{
		Name:     "rescanblockchain",
		Category: "wallet",
		Args: []rpc.Arg{
			{Name: "start_height", Type: rpc.TypeNumber, Optional: true, Default: "0", Description: "block height where the rescan should start"},
			{Name: "stop_height", Type: rpc.TypeNumber, Optional: true, Description: "Not supported by nodecoin's wallet: the rescan always runs to the tip; give null."},
		},
		Description: "Rescan the local blockchain for wallet related transactions, from start_height to the tip.",
		Result:      `{ "start_height" : n, "stop_height" : n }`,
		Examples:    rpc.ExampleCLI("rescanblockchain", "100000"),
		Handler: func(_ context.Context, p rpc.Params) (any, error) {
			start, err := p.OptionalInt(0, 0)
			if err != nil {
				return nil, err
			}
			if !p.IsNull(1) {
				return nil, rpc.NewError(rpc.CodeInvalidParameter, "stop_height is not supported: the rescan runs to the tip")
			}
			if start < 0 || start > int64(m.c.Best().Height) {
				return nil, rpc.NewError(rpc.CodeInvalidParameter, "Invalid start_height")
			}
			stop, err := m.w.Rescan(m.c, int32(start))
			if err != nil {
				return nil, fmt.Errorf("rescan: %w", err)
			}
			return rescanResult{StartHeight: int32(start), StopHeight: stop}, nil
		},
	}
}
