package methods

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/nodecoin/nodecoin/chain/address"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/mempool"
	"github.com/nodecoin/nodecoin/rpc"
	"github.com/nodecoin/nodecoin/rpc/corejson"
	"github.com/nodecoin/nodecoin/wallet"
)

// walletSend holds the methods that spend from the wallet. Sends are
// serialized: the coins a transaction spends count as spent only once the
// wallet has seen it enter the pool, so two concurrent sends could pick
// the same coins.
type walletSend struct {
	c    Chain
	w    Wallet
	pool Pool
	fees FeeEstimator
	mu   sync.Mutex
}

// WalletSends returns sendtoaddress, sendmany, bumpfee and
// signrawtransactionwithwallet; none without a wallet and a pool.
func WalletSends(c Chain, opts Options) []rpc.Method {
	if opts.Wallet == nil || opts.Pool == nil {
		return nil
	}
	s := &walletSend{c: c, w: opts.Wallet, pool: opts.Pool, fees: opts.Fees}
	return []rpc.Method{s.sendToAddress(), s.sendMany(), s.bumpFee(), s.signRawTransactionWithWallet()}
}

// sendError maps the wallet's refusals to Core's codes: -6 for
// insufficient funds, -13 for a locked wallet, -4 for the rest, with the
// wallet's message (Core's text).
func sendError(err error) error {
	var sentinel error = err
	for _, e := range []error{wallet.ErrInsufficientFunds, wallet.ErrLocked, wallet.ErrAmountTooSmall,
		wallet.ErrInvalidAmount, wallet.ErrAmountTooSmallForFee, wallet.ErrFeeRateTooLow, wallet.ErrFeeTooHigh,
		wallet.ErrTxTooLarge, wallet.ErrNotReplaceable, wallet.ErrTxConfirmed, wallet.ErrNoChangeOutput,
		wallet.ErrMultipleChangeOutputs, wallet.ErrChangeTooSmall, wallet.ErrForeignInputs, wallet.ErrHasDescendants,
		wallet.ErrAlreadyBumped, wallet.ErrTxNotFound, wallet.ErrNoRecipients, wallet.ErrInvalidRecipient} {
		if errors.Is(err, e) {
			sentinel = e
			break
		}
	}
	switch {
	case errors.Is(err, wallet.ErrInsufficientFunds):
		return rpc.NewError(rpc.CodeWalletInsufficientFunds, sentinel.Error())
	case errors.Is(err, wallet.ErrLocked):
		return errUnlockNeeded
	case errors.Is(err, wallet.ErrTxNotFound):
		return rpc.NewError(rpc.CodeInvalidAddressOrKey, "Invalid or non-wallet transaction id")
	case errors.Is(err, wallet.ErrInvalidAmount):
		return rpc.NewError(rpc.CodeType, "Invalid amount")
	}
	return rpc.NewError(rpc.CodeWallet, sentinel.Error())
}

// feeRate picks the fee rate of a send: fee_rate (base units per virtual
// byte, as Core's sat/vB) when given, else the estimate for conf_target
// (default 6), else the wallet's fallback rate.
func (s *walletSend) feeRate(p rpc.Params, confIdx, modeIdx, rateIdx int) (int64, error) {
	if rateIdx >= 0 && !p.IsNull(rateIdx) {
		text, err := p.Number(rateIdx)
		if err != nil {
			return 0, err
		}
		perKB, err := corejson.ParseAmount(text) // fee_rate × 10^8, i.e. per 10^8 vB
		if err != nil {
			return 0, rpc.NewError(rpc.CodeType, "Invalid amount")
		}
		return perKB / 100_000, nil // base units per vB → per 1,000 bytes
	}
	target, err := p.OptionalInt(confIdx, 6)
	if err != nil {
		return 0, err
	}
	mode := "unset"
	if modeIdx >= 0 {
		if mode, err = p.OptionalString(modeIdx, "unset"); err != nil {
			return 0, err
		}
	}
	conservative, ok := estimateModes[strings.ToLower(mode)]
	if !ok {
		return 0, rpc.NewError(rpc.CodeInvalidParameter, `Invalid estimate_mode parameter, must be one of: "unset", "economical", "conservative"`)
	}
	if s.fees != nil && target >= 1 {
		if rate, _, err := s.fees.EstimateSmartFee(int(target), conservative); err == nil {
			return max(rate, s.pool.Info().MempoolMinFee), nil
		}
	}
	return max(wallet.FallbackFeeRate, s.pool.Info().MempoolMinFee), nil
}

