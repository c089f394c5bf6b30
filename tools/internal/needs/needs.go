// Package needs decides, in one place, what a test does when a program it
// needs is not installed: it skips, with a visible message saying what to
// install, unless the run requires the program, and then it fails.
//
// Chromium, Java, npm, the PDF tools and the print fonts are required when
// WCO_REQUIRE_BROWSER is set; the independent attacker (Python with SciPy,
// and CBC) when WCO_REQUIRE_ATTACKER is. .ci/run and the nightly workflow
// set both, so there nothing is ever skipped.
package needs

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/chicago-welcoming-city/transparency/tools/internal/browser"
)

// The variables that make a missing tool a failure.
const (
	RequireBrowser  = "WCO_REQUIRE_BROWSER"
	RequireAttacker = "WCO_REQUIRE_ATTACKER"
)

// Tool is something a test may need.
type Tool struct {
	// Name says what it is, in messages.
	Name string
	// Install says how to get it.
	Install string
	// Require is the variable that makes it mandatory.
	Require string
	// Find is nil when the tool is here, else why not.
	Find func() error
}

// Program is a program found on PATH.
func Program(name, install string) Tool {
	return Tool{Name: name, Install: install, Require: RequireBrowser, Find: func() error {
		_, err := exec.LookPath(name)
		return err
	}}
}

// The tools the slower tier's tests use.
var (
	Chromium = Tool{Name: "Chromium", Install: "apt-get install chromium", Require: RequireBrowser, Find: func() error {
		_, err := browser.Find("")
		return err
	}}
	Java      = Program("java", "apt-get install default-jre-headless")
	Npm       = Program("npm", "apt-get install npm")
	Go        = Program("go", "install Go")
	PDFToText = Program("pdftotext", "apt-get install poppler-utils")
	PDFInfo   = Program("pdfinfo", "apt-get install poppler-utils")
	PDFFonts  = Program("pdffonts", "apt-get install poppler-utils")
	// PrintFonts are the fonts the print stylesheet names for Chinese and
	// Korean: without them the PDFs are larger than their budget.
	PrintFonts = Tool{Name: "the print fonts (WenQuanYi Micro Hei, NanumGothic)", Install: "apt-get install fonts-wqy-microhei fonts-nanum", Require: RequireBrowser, Find: func() error {
		out, _ := exec.Command("fc-list").Output()
		for _, font := range []string{"WenQuanYi Micro Hei", "NanumGothic"} {
			if !strings.Contains(string(out), font) {
				return errors.New("no " + font)
			}
		}
		return nil
	}}
)

// Required reports whether a missing tool fails the run.
func (tool Tool) Required() bool { return os.Getenv(tool.Require) != "" }

// Here reports whether the tool is installed.
func (tool Tool) Here() bool { return tool.Find() == nil }

// Have skips t, saying what to install, unless every tool is here; a
// missing tool the run requires fails t instead.
func Have(t testing.TB, tools ...Tool) {
	t.Helper()
	for _, tool := range tools {
		err := tool.Find()
		if err == nil {
			continue
		}
		msg := fmt.Sprintf("%s is not installed (%v): %s, or bash .ci/install", tool.Name, err, tool.Install)
		if tool.Required() {
			t.Fatalf("%s; %s is set, so the test may not skip", msg, tool.Require)
		}
		t.Skipf("SKIPPED: %s; .ci/run installs it and requires this test", msg)
	}
}
