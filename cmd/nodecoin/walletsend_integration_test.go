package main

import (
	"math"
	"testing"
)

// TestWalletSends spends from a real daemon's wallet: sendtoaddress and
// sendmany through the mempool into blocks, change coming back, bumpfee
// replacing an unconfirmed send, and signrawtransactionwithwallet signing
// a createrawtransaction that sendrawtransaction then accepts.
func TestWalletSends(t *testing.T) {
	n := startRPCNode(t)
	var mine string
	n.call(&mine, "getnewaddress")
	n.call(nil, "generatetoaddress", 101, mine) // mature coinbases
	dest := opTrueP2SH(t).String()
	var before balances
	n.call(&before, "getbalances")
	if before.Mine.Trusted < 50 {
		t.Fatalf("trusted balance %v after 101 blocks", before.Mine.Trusted)
	}
	// Mining to dest matures more of the wallet's coinbases, so compare
	// what the wallet holds in all: trusted plus immature.
	total := func(b balances) float64 { return b.Mine.Trusted + b.Mine.Immature }
	start := total(before)

	var txid string
	n.call(&txid, "sendtoaddress", dest, 1.5)
	var pool []string
	if n.call(&pool, "getrawmempool"); len(pool) != 1 || pool[0] != txid {
		t.Fatalf("mempool %v, want the send %s", pool, txid)
	}
	var tx struct {
		Fee     float64
		Details []struct {
			Category string
			Amount   float64
		}
	}
	n.call(&tx, "gettransaction", txid)
	if tx.Fee >= 0 || tx.Fee < -0.001 || len(tx.Details) != 1 || tx.Details[0].Category != "send" || tx.Details[0].Amount != -1.5 {
		t.Fatalf("gettransaction of the send: %+v", tx)
	}
	// The wallet's balance drops by the amount and the fee at once: the
	// change is its own trusted unconfirmed output.
	var b balances
	n.call(&b, "getbalances")
	if want := start - 1.5 + tx.Fee; math.Abs(total(b)-want) > 1e-9 {
		t.Fatalf("balance %v after the send, want %v", total(b), want)
	}

	// bumpfee replaces the unconfirmed send.
	var bumped struct {
		TxID    string
		OrigFee float64
		Fee     float64
	}
	n.call(&bumped, "bumpfee", txid)
	if bumped.TxID == txid || bumped.Fee <= bumped.OrigFee {
		t.Fatalf("bumpfee %+v", bumped)
	}
	if n.call(&pool, "getrawmempool"); len(pool) != 1 || pool[0] != bumped.TxID {
		t.Fatalf("mempool after bumpfee %v, want only %s", pool, bumped.TxID)
	}
	n.call(nil, "generatetoaddress", 1, dest)
	n.call(&b, "getbalances")
	if want := start - 1.5 - bumped.Fee; math.Abs(total(b)-want) > 1e-9 {
		t.Fatalf("balance %v after mining, want %v", total(b), want)
	}

	// sendmany to two addresses.
	var other string
	n.call(&other, "getnewaddress")
	n.call(&txid, "sendmany", "", map[string]float64{dest: 0.25, other: 0.5})
	n.call(nil, "generatetoaddress", 1, dest)
	var conf struct{ Confirmations int }
	if n.call(&conf, "gettransaction", txid); conf.Confirmations != 1 {
		t.Fatalf("sendmany not confirmed: %+v", conf)
	}

	// A received payment reorganised away, with the mempool empty so the
	// reward is the subsidy alone: the balance follows.
	var quiet balances
	n.call(&quiet, "getbalances")
	var blocks []string
	n.call(&blocks, "generatetoaddress", 1, mine)
	var withReward balances
	n.call(&withReward, "getbalances")
	if got := total(withReward) - total(quiet); math.Abs(got-50) > 1e-9 {
		t.Fatalf("a mined reward added %v, want 50", got)
	}
	n.call(nil, "invalidateblock", blocks[0])
	var reorged balances
	if n.call(&reorged, "getbalances"); math.Abs(total(reorged)-total(quiet)) > 1e-9 {
		t.Fatalf("balance %v after the reward's block was invalidated, want %v", total(reorged), total(quiet))
	}

	// signrawtransactionwithwallet: spend one of the wallet's coins by hand.
	var unspent []struct {
		TxID   string
		Vout   int
		Amount float64
	}
	n.call(&unspent, "listunspent")
	if len(unspent) == 0 {
		t.Fatal("no unspent wallet outputs")
	}
	u := unspent[0]
	var raw string
	n.call(&raw, "createrawtransaction", []map[string]any{{"txid": u.TxID, "vout": u.Vout}},
		map[string]float64{dest: math.Round((u.Amount-0.001)*1e8) / 1e8})
	var signed struct {
		Hex      string
		Complete bool
	}
	if n.call(&signed, "signrawtransactionwithwallet", raw); !signed.Complete {
		t.Fatalf("signrawtransactionwithwallet incomplete: %+v", signed)
	}
	n.call(&txid, "sendrawtransaction", signed.Hex)
	if n.call(&pool, "getrawmempool"); len(pool) != 1 || pool[0] != txid {
		t.Fatalf("mempool %v, want the hand-made spend %s", pool, txid)
	}

	// A rescan from genesis finds nothing new: the balance is unchanged.
	n.call(&b, "getbalances")
	var rescan struct {
		StartHeight int32 `json:"start_height"`
		StopHeight  int32 `json:"stop_height"`
	}
	var height int32
	n.call(&height, "getblockcount")
	if n.call(&rescan, "rescanblockchain", 0); rescan.StopHeight != height {
		t.Fatalf("rescanblockchain %+v, tip %d", rescan, height)
	}
	var after balances
	if n.call(&after, "getbalances"); total(after) != total(b) {
		t.Fatalf("balance %v after rescan, %v before", total(after), total(b))
	}

	// Insufficient funds is Core's -6.
	n.fails(500, -6, "Insufficient funds", "sendtoaddress", `["`+dest+`", 10000]`)

	// A locked wallet refuses to sign a send (-13).
	n.call(nil, "encryptwallet", "correct horse")
	n.fails(500, -13, "Error: Please enter the wallet passphrase with walletpassphrase first.",
		"sendtoaddress", `["`+dest+`", 1]`)
	n.call(nil, "walletpassphrase", "correct horse", 60)
	n.call(&txid, "sendtoaddress", dest, 1)
}
