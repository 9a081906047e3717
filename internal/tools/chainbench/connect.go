package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/internal/node/blockfile"
)

// chainConfig is the configuration every measurement opens the chain with:
// the daemon's defaults (default coin cache, transaction index on, one
// script worker per CPU) but no signature cache, since the benchmark's
// signatures have never been seen before.
func chainConfig(dir string, log *slog.Logger) chain.Config {
	return chain.Config{Dir: dir, Params: consensus.RegTestParams, CacheMiB: chain.DefaultCacheMiB,
		TxIndex: true, Logger: log}
}

// connectStats is the outcome of connecting a block file into a chain.
type connectStats struct {
	Blocks int
	// Txs counts the non-coinbase transactions; Sigs their inputs, each
	// of which carries one signature.
	Txs, Sigs int
	// Connect is the time to read, decode and ProcessBlock every block.
	Connect time.Duration
	// Close is the time of the final Close (which flushes the coin cache).
	Close  time.Duration
	Height int32
	// HeapInUse is how much the Go heap in use grew from before Open to
	// after the connection (each after a GC), before Close: mostly the
	// coin cache and the pending index writes.
	HeapInUse int64
}

// profiles says where connectFile writes profiles; nil writers are skipped.
type profiles struct {
	// CPU receives a CPU profile of the connection loop.
	CPU io.Writer
	// Heap receives a heap profile taken after the loop, before Close.
	Heap io.Writer
}

// connectFile opens a chain in dataDir (new or not), then reads the block
// file and passes each of its first maxBlocks blocks (all when maxBlocks
// is 0) to ProcessBlock, timing the loop, and closes the chain. Every block
// must extend the main chain.
func connectFile(dataDir, blkPath string, maxBlocks int, log *slog.Logger, prof profiles) (connectStats, error) {
	var st connectStats
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	heapBefore := int64(ms.HeapInuse)
	ch, err := chain.Open(context.Background(), chainConfig(dataDir, log))
	if err != nil {
		return st, fmt.Errorf("open chain: %w", err)
	}
	f, err := os.Open(blkPath)
	if err != nil {
		ch.Close()
		return st, fmt.Errorf("open block file: %w", err)
	}
	defer f.Close()
	r := blockfile.NewReader(f, consensus.RegTestParams.Magic)
	if prof.CPU != nil {
		if err := pprof.StartCPUProfile(prof.CPU); err != nil {
			ch.Close()
			return st, fmt.Errorf("start CPU profile: %w", err)
		}
	}
	start := time.Now()
	err = func() error {
		for maxBlocks <= 0 || st.Blocks < maxBlocks {
			raw, err := r.Next()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("read block file: %w", err)
			}
			b, err := wire.DecodeBlock(raw)
			if err != nil {
				return fmt.Errorf("decode block %d: %w", st.Blocks+1, err)
			}
			res, err := ch.ProcessBlock(b)
			if err != nil {
				return fmt.Errorf("process block %d (%s): %w", st.Blocks+1, res.Hash, err)
			}
			if !res.MainChain {
				return fmt.Errorf("block %d (%s) did not extend the main chain", st.Blocks+1, res.Hash)
			}
			st.Blocks++
			st.Txs += len(b.Transactions) - 1
			for _, tx := range b.Transactions[1:] {
				st.Sigs += len(tx.TxIn)
			}
		}
		return nil
	}()
	st.Connect = time.Since(start)
	if prof.CPU != nil {
		pprof.StopCPUProfile()
	}
	st.Height = ch.Best().Height
	runtime.GC()
	runtime.ReadMemStats(&ms)
	st.HeapInUse = int64(ms.HeapInuse) - heapBefore
	if prof.Heap != nil && err == nil {
		if herr := pprof.WriteHeapProfile(prof.Heap); herr != nil {
			err = fmt.Errorf("write heap profile: %w", herr)
		}
	}
	closeStart := time.Now()
	cerr := ch.Close()
	st.Close = time.Since(closeStart)
	if err != nil {
		return st, errors.Join(err, cerr)
	}
	if cerr != nil {
		return st, fmt.Errorf("close chain: %w", cerr)
	}
	if st.Height != int32(st.Blocks) {
		return st, fmt.Errorf("chain height %d after %d blocks", st.Height, st.Blocks)
	}
	return st, nil
}