// send creates a transaction paying recipients, accepts it into the pool
// and tells the wallet; it returns the txid.
func (s *walletSend) send(recipients []wallet.Recipient, opts wallet.SendOptions) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, _, err := s.w.CreateTransaction(recipients, opts)
	if err != nil {
		return "", sendError(err)
	}
	txid := tx.TxHash()
	if _, err := s.pool.Accept(tx, mempool.AcceptOptions{Local: true}); err != nil {
		return "", broadcastError(txid, err)
	}
	s.w.ProcessMempoolTx(tx)
	return txid.String(), nil
}

// parseRecipientAddress decodes a destination address of this network.
func (s *walletSend) parseRecipientAddress(text string) (address.Address, error) {
	a, err := address.Decode(text, s.c.Params().AddressPrefixes())
	if err != nil {
		return nil, rpc.Errorf(rpc.CodeInvalidAddressOrKey, "Invalid nodecoin address: %s", text)
	}
	return a, nil
}

func (s *walletSend) sendToAddress() rpc.Method {
	return rpc.Method{
		Name:     "sendtoaddress",
		Category: "wallet",
		Args: []rpc.Arg{
			{Name: "address", Type: rpc.TypeString, Description: "The nodecoin address to send to."},
			{Name: "amount", Type: rpc.TypeNumber, Description: "The amount in NDC to send. eg 0.1"},
			{Name: "comment", Type: rpc.TypeString, Optional: true, Description: "Not stored by nodecoin's wallet (accepted for compatibility)."},
			{Name: "comment_to", Type: rpc.TypeString, Optional: true, Description: "Not stored by nodecoin's wallet (accepted for compatibility)."},
			{Name: "subtractfeefromamount", Type: rpc.TypeBool, Optional: true, Default: "false", Description: "The fee will be deducted from the amount being sent."},
			{Name: "replaceable", Type: rpc.TypeBool, Optional: true, Default: "true", Description: "Signal that this transaction can be replaced by a transaction (BIP 125)."},
			{Name: "conf_target", Type: rpc.TypeNumber, Optional: true, Default: "6", Description: "Confirmation target in blocks."},
			{Name: "estimate_mode", Type: rpc.TypeString, Optional: true, Default: "unset", Description: `The fee estimate mode: "unset", "economical" or "conservative".`},
			{Name: "avoid_reuse", Type: rpc.TypeBool, Optional: true, Default: "true", Description: "Accepted for compatibility; nodecoin's wallet does not track address reuse."},
			{Name: "fee_rate", Type: rpc.TypeNumber, Optional: true, Description: "Specify a fee rate in base units per byte (Core's sat/vB); overrides conf_target."},
		},
		Description: "Send an amount to a given address.\nRequires wallet passphrase to be set with walletpassphrase call if wallet is encrypted.",
		Result:      `"hex"    (string) The transaction id.`,
		Examples:    rpc.ExampleCLI("sendtoaddress", `"nXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX" 0.1`),
		Handler: func(_ context.Context, p rpc.Params) (any, error) {
			addrText, err := p.String(0)
			if err != nil {
				return nil, err
			}
			a, err := s.parseRecipientAddress(addrText)
			if err != nil {
				return nil, err
			}
			amountText, err := p.Number(1)
			if err != nil {
				return nil, err
			}
			amount, err := corejson.ParseAmount(amountText)
			if err != nil || amount <= 0 {
				return nil, rpc.NewError(rpc.CodeType, "Invalid amount for send")
			}
			subtract, err := p.OptionalBool(4, false)
			if err != nil {
				return nil, err
			}
			replaceable, err := p.OptionalBool(5, true)
			if err != nil {
				return nil, err
			}
			rate, err := s.feeRate(p, 6, 7, 9)
			if err != nil {
				return nil, err
			}
			return s.send([]wallet.Recipient{{Address: a, Amount: amount, SubtractFee: subtract}},
				wallet.SendOptions{FeeRate: rate, Replaceable: replaceable, MinConf: 1})
		},
	}
}

