//go:build !integration

package main

// secondTier is false in go test ./..., the README's command: its tests
// need no browser, Java or PDF printer, and the sample site is built
// without PDFs. go test -tags integration ./... runs the second tier too
// (tier_integration_test.go), as .ci/run always does.
const secondTier = false

// browserStop stops the shared browser, which only the second tier starts.
var browserStop func()

// writtenDir is the site with written pages, which only the second tier
// builds.
var writtenDir string
