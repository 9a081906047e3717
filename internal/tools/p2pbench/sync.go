package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/internal/node/blockfile"
	"github.com/nodecoin/nodecoin/internal/node/nodetest"
)

// countFile returns the number of blocks and of non-coinbase transactions
// in a regtest block file.
func countFile(path string) (blocks, txs int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	r := blockfile.NewReader(f, consensus.RegTestParams.Magic)
	for {
		raw, err := r.Next()
		if errors.Is(err, io.EOF) {
			return blocks, txs, nil
		}
		if err != nil {
			return 0, 0, err
		}
		b, err := wire.DecodeBlock(raw)
		if err != nil {
			return 0, 0, fmt.Errorf("%s: block %d: %w", path, blocks, err)
		}
		blocks++
		txs += len(b.Transactions) - 1
	}
}

// syncFigure is figure 1: initial sync from two peers against --loadblock.
func syncFigure(bin, work, blkPath string) error {
	if _, err := os.Stat(blkPath); errors.Is(err, fs.ErrNotExist) {
		fmt.Printf("sync: %s not found (run chainbench first for the benchmark chain); using a generated 2,000-block chain\n", blkPath)
		blocks, err := nodetest.RegtestChain(2000, 11)
		if err != nil {
			return err
		}
		blkPath = filepath.Join(work, "generated.blk")
		if err := nodetest.WriteBlockFile(blkPath, blocks); err != nil {
			return err
		}
	}
	nBlocks, nTxs, err := countFile(blkPath)
	if err != nil {
		return err
	}
	const timeout = 30 * time.Minute

	// Baseline: a fresh daemon connecting the chain from the file.
	base, err := startDaemon(bin, filepath.Join(work, "file"), "--loadblock", blkPath)
	if err != nil {
		return err
	}
	tFile, err := base.waitHeight(nBlocks, timeout)
	base.stop()
	if err != nil {
		return fmt.Errorf("from file: %w", err)
	}

	// Two peers holding the chain, then a fresh daemon syncing from them.
	var peers []*daemon
	defer func() {
		for _, p := range peers {
			p.stop()
		}
	}()
	for i := range 2 {
		p, err := startDaemon(bin, filepath.Join(work, fmt.Sprintf("peer%d", i)), "--loadblock", blkPath)
		if err != nil {
			return err
		}
		peers = append(peers, p)
		if _, err := p.waitHeight(nBlocks, timeout); err != nil {
			return fmt.Errorf("peer %d: %w", i, err)
		}
	}
	fresh, err := startDaemon(bin, filepath.Join(work, "fresh"), "--connect", peers[0].p2p, "--connect", peers[1].p2p)
	if err != nil {
		return err
	}
	tSync, err := fresh.waitHeight(nBlocks, timeout)
	fresh.stop()
	if err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	rateFile := float64(nTxs) / tFile.Seconds()
	rateSync := float64(nTxs) / tSync.Seconds()
	fmt.Printf("sync: %d blocks, %d transactions (%s)\n", nBlocks, nTxs, filepath.Base(blkPath))
	fmt.Printf("sync: from two peers over loopback  %8.2f s  %10.0f tx/s\n", tSync.Seconds(), rateSync)
	fmt.Printf("sync: from the file (--loadblock)   %8.2f s  %10.0f tx/s\n", tFile.Seconds(), rateFile)
	fmt.Printf("sync: ratio %.2f (target >= 0.8)\n", rateSync/rateFile)
	return nil
}
