package main

import (
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/nodecoin/nodecoin/chain/address"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
)

// sendRawFigure measures sendrawtransaction of n independent one-input
// P2PKH transactions from clients concurrent clients, against raw btcec
// verification of the same signatures on every core, in the same run.
func sendRawFigure(d *daemon, n, clients int) error {
	key, err := btcec.NewPrivateKey()
	if err != nil {
		return err
	}
	pkScript, err := script.PayToPubKeyHashScript(script.Hash160(key.PubKey().SerializeCompressed()))
	if err != nil {
		return err
	}
	addr, err := address.NewAddressPubKeyHashFromPubKey(key.PubKey().SerializeCompressed(), consensus.RegTestParams.AddressPrefixes())
	if err != nil {
		return err
	}
	var hashes []string
	if err := d.call("generatetoaddress", []any{101, addr.String()}, &hashes); err != nil {
		return err
	}
	var blk struct{ Tx []string }
	if err := d.call("getblock", []any{hashes[0], 1}, &blk); err != nil {
		return err
	}
	cbid, err := wire.NewHashFromStr(blk.Tx[0])
	if err != nil {
		return err
	}
	// Fan the first coinbase out into n outputs, and confirm it.
	per := (consensus.CalcBlockSubsidy(1, consensus.RegTestParams) - 1_000_000) / int64(n)
	fan := &wire.Tx{Version: 1, TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Hash: cbid}, Sequence: wire.MaxTxInSequenceNum}}}
	for range n {
		fan.TxOut = append(fan.TxOut, &wire.TxOut{Value: per, PkScript: pkScript})
	}
	if err := sign(fan, pkScript, key); err != nil {
		return err
	}
	if err := d.call("sendrawtransaction", []any{hex.EncodeToString(fan.Serialize())}, nil); err != nil {
		return err
	}
	if err := d.call("generatetoaddress", []any{1, addr.String()}, nil); err != nil {
		return err
	}
	fanID := fan.TxHash()
	txs := make([][]byte, n)
	checks := make([]sigCheck, n)
	for i := range n {
		tx := &wire.Tx{Version: 1,
			TxIn:  []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Hash: fanID, Index: uint32(i)}, Sequence: wire.MaxTxInSequenceNum}},
			TxOut: []*wire.TxOut{{Value: per - 1000, PkScript: pkScript}}}
		if err := sign(tx, pkScript, key); err != nil {
			return err
		}
		txs[i] = tx.Serialize()
		if checks[i], err = prepareCheck(tx, pkScript); err != nil {
			return err
		}
	}

	var next, failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				if err := d.call("sendrawtransaction", []any{hex.EncodeToString(txs[i])}, nil); err != nil {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	rpcTime := time.Since(start)
	if f := failed.Load(); f > 0 {
		return fmt.Errorf("%d of %d sendrawtransaction calls failed", f, n)
	}
	verifyTime, err := verifyAll(checks)
	if err != nil {
		return err
	}
	ratio := verifyTime.Seconds() / rpcTime.Seconds()
	fmt.Printf("rpc sendrawtransaction: %d independent P2PKH txs from %d clients in %v = %.0f tx/s vs raw ECDSA verify of the same signatures on %d cores %.0f sig/s: ratio %.2f (report only; the in-process figure is BenchmarkAcceptP2PKH)\n",
		n, clients, rpcTime.Round(time.Millisecond), float64(n)/rpcTime.Seconds(), runtime.NumCPU(),
		float64(n)/verifyTime.Seconds(), ratio)
	return nil
}

// sign signs every input of tx, each spending an output locked to pkScript
// by key.
func sign(tx *wire.Tx, pkScript []byte, key *btcec.PrivateKey) error {
	for i := range tx.TxIn {
		s, err := script.SignatureScript(tx, i, pkScript, script.SigHashAll, key, true)
		if err != nil {
			return err
		}
		tx.TxIn[i].SignatureScript = s
	}
	return nil
}

// sigCheck is one signature verification, parsed ahead of time.
type sigCheck struct {
	sig  *ecdsa.Signature
	pk   *btcec.PublicKey
	hash wire.Hash
}

func prepareCheck(tx *wire.Tx, pkScript []byte) (sigCheck, error) {
	pushes, err := script.ExtractPushes(tx.TxIn[0].SignatureScript)
	if err != nil || len(pushes) != 2 {
		return sigCheck{}, errors.Join(errors.New("unexpected scriptSig"), err)
	}
	sig, err := ecdsa.ParseDERSignature(pushes[0][:len(pushes[0])-1])
	if err != nil {
		return sigCheck{}, err
	}
	pk, err := btcec.ParsePubKey(pushes[1])
	if err != nil {
		return sigCheck{}, err
	}
	return sigCheck{sig: sig, pk: pk, hash: script.CalcSignatureHash(pkScript, script.SigHashAll, tx, 0)}, nil
}

// verifyAll verifies every check on one goroutine per CPU and returns the
// time taken.
func verifyAll(checks []sigCheck) (time.Duration, error) {
	var next, bad atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range runtime.NumCPU() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(len(checks)) {
					return
				}
				c := &checks[i]
				if !c.sig.Verify(c.hash[:], c.pk) {
					bad.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if b := bad.Load(); b > 0 {
		return 0, fmt.Errorf("%d signatures do not verify", b)
	}
	return time.Since(start), nil
}
