// Package sample embeds the sample delivery: a synthetic two-year delivery
// of the four exports that every command reads when no --source is given.
//
// It is generated, never edited by hand:
//
//	go run ./tools/cmd/wco synth --rows 900 --seed 2026 --out tools/sample/delivery
//
// TestSampleIsReproducible fails when the files drift from the generator.
package sample

import (
	"embed"
	"io/fs"
)

// Rows and Seed are the synth options the sample was made with.
const (
	Rows = 900
	Seed = 2026
)

//go:embed delivery
var files embed.FS

// FS returns the sample delivery's files at its root.
func FS() fs.FS {
	sub, err := fs.Sub(files, "delivery")
	if err != nil {
		panic(err) // the embedded tree always has the folder
	}
	return sub
}
