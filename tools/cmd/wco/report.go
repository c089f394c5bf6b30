package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/chicago-welcoming-city/transparency/tools/internal/content"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
)

func (a *app) reportCmd() *cobra.Command {
	return group("report", "Work on the written parts of the reports", a.reportNewCmd())
}

func (a *app) reportNewCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "new QUARTER",
		Short: "Scaffold the narrative of a quarter's report",
		Long: `report new writes the narrative that communications staff write for a quarter's
report, with the headings every narrative has, in every language of the site:
content/narratives/<quarter>.md for the default language and <quarter>.<lang>.md for the
others. The report page shows it above the tables. Write every section: a heading with
nothing under it stops the build (wco content check names it). A translation counts as
not translated, and the report in its language shows the English narrative with a
notice, until someone writes it. Write numbers about the data only as the tables give
them; the narrative explains, the tables count. Existing narratives are never
overwritten.`,
		Example: `  wco report new 2026-Q3
  $EDITOR content/narratives/2026-q3.md`,
		Args: exactlyOnePeriod,
		RunE: func(cmd *cobra.Command, args []string) error {
			q, err := period.Parse(args[0])
			if err != nil {
				return usageError{err}
			}
			cfg, err := a.loadConfig(cmd)
			if err != nil {
				return err
			}
			dir := filepath.Join(cfg.ComponentsDir(), "content", "narratives")
			var written []string
			for _, lang := range cfg.Languages {
				name := q.Slug() + ".md"
				if lang != cfg.DefaultLanguage {
					name = q.Slug() + "." + lang + ".md"
				}
				path := filepath.Join(dir, name)
				if _, err := os.Stat(path); err == nil {
					fmt.Fprintf(cmd.OutOrStdout(), "kept %s, which exists\n", relToCwd(path))
					continue
				} else if !errors.Is(err, fs.ErrNotExist) {
					return err
				}
				if err := os.MkdirAll(dir, 0o755); err != nil {
					return err
				}
				if err := os.WriteFile(path, []byte(narrative(q, lang != cfg.DefaultLanguage)), 0o644); err != nil {
					return err
				}
				written = append(written, relToCwd(path))
			}
			if len(written) == 0 {
				return fmt.Errorf("report new %s: every narrative of the quarter exists already; edit them", q)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s: write every section (the build refuses an empty one), then preview it with wco preview\n", strings.Join(written, ", "))
			return nil
		},
	}
	return cmd
}

// narrative is the scaffold of a quarter's narrative in one language. A
// translation starts as the English scaffold, marked as translated from
// its revision and not yet reviewed; while nothing is written under its
// headings it counts as not translated (wco content check, and the site,
// which shows the English narrative).
func narrative(q period.Quarter, translation bool) string {
	body := `
## In brief {#in-brief}

<!-- Two or three sentences a resident can read in a minute. -->

## What changed since last quarter {#changes}

<!-- Explain changes the tables show; do not restate every number. A figure comes
from the data through the stat shortcode, never typed: see README.md. -->

## Notes on the records {#notes}

<!-- Late records, corrections, anything a reader should know. -->
`
	var b strings.Builder
	fmt.Fprintf(&b, `---
title: "What %s's numbers say"
quarter: %q
# A narrative is shown inside its quarter's report, never as a page of its own.
build:
  render: never
  list: never
`, q, q.String())
	if translation {
		fmt.Fprintf(&b, "translation:\n  source: %s\n  reviewed: false\n", content.Revision([]byte(body)))
	}
	b.WriteString("---\n")
	b.WriteString(body)
	return b.String()
}