func (s *walletSend) sendMany() rpc.Method {
	return rpc.Method{
		Name:     "sendmany",
		Category: "wallet",
		Args: []rpc.Arg{
			{Name: "dummy", Type: rpc.TypeString, Description: `Must be set to "" for backwards compatibility.`},
			{Name: "amounts", Type: rpc.TypeObject, Description: "The addresses and amounts: {\"address\": amount, ...}"},
			{Name: "minconf", Type: rpc.TypeNumber, Optional: true, Description: "Ignored dummy value (as in Core)."},
			{Name: "comment", Type: rpc.TypeString, Optional: true, Description: "Not stored by nodecoin's wallet."},
			{Name: "subtractfeefrom", Type: rpc.TypeArray, Optional: true, Description: "The addresses that pay the fee, equally."},
			{Name: "replaceable", Type: rpc.TypeBool, Optional: true, Default: "true", Description: "Signal BIP 125 replaceability."},
			{Name: "conf_target", Type: rpc.TypeNumber, Optional: true, Default: "6", Description: "Confirmation target in blocks."},
			{Name: "estimate_mode", Type: rpc.TypeString, Optional: true, Default: "unset", Description: `"unset", "economical" or "conservative".`},
			{Name: "fee_rate", Type: rpc.TypeNumber, Optional: true, Description: "Fee rate in base units per byte; overrides conf_target."},
		},
		Description: "Send multiple times. Amounts are double-precision floating point numbers.\nRequires wallet passphrase to be set with walletpassphrase call if wallet is encrypted.",
		Result:      `"hex"    (string) The transaction id for the send.`,
		Examples:    rpc.ExampleCLI("sendmany", `"" '{"nADDR1":0.01,"nADDR2":0.02}'`),
		Handler: func(_ context.Context, p rpc.Params) (any, error) {
			if d, err := p.OptionalString(0, ""); err != nil || d != "" {
				return nil, rpc.NewError(rpc.CodeInvalidParameter, `Dummy value must be set to ""`)
			}
			var amounts map[string]json.Number
			if err := json.Unmarshal(p.Raw(1), &amounts); err != nil {
				return nil, rpc.NewError(rpc.CodeType, "Invalid amount")
			}
			var subtractFrom []string
			if !p.IsNull(4) {
				if err := p.Decode(4, &subtractFrom); err != nil {
					return nil, err
				}
			}
			replaceable, err := p.OptionalBool(5, true)
			if err != nil {
				return nil, err
			}
			rate, err := s.feeRate(p, 6, 7, 8)
			if err != nil {
				return nil, err
			}
			var recipients []wallet.Recipient
			for text, n := range amounts {
				a, err := s.parseRecipientAddress(text)
				if err != nil {
					return nil, err
				}
				amount, err := corejson.ParseAmount(n.String())
				if err != nil || amount <= 0 {
					return nil, rpc.NewError(rpc.CodeType, "Invalid amount for send")
				}
				subtract := false
				for _, f := range subtractFrom {
					subtract = subtract || f == text
				}
				recipients = append(recipients, wallet.Recipient{Address: a, Amount: amount, SubtractFee: subtract})
			}
			if len(recipients) == 0 {
				return nil, rpc.NewError(rpc.CodeInvalidParameter, "Transaction must have at least one recipient")
			}
			return s.send(recipients, wallet.SendOptions{FeeRate: rate, Replaceable: replaceable, MinConf: 1})
		},
	}
}

// bumpFeeResult is bumpfee's answer.
type bumpFeeResult struct {
	TxID    string          `json:"txid"`
	OrigFee corejson.Amount `json:"origfee"`
	Fee     corejson.Amount `json:"fee"`
	Errors  []string        `json:"errors"`
}

