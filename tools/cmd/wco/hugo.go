package main

import (
	"github.com/gohugoio/hugo/commands"
	"github.com/spf13/cobra"
)

// hugoCmd runs Hugo itself, the version pinned in go.mod, linked into wco:
// wco hugo … is hugo …. The site is built by running it as a child
// process (site.Hugo), so each build stays apart from the command that
// asked for it, and a released wco needs no Go toolchain.
func hugoCmd() *cobra.Command {
	return &cobra.Command{
		Use:                "hugo [HUGO ARGUMENTS]",
		Short:              "Run the Hugo linked into wco",
		Hidden:             true,
		DisableFlagParsing: true,
		RunE: func(_ *cobra.Command, args []string) error {
			return commands.Execute(args)
		},
	}
}
