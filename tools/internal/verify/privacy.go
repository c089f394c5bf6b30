package verify

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	wcosite "github.com/chicago-welcoming-city/transparency/tools/internal/site"
	"github.com/chicago-welcoming-city/transparency/tools/internal/synth"
)

// personal are shapes of personal data that no published file has a reason
// to hold. The canary of the synthetic fixtures is the surest: every
// personal-data field of a synthetic delivery carries one.
var personal = []struct {
	rule string
	re   *regexp.Regexp
}{
	{"canary", regexp.MustCompile(`(?i)` + synth.Canary + `[A-Z]{0,2}\d*`)},
	{"email-address", regexp.MustCompile(`(?i)\b[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b`)},
	{"phone-number", regexp.MustCompile(`\b(?:\(\d{3}\)\s?|\d{3}[-.\s])\d{3}[-.]\d{4}\b`)},
	{"block-address", regexp.MustCompile(`\b\d{1,3}XX [NSEW] [A-Z]`)},
	{"coordinates", regexp.MustCompile(`\b4[12]\.\d{4,}\s*,\s*-8[78]\.\d{4,}|-8[78]\.\d{4,}\s*,\s*4[12]\.\d{4,}`)},
}

// privacy scans every file of the site and of the data folder, through the
// links data/current and data/downloads are; a PDF, whose text is
// compressed and encoded, by the text pdftotext reads from it.
func privacy(ctx context.Context, s *site) Result {
	var r Result
	files, pdfs := 0, 0
	for _, tree := range []struct{ label, dir string }{{"", s.root}, {"data/", s.Data}} {
		if tree.dir == "" {
			continue
		}
		if _, err := os.Stat(tree.dir); err != nil {
			return Result{Err: fmt.Errorf("read %s: %w", tree.dir, err)}
		}
		err := wcosite.WalkFiles(tree.dir, func(p string) error {
			rel, _ := filepath.Rel(tree.dir, p)
			files++
			if strings.HasSuffix(p, ".pdf") {
				pdfs++
				text, err := pdfText(ctx, p)
				if err != nil {
					return err
				}
				scan(&r, text, tree.label+filepath.ToSlash(rel))
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			scan(&r, b, tree.label+filepath.ToSlash(rel))
			return nil
		})
		if err != nil {
			return Result{Err: err}
		}
	}
	r.Checked = count(files, "file")
	if pdfs > 0 {
		r.Checked += fmt.Sprintf(" (%s by their text)", count(pdfs, "PDF"))
	}
	return r
}

// pdfText is the text of a PDF, as pdftotext (poppler-utils) reads it.
func pdfText(ctx context.Context, path string) ([]byte, error) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		return nil, fmt.Errorf("pdftotext reads the PDFs' text for the scan: apt-get install poppler-utils")
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "pdftotext", "-q", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		return nil, fmt.Errorf("pdftotext %s: %w", path, err)
	}
	return out, nil
}

func scan(r *Result, b []byte, name string) {
	for _, p := range personal {
		for _, loc := range p.re.FindAllIndex(b, 3) {
			line := 1 + bytes.Count(b[:loc[0]], []byte("\n"))
			// A match is not shown, as it may be personal data; a canary
			// is synthetic, and names the export it came from.
			what := fmt.Sprintf("what looks like personal data (%d characters)", loc[1]-loc[0])
			if p.rule == "canary" {
				what = fmt.Sprintf("the synthetic canary %s", b[loc[0]:loc[1]])
			}
			r.Findings = append(r.Findings, Finding{Page: name, Rule: p.rule,
				Detail: fmt.Sprintf("line %d holds %s: find which field reached the output and take it out of the publication", line, what)})
		}
	}
}
