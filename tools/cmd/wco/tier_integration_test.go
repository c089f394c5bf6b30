//go:build integration

package main

// secondTier is true in go test -tags integration ./...: the sample site
// is built with its PDFs, which Chromium prints, and the tests of real
// browsers, Java's HTML checker and PDFs run beside the first tier's.
const secondTier = true

// writtenDir is the site with written pages (written_test.go), removed by
// TestMain.
var writtenDir string