func (s *walletSend) bumpFee() rpc.Method {
	return rpc.Method{
		Name:     "bumpfee",
		Category: "wallet",
		Args: []rpc.Arg{
			{Name: "txid", Type: rpc.TypeString, Description: "The txid to be bumped."},
			{Name: "options", Type: rpc.TypeObject, Optional: true, Description: `{"fee_rate": base units per byte} (conf_target and estimate_mode are accepted; without fee_rate the new rate is the old one plus the incremental relay fee, or the estimate if higher)`},
		},
		Description: "Bumps the fee of an opt-in-RBF transaction T, replacing it with a new transaction B.\n" +
			"An opt-in RBF transaction with the given txid must be in the wallet; the fee is taken from its change output.",
		Result:   `{ "txid" : "hex", "origfee" : n, "fee" : n, "errors" : [ "str" ] }`,
		Examples: rpc.ExampleCLI("bumpfee", "<txid>"),
		Handler: func(_ context.Context, p rpc.Params) (any, error) {
			txid, err := parseHash(p, 0, "txid")
			if err != nil {
				return nil, err
			}
			var opts struct {
				FeeRate    *json.Number `json:"fee_rate"`
				ConfTarget *int         `json:"conf_target"`
			}
			if !p.IsNull(1) {
				if err := p.Decode(1, &opts); err != nil {
					return nil, err
				}
			}
			var rate int64
			if opts.FeeRate != nil {
				perKB, err := corejson.ParseAmount(opts.FeeRate.String())
				if err != nil {
					return nil, rpc.NewError(rpc.CodeType, "Invalid amount")
				}
				rate = perKB / 100_000
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			tx, oldFee, newFee, err := s.w.BumpFee(txid, rate)
			if err != nil {
				return nil, sendError(err)
			}
			res, err := s.pool.Accept(tx, mempool.AcceptOptions{Local: true})
			if err != nil {
				return nil, broadcastError(tx.TxHash(), err)
			}
			s.w.ProcessMempoolTx(tx)
			for _, r := range res.Replaced {
				s.w.RemoveMempoolTx(r.TxHash())
			}
			return bumpFeeResult{TxID: tx.TxHash().String(), OrigFee: corejson.Amount(oldFee), Fee: corejson.Amount(newFee), Errors: []string{}}, nil
		},
	}
}

// signResult is signrawtransactionwithwallet's answer.
type signResult struct {
	Hex      string        `json:"hex"`
	Complete bool          `json:"complete"`
	Errors   []signFailure `json:"errors,omitempty"`
}

type signFailure struct {
	TxID      string `json:"txid"`
	Vout      uint32 `json:"vout"`
	ScriptSig string `json:"scriptSig"`
	Sequence  uint32 `json:"sequence"`
	Error     string `json:"error"`
}

func (s *walletSend) signRawTransactionWithWallet() rpc.Method {
	return rpc.Method{
		Name:     "signrawtransactionwithwallet",
		Category: "wallet",
		Args: []rpc.Arg{
			{Name: "hexstring", Type: rpc.TypeString, Description: "The transaction hex string."},
			{Name: "prevtxs", Type: rpc.TypeArray, Optional: true, Description: `Previous outputs the wallet does not know: [{"txid": "hex", "vout": n, "scriptPubKey": "hex"}, ...]`},
			{Name: "sighashtype", Type: rpc.TypeString, Optional: true, Default: "ALL", Description: `Only "ALL" is supported by nodecoin's wallet.`},
		},
		Description: "Sign inputs for raw transaction (serialized, hex-encoded) with the wallet's keys.\nRequires wallet passphrase to be set with walletpassphrase call if wallet is encrypted.",
		Result:      `{ "hex" : "hex", "complete" : true|false, "errors" : [ { "txid", "vout", "scriptSig", "sequence", "error" } ] }`,
		Examples:    rpc.ExampleCLI("signrawtransactionwithwallet", `"myhex"`),
		Handler: func(_ context.Context, p rpc.Params) (any, error) {
			text, err := p.String(0)
			if err != nil {
				return nil, err
			}
			tx, ok := decodeTx(text)
			if !ok || len(tx.TxIn) == 0 {
				return nil, rpc.NewError(rpc.CodeDeserialization, "TX decode failed. Make sure the tx has at least one input.")
			}
			if t, err := p.OptionalString(2, "ALL"); err != nil || strings.ToUpper(t) != "ALL" {
				return nil, rpc.NewError(rpc.CodeInvalidParameter, "Invalid sighash param")
			}
			prevouts := make(map[wire.OutPoint][]byte)
			if !p.IsNull(1) {
				var prev []struct {
					TxID         string `json:"txid"`
					Vout         uint32 `json:"vout"`
					ScriptPubKey string `json:"scriptPubKey"`
				}
				if err := p.Decode(1, &prev); err != nil {
					return nil, err
				}
				for _, pv := range prev {
					h, err := hashFromString(pv.TxID, "txid")
					if err != nil {
						return nil, err
					}
					spk, err := parseHex(pv.ScriptPubKey, "scriptPubKey")
					if err != nil {
						return nil, err
					}
					prevouts[wire.OutPoint{Hash: h, Index: pv.Vout}] = spk
				}
			}
			complete, failures, err := s.w.SignRawTransaction(tx, prevouts)
			if err != nil {
				return nil, sendError(err)
			}
			out := signResult{Hex: hex.EncodeToString(tx.Serialize()), Complete: complete}
			for _, f := range failures {
				out.Errors = append(out.Errors, signFailure{TxID: f.OutPoint.Hash.String(), Vout: f.OutPoint.Index,
					ScriptSig: hex.EncodeToString(f.SignatureScript), Sequence: f.Sequence, Error: fmt.Sprint(f.Err)})
			}
			return out, nil
		},
	}
}
