package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/chicago-welcoming-city/transparency/tools/internal/publish"
)

func keyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "key new",
		Short: "Make a pseudonym key (WCO_PSEUDONYM_KEY)",
		Long: `key new prints a new pseudonym key: a prefix, 256 bits from the system's randomness and a
checksum. The key keys the local ledgers that let wco revise say how many records a
revision added, removed or changed; nothing published depends on it. wco accepts only
keys of this form: a passphrase, or a hash of one, is refused, since anyone could guess
it. Keep the key in the CI secret store and the publishing team's password manager,
never in a file of the repository. To replace it, see "Keys" in README.md.`,
		Example: `  wco key new`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 || args[0] != "new" {
				return usageError{fmt.Errorf("usage: wco key new")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			k, err := publish.NewKey()
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), k)
			return nil
		},
	}
	return cmd
}
