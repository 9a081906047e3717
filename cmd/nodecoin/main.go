// Command nodecoin is the nodecoin full node, miner and RPC client.
//
//	nodecoin version    # print the version
//
// See README.md for the other commands.
package main

import (
	"fmt"
	"os"
)

func main() {
	if err := newRootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "nodecoin:", err)
		os.Exit(1)
	}
}
