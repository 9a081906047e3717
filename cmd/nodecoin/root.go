package main

import (
	"fmt"

	"github.com/nodecoin/nodecoin/internal/version"
	"github.com/spf13/cobra"
)

// newRootCmd builds the cobra command tree.
func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "nodecoin",
		Short:         "nodecoin: a proof-of-work full node with a built-in CPU miner",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version.Version,
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.AddCommand(newVersionCmd())
	root.AddCommand(newDaemonCmd())
	root.AddCommand(newCLICmd())
	root.AddCommand(newMineCmd())
	root.AddCommand(newWalletCmd())
	return root
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of nodecoin",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), version.String())
			return err
		},
	}
}