// sigJob is one signature check of the baseline: a pre-parsed signature
// and public key over a precomputed 32-byte hash.
type sigJob struct {
	sig  *ecdsa.Signature
	pk   *btcec.PublicKey
	hash wire.Hash
}

// loadSigJobs returns the signature checks of every non-coinbase input of
// the block file's P2PKH spends, parsed and hashed ahead of time.
func loadSigJobs(blkPath string) ([]sigJob, error) {
	f, err := os.Open(blkPath)
	if err != nil {
		return nil, fmt.Errorf("open block file: %w", err)
	}
	defer f.Close()
	type keyInfo struct {
		pk       *btcec.PublicKey
		pkScript []byte
	}
	keys := map[string]keyInfo{}
	var jobs []sigJob
	r := blockfile.NewReader(f, consensus.RegTestParams.Magic)
	for {
		raw, err := r.Next()
		if errors.Is(err, io.EOF) {
			return jobs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read block file: %w", err)
		}
		b, err := wire.DecodeBlock(raw)
		if err != nil {
			return nil, fmt.Errorf("decode block: %w", err)
		}
		for _, tx := range b.Transactions[1:] {
			for i, in := range tx.TxIn {
				pushes, err := script.ExtractPushes(in.SignatureScript)
				if err != nil || len(pushes) != 2 || len(pushes[0]) < 2 {
					return nil, fmt.Errorf("input %d of %s is not a P2PKH spend", i, tx.TxHash())
				}
				der := pushes[0][:len(pushes[0])-1]
				sig, err := ecdsa.ParseDERSignature(der)
				if err != nil {
					return nil, fmt.Errorf("signature of input %d of %s: %w", i, tx.TxHash(), err)
				}
				ki, ok := keys[string(pushes[1])]
				if !ok {
					pk, err := btcec.ParsePubKey(pushes[1])
					if err != nil {
						return nil, fmt.Errorf("public key of input %d of %s: %w", i, tx.TxHash(), err)
					}
					s, err := script.PayToPubKeyHashScript(script.Hash160(pushes[1]))
					if err != nil {
						return nil, fmt.Errorf("P2PKH script: %w", err)
					}
					ki = keyInfo{pk: pk, pkScript: s}
					keys[string(pushes[1])] = ki
				}
				hashType := script.SigHashType(pushes[0][len(pushes[0])-1])
				jobs = append(jobs, sigJob{sig: sig, pk: ki.pk,
					hash: script.CalcSignatureHash(ki.pkScript, hashType, tx, i)})
			}
		}
	}
}

// verifyAll verifies every job's signature on workers goroutines and
// returns the elapsed time. A signature that does not verify is an error:
// the baseline would be measuring the wrong thing.
func verifyAll(jobs []sigJob, workers int) (time.Duration, error) {
	const chunk = 32
	var (
		next atomic.Int64
		bad  atomic.Int64
		wg   sync.WaitGroup
	)
	bad.Store(-1)
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				lo := int(next.Add(chunk) - chunk)
				if lo >= len(jobs) {
					return
				}
				for i := lo; i < min(lo+chunk, len(jobs)); i++ {
					j := &jobs[i]
					if !j.sig.Verify(j.hash[:], j.pk) {
						bad.Store(int64(i))
					}
				}
			}
		}()
	}
	wg.Wait()
	d := time.Since(start)
	if i := bad.Load(); i >= 0 {
		return d, fmt.Errorf("baseline signature %d does not verify", i)
	}
	return d, nil
}

// baselineWorkers is the baseline's goroutine count: one per CPU.
func baselineWorkers() int { return runtime.NumCPU() }
