package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/chicago-welcoming-city/transparency/tools/internal/content"
)

func (a *app) contentCmd() *cobra.Command {
	return group("content", "Check the site's written pages and their translations", a.contentCheckCmd())
}

// maxGrade is the reading level the explainers are held to.
const maxGrade = 8

func (a *app) contentCheckCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "check [--complete]",
		Short: "Hold every translation to its English source, and every page to the rules",
		Long: `content check reads every Markdown page under content/ and holds each translation
(<name>.<lang>.md) to its English source (<name>.md), section by section: the same
headings with the same {#id}s, the same links, the same legal citations and the same
figures. Numbers about the data come from the data files through shortcodes
({{< stat >}}, {{< threshold >}}), dates through {{< date >}}: a number typed by hand
on any page is an error, unless it is a year, part of a legal citation, 911 or 311.
The English explainers must read at or below grade 8 (Flesch–Kincaid).

Each translation records the English revision it was made from (translation.source)
and whether a qualified translator reviewed it (translation.reviewed: a date, or
false). A stale translation is not an error: the site shows a banner on it, and this
command prints the revision to translate from. With --complete, a page missing in
any language is an error too.

Problems name the file, the line and the section's heading. Exit status 1 if any.`,
		Example: `  wco content check
  wco content check --complete`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.loadConfig(cmd)
			if err != nil {
				return err
			}
			complete, _ := cmd.Flags().GetBool("complete")
			dir := filepath.Join(cfg.ComponentsDir(), "content")
			shortcodes, err := filepath.Glob(filepath.Join(cfg.ComponentsDir(), "layouts", "_shortcodes", "*.html"))
			if err != nil {
				return err
			}
			for i, s := range shortcodes {
				shortcodes[i] = strings.TrimSuffix(filepath.Base(s), ".html")
			}
			r, err := content.Check(content.Options{
				Dir:        dir,
				Languages:  cfg.Languages,
				Readable:   []string{"explainers"},
				MaxGrade:   maxGrade,
				Shortcodes: shortcodes,
			})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			problems := len(r.Problems)
			for _, p := range r.Problems {
				fmt.Fprintln(out, p)
			}
			for _, e := range r.Entries {
				switch {
				case e.State == content.Stale:
					fmt.Fprintf(out, "content/%s (%s): the English text is newer: translated from %s, now %s\n", e.Page, e.Lang, e.From, e.Now)
				case e.State == content.Missing && complete:
					fmt.Fprintf(out, "content/%s: not translated into %s (translate revision %s)\n", e.Page, e.Lang, e.Now)
					problems++
				}
			}
			w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintf(w, "language\tpages\tcurrent\tstale\tmissing\tnot reviewed\t\n")
			for _, lang := range cfg.Languages {
				n := 0
				for _, e := range r.Entries {
					if e.Lang == lang {
						n++
					}
				}
				if lang == cfg.DefaultLanguage {
					fmt.Fprintf(w, "%s\t%d\t(source)\t\t\t\t\n", lang, n)
					continue
				}
				fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%d\t%d\t\n", lang, n, r.Count(lang, content.Current), r.Count(lang, content.Stale), r.Count(lang, content.Missing), r.Unreviewed(lang))
			}
			w.Flush()
			lo, hi := 99.0, 0.0
			for _, e := range r.Entries {
				if e.Grade > 0 {
					lo, hi = min(lo, e.Grade), max(hi, e.Grade)
				}
			}
			if hi > 0 {
				fmt.Fprintf(out, "readability: the English explainers read at grade %.1f to %.1f (limit %d)\n", lo, hi, maxGrade)
			}
			if problems > 0 {
				return fmt.Errorf("content check %s: %d problem(s)", relToCwd(dir), problems)
			}
			fmt.Fprintf(out, "content check %s: no problems\n", relToCwd(dir))
			return nil
		},
	}
	cmd.Flags().Bool("complete", false, "fail when a page is missing in any language")
	return cmd
}
