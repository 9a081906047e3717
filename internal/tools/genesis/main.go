// Command genesis finds the nonce of a nodecoin network's genesis block.
//
// It takes the genesis block that chain/consensus builds for the network,
// resets its nonce to 0 and grinds upward with consensus.SolveHeader until
// the header hash meets the network's proof-of-work limit, then prints the
// nonce, the block hash and the merkle root, and whether they match the
// values fixed in chain/consensus. It was run once per network to choose the
// nonces in chain/consensus/genesis.go; running it again reproduces them.
//
// Usage:
//
//	go run ./internal/tools/genesis [-network main|test|regtest|all]
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/nodecoin/nodecoin/chain/consensus"
)

func main() {
	network := flag.String("network", "all", `network whose genesis to solve: "main", "test", "regtest" or "all"`)
	flag.Parse()

	names := []string{*network}
	if *network == "all" {
		names = []string{consensus.MainNetName, consensus.TestNetName, consensus.RegTestNetName}
	}
	failed := false
	for _, name := range names {
		if err := solve(name); err != nil {
			fmt.Fprintln(os.Stderr, "genesis:", err)
			failed = true
		}
	}
	if failed {
		os.Exit(1)
	}
}

// solve grinds the genesis nonce of the named network and prints the result.
func solve(name string) error {
	p, err := consensus.ParamsForNetwork(name)
	if err != nil {
		return err
	}
	hdr := p.GenesisBlock.Header
	hdr.Nonce = 0
	start := time.Now()
	if !consensus.SolveHeader(&hdr, p.PowLimit) {
		return fmt.Errorf("%s: no nonce solves the genesis header", name)
	}
	elapsed := time.Since(start)
	hash := hdr.BlockHash()
	fmt.Printf("network %s\n  bits        %08x\n  nonce       %d (0x%08x)\n  hash        %s\n  merkle root %s\n  search      %d hashes in %s\n",
		name, hdr.Bits, hdr.Nonce, hdr.Nonce, hash, hdr.MerkleRoot,
		uint64(hdr.Nonce)+1, elapsed.Round(time.Millisecond))
	if hdr.Nonce == p.GenesisBlock.Header.Nonce && hash == p.GenesisHash {
		fmt.Println("  matches the genesis fixed in chain/consensus")
	} else {
		fmt.Printf("  differs from the genesis fixed in chain/consensus (nonce %d, hash %s)\n",
			p.GenesisBlock.Header.Nonce, p.GenesisHash)
	}
	return nil
}
