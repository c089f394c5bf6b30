package config

import (
	"testing"
	"testing/fstest"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/check"
	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
)

// checkWith reads body as export's file (under its contract name), as the
// check does with the mappings of c, and returns its valid rows and the
// file's report.
func checkWith[T records.Record](t *testing.T, c *Config, export, body string) ([]T, *check.FileReport) {
	t.Helper()
	m, err := c.Mappings()
	if err != nil {
		t.Fatal(err)
	}
	e, err := contract.Lookup(export)
	if err != nil {
		t.Fatal(err)
	}
	d := &delivery.Delivery{FS: fstest.MapFS{e.File(): {Data: []byte(body)}}, Origin: "test"}
	var rows []T
	rep := check.Export(d, e, check.Options{Now: time.Now(), Mappings: m}, func(r T) { rows = append(rows, r) })
	return rows, rep
}

// mustLoad loads a configuration file holding body.
func mustLoad(t *testing.T, body string, env Env) *Config {
	t.Helper()
	c, err := Load(writeConfig(t, body), env, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
